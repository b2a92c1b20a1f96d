package heap

import (
	"strings"
	"testing"
)

func TestPlan(t *testing.T) {
	ok := system{thpMode: "madvise", hugePage: 2 << 20, overcommit: 0, memTotal: 8 << 30}
	tests := []struct {
		name   string
		change func(*system)
		want   int
		bytes  int
		reason string
	}{
		{"madvise mode, plenty of memory", nil, 512 << 20, 512 << 20, ""},
		{"overcommit always is fine", func(s *system) { s.overcommit = 1 }, 512 << 20, 512 << 20, ""},
		{"rounded down to whole huge pages", nil, 100<<20 + 12345, 100 << 20, ""},
		{"capped at a quarter of memory", func(s *system) { s.memTotal = 1 << 30 }, 512 << 20, 256 << 20, ""},
		{"small machine", func(s *system) { s.memTotal = 100 << 20 }, 512 << 20, 0, "too little"},
		{"tiny request", nil, 8 << 20, 0, "too little"},
		{"THP always: nothing to do", func(s *system) { s.thpMode = "always" }, 512 << 20, 0, "already"},
		{"THP never", func(s *system) { s.thpMode = "never" }, 512 << 20, 0, "not available"},
		{"THP unknown (no sysfs)", func(s *system) { s.thpMode = "" }, 512 << 20, 0, "not available"},
		{"strict overcommit", func(s *system) { s.overcommit = 2 }, 512 << 20, 0, "overcommit"},
		{"unknown overcommit", func(s *system) { s.overcommit = -1 }, 512 << 20, 0, "overcommit"},
		{"address-space limit", func(s *system) { s.addrLimited = true }, 512 << 20, 0, "RLIMIT_AS"},
		{"unknown memory", func(s *system) { s.memTotal = 0 }, 512 << 20, 0, "physical memory"},
		{"unknown huge page size", func(s *system) { s.hugePage = 0 }, 512 << 20, 0, "huge page size"},
		{"512 MiB huge pages (arm64 with 64 KiB base pages)", func(s *system) { s.hugePage = 512 << 20 }, 512 << 20, 0, "too little"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			if tt.change != nil {
				tt.change(&s)
			}
			p := plan(s, tt.want)
			if p.Bytes != tt.bytes {
				t.Fatalf("plan(%+v, %d).Bytes = %d, want %d (%s)", s, tt.want, p.Bytes, tt.bytes, p)
			}
			if tt.bytes == 0 && !strings.Contains(p.Reason, tt.reason) {
				t.Fatalf("reason %q does not mention %q", p.Reason, tt.reason)
			}
			if tt.bytes != 0 && p.Reason != "" {
				t.Fatalf("a reservation with a reason: %+v", p)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	const gib = int64(1) << 30
	tests := []struct {
		name  string
		s     system
		input int64
		want  int64
	}{
		{"small project: 1 GiB", system{memTotal: 16 * gib}, 5 << 20, gib},
		{"unknown input: 1 GiB", system{memTotal: 16 * gib}, 0, gib},
		{"large project: 32 bytes per byte of source", system{memTotal: 16 * gib}, 100 << 20, 3200 << 20},
		{"capped at half the machine", system{memTotal: 4 * gib}, 200 << 20, 2 * gib},
		{"small machine", system{memTotal: gib}, 5 << 20, gib / 2},
		{"capped at half the container", system{memTotal: 64 * gib, cgroupMax: gib}, 5 << 20, gib / 2},
		{"container larger than the machine", system{memTotal: 2 * gib, cgroupMax: 8 * gib}, 200 << 20, gib},
		{"nothing known: the input decides", system{}, 100 << 20, 3200 << 20},
		{"tiny container: floor", system{memTotal: 64 * gib, cgroupMax: 32 << 20}, 0, 64 << 20},
		{"absurd input does not overflow", system{}, 1 << 62, gib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := budget(tt.s, tt.input).Limit; got != tt.want {
				t.Fatalf("budget(%+v, %d) = %d MiB, want %d MiB", tt.s, tt.input, got>>20, tt.want>>20)
			}
		})
	}
}
