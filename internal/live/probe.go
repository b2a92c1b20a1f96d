package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// PathProbe is the response to one extra request the probe made.
type PathProbe struct {
	Path     string
	Response *Response
	Err      error
}

// Result is everything one probe learned about a site. Rules read it (it is
// the Pass.Subject of the 5xx rules); the Observatory part is computed
// before the rules run.
type Result struct {
	Target  string
	Host    string
	Started time.Time
	Elapsed time.Duration

	HTTP, HTTPS *Session
	CORS        *Response
	// Base is the origin the extra requests go to: the final URL's origin of
	// the https session when it answered, else of the http session.
	Base *url.URL
	// HTTPBase is the plain-http origin of the same host (for "answers over
	// http" checks), nil when the http session failed to connect.
	HTTPBase *url.URL
	// Page is the parsed final page.
	Page *Page

	Tests       []TestResult
	Score       int
	Grade       string
	TestsPassed int
	// Graded is false when the Observatory would refuse to grade (no
	// response, or a final status other than 2xx, 3xx, 401, 403).
	Graded          bool
	NotGradedReason string

	// NotFound is the answer for a path that cannot exist.
	NotFound *Response
	// BadHost is the answer when the Host header names a host the site
	// does not serve (Django's DisallowedHost).
	BadHost *Response
	// Admin is the final response of /admin/ on Base, AdminHTTP the
	// unfollowed answer of /admin/ over plain http.
	Admin, AdminHTTP *Response
	// Logins are the login pages tried, over Base and over plain http.
	Logins, LoginsHTTP []PathProbe
	Trace              []PathProbe
	Files              []PathProbe
	SecurityTxt        *Response
	CrossDomain        []PathProbe
	// StaticURL and MediaURL are the prefixes seen in the page, or Django's
	// defaults.
	StaticURL, MediaURL string

	TLS    *TLSReport
	Active *ActiveReport

	// Errors are failures that stopped part of the probe; Warnings are
	// limits that were hit (a truncated body, a redirect loop).
	Errors   []string
	Warnings []string

	mu sync.Mutex
}

func (r *Result) errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

func (r *Result) warnf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// ErrNoResponse is returned when neither http nor https answered.
var ErrNoResponse = errors.New("site did not answer over http or https")

// NormaliseTarget turns what the user typed into a URL: a bare host gets
// https://, a missing path gets "/".
func NormaliseTarget(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("bad URL %q: scheme must be http or https", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("bad URL %q: no host", raw)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.Fragment = ""
	return u, nil
}

// startURLs returns the http and https URLs of the two sessions. A port in
// the given URL applies to its own scheme only.
func startURLs(u *url.URL) (httpURL, httpsURL *url.URL) {
	h := *u
	s := *u
	h.Scheme, s.Scheme = "http", "https"
	if u.Port() != "" {
		if u.Scheme == "http" {
			s.Host = u.Hostname()
		} else {
			h.Host = u.Hostname()
		}
		if strings.Contains(u.Hostname(), ":") {
			// IPv6 literal: keep the brackets.
			if u.Scheme == "http" {
				s.Host = "[" + u.Hostname() + "]"
			} else {
				h.Host = "[" + u.Hostname() + "]"
			}
		}
	}
	return &h, &s
}

// Probe probes one site. It returns an error only when the site could not
// be reached at all; partial failures are in Result.Errors.
func Probe(ctx context.Context, target string, opts Options) (*Result, error) {
	opts.normalise()
	u, err := NormaliseTarget(target)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Deadline)
	defer cancel()
	res := &Result{Target: u.String(), Host: strings.ToLower(u.Hostname()), Started: opts.Now()}
	start := time.Now()
	defer func() { res.Elapsed = time.Since(start) }()

	f := newFetcher(&opts, res.Host)
	defer f.close()

	httpURL, httpsURL := startURLs(u)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); res.HTTP = f.session(ctx, httpURL) }()
	go func() { defer wg.Done(); res.HTTPS = f.session(ctx, httpsURL) }()
	if !opts.SkipTLS {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.TLS = scanTLS(ctx, &opts, httpsURL)
		}()
	}
	wg.Wait()

	bothFailed := res.HTTP.Final == nil && res.HTTPS.Final == nil
	for _, s := range []*Session{res.HTTP, res.HTTPS} {
		if s.Err != nil {
			// One scheme not answering is a fact the tests grade (no http,
			// no https), not a failure of the probe.
			if bothFailed {
				res.errorf("%s: %v", redactURL(s.Start), s.Err)
			} else {
				res.warnf("%s: %v", redactURL(s.Start), s.Err)
			}
		}
		for _, r := range s.Responses {
			if r.Truncated {
				res.warnf("%s: body cut at %d bytes", redactURL(r.URL), opts.MaxBody)
			}
		}
	}
	in := &ObsInput{Host: res.Host, HTTP: res.HTTP, HTTPS: res.HTTPS, Preload: opts.Preload, CORSOrigin: observatoryOrigin}
	auto := in.autoSession()
	if auto == nil {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("probe %s: %w (deadline %s)", redactURL(u), ErrNoResponse, opts.Deadline)
		}
		return res, fmt.Errorf("probe %s: %w: %s", redactURL(u), ErrNoResponse, strings.Join(res.Errors, "; "))
	}
	final := auto.Final
	res.Base = &url.URL{Scheme: final.URL.Scheme, Host: final.URL.Host, Path: "/"}
	if res.HTTP.Final != nil {
		res.HTTPBase = &url.URL{Scheme: "http", Host: httpURL.Host, Path: "/"}
	}
	res.Page = ParseHTML(final.Body)

	// CORS preflight to the final URL, as the Observatory.
	client := f.verified
	if !auto.Verified {
		client = f.unverified
	}
	cors, err := f.do(ctx, client, request{Method: http.MethodOptions, URL: final.URL, MaxBody: auxBody, Header: http.Header{
		"Origin":                        {observatoryOrigin},
		"Access-Control-Request-Method": {"GET"},
	}})
	if err == nil || cors != nil {
		res.CORS = cors
		in.CORS = cors
	}

	res.Tests = RunObservatory(in)
	res.Score, res.Grade = Score(res.Tests)
	res.TestsPassed = TestsPassed(res.Tests)
	st := final.Status
	res.Graded = (st >= 200 && st < 400) || st == 401 || st == 403
	if !res.Graded {
		res.NotGradedReason = fmt.Sprintf("final status %d: the Observatory grades only 2xx, 3xx, 401 and 403 answers", st)
	}

	res.StaticURL, res.MediaURL = assetPrefixes(res.Page)
	f.djangoProbes(ctx, res, client)
	if opts.Active {
		res.Active = f.active(ctx, res, client)
	}
	if ctx.Err() != nil {
		res.errorf("probe stopped at its deadline (%s); later checks did not run", opts.Deadline)
	}
	return res, nil
}

func randomToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// auxBody caps the bodies of the auxiliary requests (files, admin, login,
// security.txt): what they are checked for is near the start, unlike
// Django's technical pages, whose DEBUG marker is at the end.
const auxBody = 256 << 10

// get fetches base+path, following redirects on the same host up to the
// redirect limit, with a fresh cookie jar, reading at most auxBody bytes.
func (f *fetcher) get(ctx context.Context, client *http.Client, base *url.URL, path string, follow bool) (*Response, error) {
	return f.getCapped(ctx, client, base, path, follow, auxBody)
}

// getCapped is get with a body cap (0: Options.MaxBody).
func (f *fetcher) getCapped(ctx context.Context, client *http.Client, base *url.URL, path string, follow bool, maxBody int64) (*Response, error) {
	u, err := base.Parse(path)
	if err != nil {
		return nil, err
	}
	jar := newJar()
	for i := 0; ; i++ {
		resp, err := f.do(ctx, client, request{URL: u, Header: jar.header(u), MaxBody: maxBody})
		if resp == nil {
			return nil, err
		}
		jar.store(resp)
		if !follow || !redirectStatus[resp.Status] || i >= f.opts.MaxRedirects {
			return resp, err
		}
		next, perr := u.Parse(resp.Header.Get("Location"))
		if perr != nil || !strings.EqualFold(next.Hostname(), u.Hostname()) || (next.Scheme != "http" && next.Scheme != "https") {
			return resp, err
		}
		u = next
	}
}

// sensitivePaths are files a Django deployment must never serve, each with
// a test that the body is that file and not a catch-all page.
var sensitivePaths = []struct {
	path string
	is   func(body []byte, ct string) bool
}{
	{"/.git/HEAD", looksGitHead},
	{"/.git/config", func(b []byte, _ string) bool { return containsFold(b, "[core]") }},
	{"/.env", looksEnv},
	{"/settings.py", looksPython},
	{"/local_settings.py", looksPython},
	{"/manage.py", looksPython},
	{"/requirements.txt", looksRequirements},
	{"/.DS_Store", func(b []byte, _ string) bool { return len(b) >= 8 && string(b[4:8]) == "Bud1" }},
	{"/settings.py.bak", looksPython},
	{"/settings.py~", looksPython},
	{"/settings.py.orig", looksPython},
	{"/.settings.py.swp", looksSwap},
	{"/manage.py~", looksPython},
	{"/db.sqlite3", func(b []byte, _ string) bool { return strings.HasPrefix(string(b), "SQLite format 3\x00") }},
	{"/backup.sql", looksSQLDump},
	{"/dump.sql", looksSQLDump},
}

