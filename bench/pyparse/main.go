// Command pyparse measures djangoguard's Python parser on a list of files
// (one path per line on stdin): throughput on one core, allocations per
// file, and the peak memory of parsing them all while keeping every AST.
// bench/python-parse.sh runs it next to CPython's ast.parse.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/djangoguard/djangoguard/internal/python"
)

func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "?"
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	rounds := flag.Int("rounds", 3, "timed passes over the corpus (the best is reported)")
	flag.Parse()
	runtime.GOMAXPROCS(1)

	var paths []string
	var srcs [][]byte
	total := 0
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if p == "" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		paths = append(paths, p)
		srcs = append(srcs, b)
		total += len(b)
	}
	if len(srcs) == 0 {
		fmt.Fprintln(os.Stderr, "pyparse: no files on stdin")
		os.Exit(2)
	}

	// Peak memory: parse everything, keeping every module alive.
	keep := make([]*python.Module, len(srcs))
	errors := 0
	for i, s := range srcs {
		m, errs := python.Parse(paths[i], s)
		keep[i] = m
		if len(errs) > 0 {
			errors++
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	retained := ms.HeapAlloc
	peak := vmHWM()
	runtime.KeepAlive(keep)
	keep = nil
	runtime.GC()

	// Throughput on one core.
	// Both wall-clock and CPU time are measured; CPU time (user+sys of the
	// process) is robust to other load on the machine.
	best := time.Duration(1<<63 - 1)
	bestCPU := time.Duration(1<<63 - 1)
	var mallocs, bytes uint64
	for r := 0; r < *rounds; r++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c0 := cpuTime()
		start := time.Now()
		for i, s := range srcs {
			python.Parse(paths[i], s)
		}
		d := time.Since(start)
		c := cpuTime() - c0
		runtime.ReadMemStats(&after)
		if d < best {
			best = d
		}
		if c < bestCPU {
			bestCPU = c
		}
		mallocs = after.Mallocs - before.Mallocs
		bytes = after.TotalAlloc - before.TotalAlloc
	}
	debug.FreeOSMemory()
	mbs := float64(total) / 1e6 / best.Seconds()
	fmt.Printf("go_files=%d\n", len(srcs))
	fmt.Printf("go_bytes=%d\n", total)
	fmt.Printf("go_rejected=%d\n", errors)
	fmt.Printf("go_seconds=%.3f\n", best.Seconds())
	fmt.Printf("go_mb_per_s=%.2f\n", mbs)
	fmt.Printf("go_cpu_seconds=%.3f\n", bestCPU.Seconds())
	fmt.Printf("go_cpu_mb_per_s=%.2f\n", float64(total)/1e6/bestCPU.Seconds())
	fmt.Printf("go_allocs_per_file=%.0f\n", float64(mallocs)/float64(len(srcs)))
	fmt.Printf("go_alloc_bytes_per_file=%.0f\n", float64(bytes)/float64(len(srcs)))
	fmt.Printf("go_heap_all_asts_mb=%.1f\n", float64(retained)/1e6)
	fmt.Printf("go_peak_rss=%s\n", peak)
}
