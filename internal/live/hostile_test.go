package live

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileOpts are short limits so that each hostile case ends quickly.
func hostileOpts(ls *localSite) Options {
	o := ls.Opts
	o.Timeout = 2 * time.Second
	o.Deadline = 10 * time.Second
	return o
}

// probeBounded probes and checks the two promises made against hostile
// servers: the probe returns within its deadline (plus the grace of one
// request timeout for in-flight work to unwind), and memory stays bounded:
// the peak heap, sampled during the probe, stays far below what reading a
// hostile body whole would take, and so does the total allocated.
func probeBounded(t *testing.T, target string, opts Options) (*Result, error) {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > max {
				max = m.HeapInuse
			}
			select {
			case <-stop:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	res, err := Probe(context.Background(), target, opts)
	took := time.Since(start)
	close(stop)
	maxHeap := <-peak
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if limit := opts.Deadline + opts.Timeout + 5*time.Second; took > limit {
		t.Errorf("probe took %s, past its deadline %s", took, opts.Deadline)
	}
	// Some 45 requests read at most 2 MiB each (most 256 KiB), six at a
	// time; a 1 GiB body or a gzip bomb read whole would need gigabytes.
	if maxHeap > 256<<20 {
		t.Errorf("peak heap %d MiB during the probe: memory is not bounded", maxHeap>>20)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<30 {
		t.Errorf("probe allocated %d MiB in total: bodies are not capped", alloc>>20)
	}
	t.Logf("peak heap %d MiB, allocated %d MiB, %s", maxHeap>>20, (after.TotalAlloc-before.TotalAlloc)>>20, took.Round(time.Millisecond))
	return res, err
}

func joined(res *Result) string {
	if res == nil {
		return ""
	}
	return strings.Join(append(append([]string(nil), res.Errors...), res.Warnings...), "\n")
}

func TestHostileEndlessRedirect(t *testing.T) {
	pki := newPKI(t, "site.test")
	var n sync.Mutex
	count := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Lock()
		count++
		c := count
		n.Unlock()
		http.Redirect(w, r, fmt.Sprintf("/r/%d", c), http.StatusFound)
	})
	ls := startSite(t, pki, h, h)
	res, err := probeBounded(t, "https://site.test/", hostileOpts(ls))
	if !errors.Is(err, ErrNoResponse) || !strings.Contains(err.Error(), "too many redirects") {
		t.Fatalf("want a too-many-redirects error, got %v (%s)", err, joined(res))
	}
	if len(res.HTTPS.Hops) != 11 {
		t.Errorf("https chain has %d hops, want 11 (the start and 10 redirects)", len(res.HTTPS.Hops))
	}
}

func TestHostileRedirectLoop(t *testing.T) {
	pki := newPKI(t, "site.test")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/a", http.StatusFound)
	})
	ls := startSite(t, pki, h, h)
	res, err := probeBounded(t, "https://site.test/a", hostileOpts(ls))
	if err == nil || !strings.Contains(err.Error(), "redirect loop") {
		t.Fatalf("want a redirect loop error, got %v (%s)", err, joined(res))
	}
}

func TestHostileRedirectToOtherScheme(t *testing.T) {
	pki := newPKI(t, "site.test")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(http.StatusFound)
	})
	ls := startSite(t, pki, h, h)
	_, err := probeBounded(t, "https://site.test/", hostileOpts(ls))
	if err == nil || !strings.Contains(err.Error(), "scheme other than http or https") {
		t.Fatalf("want a bad-scheme error, got %v", err)
	}
}

func TestHostileHugeBody(t *testing.T) {
	pki := newPKI(t, "site.test")
	chunk := bytes.Repeat([]byte("A"), 64<<10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(1<<30))
		for i := 0; i < (1<<30)/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	ls := startSite(t, pki, redirectToHTTPS, h)
	res, err := probeBounded(t, "https://site.test/", hostileOpts(ls))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(joined(res), "body cut at 2097152 bytes") || !res.HTTPS.Final.Truncated || len(res.HTTPS.Final.Body) != 2<<20 {
		t.Fatalf("want the 1 GiB body cut at 2 MiB, got %d bytes: %s", len(res.HTTPS.Final.Body), joined(res))
	}
}

func TestHostileDrip(t *testing.T) {
	pki := newPKI(t, "site.test")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		fl := w.(http.Flusher)
		for i := 0; i < 3600; i++ {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			fl.Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
		}
	})
	ls := startSite(t, pki, h, h)
	res, err := probeBounded(t, "https://site.test/", hostileOpts(ls))
	msg := joined(res)
	if err != nil {
		msg += err.Error()
	}
	if !strings.Contains(msg, "Timeout") && !strings.Contains(msg, "timeout") && !strings.Contains(msg, "deadline") {
		t.Fatalf("want a timeout, got %v: %s", err, msg)
	}
}

// gzipBomb returns a gzip stream that inflates to size bytes of zeros: one
// 16 MiB member repeated (readers decode concatenated members as one).
func gzipBomb(t *testing.T, size int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	const block = 16 << 20
	_, _ = zw.Write(make([]byte, block))
	_ = zw.Close()
	return bytes.Repeat(member.Bytes(), size/block)
}

