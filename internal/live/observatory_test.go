package live

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// hdr builds headers from "Name: value" lines; a name may repeat.
func hdr(lines ...string) http.Header {
	h := http.Header{}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return h
}

func resp(rawURL string, status int, h http.Header, body string) *Response {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err)
	}
	if h == nil {
		h = http.Header{}
	}
	return &Response{Method: "GET", URL: u, Status: status, Header: h, Body: []byte(body), Verified: true}
}

// sess builds a session from the responses of its chain.
func sess(verified bool, rs ...*Response) *Session {
	s := &Session{Start: rs[0].URL, Verified: verified, Jar: newJar()}
	for _, r := range rs {
		r.Verified = verified
		s.Hops = append(s.Hops, Hop{URL: r.URL.String(), Status: r.Status})
		s.Responses = append(s.Responses, r)
		s.Jar.store(r)
	}
	s.Final = rs[len(rs)-1]
	return s
}

const htmlCT = "Content-Type: text/html; charset=utf-8"

// site is an https site whose final page has the given headers and body,
// reached from http by a same-host redirect.
func site(h http.Header, body string) *ObsInput {
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	return &ObsInput{
		Host:  "example.com",
		HTTP:  sess(true, resp("http://example.com/", 301, hdr("Location: https://example.com/"), ""), resp("https://example.com/", 200, h, body)),
		HTTPS: sess(true, resp("https://example.com/", 200, h, body)),
	}
}

func codeOf(t *testing.T, tests []TestResult, name string) TestResult {
	t.Helper()
	for _, tr := range tests {
		if tr.Name == name {
			return tr
		}
	}
	t.Fatalf("no test %s", name)
	return TestResult{}
}

type obsCase struct {
	name string
	in   *ObsInput
	want string
}

func runObsTable(t *testing.T, table func() (string, []obsCase)) {
	t.Helper()
	test, cases := table()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := codeOf(t, RunObservatory(c.in), test)
			if got.Result != c.want {
				t.Fatalf("%s: got %s, want %s", test, got.Result, c.want)
			}
			o := outcomes[c.want]
			if got.ScoreModifier != o.mod || got.Pass != o.pass {
				t.Fatalf("%s: modifier %d pass %v, want %d %v", c.want, got.ScoreModifier, got.Pass, o.mod, o.pass)
			}
		})
	}
}

