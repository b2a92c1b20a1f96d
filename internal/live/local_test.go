package live

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/jsonschema"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from golden file (go test -run %s -update to accept):\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

func probeLocal(t *testing.T, ls *localSite, target string) (*Result, *Report) {
	t.Helper()
	ls.Opts.SkipTLS = true
	ls.Opts.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	res, err := Probe(context.Background(), target, ls.Opts)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	fs, err := RunRules(context.Background(), res, Rules())
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(target, res, fs, nil)
	rep.ElapsedMS = 0
	return res, rep
}

// TestLocalAPlus110 serves responses that earn A+ with 110: CSP without
// unsafe sources (+5), X-Frame-Options DENY (+5), everything else passing
// at 0.
func TestLocalAPlus110(t *testing.T) {
	pki := newPKI(t, "site.test")
	h := hdr(
		"Content-Security-Policy: default-src 'self'; object-src 'none'",
		"X-Frame-Options: DENY",
		"X-Content-Type-Options: nosniff",
		"Strict-Transport-Security: max-age=31536000; includeSubDomains; preload",
		"Permissions-Policy: camera=()",
	)
	ls := startSite(t, pki, redirectToHTTPS, page(h, "<!doctype html><title>ok</title><p>hello</p>"))
	res, rep := probeLocal(t, ls, "site.test")
	if res.Grade != "A+" || res.Score != 110 || res.TestsPassed != 12 || !res.Graded {
		t.Fatalf("got %s %d (%d passed, graded %v), want A+ 110 (12 passed): %+v", res.Grade, res.Score, res.TestsPassed, res.Graded, res.Tests)
	}
	var b bytes.Buffer
	if err := WriteText(&b, []*Report{rep}); err != nil {
		t.Fatal(err)
	}
	golden(t, "aplus.txt", b.Bytes())
	b.Reset()
	if err := WriteJSON(&b, []*Report{rep}); err != nil {
		t.Fatal(err)
	}
	golden(t, "aplus.json", b.Bytes())
	validateSchema(t, b.Bytes())
}

// validateSchema checks a JSON report against docs/probe-report.schema.json.
func validateSchema(t *testing.T, doc []byte) {
	t.Helper()
	raw, err := os.ReadFile("../../docs/probe-report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Compile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(doc); err != nil {
		t.Errorf("report fails docs/probe-report.schema.json: %v", err)
	}
}

// TestLocalB75 serves responses that earn B with 75: no CSP (-25), so the
// uncurved score is 75 and the X-Frame-Options bonus does not count.
func TestLocalB75(t *testing.T) {
	pki := newPKI(t, "site.test")
	h := hdr(
		"X-Frame-Options: SAMEORIGIN",
		"X-Content-Type-Options: nosniff",
		"Strict-Transport-Security: max-age=31536000",
		"Referrer-Policy: same-origin",
	)
	ls := startSite(t, pki, redirectToHTTPS, page(h, "<!doctype html><p>hello</p>"))
	res, rep := probeLocal(t, ls, "https://site.test/")
	if res.Grade != "B" || res.Score != 75 || res.TestsPassed != 11 {
		t.Fatalf("got %s %d (%d passed), want B 75 (11 passed): %+v", res.Grade, res.Score, res.TestsPassed, res.Tests)
	}
	if got := codeOf(t, res.Tests, TestCSP).Result; got != "csp-not-implemented" {
		t.Fatalf("csp: %s", got)
	}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, []*Report{rep}); err != nil {
		t.Fatal(err)
	}
	golden(t, "b75.md", b.Bytes())
}
