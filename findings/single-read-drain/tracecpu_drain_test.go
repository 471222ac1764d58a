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

// TestTraceReadCPUDrainsAcrossRingEnd checks that traceAdvance's drain of a
// finishing generation's CPU profile buffer, one call of traceReadCPU(gen),
// reads every sample in it. profBuf.read stops at the end of its ring and
// returns the rest in the next call, so when the unread samples straddle the
// end of the ring, one read returns only those before it. A sample left
// behind is read by the CPU profile reader two generations later and written
// into that generation, or, when tracing stops, never written at all.
func TestTraceReadCPUDrainsAcrossRingEnd(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("skipping because the execution tracer is already enabled")
	}
	if err := trace.Start(io.Discard); err != nil {
		t.Fatalf("failed to start tracing: %v", err)
	}
	unread, left := runtime.TraceReadCPUAcrossRingEnd()
	trace.Stop()
	if left != 0 {
		t.Errorf("traceReadCPU left %d of %d unread CPU samples in the profBuf: "+
			"the samples past the end of the ring stay behind for a later generation", left, unread)
	}
}