func cspCases() (string, []obsCase) {
	h := func(csp ...string) http.Header {
		out := hdr(htmlCT)
		for _, c := range csp {
			out.Add("Content-Security-Policy", c)
		}
		return out
	}
	httpOnly := func(hh http.Header, body string) *ObsInput {
		hh.Set("Content-Type", "text/html")
		return &ObsInput{Host: "example.com", HTTP: sess(true, resp("http://example.com/", 200, hh, body)), HTTPS: &Session{}}
	}
	return TestCSP, []obsCase{
		{"default-src none", site(h("default-src 'none'"), ""), "csp-implemented-with-no-unsafe-default-src-none"},
		{"self with object-src none", site(h("default-src 'self'; object-src 'none'"), ""), "csp-implemented-with-no-unsafe"},
		{"script-src only falls back to * for object-src", site(h("script-src 'self'"), ""), "csp-implemented-with-unsafe-inline"},
		{"unsafe-inline in script-src", site(h("default-src 'self' 'unsafe-inline'"), ""), "csp-implemented-with-unsafe-inline"},
		{"data: in script-src", site(h("default-src 'none'; script-src data:"), ""), "csp-implemented-with-unsafe-inline"},
		{"broad object-src", site(h("default-src 'none'; object-src https:"), ""), "csp-implemented-with-unsafe-inline"},
		{"nonce neutralises unsafe-inline", site(h("default-src 'none'; script-src 'nonce-abc' 'unsafe-inline'"), ""), "csp-implemented-with-no-unsafe-default-src-none"},
		{"strict-dynamic with nonce drops broad sources", site(h("default-src 'none'; script-src 'strict-dynamic' 'nonce-abc' https: 'unsafe-inline'"), ""), "csp-implemented-with-no-unsafe-default-src-none"},
		{"strict-dynamic without nonce", site(h("default-src 'none'; script-src 'strict-dynamic'"), ""), "csp-header-invalid"},
		{"unsafe-inline in style-src only", site(h("default-src 'self'; object-src 'none'; style-src 'self' 'unsafe-inline'"), ""), "csp-implemented-with-unsafe-inline-in-style-src-only"},
		{"unsafe-eval", site(h("default-src 'self'; object-src 'none'; script-src 'self' 'unsafe-eval'"), ""), "csp-implemented-with-unsafe-eval"},
		{"http: active source on https", site(h("default-src 'self'; object-src 'none'; script-src 'self' http://cdn.example.com"), ""), "csp-implemented-with-insecure-scheme"},
		{"http: active source on http site is fine", httpOnly(h("default-src 'self'; object-src 'none'; script-src 'self' http://cdn.example.com"), ""), "csp-implemented-with-no-unsafe"},
		{"http: image source on https", site(h("default-src 'self'; object-src 'none'; img-src 'self' http://img.example.com"), ""), "csp-implemented-with-insecure-scheme-in-passive-content-only"},
		{"duplicate directive", site(h("default-src 'self'; default-src 'none'"), ""), "csp-header-invalid"},
		{"too short", site(h("a b"), ""), "csp-header-invalid"},
		{"empty policy after comma", site(h("default-src 'none',"), ""), "csp-header-invalid"},
		{"duplicate report-uri on a passing policy", site(h("default-src 'none'; report-uri /a; report-uri /b"), ""), "csp-implemented-but-duplicate-directives"},
		{"none", site(hdr(htmlCT), ""), "csp-not-implemented"},
		{"report-only", site(hdr(htmlCT, "Content-Security-Policy-Report-Only: default-src 'none'"), ""), "csp-not-implemented-but-reporting-enabled"},
		{"meta policy", site(hdr(htmlCT), `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head></html>`), "csp-implemented-with-no-unsafe-default-src-none"},
		{"meta ignored when not HTML", site(hdr("Content-Type: application/json"), `<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`), "csp-not-implemented"},
		{"second policy narrows the first", site(h("default-src 'self' 'unsafe-inline'", "default-src 'self'; object-src 'none'"), ""), "csp-implemented-with-no-unsafe"},
		{"comma-joined policies narrow too", site(h("default-src 'self' 'unsafe-inline', default-src 'self'; object-src 'none'"), ""), "csp-implemented-with-no-unsafe"},
	}
}

func cookiesCases() (string, []obsCase) {
	hsts := "Strict-Transport-Security: max-age=31536000"
	cookie := func(extra ...string) http.Header { return hdr(append([]string{htmlCT}, extra...)...) }
	return TestCookies, []obsCase{
		{"none", site(cookie(), ""), "cookies-not-found"},
		{"all good with samesite", site(cookie("Set-Cookie: sessionid=1; Secure; HttpOnly; SameSite=Lax", "Set-Cookie: csrftoken=2; Secure; SameSite=Strict"), ""), "cookies-secure-with-httponly-sessions-and-samesite"},
		{"good without samesite on a plain cookie", site(cookie("Set-Cookie: sessionid=1; Secure; HttpOnly; SameSite=Lax", "Set-Cookie: theme=dark; Secure"), ""), "cookies-secure-with-httponly-sessions"},
		{"plain cookie without secure, hsts", site(cookie(hsts, "Set-Cookie: theme=dark; SameSite=Lax"), ""), "cookies-without-secure-flag-but-protected-by-hsts"},
		{"plain cookie without secure", site(cookie("Set-Cookie: theme=dark; SameSite=Lax"), ""), "cookies-without-secure-flag"},
		{"session without secure, hsts", site(cookie(hsts, "Set-Cookie: sessionid=1; HttpOnly; SameSite=Lax"), ""), "cookies-session-without-secure-flag-but-protected-by-hsts"},
		{"session without secure", site(cookie("Set-Cookie: sessionid=1; HttpOnly; SameSite=Lax"), ""), "cookies-session-without-secure-flag"},
		{"invalid samesite value", site(cookie("Set-Cookie: theme=dark; Secure; SameSite=Loose"), ""), "cookies-samesite-flag-invalid"},
		{"samesite none without secure", site(cookie(hsts, "Set-Cookie: theme=dark; SameSite=None"), ""), "cookies-samesite-flag-invalid"},
		{"csrf without samesite", site(cookie("Set-Cookie: csrftoken=2; Secure"), ""), "cookies-anticsrf-without-samesite-flag"},
		{"session without httponly", site(cookie("Set-Cookie: sessionid=1; Secure; SameSite=Lax"), ""), "cookies-session-without-httponly-flag"},
		{"worst wins: session without secure beats httponly", site(cookie("Set-Cookie: sessionid=1", "Set-Cookie: csrftoken=2"), ""), "cookies-session-without-secure-flag"},
		{"custom session name (login)", site(cookie("Set-Cookie: my_login=1; Secure; SameSite=Lax"), ""), "cookies-session-without-httponly-flag"},
		{"heroku affinity ignored", site(cookie("Set-Cookie: heroku-session-affinity=1"), ""), "cookies-not-found"},
	}
}

