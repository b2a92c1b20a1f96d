// Package heap prepares the Go heap of one short, large analysis (a scan, a
// dependency audit): it asks the kernel for transparent huge pages and sets
// the garbage collector's budget.
//
// Why: a scan of a 500,000-line project allocates about 430 MiB and keeps
// about half of it to the end; a dependency audit of a large lock file
// allocates about 16 MiB in 30 ms. Neither is limited by computing: the
// time goes to the kernel handing out fresh memory and to collections that
// free little.
//
//   - Huge pages. With 4 KiB pages every 4 KiB the program touches for the
//     first time is a page fault, and on virtual machines a fault costs
//     10-15 us (measured on the 2-core CI VM: 400 MiB touched in 1.1 s with
//     4 KiB pages, 26 ms with 2 MiB pages). When transparent huge pages are
//     in "madvise" mode (the Debian and Ubuntu default) only memory advised
//     with MADV_HUGEPAGE gets them, and the Go runtime does not advise its
//     heap. Reserve does, the way the JVM's -XX:+UseTransparentHugePages
//     does for its heap.
//   - The collector. With the default GOGC=100 a run this short collects
//     every time its heap doubles, marking the same long-lived syntax trees
//     again and again. SetBudget turns the proportional collector off and
//     sets a memory limit instead, so the collector runs only when the heap
//     nears the limit. The limit grows with the input (32 bytes per byte of
//     source, at least 1 GiB) and never exceeds half of the machine's or
//     the container's memory.
//
// GOGC or GOMEMLIMIT in the environment, or DJANGOGUARD_HEAP=default, leave
// the Go runtime's own behaviour in place.
package heap

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
)

// Default reports whether the user asked for the Go runtime's own heap
// behaviour: DJANGOGUARD_HEAP=default, or GOGC or GOMEMLIMIT set.
func Default() bool {
	return os.Getenv("DJANGOGUARD_HEAP") == "default" || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""
}

// Plan is what Reserve decided and why.
type Plan struct {
	Bytes  int    // bytes reserved and advised; 0 when nothing was done
	Reason string // why nothing was done, when Bytes is 0
}

func (p Plan) String() string {
	if p.Bytes == 0 {
		return "huge pages: not used: " + p.Reason
	}
	return fmt.Sprintf("huge pages: %d MiB of heap advised", p.Bytes>>20)
}

// system is what the decisions depend on, read from the running kernel.
type system struct {
	thpMode     string // "always", "madvise", "never" or "" when unknown
	hugePage    int    // bytes per transparent huge page
	overcommit  int    // vm.overcommit_memory: 0, 1 or 2; -1 when unknown
	memTotal    int64  // bytes of physical memory; 0 when unknown
	cgroupMax   int64  // the cgroup's memory limit in bytes; 0 when none
	addrLimited bool   // an RLIMIT_AS is set
}

// minReserve is the smallest reservation worth making: below it, the faults
// saved do not pay for the extra garbage collection Reserve runs.
const minReserve = 32 << 20

// plan decides how many bytes to reserve for a request of want bytes.
func plan(s system, want int) Plan {
	switch {
	case s.thpMode == "always":
		return Plan{Reason: "the kernel already uses them for all memory"}
	case s.thpMode != "madvise":
		return Plan{Reason: "transparent huge pages are not available (mode " + orUnknown(s.thpMode) + ")"}
	case s.hugePage <= 0:
		return Plan{Reason: "unknown huge page size"}
	case s.overcommit != 0 && s.overcommit != 1:
		return Plan{Reason: "strict overcommit (vm.overcommit_memory=2) or unknown policy"}
	case s.addrLimited:
		return Plan{Reason: "an address-space limit (RLIMIT_AS) is set"}
	case s.memTotal <= 0:
		return Plan{Reason: "unknown physical memory size"}
	}
	n := int64(want)
	if quarter := s.memTotal / 4; n > quarter {
		n = quarter
	}
	n -= n % int64(s.hugePage)
	if n < minReserve || n < 4*int64(s.hugePage) {
		return Plan{Reason: fmt.Sprintf("%d MiB is too little to be worth it", n>>20)}
	}
	return Plan{Bytes: int(n)}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Budget is the collector setting SetBudget chose.
type Budget struct {
	Limit int64 // the memory limit in bytes; the proportional collector is off
}

// Budget bounds.
const (
	minLimit      = 1 << 30 // a scan of 500,000 lines peaks near 500 MiB
	bytesPerInput = 32      // heap per byte of source: about 21 allocated, 11 kept
	floorLimit    = 64 << 20
)

// budget computes the memory limit for inputBytes of source on system s.
func budget(s system, inputBytes int64) Budget {
	limit := int64(minLimit)
	if inputBytes > 0 && inputBytes <= (1<<62)/bytesPerInput && inputBytes*bytesPerInput > limit {
		limit = inputBytes * bytesPerInput
	}
	ceiling := int64(0)
	if s.memTotal > 0 {
		ceiling = s.memTotal / 2
	}
	if s.cgroupMax > 0 && (ceiling == 0 || s.cgroupMax/2 < ceiling) {
		ceiling = s.cgroupMax / 2
	}
	if ceiling > 0 && limit > ceiling {
		limit = ceiling
	}
	if limit < floorLimit {
		limit = floorLimit
	}
	return Budget{Limit: limit}
}

// SetBudget turns the proportional collector off and sets a memory limit
// for an analysis of inputBytes of source (see the package documentation).
// It may be called again once the input is known; the limit only grows. It
// does nothing, and returns false, when Default() holds.
func SetBudget(inputBytes int64) (Budget, bool) {
	if Default() {
		return Budget{}, false
	}
	b := budget(readSystem(), inputBytes)
	if cur := debug.SetMemoryLimit(-1); cur < math.MaxInt64 && cur > b.Limit {
		b.Limit = cur
	}
	debug.SetMemoryLimit(b.Limit)
	debug.SetGCPercent(-1)
	return b, true
}
