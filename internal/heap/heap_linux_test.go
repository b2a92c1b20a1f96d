//go:build linux

package heap

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// vma is one mapping of /proc/self/smaps.
type vma struct {
	start, end uintptr
	flags      []string
}

func readSmaps(t *testing.T) []vma {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	var out []vma
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && len(out) > 0 {
			out[len(out)-1].flags = strings.Fields(rest)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasSuffix(fields[0], ":") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, vma{start: uintptr(a), end: uintptr(b)})
	}
	return out
}

func advised(vmas []vma, p uintptr) bool {
	for _, v := range vmas {
		if p >= v.start && p < v.end {
			for _, f := range v.flags {
				if f == "hg" { // VM_HUGEPAGE: madvise(MADV_HUGEPAGE) applies
					return true
				}
			}
			return false
		}
	}
	return false
}

// TestReserveAdvisesTheHeapTheProgramThenUses checks what a scan relies on:
// after Reserve, the objects the program allocates live in memory the kernel
// may back with huge pages.
func TestReserveAdvisesTheHeapTheProgramThenUses(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("DJANGOGUARD_HEAP", "")
	p, err := Reserve(64 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if p.Bytes == 0 {
		t.Skipf("this machine does not allow it: %s", p)
	}
	if p.Bytes != 64<<20 {
		t.Fatalf("reserved %d bytes, want %d", p.Bytes, 64<<20)
	}
	// Allocate 32 MiB the way an analysis does: many small objects, kept.
	type node struct {
		next *node
		pad  [120]byte
	}
	var head *node
	inAdvised, total := 0, 0
	vmas := readSmaps(t)
	for i := 0; i < (32<<20)/128; i++ {
		head = &node{next: head}
		if i%4096 == 0 {
			total++
			if advised(vmas, uintptr(unsafe.Pointer(head))) {
				inAdvised++
			}
			vmas = readSmaps(t) // the runtime may have mapped more
		}
	}
	if inAdvised*2 < total {
		t.Fatalf("%d of %d sampled objects are in MADV_HUGEPAGE memory, want most", inAdvised, total)
	}
	t.Logf("%s; %d of %d sampled objects in advised memory", p, inAdvised, total)
	_ = head.next
}

// TestSetBudget checks the runtime settings a scan then runs with, and that
// the user's own GOGC wins.
func TestSetBudget(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("DJANGOGUARD_HEAP", "")
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})

	b, ok := SetBudget(0)
	if !ok {
		t.Fatal("SetBudget(0) did nothing")
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("GC percent %d after SetBudget, want -1 (off)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != b.Limit || got < 64<<20 {
		t.Fatalf("memory limit %d, want %d (and at least 64 MiB)", got, b.Limit)
	}
	// A larger input may raise the limit, never lower it.
	big, _ := SetBudget(1 << 40)
	if big.Limit < b.Limit {
		t.Fatalf("limit went down from %d to %d", b.Limit, big.Limit)
	}
	small, _ := SetBudget(0)
	if small.Limit != big.Limit {
		t.Fatalf("limit went from %d to %d for a smaller input", big.Limit, small.Limit)
	}

	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOGC", "50")
	if _, ok := SetBudget(0); ok {
		t.Fatal("SetBudget acted although GOGC is set")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GC percent %d, want the user's setting left alone", got)
	}
	if p, _ := Reserve(64 << 20); p.Bytes != 0 {
		t.Fatalf("Reserve acted although GOGC is set: %s", p)
	}
}

func TestMemTotal(t *testing.T) {
	if memTotal() <= 0 {
		t.Fatal("MemTotal not read from /proc/meminfo")
	}
}

// TestCgroupMax reads fake cgroup trees: v2, v1, no limit, and a path that
// tries to leave the cgroup file system.
func TestCgroupMax(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  int64
	}{
		{"v2 limit", map[string]string{"proc/self/cgroup": "0::/ci/job\n", "sys/fs/cgroup/ci/job/memory.max": "2147483648\n"}, 2 << 30},
		{"v2 no limit", map[string]string{"proc/self/cgroup": "0::/ci/job\n", "sys/fs/cgroup/ci/job/memory.max": "max\n"}, 0},
		{"v1 limit", map[string]string{"proc/self/cgroup": "5:cpu,cpuacct:/x\n4:memory:/docker/abc\n", "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "536870912\n"}, 512 << 20},
		{"v1 no limit", map[string]string{"proc/self/cgroup": "4:memory:/\n", "sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 0},
		{"escape refused", map[string]string{"proc/self/cgroup": "0::/../../etc\n", "sys/etc/memory.max": "1024\n"}, 0},
		{"no cgroup file", map[string]string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for p, c := range tt.files {
				full := filepath.Join(root, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := cgroupMax(root); got != tt.want {
				t.Fatalf("cgroupMax = %d, want %d", got, tt.want)
			}
		})
	}
}
