package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/store"
)

// TestSecurityHeaders: every answer, pages, API, errors and redirects,
// carries the hardening headers, and each page gets a fresh CSP nonce.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, envOpts{})
	want := map[string]string{
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "no-referrer",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	}
	nonces := map[string]bool{}
	for _, p := range []string{"/", "/login", "/api/v1/sites", "/nope", "/sites/1", "/healthz"} {
		for i := 0; i < 2; i++ {
			resp, _ := e.do("GET", p, "", "", "")
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %s = %q, want %q", p, k, got, v)
				}
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("%s: CSP %q lacks %s", p, csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s: CSP allows unsafe sources: %s", p, csp)
			}
			i := strings.Index(csp, "'nonce-")
			if i < 0 {
				t.Fatalf("%s: no nonce in CSP %q", p, csp)
			}
			n := csp[i : i+strings.Index(csp[i+1:], "'")+2]
			if nonces[n] {
				t.Errorf("nonce %s reused", n)
			}
			nonces[n] = true
		}
	}
	// TRACE and other methods are refused.
	for _, m := range []string{"TRACE", "OPTIONS", "PATCH", "CONNECT"} {
		if resp, _ := e.do(m, "/", "", "", ""); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d", m, resp.StatusCode)
		}
	}
	// The login page's style carries the nonce of its CSP header.
	resp, body := e.do("GET", "/login", "", "", "")
	csp := resp.Header.Get("Content-Security-Policy")
	i := strings.Index(csp, "'nonce-") + len("'nonce-")
	nonce := csp[i : i+strings.Index(csp[i:], "'")]
	if !strings.Contains(string(body), `<style nonce="`+nonce+`">`) {
		t.Error("page style does not carry the response's nonce")
	}
}

