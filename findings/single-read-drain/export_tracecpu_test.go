// Copyright 2026 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Export the execution tracer's CPU sample drain for testing.

package runtime

import "internal/abi"

// TraceReadCPUAcrossRingEnd makes the current generation's CPU profile
// buffer hold two unread samples on both sides of the end of its data ring,
// then calls traceReadCPU(gen) once, as traceAdvance does to drain a
// finishing generation. It returns how many samples were unread before the
// call and how many traceReadCPU left unread.
//
// The profBuf is a small one of the same format (the trace's own has 1<<17
// words), swapped in for the duration of the call. The world is stopped
// around the call, and traceAdvanceSema held, so that neither the CPU
// profile reader goroutine nor traceAdvance touches trace.cpuBuf meanwhile.
//
// Tracing must be enabled.
func TraceReadCPUAcrossRingEnd() (unread, left int) {
	// Records are 6 words: length, timestamp, the header [P, G, M] and one
	// PC. A 16-word ring holds the first at words 0-5 and the second at
	// 6-11; the third does not fit in words 12-15, so the writer leaves a
	// wraparound marker at word 12 and puts it at words 0-5, which the
	// reader has freed by reading the first.
	b := newProfBuf(3, 16, 4)
	gp := getg()
	hdr := []uint64{uint64(gp.m.p.ptr().id)<<1 | 0b1, gp.goid, gp.m.procid}
	stk := []uintptr{abi.FuncPCABIInternal(traceReadCPU) + 1}
	b.write(nil, int64(traceClockNow()), hdr, stk)
	b.read(profBufNonBlocking) // the first sample, read,
	b.read(profBufNonBlocking) // and its words handed back to the writer
	b.write(nil, int64(traceClockNow()), hdr, stk)
	b.write(nil, int64(traceClockNow()), hdr, stk)
	if b.hasOverflow() || b.data[12] != 0 || b.w.load().dataCount() != 16+6 {
		throw("TraceReadCPUAcrossRingEnd: the samples are not on both sides of the end of the ring")
	}
	unread = 2

	semacquire(&traceAdvanceSema)
	if !traceEnabled() {
		semrelease(&traceAdvanceSema)
		panic("TraceReadCPUAcrossRingEnd: tracing is not enabled")
	}
	stw := stopTheWorld(stwForTestReadMetricsSlow)
	gen := trace.gen.Load()
	saved := trace.cpuLogRead[gen%2]
	trace.cpuLogRead[gen%2] = b
	traceReadCPU(gen)
	trace.cpuLogRead[gen%2] = saved
	startTheWorld(stw)
	semrelease(&traceAdvanceSema)

	for data, _, _ := b.read(profBufNonBlocking); len(data) > 0; data, _, _ = b.read(profBufNonBlocking) {
		for ; len(data) > 0; data = data[data[0]:] {
			left++
		}
	}
	return unread, left
}
