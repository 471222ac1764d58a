"""The CPU profile reader goroutine (traceStartReadCPU's loop) on its own M.

Its 100 ms sleep is no step: a sleep only lets other threads run, which the
interleaving semantics already allows at every point.  traceStopReadCPU's wake is
likewise no step (the model never makes the reader wait for it).
"""

from __future__ import annotations

from model.context import Ctx, Drainer
from model.layout import Pcs, Step
from model.values import Val, all_of, as_int, ite

LOOP = "trace2cpu.go traceStartReadCPU goroutine"
READ = "trace2cpu.go traceReadCPU"


class Reader(Drainer):
    def __init__(self, ctx: Ctx, name: str = "R") -> None:
        self.ctx, self.name = ctx, name
        d, L, b = ctx.design, ctx.L, ctx.bounds
        self.pcs = pcs = Pcs()
        self.LOOP = pcs("loop-check")
        if d.legacy:
            self.READ = pcs("read")
            self.ACQ_INC, self.ACQ_LOAD, self.ACQ_UNDO = pcs("acquire"), pcs("load-gen"), pcs("undo")
            self.EMIT, self.RELEASE, self.COMMIT = pcs("emit"), pcs("release"), pcs("commit")
        elif d.reader_locked:
            self.ACQ_INC, self.ACQ_LOAD, self.ACQ_UNDO = pcs("acquire"), pcs("load-gen"), pcs("undo")
            self.READ, self.EMIT, self.COMMIT = pcs("read"), pcs("emit"), pcs("commit")
            self.RELEASE = pcs("release")
        else:
            self.LOAD = pcs("load-gen")
            self.READ, self.EMIT, self.COMMIT = pcs("read"), pcs("emit"), pcs("commit")
        self.DONE = pcs("done")
        self.pc = L.add(f"{name}.pc", self.LOOP, len(pcs.names) - 1, labels=pcs.names)
        self.g = L.add(f"{name}.gen", 0, b.top)
        self.n = L.add(f"{name}.read.n", 0, b.profbuf)
        self.i = L.add(f"{name}.read.i", 0, b.profbuf)
        self.eof = L.add(f"{name}.read.eof", 0, 1)
        self.seq = L.add(f"{name}.seqlock", 0, 1)
        self.idle: int | None = None


    def steps(self) -> list[Step]:
        c, r, d = self.ctx, self, self.ctx.design
        legacy = d.legacy

        def st(name: str, go: str, pc: int, update, guard=None) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=r.name, name=name, go=go, pc_field=r.pc, pc=pc,
                        update=update, guard=guard, idle_field=r.idle)

        def pidx(s):  # type: ignore[no-untyped-def]
            return 0 if legacy else c.prof_of(s[r.g])

        out: list[Step] = []
        after_loop = r.READ if legacy else (r.ACQ_INC if d.reader_locked else r.LOAD)
        out.append(st("loop.traceEnabled", f"{LOOP}: for traceEnabled() {{ sleep(100ms) ...",
                      r.LOOP, lambda s: {r.pc: ite(s[c.gen] == 0, r.DONE, after_loop)}))

        def read(s):  # type: ignore[no-untyped-def]
            p = pidx(s)
            ln = c.pb_field(s, p, "length")
            eof = as_int(all_of(c.pb_field(s, p, "closed") == 1, ln == 0))
            upd = {r.n: ln, r.i: 0, r.eof: eof}
            empty_next = ite(eof == 1, r.DONE, r.LOOP) if (legacy or not d.reader_locked) else r.RELEASE
            upd[r.pc] = ite(ln == 0, empty_next, r.ACQ_INC if legacy else r.EMIT)
            if legacy or not d.reader_locked:
                upd[r.g] = ite(ln == 0, 0, s[r.g])
            return upd
        slot = "" if legacy else "[gen%2]"
        out.append(st("profBuf-read", f"{READ}: data, tags, eof := trace.cpuLogRead{slot}"
                      ".read(profBufNonBlocking)", r.READ, read))

        def emit(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {}
            sid = c.pb_record(s, pidx(s), s[r.i])
            c.write_cpu(s, upd, s[r.g], sid)
            i2 = s[r.i] + 1
            upd[r.i] = i2
            upd[r.pc] = r.RELEASE if legacy else ite(i2 == s[r.n], r.COMMIT, r.EMIT)
            return upd
        out.append(st("emit-sample", f"{READ}: w.byte(traceEvCPUSample)...; "
                      "trace.cpuBuf[gen%2] = w.traceBuf (one record, refilling a full batch)",
                      r.EMIT, emit))

        def commit(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {}
            c.pb_commit(s, upd, pidx(s), s[r.n])
            upd[r.n] = 0
            upd[r.i] = 0
            if legacy or not d.reader_locked:
                upd[r.pc] = ite(s[r.eof] == 1, r.DONE, r.LOOP)
                upd[r.g] = 0
                upd[r.eof] = 0
            else:
                upd[r.pc] = r.RELEASE
            return upd
        # profBuf.read hands out records that stay in the ring until the next
        # read call moves the read position past them.  Doing that as soon as
        # the records are written out only frees space earlier (fewer overflows);
        # which samples are read, and by whom, is unchanged.
        out.append(st("profBuf-commit", "profbuf.go profBuf.read: b.r.Store(...) on the next read "
                      "frees the records just returned", r.COMMIT, commit))

        if legacy or d.reader_locked:
            out.append(st("traceAcquire.seqlock-inc", "trace2runtime.go traceAcquireEnabled: "
                          "mp.trace.seqlock.Add(1)", r.ACQ_INC,
                          lambda s: {r.seq: s[r.seq] ^ 1, r.pc: r.ACQ_LOAD}))

            def acq_load(s):  # type: ignore[no-untyped-def]
                nxt = r.EMIT if legacy else r.READ
                return {r.g: s[c.gen], r.pc: ite(s[c.gen] == 0, r.ACQ_UNDO, nxt)}
            out.append(st("traceAcquire.load-gen", "trace2runtime.go traceAcquireEnabled: "
                          "gen := trace.gen.Load()", r.ACQ_LOAD, acq_load))

            def undo(s):  # type: ignore[no-untyped-def]
                # Legacy: "if !tl.ok() { return false }" drops the rest of the read;
                # the records stay in the ring, never read again.
                return {r.seq: s[r.seq] ^ 1, r.pc: r.DONE, r.g: 0, r.n: 0, r.i: 0, r.eof: 0}
            out.append(st("traceAcquire.undo", "trace2runtime.go traceAcquireEnabled: gen == 0, "
                          "so mp.trace.seqlock.Add(1); the reader exits", r.ACQ_UNDO, undo))

            def release(s):  # type: ignore[no-untyped-def]
                if legacy:
                    return {r.seq: s[r.seq] ^ 1, r.g: 0,
                            r.pc: ite(s[r.i] == s[r.n], r.COMMIT, r.ACQ_INC)}
                return {r.seq: s[r.seq] ^ 1, r.g: 0, r.eof: 0,
                        r.pc: ite(s[r.eof] == 1, r.DONE, r.LOOP)}
            out.append(st("traceRelease", "trace2runtime.go traceRelease: seqlock.Add(1)",
                          r.RELEASE, release))
        else:
            out.append(st("load-gen-unlocked", "trace2cpu.go traceStartReadCPU: gen := "
                          "trace.gen.Load() with no traceAcquire (mutant)", r.LOAD,
                          lambda s: {r.g: s[c.gen], r.pc: ite(s[c.gen] == 0, r.DONE, r.READ)}))
        return out
