package deps

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/deps/vulndb"
)

// benchAudit audits one file from scratch each iteration: a fresh store
// (so the embedded database is decoded again), parsing, matching and
// the support calendar, which is what a `djangoguard deps FILE` run does
// after process start.
func benchAudit(b *testing.B, path string) {
	b.ReportAllocs()
	defer reportCPU(b)()
	issues := 0
	for i := 0; i < b.N; i++ {
		cfg := Config{DB: vulndb.NewStore("").DB, Now: func() time.Time { return day("2026-11-23") }, Calendar: DefaultCalendar()}
		pr := Load(context.Background(), []string{path}, DiskOpener("testdata/bench"))
		if len(pr.Problems) > 0 {
			b.Fatal(pr.Problems)
		}
		res, err := Audit(pr, cfg)
		if err != nil {
			b.Fatal(err)
		}
		issues = len(res.Issues)
	}
	b.ReportMetric(float64(issues), "findings")
}

func BenchmarkAuditRequirements300(b *testing.B) { benchAudit(b, "requirements-300.txt") }
func BenchmarkAuditPoetryLockLarge(b *testing.B) { benchAudit(b, "poetry.lock") }

// BenchmarkDBLoad measures opening the embedded database (header only;
// packages are decoded when first looked up).
func BenchmarkDBLoad(b *testing.B) {
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		if _, err := vulndb.Embedded(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDBLoadAll opens the database and decodes every package.
func BenchmarkDBLoadAll(b *testing.B) {
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		db, err := vulndb.Embedded()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.All(); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU adds a cpu-ms/op metric (user + system time of the process
// per iteration), which unlike ns/op does not grow when other jobs compete
// for the machine's cores. Call as `defer reportCPU(b)()`.
func reportCPU(b *testing.B) func() {
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	return func() {
		var after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		cpu := time.Duration(after.Utime.Nano()-before.Utime.Nano()) + time.Duration(after.Stime.Nano()-before.Stime.Nano())
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