// djangoProbes makes the extra requests the 5xx rules read.
func (f *fetcher) djangoProbes(ctx context.Context, res *Result, client *http.Client) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 6)
	run := func(fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			fn()
		}()
	}
	base := res.Base
	run(func() {
		r, err := f.getCapped(ctx, client, base, "/djangoguard-"+randomToken()+"/no-such-page/", false, 0)
		if err != nil && r == nil {
			res.errorf("404 probe: %v", err)
		}
		mu.Lock()
		res.NotFound = r
		mu.Unlock()
	})
	run(func() {
		u := *base
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		req.Host = "djangoguard-" + randomToken() + ".invalid"
		req.Header.Set("User-Agent", f.opts.UserAgent)
		resp, err := client.Do(req)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		body, trunc, _ := readCapped(resp.Body, f.opts.MaxBody)
		mu.Lock()
		res.BadHost = &Response{Method: "GET", URL: &u, Status: resp.StatusCode, Header: resp.Header, Body: body, Truncated: trunc, Verified: true}
		mu.Unlock()
	})
	run(func() {
		r, _ := f.get(ctx, client, base, "/admin/", true)
		mu.Lock()
		res.Admin = r
		mu.Unlock()
	})
	if res.HTTPBase != nil {
		run(func() {
			r, _ := f.get(ctx, f.verified, res.HTTPBase, "/admin/login/", false)
			mu.Lock()
			res.AdminHTTP = r
			mu.Unlock()
		})
	}
	for _, p := range []string{"/accounts/login/", "/login/"} {
		run(func() {
			r, err := f.get(ctx, client, base, p, true)
			mu.Lock()
			res.Logins = append(res.Logins, PathProbe{Path: p, Response: r, Err: err})
			mu.Unlock()
		})
		if res.HTTPBase != nil {
			run(func() {
				r, err := f.get(ctx, f.verified, res.HTTPBase, p, false)
				mu.Lock()
				res.LoginsHTTP = append(res.LoginsHTTP, PathProbe{Path: p, Response: r, Err: err})
				mu.Unlock()
			})
		}
	}
	for _, b := range []*url.URL{base, res.HTTPBase} {
		if b == nil || (b != base && b.Scheme == base.Scheme) {
			continue
		}
		run(func() {
			c := client
			if b.Scheme == "http" {
				c = f.verified
			}
			r, err := f.do(ctx, c, request{Method: http.MethodTrace, URL: b, MaxBody: auxBody})
			mu.Lock()
			res.Trace = append(res.Trace, PathProbe{Path: b.String(), Response: r, Err: err})
			mu.Unlock()
		})
	}
	paths := []string{}
	for _, s := range sensitivePaths {
		paths = append(paths, s.path)
	}
	for _, prefix := range uniqueStrings(res.StaticURL, res.MediaURL) {
		for _, name := range []string{"manage.py", "settings.py", "wsgi.py"} {
			paths = append(paths, prefix+name)
		}
	}
	for _, p := range paths {
		run(func() {
			r, err := f.get(ctx, client, base, p, false)
			mu.Lock()
			res.Files = append(res.Files, PathProbe{Path: p, Response: r, Err: err})
			mu.Unlock()
		})
	}
	run(func() {
		r, _ := f.get(ctx, client, base, "/.well-known/security.txt", true)
		mu.Lock()
		res.SecurityTxt = r
		mu.Unlock()
	})
	for _, p := range []string{"/crossdomain.xml", "/clientaccesspolicy.xml"} {
		run(func() {
			r, err := f.get(ctx, client, base, p, false)
			mu.Lock()
			res.CrossDomain = append(res.CrossDomain, PathProbe{Path: p, Response: r, Err: err})
			mu.Unlock()
		})
	}
	wg.Wait()
	sortProbes(res.Logins)
	sortProbes(res.LoginsHTTP)
	sortProbes(res.Trace)
	sortProbes(res.Files)
	sortProbes(res.CrossDomain)
}

func uniqueStrings(ss ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// assetPrefixes finds STATIC_URL and MEDIA_URL from the page's resources:
// the path up to and including a "static/" or "media/" segment on the same
// site; Django's conventional /static/ and /media/ otherwise.
func assetPrefixes(p *Page) (static, media string) {
	static, media = "/static/", "/media/"
	if p == nil {
		return
	}
	foundS, foundM := false, false
	for _, r := range p.Resources {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Host != "" && u.Scheme != "") {
			continue
		}
		path := u.Path
		if !strings.HasPrefix(path, "/") {
			continue
		}
		if i := strings.Index(path, "/static/"); i >= 0 && !foundS {
			static, foundS = path[:i+len("/static/")], true
		}
		if i := strings.Index(path, "/media/"); i >= 0 && !foundM {
			media, foundM = path[:i+len("/media/")], true
		}
	}
	return
}

// hostAddr returns the IP address the site's host connects to, after
// --resolve and --connect-to.
func (o *Options) hostAddr(ctx context.Context, u *url.URL) (string, error) {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	mapped := o.mapAddr(net.JoinHostPort(u.Hostname(), port))
	host, _, err := net.SplitHostPort(mapped)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); ip != nil {
		return host, nil
	}
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	if err != nil || len(addrs) == 0 {
		return "", fmt.Errorf("resolve %s: %w", host, err)
	}
	return addrs[0], nil
}
