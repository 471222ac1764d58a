// Extract of go1.26.6 src/runtime/traceruntime.go: the functions gentrace's design edits
// touch, verbatim. Copyright The Go Authors; BSD-style license: https://go.dev/LICENSE

package runtime

// traceAcquireEnabled is the traceEnabled path for traceAcquire. It's explicitly
// broken out to make traceAcquire inlineable to keep the overhead of the tracer
// when it's disabled low.
//
// nosplit because it's called by traceAcquire, which is nosplit.
//
//go:nosplit
func traceAcquireEnabled() traceLocker {
	// Any time we acquire a traceLocker, we may flush a trace buffer. But
	// buffer flushes are rare. Record the lock edge even if it doesn't happen
	// this time.
	lockRankMayTraceFlush()

	// Prevent preemption.
	mp := acquirem()

	// Check if we're already tracing. It's safe to be reentrant in general,
	// because this function (and the invariants of traceLocker.writer) ensure
	// that it is.
	if mp.trace.writing.Load() {
		mp.trace.reentered++
		return traceLocker{mp, mp.trace.entryGen}
	}

	// Set the write flag. This prevents traceAdvance from moving forward
	// until all Ms are observed to be outside of a write critical section.
	//
	// Note: The write flag is mutated here and also in traceCPUSample. If you update
	// usage of the write flag here, make sure to also look at what traceCPUSample is
	// doing.
	mp.trace.writing.Store(true)

	// N.B. This load of gen appears redundant with the one in traceEnabled.
	// However, it's very important that the gen we use for writing to the trace
	// is acquired under a traceLocker so traceAdvance can make sure no stale
	// gen values are being used.
	//
	// Because we're doing this load again, it also means that the trace
	// might end up being disabled when we load it. In that case we need to undo
	// what we did and bail.
	gen := trace.gen.Load()
	if gen == 0 {
		mp.trace.writing.Store(false)
		releasem(mp)
		return traceLocker{}
	}
	mp.trace.entryGen = gen
	return traceLocker{mp, gen}
}