// TestLoginAndCSRF: a browser logs in, and every form refuses a missing or
// wrong CSRF token and cross-site requests.
func TestLoginAndCSRF(t *testing.T) {
	e := newEnv(t, envOpts{allow: []string{"127.0.0.1"}})
	b := e.browser()
	if resp, _ := b.get("/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous /: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The login form itself needs its token.
	if resp, _ := b.post("/login", url.Values{"username": {"admin"}, "password": {"correct horse battery"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without CSRF token: %d", resp.StatusCode)
	}
	if resp, _ := b.login("admin", "wrong password!!"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	resp, _ := b.login("admin", "correct horse battery")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "djangoguard" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", session)
	}
	_, page := b.get("/")
	token := csrfOf(t, page)
	site := url.Values{"url": {e.site.URL + "/"}, "name": {"Shop"}}
	with := func(v url.Values, tok string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = vs
		}
		if tok != "" {
			out.Set("csrf_token", tok)
		}
		return out
	}
	cases := []struct {
		name   string
		form   url.Values
		header map[string]string
		status int
	}{
		{"no token", with(site, ""), nil, http.StatusForbidden},
		{"wrong token", with(site, "AAAA"+token[4:]), nil, http.StatusForbidden},
		{"cross-site fetch", with(site, token), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", with(site, token), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"null origin without fetch metadata", with(site, token), map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"null origin same-origin", with(url.Values{"url": {e.site.URL + "/n"}}, token), map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"ssrf", with(url.Values{"url": {"http://169.254.169.254/"}}, token), nil, http.StatusBadRequest},
		{"ok", with(site, token), map[string]string{"Origin": e.http.URL, "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	for _, c := range cases {
		resp, body := b.post("/sites", c.form, c.header)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d\n%s", c.name, resp.StatusCode, c.status, body)
		}
	}
	// Every other form refuses a request without the token.
	for _, p := range []string{"/sites/1/scan", "/sites/1/settings", "/sites/1/delete", "/tokens", "/tokens/1/delete", "/logout"} {
		if resp, _ := b.post(p, url.Values{"name": {"x"}}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without CSRF token: %d", p, resp.StatusCode)
		}
	}
	// Pages render, and hostile site names are escaped.
	if resp, _ := b.post("/sites", with(url.Values{"url": {e.site.URL + "/x"}, "name": {`<script>alert(1)</script>`}}, token), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	_, page = b.get("/")
	if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)") {
		t.Error("site name not escaped on the overview")
	}
	for _, p := range []string{"/sites/1", "/sites/2", "/tokens", "/sites/1/chart.svg", "/sites/1/status"} {
		if resp, body := b.get(p); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, body)
		}
	}
	if resp, _ := b.get("/sites/999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing site page: %d", resp.StatusCode)
	}
	// A token made in the UI works on the API.
	_, page = b.post("/tokens", url.Values{"name": {"ci"}, "csrf_token": {token}}, nil)
	i := strings.Index(page, `id="new-token">`)
	if i < 0 {
		t.Fatal("no token shown")
	}
	tok := page[i+len(`id="new-token">`):]
	tok = tok[:strings.Index(tok, "<")]
	if resp, _ := e.do("GET", "/api/v1/sites", "Bearer "+tok, "", ""); resp.StatusCode != 200 {
		t.Errorf("UI token on the API: %d", resp.StatusCode)
	}
	// Logging out ends the session on the server, not just the cookie.
	if resp, _ := b.post("/logout", url.Values{"csrf_token": {token}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", e.http.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "djangoguard", Value: session.Value})
	r2, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusSeeOther {
		t.Errorf("old session cookie still works after logout: %d", r2.StatusCode)
	}
}

// TestLoginThrottle: after five failures the account is locked for the
// window, even with the right password; open redirects are refused.
func TestLoginThrottle(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := e.browser()
	for i := 0; i < 5; i++ {
		if resp, _ := b.login("admin", fmt.Sprintf("wrong password %d", i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := b.login("admin", "correct horse battery")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many failed logins") {
		t.Fatalf("sixth login: %d", resp.StatusCode)
	}
	// Unknown users are throttled the same way (no user enumeration by status).
	b2 := e.browser()
	if resp, _ := b2.login("nobody", "whatever password"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("unknown user from the same address: %d", resp.StatusCode)
	}
	for _, c := range []struct{ in, want string }{
		{"/sites/1", "/sites/1"}, {"//evil.example/", "/"}, {"/\\evil.example", "/"}, {"https://evil.example/", "/"}, {"", "/"},
	} {
		if got := safeNext(c.in); got != c.want {
			t.Errorf("safeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedirectHandler(t *testing.T) {
	cases := []struct{ port, host, path, want string }{
		{"443", "example.com", "/a?b=1", "https://example.com/a?b=1"},
		{"8443", "example.com:8080", "/", "https://example.com:8443/"},
		{"443", "[::1]:80", "/x", "https://[::1]/x"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("GET", "http://"+c.host+c.path, nil)
		rec := newRecorder()
		RedirectHandler(c.port).ServeHTTP(rec, req)
		if rec.code != http.StatusMovedPermanently || rec.h.Get("Location") != c.want {
			t.Errorf("%s%s: %d %q, want %q", c.host, c.path, rec.code, rec.h.Get("Location"), c.want)
		}
	}
	req, _ := http.NewRequest("GET", "http://example.com/", nil)
	req.Host = "evil.example/@x"
	rec := newRecorder()
	RedirectHandler("443").ServeHTTP(rec, req)
	if rec.code != http.StatusBadRequest {
		t.Errorf("hostile Host: %d", rec.code)
	}
}

type recorder struct {
	h    http.Header
	code int
}

func newRecorder() *recorder                    { return &recorder{h: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(c int)           { r.code = c }

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterx") {
		t.Error("password check wrong")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("short password accepted")
	}
	// The dummy hash checked for unknown users costs a real verification.
	if p, err := parseArgon2id(dummyHash); err != nil || p.memory != argonMemory || p.time != argonTime {
		t.Errorf("dummy hash does not parse to the real parameters: %+v %v", p, err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "$bcrypt$x", dummyHash + "x"} {
		if CheckPassword(bad, "correct horse battery") {
			t.Errorf("hash %q accepted", bad)
		}
	}
}

func FuzzParseArgon2id(f *testing.F) {
	f.Add(dummyHash)
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=,t=1$$")
	f.Fuzz(func(t *testing.T, h string) {
		p, err := parseArgon2id(h)
		if err == nil && (p.memory > 256*1024 || p.time > 10 || p.threads > 16) {
			t.Fatalf("accepted expensive parameters %+v", p)
		}
	})
}

func FuzzGuardAllowed(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::ffff:10.0.0.1", "2002:a00:1::", "169.254.169.254", "93.184.216.34"} {
		f.Add(s)
	}
	g := &Guard{Resolver: &fakeResolver{}}
	f.Fuzz(func(t *testing.T, s string) {
		addrs, err := g.Resolve(t.Context(), s)
		if err == nil {
			for _, a := range addrs {
				if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified() {
					t.Fatalf("%s allowed", a)
				}
			}
		}
	})
}

func FuzzParseAllow(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "10.0.0.0/8,::1", "fd00::/8", " , ", "300.1.1.1", "1.2.3.4/33"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseAllow([]string{s})
		if err == nil {
			for _, p := range ps {
				if !p.IsValid() || p.Masked() != p {
					t.Fatalf("invalid prefix %v from %q", p, s)
				}
			}
		}
	})
}

func TestSortSitesByGrade(t *testing.T) {
	mk := func(name, grade string) *store.Site {
		s := &store.Site{Name: name}
		if grade != "-" {
			s.Latest = &store.Scan{Grade: grade}
		}
		return s
	}
	sites := []*store.Site{mk("never", "-"), mk("f", "F"), mk("b", "A"), mk("a", "A"), mk("top", "A+"), mk("c", "C-")}
	sortSites(sites)
	var got []string
	for _, s := range sites {
		got = append(got, s.Name)
	}
	if strings.Join(got, ",") != "top,a,b,c,f,never" {
		t.Errorf("order %v", got)
	}
}