func corsCases() (string, []obsCase) {
	with := func(h http.Header) *ObsInput {
		in := site(hdr(htmlCT), "")
		in.CORSOrigin = observatoryOrigin
		in.CORS = resp("https://example.com/", 200, h, "")
		return in
	}
	return TestCORS, []obsCase{
		{"none", with(hdr()), "cross-origin-resource-sharing-not-implemented"},
		{"no preflight response", site(hdr(htmlCT), ""), "cross-origin-resource-sharing-not-implemented"},
		{"public", with(hdr("Access-Control-Allow-Origin: *")), "cross-origin-resource-sharing-implemented-with-public-access"},
		{"restricted", with(hdr("Access-Control-Allow-Origin: https://partner.example.com", "Access-Control-Allow-Credentials: true")), "cross-origin-resource-sharing-implemented-with-restricted-access"},
		{"reflected without credentials", with(hdr("Access-Control-Allow-Origin: " + observatoryOrigin)), "cross-origin-resource-sharing-implemented-with-restricted-access"},
		{"reflected with credentials", with(hdr("Access-Control-Allow-Origin: "+observatoryOrigin, "Access-Control-Allow-Credentials: true")), "cross-origin-resource-sharing-implemented-with-universal-access"},
	}
}

func redirectionCases() (string, []obsCase) {
	final := resp("https://example.com/", 200, hdr(htmlCT), "")
	chain := func(verified bool, rs ...*Response) *ObsInput {
		return &ObsInput{Host: "example.com", HTTP: sess(verified, rs...), HTTPS: sess(true, final)}
	}
	r := func(u string, loc string) *Response {
		if loc == "" {
			return resp(u, 200, hdr(htmlCT), "")
		}
		return resp(u, 301, hdr("Location: "+loc), "")
	}
	preload, _ := ParsePreloadList([]byte(`{"entries":[{"name":"example.com","mode":"force-https","include_subdomains":true}]}`))
	pre := chain(true, r("http://example.com/", "https://example.com/"), r("https://example.com/", ""))
	pre.Preload = preload
	return TestRedirection, []obsCase{
		{"to https", chain(true, r("http://example.com/", "https://example.com/"), r("https://example.com/", "")), "redirection-to-https"},
		{"no http", &ObsInput{Host: "example.com", HTTP: &Session{}, HTTPS: sess(true, final)}, "redirection-not-needed-no-http"},
		{"off host", chain(true, r("http://example.com/", "https://www.example.com/"), r("https://www.example.com/", "")), "redirection-off-host-from-http"},
		{"http first", chain(true, r("http://example.com/", "http://www.example.com/"), r("http://www.example.com/", "https://www.example.com/"), r("https://www.example.com/", "")), "redirection-not-to-https-on-initial-redirection"},
		{"not to https", chain(true, r("http://example.com/", "http://example.com/home"), r("http://example.com/home", "")), "redirection-not-to-https"},
		{"missing", chain(true, r("http://example.com/", "")), "redirection-missing"},
		{"invalid cert", chain(false, r("http://example.com/", "https://example.com/"), r("https://example.com/", "")), "redirection-invalid-cert"},
		{"all preloaded", pre, "redirection-all-redirects-preloaded"},
	}
}

func referrerCases() (string, []obsCase) {
	return TestReferrer, []obsCase{
		{"private", site(hdr(htmlCT, "Referrer-Policy: same-origin"), ""), "referrer-policy-private"},
		{"not set", site(hdr(htmlCT), ""), "referrer-policy-not-implemented"},
		{"unsafe", site(hdr(htmlCT, "Referrer-Policy: unsafe-url"), ""), "referrer-policy-unsafe"},
		{"invalid", site(hdr(htmlCT, "Referrer-Policy: sometimes"), ""), "referrer-policy-header-invalid"},
		{"last valid token wins", site(hdr(htmlCT, "Referrer-Policy: no-referrer, unsafe-url, bogus"), ""), "referrer-policy-unsafe"},
		{"meta after header", site(hdr(htmlCT, "Referrer-Policy: unsafe-url"), `<meta name="referrer" content="no-referrer">`), "referrer-policy-private"},
	}
}

