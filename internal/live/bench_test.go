package live

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// BenchmarkProbeLocal probes a local site (http redirecting to https, an
// A+ page, a CA made for the run) 200 times at concurrency 20, TLS scan
// included, and reports probes/s and the p50 and p99 latency of one probe.
// bench/probe.sh runs it.
func BenchmarkProbeLocal(b *testing.B) {
	pki := newPKI(b, "site.test")
	h := hdr(
		"Content-Security-Policy: default-src 'self'; object-src 'none'",
		"X-Frame-Options: DENY",
		"X-Content-Type-Options: nosniff",
		"Strict-Transport-Security: max-age=31536000",
		"Set-Cookie: sessionid=1; Secure; HttpOnly; SameSite=Lax",
	)
	ls := startSite(b, pki, redirectToHTTPS, page(h, "<!doctype html><title>ok</title><script src=\"/static/app.js\"></script>"))
	opts := ls.Opts
	const probes, concurrency = 200, 20
	var all []time.Duration
	start := time.Now()
	for i := 0; i < b.N; i++ {
		lat := make([]time.Duration, probes)
		sem := make(chan struct{}, concurrency)
		var wg sync.WaitGroup
		for p := 0; p < probes; p++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				t0 := time.Now()
				res, err := Probe(context.Background(), "https://site.test/", opts)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := RunRules(context.Background(), res, Rules()); err != nil {
					b.Error(err)
				}
				if res.Grade != "A+" {
					b.Errorf("grade %s", res.Grade)
				}
				lat[p] = time.Since(t0)
			}()
		}
		wg.Wait()
		all = append(all, lat...)
	}
	elapsed := time.Since(start)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(q float64) float64 { return float64(all[int(q*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "probes/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
	_ = http.StatusOK
}
