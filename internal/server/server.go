// Package server is `djangoguard serve`: a dashboard and JSON API that
// track many sites, scan them from a queue (see internal/store), keep their
// grade history, compare scans, export them and call a webhook when a
// grade drops. It expects to be attacked: sessions and API tokens are
// stored hashed, every form carries a CSRF token, responses carry a strict
// nonce-based CSP and the other security headers, logins are throttled,
// scans are rate limited per user, and scan targets and webhooks are kept
// away from internal addresses at connection time.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/store"
)

// Config is what the server needs.
type Config struct {
	Store    *store.Store
	Registry *rules.Registry
	Version  string
	// TLS says the dashboard is served over https: cookies get Secure and
	// the __Host- prefix, and responses carry HSTS.
	TLS   bool
	Guard *Guard
	// RepoRoots are the directories site repository paths must be inside;
	// none: sites cannot name a repository.
	RepoRoots []string
	// ScanLimit scans per user per ScanWindow (default 30 per hour).
	ScanLimit  int
	ScanWindow time.Duration
	// LoginLimit failed logins per user name or client address per
	// LoginWindow (default 5 per 15 minutes).
	LoginLimit  int
	LoginWindow time.Duration
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// Probe are the options probes start from.
	Probe  live.Options
	Logger *slog.Logger
	Now    func() time.Time
	// TrustProxy makes the server take the client address from
	// X-Forwarded-For (only behind a proxy that sets it).
	TrustProxy bool
}

// Server is the HTTP handler of the dashboard and API.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	throttle *throttle
	pages    map[string]*template.Template
}

// New builds a server from cfg, filling defaults.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Registry == nil {
		return nil, errors.New("server: a store and a registry are required")
	}
	if cfg.Guard == nil {
		cfg.Guard = &Guard{}
	}
	if cfg.ScanLimit <= 0 {
		cfg.ScanLimit = 30
	}
	if cfg.ScanWindow <= 0 {
		cfg.ScanWindow = time.Hour
	}
	if cfg.LoginLimit <= 0 {
		cfg.LoginLimit = 5
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Probe.Timeout == 0 {
		cfg.Probe = live.DefaultOptions()
	}
	for i, r := range cfg.RepoRoots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, err
		}
		cfg.RepoRoots[i] = filepath.Clean(abs)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), throttle: newThrottle(cfg.LoginLimit, cfg.LoginWindow, cfg.Now), pages: pages}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	m := s.mux
	// Pages.
	m.HandleFunc("GET /{$}", s.page(s.overview))
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.form(s.logout))
	m.HandleFunc("POST /sites", s.form(s.addSiteForm))
	m.HandleFunc("GET /sites/{id}", s.page(s.sitePage))
	m.HandleFunc("POST /sites/{id}/scan", s.form(s.scanNowForm))
	m.HandleFunc("POST /sites/{id}/settings", s.form(s.siteSettingsForm))
	m.HandleFunc("POST /sites/{id}/delete", s.form(s.deleteSiteForm))
	m.HandleFunc("GET /sites/{id}/status", s.page(s.siteStatus))
	m.HandleFunc("GET /sites/{id}/chart.svg", s.page(s.chartSVG))
	m.HandleFunc("GET /scans/{id}", s.page(s.scanPage))
	m.HandleFunc("GET /scans/{id}/export", s.page(s.exportPage))
	m.HandleFunc("GET /diff", s.page(s.diffPage))
	m.HandleFunc("GET /tokens", s.page(s.tokensPage))
	m.HandleFunc("POST /tokens", s.form(s.createTokenForm))
	m.HandleFunc("POST /tokens/{id}/delete", s.form(s.deleteTokenForm))
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	// API.
	m.HandleFunc("GET /api/v1/sites", s.api(s.apiSites))
	m.HandleFunc("POST /api/v1/sites", s.api(s.apiCreateSite))
	m.HandleFunc("GET /api/v1/sites/{id}", s.api(s.apiSite))
	m.HandleFunc("PUT /api/v1/sites/{id}", s.api(s.apiUpdateSite))
	m.HandleFunc("DELETE /api/v1/sites/{id}", s.api(s.apiDeleteSite))
	m.HandleFunc("GET /api/v1/sites/{id}/scans", s.api(s.apiSiteScans))
	m.HandleFunc("POST /api/v1/sites/{id}/scans", s.api(s.apiScanNow))
	m.HandleFunc("GET /api/v1/scans/{id}", s.api(s.apiScan))
	m.HandleFunc("GET /api/v1/scans/{id}/export", s.api(s.apiExport))
	m.HandleFunc("GET /api/v1/diff", s.api(s.apiDiff))
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, "no such API endpoint or method")
	})
}

