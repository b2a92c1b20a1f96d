//go:build linux

package heap

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// Reserve advises up to want bytes of fresh heap for transparent huge pages
// (see the package documentation). It never fails the caller's work: when the
// system does not allow it, it does nothing and says why in the Plan.
func Reserve(want int) (Plan, error) {
	if Default() {
		return Plan{Reason: "the Go runtime's defaults were asked for"}, nil
	}
	s := readSystem()
	p := plan(s, want)
	if p.Bytes == 0 {
		return p, nil
	}
	if err := advise(p.Bytes, s.hugePage); err != nil {
		return Plan{Reason: err.Error()}, err
	}
	return p, nil
}

// advise allocates n bytes plus one huge page for alignment, advises the
// aligned part together with the free heap below it, and frees the
// allocation again.
//
// The range starts at the huge page holding the lowest heap object we can
// find (a fresh small allocation lands in the first free slot of the heap
// the program started with). Objects allocated next go to those low free
// addresses first, so leaving them out would put the first few MiB of every
// run, a whole dependency audit, on small pages. A 2 MiB region that already
// has small pages keeps them (the kernel only uses a huge page for a region
// that is untouched when first faulted) unless it is collapsed, which advise
// asks for. Everything between the two is Go heap (the runtime maps its
// arenas in one ascending run); should a gap or a foreign mapping sit there,
// madvise skips the gap and a huge page hint on other anonymous memory
// changes only its page size.
func advise(n, huge int) error {
	low := uintptr(unsafe.Pointer(heapObject()))
	b := make([]byte, n+huge)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	end := start + uintptr(len(b))
	end -= end % uintptr(huge)
	if low > start {
		low = start
	}
	low -= low % uintptr(huge)
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, low, end-low, syscall.MADV_HUGEPAGE)
	if errno == 0 || errno == syscall.ENOMEM {
		// The regions below the slice hold the program's start-up
		// allocations on small pages, and the runtime hands out their free
		// space first. Collapse them into huge pages now (MADV_COLLAPSE,
		// Linux 6.1+: copies what is there, about 2 MiB per region), so
		// that free space faults no more. Best effort: older kernels say
		// EINVAL and nothing changes.
		cend := start + uintptr(huge) - 1
		cend -= cend % uintptr(huge)
		if cend > low {
			syscall.Syscall(syscall.SYS_MADVISE, low, cend-low, madvCollapse)
		}
	}
	runtime.KeepAlive(b)
	b = nil
	runtime.GC() // give the range back to the page allocator now
	if errno != 0 && errno != syscall.ENOMEM {
		return fmt.Errorf("madvise(MADV_HUGEPAGE) on %d MiB of heap: %w", (end-low)>>20, errno)
	}
	return nil
}

// heapObject returns a fresh small heap object: returned from a function
// that is not inlined, it cannot live on the caller's stack.
//
//go:noinline
func heapObject() *[16]byte { return new([16]byte) }

// madvCollapse is MADV_COLLAPSE (Linux 6.1), which package syscall lacks.
const madvCollapse = 25

// readSystem reads what plan and budget depend on from the running kernel.
func readSystem() system {
	s := system{
		hugePage:   int(readInt("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", 0)),
		overcommit: int(readInt("/proc/sys/vm/overcommit_memory", -1)),
		memTotal:   memTotal(),
		cgroupMax:  cgroupMax("/"),
	}
	if b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err == nil {
		// "always [madvise] never": the bracketed word is the mode.
		if i := bytes.IndexByte(b, '['); i >= 0 {
			if j := bytes.IndexByte(b[i:], ']'); j > 0 {
				s.thpMode = string(b[i+1 : i+j])
			}
		}
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err != nil || rl.Cur != ^uint64(0) {
		s.addrLimited = true
	}
	return s
}

func readInt(path string, def int64) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return def
	}
	return n
}

// cgroupMax returns the memory limit of the cgroup this process runs in
// (cgroup v2 memory.max, or v1 memory.limit_in_bytes), 0 when there is none.
// root is "/" but for tests.
func cgroupMax(root string) int64 {
	b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		// "0::/path" (v2) or "4:memory:/path" (v1).
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || strings.Contains(parts[2], "..") {
			continue
		}
		var file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			file = filepath.Join(root, "sys/fs/cgroup", parts[2], "memory.max")
		case strings.Contains(","+parts[1]+",", ",memory,"):
			file = filepath.Join(root, "sys/fs/cgroup/memory", parts[2], "memory.limit_in_bytes")
		default:
			continue
		}
		// "max" (v2) or a huge number (v1) means no limit.
		if n := readInt(file, 0); n > 0 && n < 1<<60 {
			return n
		}
	}
	return 0
}

// memTotal reads MemTotal from /proc/meminfo, in bytes.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
		if err != nil {
			return 0
		}
		return int64(kb) << 10
	}
	return 0
}