func hstsCases() (string, []obsCase) {
	preload, _ := ParsePreloadList([]byte(`{"example.com": {"mode": "force-https", "includeSubDomains": false}}`))
	pre := site(hdr(htmlCT), "")
	pre.Preload = preload
	bad := site(hdr(htmlCT, "Strict-Transport-Security: max-age=63072000"), "")
	bad.HTTPS.Verified = false
	return TestHSTS, []obsCase{
		{"six months", site(hdr(htmlCT, "Strict-Transport-Security: max-age=15552000"), ""), "hsts-implemented-max-age-at-least-six-months"},
		{"short", site(hdr(htmlCT, "Strict-Transport-Security: max-age=86400; includeSubDomains"), ""), "hsts-implemented-max-age-less-than-six-months"},
		{"missing", site(hdr(htmlCT), ""), "hsts-not-implemented"},
		{"no max-age", site(hdr(htmlCT, "Strict-Transport-Security: includeSubDomains"), ""), "hsts-header-invalid"},
		{"sent twice", site(hdr(htmlCT, "Strict-Transport-Security: max-age=31536000", "Strict-Transport-Security: max-age=31536000"), ""), "hsts-header-invalid"},
		{"non-numeric max-age counts as long (parseInt NaN)", site(hdr(htmlCT, "Strict-Transport-Security: max-age=forever"), ""), "hsts-implemented-max-age-at-least-six-months"},
		{"no https", &ObsInput{Host: "example.com", HTTP: sess(true, resp("http://example.com/", 200, hdr(htmlCT), "")), HTTPS: &Session{}}, "hsts-not-implemented-no-https"},
		{"invalid cert", bad, "hsts-invalid-cert"},
		{"preloaded", pre, "hsts-preloaded"},
	}
}

func sriCases() (string, []obsCase) {
	page := func(scripts string) *ObsInput { return site(hdr(htmlCT), "<html><head>"+scripts+"</head></html>") }
	return TestSRI, []obsCase{
		{"same origin with integrity", page(`<script src="/app.js" integrity="sha384-x"></script>`), "sri-implemented-and-all-scripts-loaded-securely"},
		{"external with integrity over https", page(`<script src="https://cdn.other.org/a.js" integrity="sha384-x" crossorigin="anonymous"></script>`), "sri-implemented-and-external-scripts-loaded-securely"},
		{"json", site(hdr("Content-Type: application/json"), `{}`), "sri-not-implemented-response-not-html"},
		{"media type compared as sent", site(hdr("Content-Type: Text/HTML"), `<script src="http://x.org/a.js"></script>`), "sri-not-implemented-response-not-html"},
		{"no content type is HTML", func() *ObsInput {
			in := site(hdr(), `<script src="//x.org/a.js"></script>`)
			in.HTTPS.Final.Header.Del("Content-Type")
			return in
		}(), "sri-not-implemented-and-external-scripts-not-loaded-securely"},
		{"no scripts", page(""), "sri-not-implemented-but-no-scripts-loaded"},
		{"same origin only", page(`<script src="/app.js"></script><script src="https://static.example.com/x.js"></script><script>var a;</script>`), "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"},
		{"external https without integrity", page(`<script src="https://cdn.other.org/a.js"></script>`), "sri-not-implemented-but-external-scripts-loaded-securely"},
		{"external with integrity over http", page(`<script src="http://cdn.other.org/a.js" integrity="sha384-x"></script>`), "sri-implemented-but-external-scripts-not-loaded-securely"},
		{"protocol-relative without integrity", page(`<script src="//cdn.other.org/a.js"></script>`), "sri-not-implemented-and-external-scripts-not-loaded-securely"},
		{"worst wins", page(`<script src="http://cdn.other.org/a.js"></script><script src="https://cdn.other.org/b.js"></script>`), "sri-not-implemented-and-external-scripts-not-loaded-securely"},
	}
}

