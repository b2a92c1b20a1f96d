package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/store"
)

// TestRepoScanAndCorrelation: a site naming a repository gets its static
// scan and the 6xx correlations beside the probe; repository paths outside
// --repo-root, symbolic links out of it included, are refused.
func TestRepoScanAndCorrelation(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "shop")
	if err := os.MkdirAll(filepath.Join(repo, "shop", "settings"), 0o755); err != nil {
		t.Fatal(err)
	}
	settings := "DEBUG = False\nSECURE_HSTS_SECONDS = 31536000\nCSP_DEFAULT_SRC = (\"'self'\",)\n"
	if err := os.WriteFile(filepath.Join(repo, "shop", "settings", "production.py"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOpts{allow: []string{"127.0.0.1"}, worker: true, repoRoots: []string{root}})
	for _, c := range []struct{ path, msg string }{
		{outside, "outside the allowed"},
		{filepath.Join(root, "escape"), "outside the allowed"},
		{filepath.Join(root, "..", filepath.Base(outside)), "outside the allowed"},
		{filepath.Join(root, "missing"), "no such directory"},
		{"shop", "absolute"},
	} {
		resp, body := e.api("POST", "/api/v1/sites", fmt.Sprintf(`{"url":%q,"repo_path":%q}`, e.site.URL+"/"+c.msg[:3], c.path))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), c.msg) {
			t.Errorf("repo_path %s: %d %s, want 400 %q", c.path, resp.StatusCode, body, c.msg)
		}
	}
	e.site.weak.Store(true) // no CSP on the live site
	resp, body := e.api("POST", "/api/v1/sites", fmt.Sprintf(`{"url":%q,"repo_path":%q}`, e.site.URL+"/", repo))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var site store.Site
	json.Unmarshal(body, &site)
	_, body = e.api("POST", fmt.Sprintf("/api/v1/sites/%d/scans", site.ID), "")
	var q struct {
		ScanID int64 `json:"scan_id"`
	}
	json.Unmarshal(body, &q)
	sc := e.waitScan(q.ScanID)
	if sc.Status != store.StatusDone {
		t.Fatalf("scan: %s %s", sc.Status, sc.Error)
	}
	_, body = e.api("GET", fmt.Sprintf("/api/v1/scans/%d", q.ScanID), "")
	var full struct {
		Static *struct {
			Root string `json:"root"`
		} `json:"static"`
		Correlations []rules.Finding `json:"correlations"`
	}
	if err := json.Unmarshal(body, &full); err != nil {
		t.Fatal(err)
	}
	if full.Static == nil || full.Static.Root == "" {
		t.Errorf("no static report: %s", body)
	}
	var codes []string
	for _, f := range full.Correlations {
		codes = append(codes, f.RuleID)
	}
	if !strings.Contains(strings.Join(codes, ","), "DJG603") {
		t.Errorf("correlations %v, want DJG603 (CSP in settings, none live)", codes)
	}
	// The site page shows them.
	b := e.browser()
	b.login("admin", "correct horse battery")
	_, page := b.get(fmt.Sprintf("/sites/%d", site.ID))
	if !strings.Contains(page, "Static and live together") || !strings.Contains(page, "DJG603") || !strings.Contains(page, "Static scan of") {
		t.Error("site page lacks the static scan or the correlations")
	}
}

// TestRedirectToInternalAddressRefused: a site that redirects to an
// address the guard refuses gets its scan failed, the probe never connects
// to that address (the guard runs as the dialer's Control), and nothing is
// stored.
func TestRedirectToInternalAddressRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this machine: %v", err)
	}
	var reached atomic.Int64
	internal := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body>INTERNAL SECRET</body></html>")
	}), ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			reached.Add(1)
		}
	}}
	go internal.Serve(ln)
	defer internal.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+ln.Addr().String()+"/", http.StatusFound)
	}))
	defer redirector.Close()
	e := newEnv(t, envOpts{allow: []string{"127.0.0.1"}, worker: true})
	resp, body := e.api("POST", "/api/v1/sites", fmt.Sprintf(`{"url":%q}`, redirector.URL+"/"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var site store.Site
	json.Unmarshal(body, &site)
	_, body = e.api("POST", fmt.Sprintf("/api/v1/sites/%d/scans", site.ID), "")
	var q struct {
		ScanID int64 `json:"scan_id"`
	}
	json.Unmarshal(body, &q)
	sc := e.waitScan(q.ScanID)
	if sc.Status != store.StatusFailed || !strings.Contains(sc.Error, "127.0.0.2") {
		t.Fatalf("scan %s %q, want failed for the redirect to 127.0.0.2", sc.Status, sc.Error)
	}
	full, _ := e.store.Scan(context.Background(), q.ScanID)
	if strings.Contains(string(full.ProbeJSON), "INTERNAL") || len(full.ProbeJSON) != 0 {
		t.Error("the internal answer was stored")
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the probe opened %d connections to the refused address", n)
	}
}
