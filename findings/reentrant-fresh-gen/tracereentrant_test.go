// Copyright 2026 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime_test

import (
	"io"
	"runtime"
	"runtime/trace"
	"testing"
)

// TestTraceNestedAcquireAtStop checks that a traceAcquire nested in a trace
// section (stackalloc and stackfree make one under GODEBUG=traceallocfree=1)
// does not leave the M in a trace section when it runs after
// traceAdvance(true) stored trace.gen = 0 but before it cleared
// trace.enabled. Its caller releases it only if it is ok, so if it loads
// gen 0, its reentered++ is undone by the outer traceRelease instead, the
// seqlock stays odd, and StopTrace waits for the M forever; and its
// acquirem is never undone.
func TestTraceNestedAcquireAtStop(t *testing.T) {
	startTrace(t)
	outer, nested, inSection, locked := runtime.TraceNestedAcquire(true)
	trace.Stop()
	if inSection {
		t.Errorf("nested traceAcquire at StopTrace got generation %d (outer %d), was not released, "+
			"and left the M in a trace section: StopTrace would wait for it forever", nested, outer)
	}
	if locked {
		t.Errorf("nested traceAcquire at StopTrace left m.locks raised: the goroutine can no longer " +
			"be preempted, and its next park throws \"schedule: holding locks\"")
	}
}

// TestTraceNestedAcquireAtAdvance checks that a traceAcquire nested in a
// trace section gets the outer section's generation when traceAdvance has
// published the next one meanwhile: the section's events all belong to the
// generation the M entered it in.
func TestTraceNestedAcquireAtAdvance(t *testing.T) {
	startTrace(t)
	outer, nested, _, _ := runtime.TraceNestedAcquire(false)
	trace.Stop()
	if nested != outer {
		t.Errorf("nested traceAcquire got generation %d, the outer section's is %d", nested, outer)
	}
}

func startTrace(t *testing.T) {
	t.Helper()
	if trace.IsEnabled() {
		t.Skip("skipping because the execution tracer is already enabled")
	}
	if err := trace.Start(io.Discard); err != nil {
		t.Fatalf("failed to start tracing: %v", err)
	}
}
