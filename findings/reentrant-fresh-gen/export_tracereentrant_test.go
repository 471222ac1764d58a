// Copyright 2026 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Export the execution tracer's reentrant traceAcquire for testing.

package runtime

// TraceNestedAcquire takes a traceLocker, then does what traceAdvance does
// while this M is in its trace section: publish the next generation, or,
// when stop is true, set trace.shutdown and store trace.gen = 0, as
// traceAdvance(true) does before it clears trace.enabled. In that window it
// makes a nested traceAcquire the way stackalloc and stackfree do under
// GODEBUG=traceallocfree=1 (release only if ok), then restores trace.gen and
// releases the outer locker. It returns the generations of the two lockers,
// whether this M was left in a trace section after the outer traceRelease
// (traceAdvance(true) would wait on it forever), and whether m.locks was left
// raised (the goroutine could no longer be preempted, and its next park
// would throw "schedule: holding locks"). It repairs the M before returning.
//
// The world is stopped and traceAdvanceSema held, so nothing else sees the
// generation change. Tracing must be enabled.
func TraceNestedAcquire(stop bool) (outerGen, nestedGen uint64, leftInSection, leftLocked bool) {
	semacquire(&traceAdvanceSema)
	if !traceEnabled() {
		semrelease(&traceAdvanceSema)
		panic("TraceNestedAcquire: tracing is not enabled")
	}
	stw := stopTheWorld(stwForTestReadMetricsSlow)

	mp := acquirem()
	locks := mp.locks
	tl := traceAcquire()
	if !tl.ok() {
		throw("TraceNestedAcquire: traceAcquire failed with tracing enabled")
	}
	gen := trace.gen.Load()
	if stop {
		trace.shutdown.Store(true)
		trace.gen.Store(0)
	} else {
		trace.gen.Store(traceNextGen(gen))
	}
	nested := traceAcquire()
	if nested.ok() {
		traceRelease(nested)
	}
	trace.gen.Store(gen)
	trace.shutdown.Store(false)
	traceRelease(tl)

	if mp.trace.seqlock.Load()%2 != 0 {
		// The nested traceAcquire's reentered++ was undone by the outer
		// traceRelease, which left the seqlock odd.
		leftInSection = true
		mp.trace.seqlock.Add(1)
	}
	for mp.locks > locks {
		// The nested traceAcquire's acquirem, never released.
		leftLocked = true
		releasem(mp)
	}
	releasem(mp)
	startTheWorld(stw)
	semrelease(&traceAdvanceSema)
	return uint64(tl.gen), uint64(nested.gen), leftInSection, leftLocked
}
