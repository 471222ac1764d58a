// Command workload is gentrace's CPU-heavy Go program for execution traces with
// CPU samples in them.
//
// Several goroutines burn CPU in distinct functions while runtime/trace writes
// an execution trace and runtime/pprof profiles the CPU: CPU profiling is what
// makes the runtime put CPU samples (EvCPUSample) into the execution trace.
// Run it with GODEBUG=traceadvanceperiod=<nanoseconds> (a runtime setting in
// every release from go1.22) to cut the trace into many generations.
//
//	go run . -trace out.trace -duration 500ms
//	GODEBUG=traceadvanceperiod=10000000 ./workload -trace out.trace
//
// -chatter N adds N pairs of goroutines passing a token over a channel, which
// makes many scheduling events (a large trace for throughput measurements).
// Standard library only: it builds inside any GOROOT without a module download.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

var sink atomic.Uint64

// burnHash hashes a buffer over and over.
func burnHash(stop *atomic.Bool) {
	buf := make([]byte, 4096)
	var acc uint64
	for !stop.Load() {
		sum := sha256.Sum256(buf)
		buf[0] = sum[0]
		acc += uint64(sum[1])
	}
	sink.Add(acc)
}

// burnPrimes counts primes by trial division.
func burnPrimes(stop *atomic.Bool) {
	var n, count uint64 = 2, 0
	for !stop.Load() {
		for i := 0; i < 1000; i++ {
			prime := true
			for d := uint64(2); d*d <= n; d++ {
				if n%d == 0 {
					prime = false
					break
				}
			}
			if prime {
				count++
			}
			n++
		}
	}
	sink.Add(count)
}

// burnFloat iterates a floating-point recurrence.
func burnFloat(stop *atomic.Bool) {
	x := 0.5
	for !stop.Load() {
		for i := 0; i < 10000; i++ {
			x = 3.9 * x * (1 - x)
			x = math.Sqrt(x*x + 1e-9)
		}
	}
	sink.Add(uint64(x * 1000))
}

// burnSort sorts a slice of pseudo-random numbers again and again.
func burnSort(stop *atomic.Bool) {
	s := make([]int, 2048)
	seed := uint32(1)
	for !stop.Load() {
		for i := range s {
			seed = seed*1664525 + 1013904223
			s[i] = int(seed >> 8)
		}
		sort.Ints(s)
	}
	sink.Add(uint64(s[0]))
}

// chatter passes a token back and forth: every hand-over is scheduling events.
func chatter(done <-chan struct{}, in <-chan int, out chan<- int, first bool) {
	v := 0
	if first {
		select {
		case out <- v:
		case <-done:
			return
		}
	}
	for {
		select {
		case v = <-in:
		case <-done:
			return
		}
		select {
		case out <- v + 1:
		case <-done:
			return
		}
	}
}

func main() {
	traceFile := flag.String("trace", os.Getenv("GENTRACE_WORKLOAD_TRACE"),
		"write the execution trace to this file (default $GENTRACE_WORKLOAD_TRACE)")
	duration := flag.Duration("duration", 500*time.Millisecond, "how long to run")
	workers := flag.Int("workers", 4, "CPU-burning goroutines (cycling through 4 functions)")
	pairs := flag.Int("chatter", 0, "pairs of goroutines passing a token (many scheduling events)")
	flag.Parse()
	if *traceFile == "" {
		fmt.Fprintln(os.Stderr, "workload: -trace FILE (or GENTRACE_WORKLOAD_TRACE) is required")
		os.Exit(2)
	}
	f, err := os.Create(*traceFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "workload:", err)
		os.Exit(1)
	}
	// CPU profiling first, so that samples flow into the trace from its start.
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		fmt.Fprintln(os.Stderr, "workload: cpu profile:", err)
		os.Exit(1)
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, "workload: trace:", err)
		os.Exit(1)
	}

	var stop atomic.Bool
	done := make(chan struct{})
	var wg sync.WaitGroup
	burners := []func(*atomic.Bool){burnHash, burnPrimes, burnFloat, burnSort}
	for i := 0; i < *workers; i++ {
		wg.Add(1)
		go func(fn func(*atomic.Bool)) {
			defer wg.Done()
			fn(&stop)
		}(burners[i%len(burners)])
	}
	for i := 0; i < *pairs; i++ {
		a, b := make(chan int), make(chan int)
		wg.Add(2)
		go func() { defer wg.Done(); chatter(done, a, b, true) }()
		go func() { defer wg.Done(); chatter(done, b, a, false) }()
	}
	time.Sleep(*duration)
	stop.Store(true)
	close(done)
	wg.Wait()

	trace.Stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "workload:", err)
		os.Exit(1)
	}
}
