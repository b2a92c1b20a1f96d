package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/store"
)

// TestAPIAuth: every API endpoint refuses requests without a valid token,
// including ones that carry only a session cookie.
func TestAPIAuth(t *testing.T) {
	e := newEnv(t, envOpts{allow: []string{"127.0.0.1"}})
	b := e.browser()
	if resp, _ := b.login("admin", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	endpoints := []struct{ method, path string }{
		{"GET", "/api/v1/sites"}, {"POST", "/api/v1/sites"}, {"GET", "/api/v1/sites/1"}, {"PUT", "/api/v1/sites/1"},
		{"DELETE", "/api/v1/sites/1"}, {"GET", "/api/v1/sites/1/scans"}, {"POST", "/api/v1/sites/1/scans"},
		{"GET", "/api/v1/scans/1"}, {"GET", "/api/v1/scans/1/export?format=json"}, {"GET", "/api/v1/diff?from=1&to=2"},
	}
	auths := map[string]string{
		"none":         "",
		"wrong token":  "Bearer djg_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"basic":        "Basic YWRtaW46Y29ycmVjdCBob3JzZSBiYXR0ZXJ5",
		"short":        "Bearer x",
		"token prefix": "bearer " + e.token,
	}
	for _, ep := range endpoints {
		for name, auth := range auths {
			t.Run(ep.method+" "+ep.path+" "+name, func(t *testing.T) {
				resp, body := e.do(ep.method, ep.path, auth, "application/json", `{}`)
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"error"`) {
					t.Errorf("status %d body %s, want 401 with a JSON error", resp.StatusCode, body)
				}
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate header")
				}
			})
		}
		// A logged-in browser's cookie is not an API credential.
		req, _ := http.NewRequest(ep.method, e.http.URL+ep.path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s with a session cookie: %d, want 401", ep.method, ep.path, resp.StatusCode)
		}
	}
	if resp, _ := e.api("GET", "/api/v1/nope", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", resp.StatusCode)
	}
}

// TestAPISiteInput: malformed and hostile input gets a 400 with a clear
// message; internal targets are refused (SSRF).
func TestAPISiteInput(t *testing.T) {
	e := newEnv(t, envOpts{}) // no --allow-target: loopback is refused too
	cases := []struct {
		name, ctype, body string
		status            int
		msg               string
	}{
		{"loopback", "application/json", `{"url":"http://127.0.0.1:8000/"}`, 400, "loopback"},
		{"loopback v6", "application/json", `{"url":"http://[::1]/"}`, 400, "loopback"},
		{"v4-mapped loopback", "application/json", `{"url":"http://[::ffff:127.0.0.1]/"}`, 400, "loopback"},
		{"metadata", "application/json", `{"url":"http://169.254.169.254/latest/meta-data/"}`, 400, "metadata"},
		{"name to private", "application/json", `{"url":"https://private.test/"}`, 400, "private"},
		{"name to metadata", "application/json", `{"url":"https://metadata.test/"}`, 400, "metadata"},
		{"one private among public", "application/json", `{"url":"https://mixed.test/"}`, 400, "192.168.1.1"},
		{"v6 private", "application/json", `{"url":"https://v6private.test/"}`, 400, "private"},
		{"localhost", "application/json", `{"url":"http://localhost/"}`, 400, "loopback"},
		{"unspecified", "application/json", `{"url":"http://0.0.0.0/"}`, 400, "not allowed"},
		{"cgnat", "application/json", `{"url":"http://100.64.1.1/"}`, 400, "not allowed"},
		{"unresolvable", "application/json", `{"url":"https://nxdomain.test/"}`, 400, "no such host"},
		{"webhook to metadata", "application/json", `{"url":"https://public.test/","webhook_url":"http://169.254.169.254/"}`, 400, "webhook_url"},
		{"webhook scheme", "application/json", `{"url":"https://public.test/","webhook_url":"file:///etc/passwd"}`, 400, "webhook_url"},
		{"bad scheme", "application/json", `{"url":"ftp://public.test/"}`, 400, "scheme"},
		{"credentials", "application/json", `{"url":"https://u:p@public.test/"}`, 400, "user name"},
		{"missing url", "application/json", `{"name":"x"}`, 400, "url is required"},
		{"control chars", "application/json", `{"url":"https://public.test/\u0000"}`, 400, "control"},
		{"long name", "application/json", `{"url":"https://public.test/","name":"` + strings.Repeat("n", 101) + `"}`, 400, "name"},
		{"bad interval", "application/json", `{"url":"https://public.test/","interval_minutes":1}`, 400, "interval_minutes"},
		{"repo without root", "application/json", `{"url":"https://public.test/","repo_path":"/etc"}`, 400, "repo-root"},
		{"not json", "application/json", `{"url":`, 400, "malformed JSON"},
		{"two values", "application/json", `{"url":"https://public.test/"} {}`, 400, "more than one"},
		{"unknown field", "application/json", `{"url":"https://public.test/","admin":true}`, 400, "unknown field"},
		{"wrong type", "application/json", `{"url":42}`, 400, "malformed JSON"},
		{"form body", "application/x-www-form-urlencoded", `url=https://public.test/`, 400, "Content-Type"},
		{"too large", "application/json", `{"url":"https://public.test/","name":"` + strings.Repeat("a", 2<<20) + `"}`, 400, "larger than"},
		{"ok", "application/json", `{"url":"https://public.test/","name":"Public"}`, 201, ""},
		{"duplicate", "application/json", `{"url":"https://public.test/"}`, 409, "already exists"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.do("POST", "/api/v1/sites", "Bearer "+e.token, c.ctype, c.body)
			if resp.StatusCode != c.status || !strings.Contains(string(body), c.msg) {
				t.Errorf("status %d body %s, want %d containing %q", resp.StatusCode, body, c.status, c.msg)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/sites/abc"}, {"GET", "/api/v1/sites/-1"}, {"GET", "/api/v1/sites/99999999999999999999"},
		{"GET", "/api/v1/scans/0"}, {"GET", "/api/v1/diff?from=x&to=1"}, {"GET", "/api/v1/sites/1/scans?limit=0"},
		{"GET", "/api/v1/scans/1/export?format=exe"},
	} {
		if resp, body := e.api(c.method, c.path, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s %s: %d %s, want 400", c.method, c.path, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/api/v1/sites/999", "/api/v1/scans/999", "/api/v1/sites/999/scans"} {
		if resp, _ := e.api("GET", p, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := e.api("POST", "/api/v1/sites/999/scans", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("scan of a missing site: %d", resp.StatusCode)
	}
}

// TestDNSRebinding: a name that was public when the site was added and
// resolves to loopback when it is scanned is refused at scan time.
func TestDNSRebinding(t *testing.T) {
	e := newEnv(t, envOpts{worker: true})
	resp, body := e.api("POST", "/api/v1/sites", `{"url":"http://rebind.test/"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var site store.Site
	json.Unmarshal(body, &site)
	resp, body = e.api("POST", fmt.Sprintf("/api/v1/sites/%d/scans", site.ID), "")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("scan: %d %s", resp.StatusCode, body)
	}
	var q struct {
		ScanID int64 `json:"scan_id"`
	}
	json.Unmarshal(body, &q)
	sc := e.waitScan(q.ScanID)
	if sc.Status != store.StatusFailed || !strings.Contains(sc.Error, "loopback") {
		t.Fatalf("scan = %s %q, want failed for loopback", sc.Status, sc.Error)
	}
	// The webhook client checks the address it connects to.
	g := &Guard{}
	for _, addr := range []string{"127.0.0.1:80", "169.254.169.254:80", "[::1]:443", "10.0.0.1:443", "[::ffff:10.0.0.1]:80", "[2002:7f00:1::]:80"} {
		if err := g.DialControl("tcp", addr, nil); err == nil {
			t.Errorf("DialControl allowed %s", addr)
		}
	}
	if err := g.DialControl("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("DialControl refused a public address: %v", err)
	}
}

// TestScanLifecycle: add a local site, scan it, read the scan, export it in
// every format, make the site worse, scan again: the webhook is called,
// the diff shows what changed, the history holds both.
func TestScanLifecycle(t *testing.T) {
	e := newEnv(t, envOpts{allow: []string{"127.0.0.1"}, worker: true})
	resp, body := e.api("POST", "/api/v1/sites", fmt.Sprintf(`{"url":%q,"name":"Shop","webhook_url":%q}`, e.site.URL+"/", e.hook.URL+"/hook"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var site store.Site
	if err := json.Unmarshal(body, &site); err != nil {
		t.Fatal(err)
	}
	scan := func() *store.Scan {
		resp, body := e.api("POST", fmt.Sprintf("/api/v1/sites/%d/scans", site.ID), "")
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("scan: %d %s", resp.StatusCode, body)
		}
		var q struct {
			ScanID int64 `json:"scan_id"`
			Queued bool  `json:"queued"`
		}
		json.Unmarshal(body, &q)
		if !q.Queued {
			t.Fatalf("scan not queued: %s", body)
		}
		sc := e.waitScan(q.ScanID)
		if sc.Status != store.StatusDone {
			t.Fatalf("scan %d: %s %s", sc.ID, sc.Status, sc.Error)
		}
		return sc
	}
	first := scan()
	t.Logf("first scan: %s %d, %d findings", first.Grade, first.Score, first.Findings)
	if first.Grade == "" || first.Score <= 0 {
		t.Fatalf("first scan: grade %q score %d", first.Grade, first.Score)
	}
	resp, body = e.api("GET", fmt.Sprintf("/api/v1/scans/%d", first.ID), "")
	var full struct {
		Scan  store.Scan `json:"scan"`
		Probe struct {
			Grade string            `json:"grade"`
			Tests []json.RawMessage `json:"tests"`
		} `json:"probe"`
	}
	if err := json.Unmarshal(body, &full); err != nil || resp.StatusCode != 200 || full.Probe.Grade != first.Grade || len(full.Probe.Tests) == 0 {
		t.Fatalf("scan API: %d %v %s", resp.StatusCode, err, body)
	}
	for format, want := range map[string]string{"json": `"probe"`, "sarif": `"version": "2.1.0"`, "html": "<!DOCTYPE html>"} {
		resp, body := e.api("GET", fmt.Sprintf("/api/v1/scans/%d/export?format=%s", first.ID, format), "")
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export %s: %d %q", format, resp.StatusCode, body[:min(len(body), 200)])
		}
	}

	e.site.weak.Store(true)
	second := scan()
	t.Logf("second scan: %s %d, %d findings", second.Grade, second.Score, second.Findings)
	if second.Score >= first.Score {
		t.Fatalf("weakened site scored %d, first %d", second.Score, first.Score)
	}
	select {
	case ev := <-e.hooks:
		if ev.Event != "grade_dropped" || ev.PreviousGrade != first.Grade || ev.Grade != second.Grade || ev.ScanID != second.ID {
			t.Errorf("webhook event %+v", ev)
		}
	case <-time.After(30 * time.Second):
		t.Error("no webhook call after the grade dropped")
	}
	resp, body = e.api("GET", fmt.Sprintf("/api/v1/diff?from=%d&to=%d", first.ID, second.ID), "")
	var d Diff
	if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("diff: %d %s", resp.StatusCode, body)
	}
	changed := map[string]bool{}
	for _, tc := range d.Tests {
		changed[tc.Name] = tc.FromPass && !tc.ToPass
	}
	for _, name := range []string{"content-security-policy", "x-content-type-options", "x-frame-options"} {
		if !changed[name] {
			t.Errorf("diff does not show %s going from pass to fail: %+v", name, d.Tests)
		}
	}
	if len(d.New) == 0 {
		t.Error("diff shows no new finding")
	}
	_, body = e.api("GET", fmt.Sprintf("/api/v1/sites/%d/scans", site.ID), "")
	var hist struct{ Scans []store.Scan }
	json.Unmarshal(body, &hist)
	if len(hist.Scans) != 2 || hist.Scans[0].ID != second.ID {
		t.Errorf("history: %s", body)
	}
	_, body = e.api("GET", "/api/v1/sites", "")
	if !strings.Contains(string(body), `"grade": "`+second.Grade+`"`) {
		t.Errorf("site list lacks the latest grade: %s", body)
	}
	// Update, then delete.
	if resp, body := e.api("PUT", fmt.Sprintf("/api/v1/sites/%d", site.ID), fmt.Sprintf(`{"url":%q,"name":"Renamed","interval_minutes":60}`, e.site.URL+"/")); resp.StatusCode != 200 || !strings.Contains(string(body), "Renamed") {
		t.Errorf("update: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.api("DELETE", fmt.Sprintf("/api/v1/sites/%d", site.ID), ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp, _ := e.api("GET", fmt.Sprintf("/api/v1/scans/%d", first.ID), ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("scan of a deleted site: %d", resp.StatusCode)
	}
}

// TestScanRateLimit: a user may queue only so many scans per window.
func TestScanRateLimit(t *testing.T) {
	e := newEnv(t, envOpts{scanLimit: 3})
	for i := range 4 {
		resp, body := e.api("POST", "/api/v1/sites", fmt.Sprintf(`{"url":"https://public.test/%d"}`, i))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %s", body)
		}
	}
	for i := 1; i <= 4; i++ {
		resp, body := e.api("POST", fmt.Sprintf("/api/v1/sites/%d/scans", i), "")
		want := http.StatusAccepted
		if i == 4 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Errorf("scan %d: %d %s, want %d", i, resp.StatusCode, body, want)
		}
		if i == 4 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
}