// ServeHTTP applies the security headers, bounds the request, and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	nonce := randomToken(18)
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+"'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	h.Set("Cache-Control", "no-store")
	if s.cfg.TLS {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		h.Set("Allow", "GET, HEAD, POST, PUT, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	r = r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce))
	s.mux.ServeHTTP(w, r)
}

type nonceKey struct{}
type userKey struct{}
type sessionKey struct{}

func nonceOf(r *http.Request) string { v, _ := r.Context().Value(nonceKey{}).(string); return v }

func userOf(r *http.Request) *store.User {
	u, _ := r.Context().Value(userKey{}).(*store.User)
	return u
}

func sessionOf(r *http.Request) *store.Session {
	v, _ := r.Context().Value(sessionKey{}).(*store.Session)
	return v
}

func (s *Server) cookieName() string {
	if s.cfg.TLS {
		return "__Host-djangoguard"
	}
	return "djangoguard"
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.cfg.TLS, SameSite: http.SameSiteStrictMode})
}

// session returns the request's session, or nil.
func (s *Server) session(r *http.Request) *store.Session {
	c, err := r.Cookie(s.cookieName())
	if err != nil || len(c.Value) < 20 || len(c.Value) > 100 {
		return nil
	}
	sess, err := s.cfg.Store.SessionByHash(r.Context(), hashSecret(c.Value))
	if err != nil {
		return nil
	}
	return sess
}

// page wraps a handler that needs a logged-in browser; others are sent to
// the login page.
func (s *Server) page(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		if sess == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(context.WithValue(r.Context(), userKey{}, sess.User), sessionKey{}, sess)
		h(w, r.WithContext(ctx))
	}
}

// form wraps a POST handler: a session, a same-origin request and the
// session's CSRF token are required.
func (s *Server) form(h http.HandlerFunc) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request) {
		if !sameOrigin(r) {
			s.errorPage(w, r, http.StatusForbidden, "Cross-site request refused.")
			return
		}
		if err := r.ParseForm(); err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "Malformed form.")
			return
		}
		tok := r.PostForm.Get("csrf_token")
		if subtle.ConstantTimeCompare([]byte(tok), []byte(sessionOf(r).CSRF)) != 1 {
			s.errorPage(w, r, http.StatusForbidden, "The form's CSRF token is missing or wrong. Reload the page and try again.")
			return
		}
		h(w, r)
	})
}

// sameOrigin rejects requests a browser marks as cross-site, and requests
// whose Origin names another host.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "null" {
		// Browsers send "Origin: null" under Referrer-Policy: no-referrer;
		// then only a same-origin Sec-Fetch-Site vouches for the request.
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	if o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}

// api wraps an API handler: a bearer token is required; cookies are
// ignored, so the API needs no CSRF token.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || len(tok) < 20 || len(tok) > 200 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="djangoguard"`)
			writeJSONError(w, http.StatusUnauthorized, "an API token is required: Authorization: Bearer <token>")
			return
		}
		u, err := s.cfg.Store.TokenUser(r.Context(), hashSecret(tok))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="djangoguard", error="invalid_token"`)
			writeJSONError(w, http.StatusUnauthorized, "invalid API token")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	}
}

// clientIP is the remote address (X-Forwarded-For's last hop with
// TrustProxy).
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// throttle counts failed logins per key in a sliding window.
type throttle struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

func newThrottle(limit int, window time.Duration, now func() time.Time) *throttle {
	return &throttle{limit: limit, window: window, now: now, fails: map[string][]time.Time{}}
}

// blocked says whether any key is over the limit, and for how long.
func (t *throttle) blocked(keys ...string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		fs := t.prune(k, now)
		if len(fs) >= t.limit {
			if w := fs[0].Add(t.window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait > 0, wait
}

func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.fails) > 100000 {
		for k := range t.fails {
			t.prune(k, now)
		}
	}
	for _, k := range keys {
		t.fails[k] = append(t.prune(k, now), now)
	}
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}

func (t *throttle) prune(k string, now time.Time) []time.Time {
	fs := t.fails[k]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.fails, k)
		return nil
	}
	t.fails[k] = fs
	return fs
}

// RedirectHandler answers plain http with a permanent redirect to the same
// host and path over https on httpsPort (left out when it is 443), and sets
// the same hardening headers as the dashboard.
func RedirectHandler(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		if host == "" || hasControl(host) || strings.ContainsAny(host, "/\\@?#") {
			http.Error(w, "bad Host header", http.StatusBadRequest)
			return
		}
		if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
			host = "[" + host + "]"
		}
		if httpsPort != "" && httpsPort != "443" {
			host = net.JoinHostPort(strings.Trim(host, "[]"), httpsPort)
		}
		target := "https://" + host + r.URL.RequestURI()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "use https", http.StatusMethodNotAllowed)
			return
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
}
