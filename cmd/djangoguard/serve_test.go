package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeRefusesUnsafeListeners(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"public plain http", []string{"serve", "--db", db, "--addr", "0.0.0.0:0"}, "not a loopback address"},
		{"named host plain http", []string{"serve", "--db", db, "--addr", "example.com:8080"}, "not a loopback address"},
		{"redirect without TLS", []string{"serve", "--db", db, "--http-redirect-addr", "127.0.0.1:0"}, "needs --tls-cert"},
		{"cert without key", []string{"serve", "--db", db, "--tls-cert", "c.pem"}, "go together"},
		{"bad addr", []string{"serve", "--db", db, "--addr", "8080"}, "HOST:PORT"},
		{"bad allow", []string{"serve", "--db", db, "--allow-target", "nonsense"}, "--allow-target"},
		{"token without user", []string{"serve", "--db", db, "--create-token", "ci"}, "needs --user"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := djangoguard(t, c.args...)
			if code != 2 || !strings.Contains(stderr, c.msg) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, c.msg)
			}
		})
	}
}

func TestServeCreateAdmin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	t.Setenv("DJANGOGUARD_ADMIN_PASSWORD", "short")
	if _, stderr, code := djangoguard(t, "serve", "--db", db, "--create-admin", "alice"); code != 2 || !strings.Contains(stderr, "too short") {
		t.Errorf("short password: exit %d %q", code, stderr)
	}
	t.Setenv("DJANGOGUARD_ADMIN_PASSWORD", "correct horse battery")
	if out, stderr, code := djangoguard(t, "serve", "--db", db, "--create-admin", "alice"); code != 0 || !strings.Contains(out, "created admin alice") {
		t.Fatalf("create admin: exit %d %q %q", code, out, stderr)
	}
	if _, _, code := djangoguard(t, "serve", "--db", db, "--create-admin", "alice"); code != 2 {
		t.Errorf("duplicate admin: exit %d", code)
	}
	out, stderr, code := djangoguard(t, "serve", "--db", db, "--create-token", "ci", "--user", "alice")
	if code != 0 || !strings.HasPrefix(out, "djg_") {
		t.Errorf("create token: exit %d %q %q", code, out, stderr)
	}
}

func TestCorrelateAndReportCommands(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "proj", "settings")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(proj, "production.py"), []byte("DEBUG = False\nSECURE_HSTS_SECONDS = 31536000\n"), 0o644)
	scan := filepath.Join(dir, "scan.json")
	os.WriteFile(scan, []byte(`{"schema_version":1,"tool":{"name":"djangoguard","version":"t"},"root":"`+filepath.ToSlash(dir)+`","findings":[],"errors":[],"summary":{"by_severity":{}}}`), 0o644)
	probe := filepath.Join(dir, "probe.json")
	os.WriteFile(probe, []byte(`{"schema_version":1,"target":"https://shop.example/","grade":"D","score":30,"tests_quantity":1,
		"tests":[{"name":"strict-transport-security","result":"hsts-not-implemented","pass":false}],
		"findings":[{"rule_id":"DJG501","severity":"high","url":"https://shop.example/boom","message":"debug page"}]}`), 0o644)
	out, stderr, code := djangoguard(t, "correlate", scan, probe, "--color", "never")
	if code != 1 || !strings.Contains(out, "DJG601") || !strings.Contains(out, "DJG602") {
		t.Errorf("correlate: exit %d\n%s\n%s", code, out, stderr)
	}
	html := filepath.Join(dir, "report.html")
	if _, stderr, code := djangoguard(t, "report", "--scan", scan, "--probe", probe, "-o", html, "--title", "Shop"); code != 0 {
		t.Fatalf("report: exit %d %s", code, stderr)
	}
	b, _ := os.ReadFile(html)
	for _, want := range []string{"<title>Shop</title>", "DJG601", "DJG602", "debug page", "hsts-not-implemented"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if _, stderr, code := djangoguard(t, "report"); code != 2 || !strings.Contains(stderr, "--scan") {
		t.Errorf("report without input: exit %d %q", code, stderr)
	}
	if _, _, code := djangoguard(t, "correlate", probe, probe); code != 2 {
		t.Errorf("correlate with a probe as the scan: exit %d", code)
	}
}

func TestProbeFormatHTML(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>hi</body></html>"))
	}))
	defer site.Close()
	out := filepath.Join(t.TempDir(), "probe.html")
	_, stderr, code := djangoguard(t, "probe", site.URL+"/", "--no-tls-scan", "--timeout", "3s", "--format", "html", "-o", out)
	if code == 2 {
		t.Fatalf("probe: exit %d %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<title>djangoguard probe of " + site.URL + "/</title>", "content-security-policy", "Fix:"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("HTML probe report lacks %q", want)
		}
	}
}
