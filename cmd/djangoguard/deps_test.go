package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hardened = "../../examples/hardened-project"

func TestDepsCommand(t *testing.T) {
	t.Setenv("DJANGOGUARD_CACHE_DIR", t.TempDir())
	out, errOut, code := djangoguard(t, "deps", insecure+"/requirements.txt")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"requirements.txt:1:1: DJG401", "DJG402", "requirements.txt:6:1: DJG403", "Upgrade to 3.2."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "embedded vulnerability database as of") {
		t.Errorf("stderr does not say which database: %q", errOut)
	}

	out, _, code = djangoguard(t, "deps", "--format", "json", insecure+"/requirements.txt", insecure+"/api/requirements.txt")
	if code != 1 {
		t.Fatalf("json: exit %d", code)
	}
	var doc struct {
		Findings []struct {
			RuleID string `json:"rule_id"`
			Path   string `json:"path"`
			Line   int    `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, f := range doc.Findings {
		paths[f.Path] = true
	}
	// Paths are relative to the nearest directory holding the working
	// directory and the files (here the repository).
	if !paths["examples/insecure-project/requirements.txt"] || !paths["examples/insecure-project/api/requirements.txt"] {
		t.Errorf("paths = %v", paths)
	}

	// The hardened project has only a low finding (no hashes).
	if out, _, code := djangoguard(t, "deps", hardened+"/requirements.txt"); code != 0 || !strings.Contains(out, "DJG404") {
		t.Errorf("hardened: exit %d\n%s", code, out)
	}
	if _, _, code := djangoguard(t, "deps", "--fail-on", "low", hardened+"/requirements.txt"); code != 1 {
		t.Errorf("--fail-on low: exit %d", code)
	}
}

func TestDepsUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"deps"},
		{"deps", "no/such/requirements.txt"},
		{"deps", "--format", "xml", insecure + "/requirements.txt"},
		{"deps", "--fail-on", "severe", insecure + "/requirements.txt"},
		{"deps", insecure},
	} {
		if _, _, code := djangoguard(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestDBInfoAndUpdate(t *testing.T) {
	cache := t.TempDir()
	out, _, code := djangoguard(t, "db", "info", "--cache-dir", cache)
	if code != 0 {
		t.Fatalf("db info: exit %d", code)
	}
	for _, want := range []string{"embedded database", "PyPA advisory database", "2024-10-10", "Django security archive", "2026-03-03", "CC-BY-4.0", "Attribution:"} {
		if !strings.Contains(out, want) {
			t.Errorf("db info lacks %q:\n%s", want, out)
		}
	}

	// An OSV export served on the loopback interface.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("GHSA-test-0001-0001.json")
	w.Write([]byte(`{"id":"GHSA-test-0001-0001","modified":"2026-11-20T00:00:00Z","summary":"Test","affected":[{"package":{"ecosystem":"PyPI","name":"gunicorn"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"99.0"}]}]}]}`))
	zw.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(zbuf.Bytes()) }))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	if out, errOut, code := djangoguard(t, "db", "update", "--cache-dir", cache, "--from", srv.URL+"/all.zip"); code != 0 {
		t.Fatalf("db update: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(cache, "pypi.vulndb")); err != nil {
		t.Fatal(err)
	}
	out, _, _ = djangoguard(t, "db", "info", "--cache-dir", cache)
	if !strings.Contains(out, "using the updated database") || !strings.Contains(out, "OSV PyPI export") {
		t.Errorf("db info after update:\n%s", out)
	}
	// A bad source fails with exit 2 and keeps the database.
	bad := filepath.Join(t.TempDir(), "bad.zip")
	os.WriteFile(bad, []byte("not a zip"), 0o644)
	if _, _, code := djangoguard(t, "db", "update", "--cache-dir", cache, "--from", bad); code != 2 {
		t.Errorf("bad update: exit %d", code)
	}
	out, _, _ = djangoguard(t, "db", "info", "--cache-dir", cache)
	if !strings.Contains(out, "using the updated database") {
		t.Errorf("the failed update changed the database:\n%s", out)
	}
}

// TestDepsIncludesFromParent: a file in requirements/ including ../base.txt
// is followed when run from the project directory.
func TestDepsIncludesFromParent(t *testing.T) {
	t.Setenv("DJANGOGUARD_CACHE_DIR", t.TempDir())
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "requirements"), 0o755)
	os.WriteFile(filepath.Join(dir, "base.txt"), []byte("Django==3.2.1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "requirements", "prod.txt"), []byte("-r ../base.txt\n"), 0o644)
	t.Chdir(dir)
	out, _, code := djangoguard(t, "deps", "requirements/prod.txt")
	if code != 1 || !strings.Contains(out, "base.txt:1:1: DJG401") {
		t.Errorf("exit %d\n%s", code, out)
	}
}