func TestHostileGzipBomb(t *testing.T) {
	pki := newPKI(t, "site.test")
	bomb := gzipBomb(t, 1<<30) // 1 GiB of zeros in about 1 MiB
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb)
	})
	ls := startSite(t, pki, redirectToHTTPS, h)
	res, err := probeBounded(t, "https://site.test/", hostileOpts(ls))
	if err != nil {
		t.Fatal(err)
	}
	if f := res.HTTPS.Final; !f.Truncated || len(f.Body) != 2<<20 {
		t.Fatalf("want the decompressed body cut at 2 MiB, got %d bytes, truncated %v", len(f.Body), f.Truncated)
	}
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}

func TestHostileNeverAnswers(t *testing.T) {
	opts := DefaultOptions()
	opts.Timeout = 2 * time.Second
	opts.Deadline = 10 * time.Second
	opts.Resolve = map[string]string{}
	opts.ConnectTo = map[string]string{
		"site.test:80":  silentListener(t),
		"site.test:443": silentListener(t),
	}
	res, err := probeBounded(t, "https://site.test/", opts)
	if !errors.Is(err, ErrNoResponse) || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("want a timeout error, got %v (%s)", err, joined(res))
	}
	if res.TLS == nil || res.TLS.Err == "" {
		t.Errorf("TLS scan should fail on a silent server: %+v", res.TLS)
	}
}

func TestHostileInvalidCertificate(t *testing.T) {
	good := newPKI(t, "site.test")
	other := newPKI(t, "site.test") // a CA the probe does not trust
	ls := startSite(t, good, redirectToHTTPS, page(hdr("Strict-Transport-Security: max-age=31536000"), "<p>hi</p>"))
	// Serve the untrusted certificate on the https side.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: page(hdr("Strict-Transport-Security: max-age=31536000"), "<p>hi</p>"),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{other.Cert}}, ReadHeaderTimeout: time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.ServeTLS(l, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	opts := hostileOpts(ls)
	opts.ConnectTo["site.test:443"] = l.Addr().String()
	res, err := probeBounded(t, "https://site.test/", opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.HTTPS.Verified || res.HTTPS.CertErr == nil || !strings.Contains(res.HTTPS.CertErr.Error(), "unknown authority") {
		t.Fatalf("https should be retried unverified after a certificate error: verified %v, err %v", res.HTTPS.Verified, res.HTTPS.CertErr)
	}
	if got := codeOf(t, res.Tests, TestHSTS).Result; got != "hsts-invalid-cert" {
		t.Errorf("hsts: %s", got)
	}
	if got := codeOf(t, res.Tests, TestRedirection).Result; got != "redirection-invalid-cert" {
		t.Errorf("redirection: %s", got)
	}
	fs, _ := RunRules(context.Background(), res, Rules())
	if len(findingsByRule(fs)["DJG521"]) == 0 {
		t.Error("no DJG521 for an untrusted certificate")
	}
}

func TestHostileHugeHeaders(t *testing.T) {
	pki := newPKI(t, "site.test")
	big := strings.Repeat("x", 1000)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 100; i++ {
			w.Header().Set(fmt.Sprintf("X-Junk-%d", i), big)
		}
		_, _ = w.Write([]byte("hi"))
	})
	ls := startSite(t, pki, h, h)
	res, err := probeBounded(t, "https://site.test/", hostileOpts(ls))
	if err == nil || !strings.Contains(err.Error(), "exceeded") {
		t.Fatalf("want a header size error, got %v (%s)", err, joined(res))
	}
}

// TestCredentialsStayOnHost checks that --header values go to the named
// host only, never to a host a redirect leads to, and over plain http only
// when asked.
func TestCredentialsStayOnHost(t *testing.T) {
	pki := newPKI(t, "site.test", "other.test")
	var mu sync.Mutex
	seen := map[string]string{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		host, _, _ := strings.Cut(r.Host, ":")
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if a := r.Header.Get("Authorization"); a != "" {
			seen[scheme+"://"+host] = a
		}
		mu.Unlock()
		if host == "site.test" && r.URL.Path == "/" {
			http.Redirect(w, r, "https://other.test/", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte("<p>hi</p>"))
	})
	ls := startSite(t, pki, h, h)
	for _, overHTTP := range []bool{false, true} {
		mu.Lock()
		seen = map[string]string{}
		mu.Unlock()
		opts := hostileOpts(ls)
		opts.ConnectTo["other.test:443"] = ls.HTTPSAddr
		opts.ConnectTo["other.test:80"] = ls.HTTPAddr
		opts.Headers = http.Header{}
		opts.HeadersOverHTTP = overHTTP
		_ = ParseHeader(opts.Headers, "Authorization: Bearer s3cret")
		if _, err := Probe(context.Background(), "https://site.test/", opts); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if seen["https://site.test"] != "Bearer s3cret" {
			t.Errorf("the named host did not get the header over https: %v", seen)
		}
		if _, sent := seen["http://site.test"]; sent != overHTTP {
			t.Errorf("HeadersOverHTTP %v, but sent over http: %v", overHTTP, sent)
		}
		for k := range seen {
			if strings.Contains(k, "other.test") {
				t.Errorf("credentials leaked to %s after a redirect", k)
			}
		}
		mu.Unlock()
	}
}