func xctoCases() (string, []obsCase) {
	return TestXCTO, []obsCase{
		{"nosniff", site(hdr(htmlCT, "X-Content-Type-Options:  NoSniff "), ""), "x-content-type-options-nosniff"},
		{"missing", site(hdr(htmlCT), ""), "x-content-type-options-not-implemented"},
		{"invalid", site(hdr(htmlCT, "X-Content-Type-Options: nosniff; mode=block"), ""), "x-content-type-options-header-invalid"},
	}
}

func xfoCases() (string, []obsCase) {
	return TestXFO, []obsCase{
		{"deny", site(hdr(htmlCT, "X-Frame-Options: DENY"), ""), "x-frame-options-sameorigin-or-deny"},
		{"sameorigin", site(hdr(htmlCT, "X-Frame-Options: sameorigin"), ""), "x-frame-options-sameorigin-or-deny"},
		{"allow-from", site(hdr(htmlCT, "X-Frame-Options: ALLOW-FROM https://a.example"), ""), "x-frame-options-allow-from-origin"},
		{"missing", site(hdr(htmlCT), ""), "x-frame-options-not-implemented"},
		{"invalid", site(hdr(htmlCT, "X-Frame-Options: ALLOWALL"), ""), "x-frame-options-header-invalid"},
		{"via csp overrides invalid", site(hdr(htmlCT, "X-Frame-Options: ALLOWALL", "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'"), ""), "x-frame-options-implemented-via-csp"},
	}
}

func corpCases() (string, []obsCase) {
	return TestCORP, []obsCase{
		{"same-origin", site(hdr(htmlCT, "Cross-Origin-Resource-Policy: Same-Origin"), ""), "corp-implemented-with-same-origin"},
		{"same-site", site(hdr(htmlCT, "Cross-Origin-Resource-Policy: same-site"), ""), "corp-implemented-with-same-site"},
		{"cross-origin", site(hdr(htmlCT, "Cross-Origin-Resource-Policy: cross-origin"), ""), "corp-implemented-with-cross-origin"},
		{"missing", site(hdr(htmlCT), ""), "corp-not-implemented"},
		{"invalid", site(hdr(htmlCT, "Cross-Origin-Resource-Policy: same-origin, same-site"), ""), "corp-header-invalid"},
		{"blank is not implemented", site(hdr(htmlCT, "Cross-Origin-Resource-Policy:   "), ""), "corp-not-implemented"},
	}
}

func coopCases() (string, []obsCase) {
	return TestCOOP, []obsCase{
		{"same-origin", site(hdr(htmlCT, "Cross-Origin-Opener-Policy: same-origin"), ""), "coop-implemented-with-same-origin"},
		{"same-origin with parameter", site(hdr(htmlCT, `Cross-Origin-Opener-Policy: same-origin; report-to="coop"`), ""), "coop-implemented-with-same-origin"},
		{"allow-popups", site(hdr(htmlCT, "Cross-Origin-Opener-Policy: same-origin-allow-popups"), ""), "coop-implemented-with-same-origin-allow-popups"},
		{"noopener-allow-popups", site(hdr(htmlCT, "Cross-Origin-Opener-Policy: noopener-allow-popups"), ""), "coop-implemented-with-noopener-allow-popups"},
		{"unsafe-none", site(hdr(htmlCT, "Cross-Origin-Opener-Policy: unsafe-none"), ""), "coop-implemented-with-unsafe-none"},
		{"missing", site(hdr(htmlCT), ""), "coop-not-implemented"},
		{"case matters", site(hdr(htmlCT, "Cross-Origin-Opener-Policy: Same-Origin"), ""), "coop-header-invalid"},
		{"two headers", site(hdr(htmlCT, "Cross-Origin-Opener-Policy: same-origin", "Cross-Origin-Opener-Policy: same-origin"), ""), "coop-header-invalid"},
		{"quoted string", site(hdr(htmlCT, `Cross-Origin-Opener-Policy: "same-origin"`), ""), "coop-header-invalid"},
	}
}

