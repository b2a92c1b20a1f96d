package coderules_test

import (
	"context"
	"os"
	"testing"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/config"
	"github.com/djangoguard/djangoguard/internal/scan"
)

// BenchmarkScanDir runs a whole scan (every rule) of $SCAN_BENCH_DIR, for
// profiling the end-to-end cost with -cpuprofile; bench/scan.sh measures
// the binary.
func BenchmarkScanDir(b *testing.B) {
	dir := os.Getenv("SCAN_BENCH_DIR")
	if dir == "" {
		b.Skip("set SCAN_BENCH_DIR to a Django project, e.g. one made by bench/scangen")
	}
	for i := 0; i < b.N; i++ {
		if _, err := scan.Run(context.Background(), dir, scan.Options{Config: config.Default(), Registry: catalog.Registry()}); err != nil {
			b.Fatal(err)
		}
	}
}
