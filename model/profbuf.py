"""The profBuf of ``profbuf.go``: a ring of data words and a ring of tags.

State of one profBuf (all fields small ints):

* ``w``/``wt``: the write counts of data words and tags, ``r``/``rt`` the committed
  read counts, ``rn``/``rnt`` the reader's ``rNext`` (what the last read returned,
  committed by the next read).  Go keeps 32- and 30-bit counts; the model keeps
  them modulo twice the ring size, which gives the same positions (``count %
  size``) and the same differences (``countSub``), since a difference never
  exceeds the ring size.
* ``overflow``: the pending overflow count (the low 32 bits of ``b.overflow``; the
  high bits are a sequence number against ABA in compare-and-swap, and the model's
  atomic steps have no ABA), ``eof``: ``b.eof``.
* ``data[j]``: what starts at word ``j``: a sample id, ``OVF`` for an overflow
  record, 0 for a wraparound marker or a word that starts no live record.  A
  record's other words (time, header, stack) carry nothing the protocol reads.
  Words the reader has committed past are cleared: the writer writes a word before
  any reader can see it again, so their old contents are never read, and clearing
  them keeps equal rings equal states.

Tags: the tracer writes no tag pointers (``log.write(nil, ...)``), so a tag slot
is always nil; only the tag counts matter (a full tag ring stops writes, and the
end of the tag ring stops a read).

Not modelled: ``profReaderSleeping`` and the wakeups (the tracer reads
non-blocking), and ``profWriteExtra``, which only makes a non-blocking read that
found nothing look again; a read that looks again is the same as a read that
started later, which the interleaving already contains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gentrace.model.layout import Layout
from gentrace.model.values import Val, all_of, any_of, ite, let, minimum, select

PB = "profbuf.go"


class Ring:
    """The fields of one profBuf and the operations on them, for any value kind."""

    def __init__(self, L: Layout, name: str, *, words: int, tags: int, rec: int, signals: int,
                 start: int, tag_start: int, saturate: bool = False) -> None:
        self.name = name
        # Unbounded signals: the pending overflow count is kept as 0 or 1 (every
        # reader of it asks only whether it is zero).
        self.saturate = saturate
        self.W, self.T, self.rec = words, tags, rec
        self.OVF = signals + 1
        self.dm, self.tm = 2 * words - 1, 2 * tags - 1
        self.w = L.add(f"{name}.w", start, self.dm)
        self.wt = L.add(f"{name}.wt", tag_start, self.tm)
        self.r = L.add(f"{name}.r", start, self.dm)
        self.rt = L.add(f"{name}.rt", tag_start, self.tm)
        self.rn = L.add(f"{name}.rNext", start, self.dm)
        self.rnt = L.add(f"{name}.rNext.t", tag_start, self.tm)
        self.overflow = L.add(f"{name}.overflow", 0, 1 if saturate else signals)
        self.eof = L.add(f"{name}.eof", 0, 1)
        self.data = [L.add(f"{name}.data[{j}]", 0, self.OVF) for j in range(words)]

    # -- sizes ------------------------------------------------------------------

    def length(self, x: Val) -> Val:
        """Words in the record that starts with ``x`` (a sample id or OVF)."""
        return ite(x == self.OVF, 1, self.rec)

    def unread(self, s: Sequence[Val]) -> Val:
        """Data words written and not yet committed as read: countSub(w, r)."""
        return (s[self.w] + 2 * self.W - s[self.r]) & self.dm

    def tags_used(self, s: Sequence[Val]) -> Val:
        return (s[self.wt] + 2 * self.T - s[self.rt]) & self.tm

    def empty(self, s: Sequence[Val]) -> Val:
        """No record that a reader has not yet been handed (w == rNext)."""
        return all_of(s[self.w] == s[self.rn], s[self.wt] == s[self.rnt])

    def word(self, s: Sequence[Val], i: Val) -> Val:
        return select(i, [s[f] for f in self.data])

    # -- the writer (profBuf.write, under trace.signalLock) -------------------------

    def can_write_record(self, s: Sequence[Val], n: Val) -> Val:
        """canWriteRecord: a tag is free and ``n`` words fit, after skipping a trailing
        fragment too short for them."""
        nd = self.W - self.unread(s)
        i = s[self.w] & (self.W - 1)
        need = n + ite(i + n > self.W, self.W - i, 0)
        return all_of(self.T - self.tags_used(s) >= 1, nd >= need)

    def can_write_two_records(self, s: Sequence[Val], n2: Val) -> Val:
        """canWriteTwoRecords(1, n2): an overflow record (one word), then ``n2`` words."""
        nd = self.W - self.unread(s)
        i1 = (s[self.w] & (self.W - 1)) + 1  # the one-word record always fits at i
        need = 1 + n2 + ite(i1 + n2 > self.W, self.W - i1, 0)
        return all_of(self.T - self.tags_used(s) >= 2, nd >= need)

    def append(self, s: Sequence[Val], upd: dict[int, Val], x: Val, n: Val) -> None:
        """Write a record starting with ``x`` of ``n`` words and commit it (b.w CAS).

        profBuf.write: "if wd+2+hdrsize+len(stk) > len(b.data) { b.data[wd] = 0;
        skip = ...; wd = 0 }", the record at wd, then the commit loop
        ``b.w.cas(old, old.addCountsAndClearFlags(skip+len, 1))``.  Only the writer
        changes the counts in b.w (the reader sets flag bits), so the loop's one
        successful CAS is an atomic add: one step with the record's words, which no
        reader can see before that CAS.
        """
        wd = s[self.w] & (self.W - 1)
        wrap = wd + n > self.W
        at = ite(wrap, 0, wd)
        for j, f in enumerate(self.data):
            # The marker (0) at wd when wrapping; the record's first word at ``at``.
            upd[f] = ite(at == j, x, ite(all_of(wrap, wd == j), 0, s[f]))
        skip = ite(wrap, self.W - wd, 0)
        upd[self.w] = (s[self.w] + skip + n) & self.dm
        upd[self.wt] = (s[self.wt] + 1) & self.tm

    # -- the reader (profBuf.read(profBufNonBlocking)) -------------------------------

    def commit(self, s: Sequence[Val], upd: dict[int, Val]) -> None:
        """"Commit previous read": ``if rPrev != br { clear tags; b.r.store(br) }``.

        One store the writer can see.  The words between the old and the new read
        position are cleared (see the module docstring)."""
        W = self.W
        old, new = s[self.r], s[self.rn]
        gone = (new + 2 * W - old) & self.dm  # words committed past
        for j, f in enumerate(self.data):
            # Word j is freed when its distance from old (in ring order) is < gone.
            dist = (j + W - (old & (W - 1))) & (W - 1)
            upd[f] = ite(dist < gone, 0, s[f])
        upd[self.r] = new
        upd[self.rt] = s[self.rnt]

    def scan(self, s: Sequence[Val]) -> tuple[Val, Val, Val, Val, Val]:
        """What one read returns, from ``bw := b.w.load()`` on.

        Returns ``(numData != 0, position of the first record, number of records,
        rNext's data count, rNext's tag count)``.  Mirrors profbuf.go line for line::

            data = b.data[br.dataCount()%len:]; if len(data) > numData { data = data[:numData] }
            else { numData -= len(data) }                      // stop at the end of the ring
            if data[0] == 0 { skip = len(data); data = b.data; if len(data) > numData {...} }
            tags = b.tags[br.tagCount()%len:] (at most ntag)   // stop at the end of the tag ring
            for di < len(data) && data[di] != 0 && ti < len(tags) { di += data[di]; ti++ }
            b.rNext = br.addCountsAndClearFlags(skip+di, ti)
        """
        W, T = self.W, self.T
        rn, rnt = s[self.rn], s[self.rnt]
        num = let((s[self.w] + 2 * W - rn) & self.dm)
        pos = let(rn & (W - 1))
        tail = W - pos
        cut = let(ite(tail > num, num, tail))          # len(data) after the first slice
        rest = ite(tail > num, num, num - tail)         # numData after "numData -= len(data)"
        marker = let(self.word(s, pos) == 0)
        skip = ite(marker, cut, 0)
        first = let(ite(marker, 0, pos))
        dlen = let(ite(marker, minimum(W, rest), cut))
        ntag = (s[self.wt] + 2 * T - rnt) & self.tm
        tlen = let(minimum(T - (rnt & (T - 1)), ntag))
        di: Val = 0
        ti: Val = 0
        go: Val = True
        for _ in range(W):  # at most W records: each has at least one word
            x = let(self.word(s, first + di))
            go = let(all_of(go, di < dlen, x != 0, ti < tlen))
            di = let(ite(go, di + self.length(x), di))
            ti = let(ite(go, ti + 1, ti))
        rnext = (rn + skip + di) & self.dm
        rnext_t = (rnt + ti) & self.tm
        return num != 0, first, ti, rnext, rnext_t

    def take_overflow(self, s: Sequence[Val], upd: dict[int, Val]) -> Val:
        """takeOverflow: the pending count, cleared by CAS; returns whether it was non-zero."""
        upd[self.overflow] = 0
        return s[self.overflow] != 0


def per_ring(rings: Sequence[Ring], idx: Val, s: Sequence[Val], upd: dict[int, Val],
             op: Callable[[Ring, dict[int, Val]], None]) -> None:
    """Apply ``op`` to ``rings[idx]`` where the index may be symbolic."""
    for p, rg in enumerate(rings):
        sub: dict[int, Val] = {}
        op(rg, sub)
        for f, v in sub.items():
            upd[f] = ite(idx == p, v, upd[f] if f in upd else s[f])


def of_ring(rings: Sequence[Ring], idx: Val, fn: Callable[[Ring], Val]) -> Val:
    """``fn(rings[idx])`` where the index may be symbolic."""
    return select(idx, [fn(rg) for rg in rings])


def any_ring(rings: Sequence[Ring], fn: Callable[[Ring], Val]) -> Val:
    return any_of(*[fn(rg) for rg in rings])