func coepCases() (string, []obsCase) {
	return TestCOEP, []obsCase{
		{"require-corp", site(hdr(htmlCT, "Cross-Origin-Embedder-Policy: require-corp"), ""), "coep-implemented-with-require-corp"},
		{"credentialless", site(hdr(htmlCT, "Cross-Origin-Embedder-Policy: credentialless"), ""), "coep-implemented-with-credentialless"},
		{"unsafe-none", site(hdr(htmlCT, "Cross-Origin-Embedder-Policy: unsafe-none"), ""), "coep-implemented-with-unsafe-none"},
		{"missing", site(hdr(htmlCT), ""), "coep-not-implemented"},
		{"invalid", site(hdr(htmlCT, "Cross-Origin-Embedder-Policy: require-corp;;"), ""), "coep-header-invalid"},
	}
}

var obsTables = []func() (string, []obsCase){
	cspCases,
	cookiesCases,
	corsCases,
	redirectionCases,
	referrerCases,
	hstsCases,
	sriCases,
	xctoCases,
	xfoCases,
	corpCases,
	coopCases,
	coepCases,
}

func TestCSPResults(t *testing.T) { runObsTable(t, cspCases) }

func TestCookiesResults(t *testing.T) { runObsTable(t, cookiesCases) }

func TestCORSResults(t *testing.T) { runObsTable(t, corsCases) }

func TestRedirectionResults(t *testing.T) { runObsTable(t, redirectionCases) }

func TestReferrerResults(t *testing.T) { runObsTable(t, referrerCases) }

func TestHSTSResults(t *testing.T) { runObsTable(t, hstsCases) }

func TestSRIResults(t *testing.T) { runObsTable(t, sriCases) }

func TestXCTOResults(t *testing.T) { runObsTable(t, xctoCases) }

func TestXFOResults(t *testing.T) { runObsTable(t, xfoCases) }

func TestCORPResults(t *testing.T) { runObsTable(t, corpCases) }

func TestCOOPResults(t *testing.T) { runObsTable(t, coopCases) }

func TestCOEPResults(t *testing.T) { runObsTable(t, coepCases) }

// TestEveryResultCodeCovered checks that the tables above list a case for
// every result code of the Observatory's table.
func TestEveryResultCodeCovered(t *testing.T) {
	covered := map[string]bool{
		// html-not-parseable cannot happen with an HTML5 tokenizer, which
		// recovers from any input; the code exists for parity of the table.
		"html-not-parseable": true,
	}
	for _, table := range obsTables {
		_, cases := table()
		for _, c := range cases {
			covered[c.want] = true
		}
	}
	for code := range outcomes {
		if !covered[code] {
			t.Errorf("result code %s has no test case", code)
		}
	}
}

func TestScoreAndGrade(t *testing.T) {
	mk := func(mods ...int) []TestResult {
		var out []TestResult
		for _, m := range mods {
			out = append(out, TestResult{ScoreModifier: m, Pass: m >= 0})
		}
		return out
	}
	cases := []struct {
		mods  []int
		score int
		grade string
	}{
		{nil, 100, "A+"},
		{[]int{10, 10, 10, 5, 5, 5, 5, 5, 10}, 165, "A+"},
		{[]int{-10, 10, 5}, 105, "A+"},     // uncurved 90: bonus counts
		{[]int{-15, 10, 5}, 85, "A-"},      // uncurved 85: bonus ignored
		{[]int{-5, -5}, 90, "A"},           // 90
		{[]int{-5, -5, -5}, 85, "A-"},      // 85
		{[]int{-20}, 80, "B+"},             // 80
		{[]int{-25, 5}, 75, "B"},           // 75, bonus ignored
		{[]int{-30}, 70, "B"},              // 70
		{[]int{-31}, 69, "B-"},             // 69 -> 65
		{[]int{-40}, 60, "C+"},             // 60
		{[]int{-50}, 50, "C"},              // 50
		{[]int{-55}, 45, "C-"},             // 45
		{[]int{-60}, 40, "D+"},             // 40
		{[]int{-70}, 30, "D"},              // 30
		{[]int{-75}, 25, "D-"},             // 25
		{[]int{-76}, 24, "F"},              // 24
		{[]int{-50, -50, -50}, 0, "F"},     // clamped at 0
		{[]int{-9, 10}, 101, "A+"},         // 91 uncurved, +10
		{[]int{-11, 10, 10, 10}, 89, "A-"}, // 89 uncurved: no bonus
	}
	for _, c := range cases {
		score, grade := Score(mk(c.mods...))
		if score != c.score || grade != c.grade {
			t.Errorf("mods %v: got %d %s, want %d %s", c.mods, score, grade, c.score, c.grade)
		}
	}
}
