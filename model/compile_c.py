"""Print a system's lowered steps and predicates as C: the compiled kernel's model part.

The same lowering as the Python successor function (:func:`gentrace.model.compile.lower`,
printed in the C dialect): one walk over the step definitions, two printers, so there
is no second copy of the transition relation.  States are packed into 64-bit words,
each field in as many bits as its declared range needs (:func:`bit_layout`); the
successor function reads the unpacked fields of a state and writes each successor
packed, as a copy of its source's words with the changed fields replaced, in the order
the Python function lists them (the explorer's breadth-first order).

Every generated name starts with a prefix, so several systems can share one C file
(the differential tests build one library for many designs).  What is generated, for
prefix ``p``:

- ``p_NF``, ``p_NW``, ``p_NSTEPS``, ``p_NPROPS``: fields, words per packed state, steps,
  properties; ``p_INIT``: the initial state's fields;
- ``p_pack(s, w)``, ``p_unpack(w, s)``: between fields (``int64_t``) and words;
- ``p_bad_field``: set to a field whose new value left its declared range (-1: none),
  which the packing could not hold;
- ``p_succ(s, w, o, st)``: the successors of the state with fields ``s`` and words
  ``w``, written packed to ``o`` (``p_NW`` words each) with their steps in ``st``;
  returns how many;
- ``p_violated(s)``, ``p_witnessed(s)`` (a bit per property) and ``p_finished(s)``;
- ``p_successors``, ``p_violated_at``, ``p_witnessed_at``, ``p_finished_at``: the same,
  exported, on unpacked states (``p_successors`` packs its input and unpacks what it
  returns, so the packing is under test too); ``p_repack(s, out)``: ``s`` packed and
  unpacked again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gentrace.model.compile import Lets, Lowered, Pred, lower
from gentrace.model.expr import C
from gentrace.model.layout import Layout, Step

# Field values are held in int64_t: a declared range must leave room for the +1 and -1
# of counters and for sums of two values.
C_VALUE_LIMIT = 1 << 62
WORD_BITS = 64


class Unsupported(ValueError):
    """A system the C kernel cannot hold (the message says why); the Python engine can."""


@dataclass(frozen=True)
class BitLayout:
    """Where each field sits in a packed state: word, shift and width in bits."""

    words: int
    word: list[int]
    shift: list[int]
    width: list[int]

    @property
    def bits(self) -> int:
        return sum(self.width)


def bit_layout(layout: Layout) -> BitLayout:
    """Each field in ``maxv.bit_length()`` bits (at least one); no field straddles two
    words.  First fit, widest fields first: words are filled with little waste."""
    n = len(layout)
    width = [max(1, m.bit_length()) for m in layout.maxv]
    if any(w > WORD_BITS for w in width):
        raise Unsupported("a field is wider than 64 bits")
    free: list[int] = []
    word, shift = [0] * n, [0] * n
    for i in sorted(range(n), key=lambda i: (-width[i], i)):
        k = next((k for k, room in enumerate(free) if room >= width[i]), len(free))
        if k == len(free):
            free.append(WORD_BITS)
        word[i], shift[i] = k, WORD_BITS - free[k]
        free[k] -= width[i]
    return BitLayout(max(1, len(free)), word, shift, width)


def _mask(w: int) -> str:
    return f"0x{(1 << w) - 1:x}ull"


def c_source(layout: Layout, steps: Sequence[Step], invariants: Sequence[tuple[Pred, Pred]],
             finished: Pred, prefix: str = "m_") -> str:
    """The model part of a kernel, every name starting with ``prefix`` (see the module
    docstring).  Raises :class:`Unsupported` for a system the kernel cannot hold."""
    big = [i for i, m in enumerate(layout.maxv) if m >= C_VALUE_LIMIT]
    if big:
        raise Unsupported(f"field {layout.names[big[0]]} ranges to {layout.maxv[big[0]]}, past the C "
                          "kernel's 64-bit arithmetic (a word of at most 62 bits fits)")
    if len(steps) >= 1 << 16:
        raise Unsupported(f"{len(steps)} steps do not fit the kernel's 16-bit step numbers")
    if len(invariants) > 32:
        raise Unsupported(f"{len(invariants)} properties do not fit the kernel's 32-bit masks")
    low = lower(layout, steps, invariants, finished, C)
    return _print(low, layout, bit_layout(layout), len(steps), prefix)


def _print(low: Lowered, layout: Layout, bl: BitLayout, nsteps: int, p: str) -> str:
    n, nw = len(layout), bl.words
    out = [f"/* gentrace kernel model part: {n} fields in {nw} words ({bl.bits} bits) */",
           f"#define {p}NF {n}", f"#define {p}NW {nw}", f"#define {p}NSTEPS {nsteps}",
           f"#define {p}NPROPS {len(low.violated)}",
           "/* A field whose new value left its declared range (-1: none yet): the packing would",
           "   cut it, so the search stops (the layout's ranges are the model's to get right). */",
           f"static int64_t {p}bad_field = -1;",
           f"static const int64_t {p}INIT[{n}] = {{{', '.join(map(str, layout.init))}}};"]

    out.append(f"static inline void {p}unpack(const uint64_t *w, int64_t *s) {{")
    out += [f"    s[{i}] = (int64_t)((w[{bl.word[i]}] >> {bl.shift[i]}) & {_mask(bl.width[i])});"
            for i in range(n)]
    out.append("}")
    out.append(f"static inline void {p}pack(const int64_t *s, uint64_t *w) {{")
    for k in range(nw):
        parts = [f"(((uint64_t)s[{i}] & {_mask(bl.width[i])}) << {bl.shift[i]})"
                 for i in range(n) if bl.word[i] == k]
        out.append(f"    w[{k}] = " + (" | ".join(parts) or "0") + ";")
    out.append("}")

    def lets(xs: Lets, ind: str) -> None:
        out.extend(f"{ind}int64_t {name} = {code};" for name, code in xs)

    # One function per thread: the compiler's time grows faster than the size of a
    # function, and the threads' functions are small.
    for j, g in enumerate(low.groups):
        out.append(f"static __attribute__((noinline)) int {p}succ{j}(const int64_t *s, const uint64_t *w, "
                   "uint64_t *o, uint16_t *st, int n) {")
        out.append("    uint64_t *q;")
        ind = "    "
        if g.idle is not None:
            out.append(f"{ind}if (s[{g.idle}] == 0) {{")
            ind += "    "
        out.append(f"{ind}switch (s[{g.pc_field}]) {{")
        for pc, at_pc in g.by_pc:
            out.append(f"{ind}case {pc}: {{")
            for sc in at_pc:
                inner = ind + "    "
                out.append(f"{inner}{{")
                inner += "    "
                closes = 1
                if sc.guard is not None:
                    lets(sc.guard_lets, inner)
                    out.append(f"{inner}if ({sc.guard}) {{")
                    inner += "    "
                    closes += 1
                lets(sc.update_lets, inner)
                out.append(f"{inner}q = o + n * {nw};")
                out += [f"{inner}q[{k}] = w[{k}];" for k in range(nw)]
                for f, v in sc.updates:
                    k, sh, m = bl.word[f], bl.shift[f], _mask(bl.width[f])
                    check = f"if ((uint64_t)nv_ > {layout.maxv[f]}ull) {p}bad_field = {f};"
                    out.append(f"{inner}{{ int64_t nv_ = {v}; {check} "
                               f"q[{k}] = (q[{k}] & ~({m} << {sh})) | (((uint64_t)nv_ & {m}) << {sh}); }}")
                out.append(f"{inner}st[n++] = {sc.index};")
                for _ in range(closes):
                    inner = inner[:-4]
                    out.append(f"{inner}}}")
            out.append(f"{ind}    break;")
            out.append(f"{ind}}}")
        out.append(f"{ind}}}")
        if g.idle is not None:
            out.append("    }")
        out.append("    return n;")
        out.append("}")
    out.append(f"static int {p}succ(const int64_t *s, const uint64_t *w, uint64_t *o, uint16_t *st) {{")
    out.append("    int n = 0;")
    out += [f"    n = {p}succ{j}(s, w, o, st, n);" for j in range(len(low.groups))]
    out.append("    return n;")
    out.append("}")

    for fname, preds, test in ((f"{p}violated", low.violated, "!({})"), (f"{p}witnessed", low.witnessed, "{}")):
        out.append(f"static inline uint32_t {fname}(const int64_t *s) {{")
        out.append("    uint32_t m = 0;")
        for k, pr in enumerate(preds):
            out.append("    {")
            lets(pr.lets, "        ")
            out.append(f"        if ({test.format(pr.code)}) m |= {1 << k}u;")
            out.append("    }")
        out.append("    return m;")
        out.append("}")
    out.append(f"static inline int {p}finished(const int64_t *s) {{")
    lets(low.finished.lets, "    ")
    out.append(f"    return ({low.finished.code}) != 0;")
    out.append("}")

    # Exported, on unpacked states: what the differential tests call.
    out += [
        f"int {p}successors(const int64_t *s, int64_t *out, uint16_t *st) {{",
        f"    uint64_t w[{nw}], o[{max(nsteps, 1)} * {nw}];",
        f"    int64_t u[{n}];",
        f"    {p}pack(s, w);",
        f"    {p}unpack(w, u);",
        f"    int k = {p}succ(u, w, o, st);",
        f"    for (int i = 0; i < k; i++) {p}unpack(o + i * {nw}, out + i * {n});",
        "    return k;",
        "}",
        f"void {p}repack(const int64_t *s, int64_t *out) {{",
        f"    uint64_t w[{nw}];",
        f"    {p}pack(s, w);",
        f"    {p}unpack(w, out);",
        "}",
        f"uint32_t {p}violated_at(const int64_t *s) {{ return {p}violated(s); }}",
        f"uint32_t {p}witnessed_at(const int64_t *s) {{ return {p}witnessed(s); }}",
        f"int {p}finished_at(const int64_t *s) {{ return {p}finished(s); }}",
    ]
    return "\n".join(out) + "\n"


EXPORTS = """
int {p}successors(const int64_t *s, int64_t *out, uint16_t *st);
void {p}repack(const int64_t *s, int64_t *out);
uint32_t {p}violated_at(const int64_t *s);
uint32_t {p}witnessed_at(const int64_t *s);
int {p}finished_at(const int64_t *s);
"""


def c_exports(prefix: str = "m_") -> str:
    """The declarations of the exported functions of a model part (for cffi's ``cdef``)."""
    return EXPORTS.format(p=prefix)
