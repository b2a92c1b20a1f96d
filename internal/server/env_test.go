package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/store"
)

// fakeResolver maps names to addresses; "rebind.test" answers a public
// address first and loopback afterwards, as a DNS rebinding attacker.
type fakeResolver struct {
	mu     sync.Mutex
	names  map[string][]netip.Addr
	rebind int
}

func (f *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if host == "rebind.test" {
		f.rebind++
		if f.rebind == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	if a, ok := f.names[host]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("no such host %s", host)
}

// testSite is a local site whose security headers can be switched off.
type testSite struct {
	*httptest.Server
	weak atomic.Bool
}

func newTestSite(t *testing.T) *testSite {
	ts := &testSite{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if !ts.weak.Load() {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>shop</title></head><body><p>hello</p></body></html>")
	}))
	t.Cleanup(ts.Close)
	return ts
}

type env struct {
	t      *testing.T
	store  *store.Store
	srv    *Server
	http   *httptest.Server
	token  string
	userID int64
	site   *testSite
	hooks  chan GradeEvent
	hook   *httptest.Server
	cancel context.CancelFunc
	done   chan struct{}
}

type envOpts struct {
	allow     []string
	scanLimit int
	worker    bool
	repoRoots []string
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "serve.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	allow, err := ParseAllow(o.allow)
	if err != nil {
		t.Fatal(err)
	}
	res := &fakeResolver{names: map[string][]netip.Addr{
		"private.test":   {netip.MustParseAddr("10.20.30.40")},
		"metadata.test":  {netip.MustParseAddr("169.254.169.254")},
		"mixed.test":     {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("192.168.1.1")},
		"public.test":    {netip.MustParseAddr("93.184.216.34")},
		"localhost":      {netip.MustParseAddr("127.0.0.1")},
		"v6private.test": {netip.MustParseAddr("fd00::1")},
	}}
	guard := &Guard{Allow: allow, Resolver: res}
	reg := catalog.Registry()
	probe := live.DefaultOptions()
	probe.SkipTLS, probe.Timeout, probe.Deadline = true, 3*time.Second, 30*time.Second
	srv, err := New(Config{Store: st, Registry: reg, Version: "test", Guard: guard, ScanLimit: o.scanLimit, Probe: probe,
		LoginLimit: 5, RepoRoots: o.repoRoots})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, srv: srv, cancel: cancel, done: make(chan struct{}), hooks: make(chan GradeEvent, 10)}
	e.http = httptest.NewServer(srv)
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if e.userID, err = st.CreateUser(ctx, "admin", hash, true); err != nil {
		t.Fatal(err)
	}
	if e.token, err = NewAPIToken(ctx, st, e.userID, "test"); err != nil {
		t.Fatal(err)
	}
	e.site = newTestSite(t)
	e.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev GradeEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err == nil {
			e.hooks <- ev
		}
	}))
	if o.worker {
		scanner := &Scanner{Guard: guard, Probe: probe, Registry: reg, Version: "test"}
		w := &Worker{Store: st, Scan: scanner.Scan, ID: "test", Poll: 20 * time.Millisecond, Concurrency: 2,
			Webhook: NewNotifier(guard, e.http.URL)}
		go func() { defer close(e.done); _ = w.Run(ctx) }()
	} else {
		close(e.done)
	}
	t.Cleanup(func() {
		cancel()
		<-e.done
		e.http.Close()
		e.hook.Close()
		st.Close()
	})
	return e
}

// do sends an API request with the env's token (auth "" for none).
func (e *env) do(method, path, auth, ctype, body string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (e *env) api(method, path, body string) (*http.Response, []byte) {
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return e.do(method, path, "Bearer "+e.token, ct, body)
}

// waitScan polls the API until the scan is finished. The context bounds a
// hang; it is not a speed check.
func (e *env) waitScan(id int64) *store.Scan {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		sc, err := e.store.Scan(ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if sc.Status == store.StatusDone || sc.Status == store.StatusFailed {
			return sc
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("scan %d did not finish", id)
	return nil
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t   *testing.T
	c   *http.Client
	url string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, url: e.http.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.url + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(path string, form url.Values, header map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf token in page:\n%s", page)
	}
	return m[1]
}

// login logs the browser in and returns the session's CSRF token.
func (b *browser) login(user, pw string) (*http.Response, string) {
	_, page := b.get("/login")
	resp, body := b.post("/login", url.Values{"csrf_token": {csrfOf(b.t, page)}, "username": {user}, "password": {pw}, "next": {"/"}}, nil)
	return resp, body
}
