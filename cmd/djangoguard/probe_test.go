package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/jsonschema"
)

// plainSite serves an http-only site on 127.0.0.1 and returns the
// --connect-to flags that reach it as site.test (https goes to a closed
// port).
func plainSite(t *testing.T) []string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Frame-Options", "DENY")
		_, _ = w.Write([]byte("<!doctype html><p>hello</p>"))
	}))
	t.Cleanup(srv.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	return []string{"--connect-to", "site.test:80:" + srv.Listener.Addr().String(), "--connect-to", "site.test:443:" + closed, "--timeout", "3s"}
}

// validateProbeJSON checks output against docs/probe-report.schema.json.
func validateProbeJSON(t *testing.T, out string) {
	t.Helper()
	schema, err := os.ReadFile("../../docs/probe-report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Compile(schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate([]byte(out)); err != nil {
		t.Errorf("probe JSON fails docs/probe-report.schema.json: %v", err)
	}
}

func TestProbeCommand(t *testing.T) {
	flags := plainSite(t)
	out, stderr, code := djangoguard(t, append([]string{"probe", "http://site.test/", "--format", "json"}, flags...)...)
	if code != 1 {
		t.Fatalf("http-only site: exit %d, want 1 (DJG518 is high)\n%s", code, stderr)
	}
	validateProbeJSON(t, out)
	var rep struct {
		SchemaVersion int    `json:"schema_version"`
		Target        string `json:"target"`
		Grade         string `json:"grade"`
		Score         int    `json:"score"`
		Tests         []struct {
			Name, Result string
		} `json:"tests"`
		Findings []struct {
			RuleID      string `json:"rule_id"`
			URL         string `json:"url"`
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	if rep.SchemaVersion != 1 || rep.Target != "http://site.test/" || len(rep.Tests) != 12 || rep.Grade == "" {
		t.Fatalf("report: %+v", rep)
	}
	if rep.Tests[5].Name != "strict-transport-security" || rep.Tests[5].Result != "hsts-not-implemented-no-https" {
		t.Errorf("hsts: %+v", rep.Tests[5])
	}
	found := false
	for _, f := range rep.Findings {
		if f.URL == "" || f.Fingerprint == "" {
			t.Errorf("finding without url or fingerprint: %+v", f)
		}
		found = found || f.RuleID == "DJG518"
	}
	if !found {
		t.Error("no DJG518 for an http-only site")
	}

	if _, _, code := djangoguard(t, append([]string{"probe", "http://site.test/", "--fail-on", "critical"}, flags...)...); code != 0 {
		t.Errorf("--fail-on critical: exit %d, want 0", code)
	}
	out, _, _ = djangoguard(t, append([]string{"probe", "http://site.test/"}, flags...)...)
	for _, want := range []string{"HTTP Observatory grade", "redirection-missing", "DJG518 [high]", "= fix:"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = djangoguard(t, append([]string{"probe", "http://site.test/", "--format", "markdown"}, flags...)...)
	if !strings.Contains(out, "| Test | Pass | Score | Result |") {
		t.Errorf("markdown output:\n%s", out)
	}
}

func TestProbeSARIFValidates(t *testing.T) {
	flags := plainSite(t)
	schema, err := os.ReadFile("../../internal/report/testdata/sarif-2.1.0.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Compile(schema)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "probe.sarif")
	out, stderr, code := djangoguard(t, append([]string{"probe", "http://site.test/", "--format", "sarif", "--output", file}, flags...)...)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(b); err != nil {
		t.Errorf("SARIF fails its schema: %v", err)
	}
}

func TestProbeURLFile(t *testing.T) {
	flags := plainSite(t)
	list := filepath.Join(t.TempDir(), "urls.txt")
	if err := os.WriteFile(list, []byte("# staging\nhttp://site.test/\n\nhttp://site.test/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := djangoguard(t, append([]string{"probe", "--urls", list, "-j", "2", "--format", "json"}, flags...)...)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	validateProbeJSON(t, out)
	var reps []map[string]any
	if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 2 {
		t.Fatalf("want a JSON array of 2 reports: %v\n%s", err, out)
	}
	if reps[1]["target"] != "http://site.test/other" {
		t.Errorf("order not kept: %v", reps[1]["target"])
	}

	// One site down: every report is still written, and the exit code says
	// the batch is incomplete.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	if err := os.WriteFile(list, []byte("http://site.test/\nhttp://down.test/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	down := append([]string{"probe", "--urls", list, "--format", "json", "--no-tls-scan",
		"--connect-to", "down.test:80:" + closed, "--connect-to", "down.test:443:" + closed}, flags...)
	out, stderr, code = djangoguard(t, down...)
	if code != 2 || !strings.Contains(stderr, "1 of 2 probes failed") {
		t.Fatalf("one site down: exit %d, stderr %q", code, stderr)
	}
	reps = nil
	if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 2 {
		t.Fatalf("want 2 reports: %v", err)
	}
	if errs, _ := reps[1]["errors"].([]any); len(errs) == 0 {
		t.Errorf("the failed probe's report has no error: %v", reps[1])
	}
}

func TestProbeUsageErrors(t *testing.T) {
	flags := plainSite(t)
	for _, args := range [][]string{
		{"probe", "ftp://site.test/"},
		{"probe", "http://site.test/", "--resolve", "site.test:80"},
		{"probe", "http://site.test/", "--resolve", "site.test:80:not-an-ip"},
		{"probe", "http://site.test/", "--connect-to", "a:b:c:d"},
		{"probe", "http://site.test/", "--header", "no colon"},
		{"probe", "http://site.test/", "--format", "xml"},
		{"probe", "http://site.test/", "--ca-cert", "/does/not/exist.pem"},
		{"probe", "http://site.test/", "--hsts-preload-list", "/does/not/exist.json"},
		{"probe", "http://site.test/", "--urls", "/does/not/exist"},
	} {
		if _, _, code := djangoguard(t, append(args, flags...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// Nothing answers at all: a fatal error, exit 2, with the reason.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	_, stderr, code := djangoguard(t, "probe", "https://site.test/", "--connect-to", "site.test:80:"+closed, "--connect-to", "site.test:443:"+closed, "--no-tls-scan")
	if code != 2 || !strings.Contains(stderr, "did not answer") {
		t.Errorf("unreachable site: exit %d, stderr %q", code, stderr)
	}
}
