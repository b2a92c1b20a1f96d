package live

import (
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// TestResult is the outcome of one Observatory test, spelled as the
// Observatory spells it.
type TestResult struct {
	Name          string `json:"name"`
	Result        string `json:"result"`
	ScoreModifier int    `json:"score_modifier"`
	Pass          bool   `json:"pass"`
	Description   string `json:"description"`
}

// Observatory test names, in the Observatory's order.
const (
	TestCSP           = "content-security-policy"
	TestCookies       = "cookies"
	TestCORS          = "cross-origin-resource-sharing"
	TestRedirection   = "redirection"
	TestReferrer      = "referrer-policy"
	TestHSTS          = "strict-transport-security"
	TestSRI           = "subresource-integrity"
	TestXCTO          = "x-content-type-options"
	TestXFO           = "x-frame-options"
	TestCORP          = "cross-origin-resource-policy"
	TestCOOP          = "cross-origin-opener-policy"
	TestCOEP          = "cross-origin-embedder-policy"
	observatoryOrigin = "https://http-observatory.security.mozilla.org"
)

// TestNames lists the 12 tests in report order.
var TestNames = []string{TestCSP, TestCookies, TestCORS, TestRedirection, TestReferrer, TestHSTS,
	TestSRI, TestXCTO, TestXFO, TestCORP, TestCOOP, TestCOEP}

type outcome struct {
	mod  int
	pass bool
	desc string
}

// outcomes is the Observatory's table of result codes: score modifier,
// whether the test passes, and our one-line description.
var outcomes = map[string]outcome{
	"csp-implemented-with-no-unsafe-default-src-none":              {10, true, "Content Security Policy implemented with default-src 'none' and no 'unsafe'"},
	"csp-implemented-with-no-unsafe":                               {5, true, "Content Security Policy implemented without 'unsafe-inline' or 'unsafe-eval'"},
	"csp-implemented-with-unsafe-inline-in-style-src-only":         {0, true, "Content Security Policy implemented with unsafe sources inside style-src only"},
	"csp-implemented-but-duplicate-directives":                     {0, true, "Content Security Policy implemented, but report-uri or report-to is repeated"},
	"csp-implemented-with-insecure-scheme-in-passive-content-only": {-10, true, "Content Security Policy allows images or media over http: on an https site"},
	"csp-implemented-with-unsafe-eval":                             {-10, false, "Content Security Policy implemented, but allows 'unsafe-eval'"},
	"csp-implemented-with-unsafe-inline":                           {-20, false, "Content Security Policy implemented unsafely: 'unsafe-inline', data: or a broad source in script-src, or object-src not restricted"},
	"csp-implemented-with-insecure-scheme":                         {-20, false, "Content Security Policy allows active content over http: or ftp: on an https site"},
	"csp-header-invalid":                                           {-25, false, "Content Security Policy header cannot be parsed"},
	"csp-not-implemented":                                          {-25, false, "Content Security Policy header not implemented"},
	"csp-not-implemented-but-reporting-enabled":                    {-25, false, "Content Security Policy only in report-only mode"},

	"cookies-secure-with-httponly-sessions-and-samesite":        {5, true, "All cookies use Secure and SameSite; session cookies use HttpOnly"},
	"cookies-secure-with-httponly-sessions":                     {0, true, "All cookies use Secure; session cookies use HttpOnly"},
	"cookies-not-found":                                         {0, true, "No cookies detected"},
	"cookies-without-secure-flag-but-protected-by-hsts":         {-5, false, "Cookies set without Secure, but protected by HSTS"},
	"cookies-session-without-secure-flag-but-protected-by-hsts": {-10, false, "Session cookie set without Secure, but protected by HSTS"},
	"cookies-without-secure-flag":                               {-20, false, "Cookies set without the Secure flag"},
	"cookies-samesite-flag-invalid":                             {-20, false, "Cookies use an invalid SameSite value, or SameSite=None without Secure"},
	"cookies-anticsrf-without-samesite-flag":                    {-20, false, "Anti-CSRF cookie set without SameSite"},
	"cookies-session-without-httponly-flag":                     {-30, false, "Session cookie set without HttpOnly"},
	"cookies-session-without-secure-flag":                       {-40, false, "Session cookie set without Secure"},

	"cross-origin-resource-sharing-not-implemented":                    {0, true, "Content is not visible to other origins through CORS"},
	"cross-origin-resource-sharing-implemented-with-public-access":     {0, true, "Public content is visible to any origin through CORS (Access-Control-Allow-Origin: *)"},
	"cross-origin-resource-sharing-implemented-with-restricted-access": {0, true, "Content is visible through CORS to restricted origins"},
	"cross-origin-resource-sharing-implemented-with-universal-access":  {-50, false, "Content is visible with credentials to any origin through CORS"},

	"redirection-all-redirects-preloaded":             {0, true, "All hosts in the redirect chain are on the HSTS preload list"},
	"redirection-to-https":                            {0, true, "http redirects to https on the same host"},
	"redirection-not-needed-no-http":                  {0, true, "Not available over http"},
	"redirection-off-host-from-http":                  {-5, false, "http redirects to https on another host first"},
	"redirection-not-to-https-on-initial-redirection": {-10, false, "http redirects to another http URL before https"},
	"redirection-not-to-https":                        {-20, false, "http redirects, but not to https"},
	"redirection-missing":                             {-20, false, "http does not redirect to https"},
	"redirection-invalid-cert":                        {-20, false, "Invalid certificate chain encountered during redirection"},

	"referrer-policy-private":         {5, true, "Referrer-Policy keeps referrers private"},
	"referrer-policy-not-implemented": {0, true, "Referrer-Policy not set (browsers default to strict-origin-when-cross-origin)"},
	"referrer-policy-unsafe":          {-5, false, "Referrer-Policy leaks referrers (origin, origin-when-cross-origin, unsafe-url or no-referrer-when-downgrade)"},
	"referrer-policy-header-invalid":  {-5, false, "Referrer-Policy header cannot be recognised"},

	"hsts-preloaded": {5, true, "Host is on the HSTS preload list"},
	"hsts-implemented-max-age-at-least-six-months":  {0, true, "HSTS set with max-age of at least six months (15552000)"},
	"hsts-implemented-max-age-less-than-six-months": {-10, false, "HSTS set with max-age under six months"},
	"hsts-not-implemented":                          {-20, false, "Strict-Transport-Security header not set"},
	"hsts-header-invalid":                           {-20, false, "Strict-Transport-Security header cannot be recognised"},
	"hsts-not-implemented-no-https":                 {-20, false, "HSTS cannot be set: the site does not answer over https"},
	"hsts-invalid-cert":                             {-20, false, "HSTS cannot be trusted: invalid certificate chain"},

	"sri-implemented-and-all-scripts-loaded-securely":               {5, true, "Subresource Integrity implemented and every script loaded securely"},
	"sri-implemented-and-external-scripts-loaded-securely":          {5, true, "Subresource Integrity implemented and external scripts loaded securely"},
	"sri-not-implemented-response-not-html":                         {0, true, "Subresource Integrity only applies to HTML; the response is not HTML"},
	"sri-not-implemented-but-no-scripts-loaded":                     {0, true, "No scripts loaded"},
	"sri-not-implemented-but-all-scripts-loaded-from-secure-origin": {0, true, "Subresource Integrity not implemented, but every script comes from the same origin"},
	"sri-not-implemented-but-external-scripts-loaded-securely":      {-5, false, "External scripts loaded over https without Subresource Integrity"},
	"sri-implemented-but-external-scripts-not-loaded-securely":      {-20, false, "Subresource Integrity implemented, but external scripts loaded over http or a protocol-relative URL"},
	"sri-not-implemented-and-external-scripts-not-loaded-securely":  {-50, false, "External scripts loaded over http or a protocol-relative URL without Subresource Integrity"},
	"html-not-parseable":                             {-20, false, "The page cannot be parsed as HTML"},
	"x-content-type-options-nosniff":                 {0, true, "X-Content-Type-Options set to nosniff"},
	"x-content-type-options-not-implemented":         {-5, false, "X-Content-Type-Options header not set"},
	"x-content-type-options-header-invalid":          {-5, false, "X-Content-Type-Options header cannot be recognised"},
	"x-frame-options-implemented-via-csp":            {5, true, "Framing restricted by CSP frame-ancestors"},
	"x-frame-options-sameorigin-or-deny":             {5, true, "X-Frame-Options set to DENY or SAMEORIGIN"},
	"x-frame-options-allow-from-origin":              {0, true, "X-Frame-Options uses ALLOW-FROM (browsers ignore it)"},
	"x-frame-options-not-implemented":                {-20, false, "X-Frame-Options header not set"},
	"x-frame-options-header-invalid":                 {-20, false, "X-Frame-Options header cannot be recognised"},
	"corp-implemented-with-same-origin":              {10, true, "Cross-Origin-Resource-Policy set to same-origin"},
	"corp-implemented-with-same-site":                {10, true, "Cross-Origin-Resource-Policy set to same-site"},
	"corp-implemented-with-cross-origin":             {0, true, "Cross-Origin-Resource-Policy set to cross-origin"},
	"corp-not-implemented":                           {0, true, "Cross-Origin-Resource-Policy not set"},
	"corp-header-invalid":                            {-5, false, "Cross-Origin-Resource-Policy header cannot be recognised"},
	"coop-implemented-with-same-origin":              {10, true, "Cross-Origin-Opener-Policy set to same-origin"},
	"coop-implemented-with-same-origin-allow-popups": {10, true, "Cross-Origin-Opener-Policy set to same-origin-allow-popups"},
	"coop-implemented-with-noopener-allow-popups":    {10, true, "Cross-Origin-Opener-Policy set to noopener-allow-popups"},
	"coop-implemented-with-unsafe-none":              {0, true, "Cross-Origin-Opener-Policy set to unsafe-none"},
	"coop-not-implemented":                           {0, true, "Cross-Origin-Opener-Policy not set"},
	"coop-header-invalid":                            {-5, false, "Cross-Origin-Opener-Policy header cannot be recognised"},
	"coep-implemented-with-require-corp":             {10, true, "Cross-Origin-Embedder-Policy set to require-corp"},
	"coep-implemented-with-credentialless":           {10, true, "Cross-Origin-Embedder-Policy set to credentialless"},
	"coep-implemented-with-unsafe-none":              {0, true, "Cross-Origin-Embedder-Policy set to unsafe-none"},
	"coep-not-implemented":                           {0, true, "Cross-Origin-Embedder-Policy not set"},
	"coep-header-invalid":                            {-5, false, "Cross-Origin-Embedder-Policy header cannot be recognised"},
}

// ObsInput is what the Observatory tests read: the two sessions, the CORS
// preflight and the parsed page.
type ObsInput struct {
	// Host is the scanned host name.
	Host string
	// HTTP and HTTPS are the two sessions; a session without a final
	// response counts as absent.
	HTTP, HTTPS *Session
	// CORS is the preflight response and CORSOrigin the Origin it sent.
	CORS       *Response
	CORSOrigin string
	// Preload is the HSTS preload list, nil when none was given.
	Preload *PreloadList
}

func (in *ObsInput) http() *Response {
	if in.HTTP == nil {
		return nil
	}
	return in.HTTP.Final
}

func (in *ObsInput) https() *Response {
	if in.HTTPS == nil {
		return nil
	}
	return in.HTTPS.Final
}

// autoSession is the https session when it got a response, else the http one.
func (in *ObsInput) autoSession() *Session {
	if in.HTTPS != nil && in.HTTPS.Final != nil {
		return in.HTTPS
	}
	if in.HTTP != nil && in.HTTP.Final != nil {
		return in.HTTP
	}
	return nil
}

func (in *ObsInput) auto() *Response {
	if s := in.autoSession(); s != nil {
		return s.Final
	}
	return nil
}

// page parses the auto response's body, with meta elements only when the
// response says it is HTML, as the Observatory's retriever does.
func (in *ObsInput) page() (*Page, bool) {
	r := in.auto()
	if r == nil || len(r.Body) == 0 {
		return &Page{}, false
	}
	p := ParseHTML(r.Body)
	return p, isHTMLType(rawMediaType(r))
}

// rawMediaType is the Content-Type up to its first ";", neither trimmed nor
// lower-cased: the Observatory compares it as is, so "Text/HTML" is not
// HTML to it.
func rawMediaType(r *Response) string {
	mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return mt
}

func result(name, code string) TestResult {
	o := outcomes[code]
	return TestResult{Name: name, Result: code, ScoreModifier: o.mod, Pass: o.pass, Description: o.desc}
}

// RunObservatory runs the 12 tests.
func RunObservatory(in *ObsInput) []TestResult {
	hsts := testHSTS(in)
	csp, cspData := testCSP(in)
	return []TestResult{
		result(TestCSP, csp),
		result(TestCookies, testCookies(in, outcomes[hsts].pass)),
		result(TestCORS, testCORS(in)),
		result(TestRedirection, testRedirection(in)),
		result(TestReferrer, testReferrer(in)),
		result(TestHSTS, hsts),
		result(TestSRI, testSRI(in)),
		result(TestXCTO, testXCTO(in)),
		result(TestXFO, testXFO(in, cspData)),
		result(TestCORP, testCORP(in)),
		result(TestCOOP, testCOOP(in)),
		result(TestCOEP, testCOEP(in)),
	}
}

var cspBroad = map[string]bool{"ftp:": true, "http:": true, "https:": true, "*": true,
	"http://*": true, "http://*.*": true, "https://*": true, "https://*.*": true}

func cspUnsafe(s string) bool { return cspBroad[s] || s == "'unsafe-inline'" || s == "data:" }

func hasNonceOrHash(set map[string]bool) bool {
	for s := range set {
		for _, p := range []string{"'sha256-", "'sha384-", "'sha512-", "'nonce-"} {
			if strings.HasPrefix(s, p) {
				return true
			}
		}
	}
	return false
}

func anyOf(set map[string]bool, pred func(string) bool) bool {
	for s := range set {
		if pred(s) {
			return true
		}
	}
	return false
}

// testCSP returns the result code and, when the policy was evaluated, the
// combined policy (the X-Frame-Options test reads its frame-ancestors).
func testCSP(in *ObsInput) (string, CSP) {
	resp := in.auto()
	sess := in.autoSession()
	if resp == nil || sess == nil {
		return "csp-not-implemented", nil
	}
	headerVals := resp.Header.Values("Content-Security-Policy")
	var metaVals []string
	if page, isHTML := in.page(); isHTML {
		metaVals = page.MetaCSP
	}
	httpPolicies := splitPolicies(headerVals)
	metaPolicies := splitPolicies(metaVals)
	csp, err := ParseCSP(append(append([]string(nil), httpPolicies...), metaPolicies...))
	if err != nil {
		return "csp-header-invalid", nil
	}
	headerOnly, err := ParseCSP(httpPolicies)
	if err != nil {
		headerOnly = CSP{}
	}
	metaOnly, err := parseCSPMeta(metaPolicies)
	if err != nil {
		metaOnly = CSP{}
	}
	if len(headerOnly)+len(metaOnly) == 0 {
		if v := resp.Header.Get("Content-Security-Policy-Report-Only"); v != "" {
			return "csp-not-implemented-but-reporting-enabled", nil
		}
		return "csp-not-implemented", nil
	}
	pick := func(names ...string) map[string]bool {
		for _, n := range names {
			if s := csp.clone(n); s != nil {
				return s
			}
		}
		return map[string]bool{"*": true}
	}
	objectSrc := pick("object-src", "default-src")
	scriptSrc := pick("script-src", "default-src")
	styleSrc := pick("style-src", "default-src")
	for _, list := range []map[string]bool{scriptSrc, styleSrc} {
		if hasNonceOrHash(list) {
			delete(list, "'unsafe-inline'")
		}
	}
	code := ""
	if hasNonceOrHash(scriptSrc) && scriptSrc["'strict-dynamic'"] {
		for s := range scriptSrc {
			broad := false
			for b := range cspBroad {
				if strings.HasPrefix(s, b) {
					broad = true
				}
			}
			if broad || s == "'self'" || s == "'unsafe-inline'" {
				delete(scriptSrc, s)
			}
		}
	} else if scriptSrc["'strict-dynamic'"] {
		code = "csp-header-invalid"
	}
	https := sess.Start.Scheme == "https"
	var active, passive []string
	for d, set := range csp {
		if d == "img-src" || d == "media-src" || d == "script-src" {
			continue
		}
		for s := range set {
			active = append(active, s)
		}
	}
	for s := range scriptSrc {
		active = append(active, s)
	}
	for _, d := range []string{"img-src", "media-src"} {
		set := csp[d]
		if set == nil {
			set = csp["default-src"]
		}
		for s := range set {
			passive = append(passive, s)
		}
	}
	insecure := func(list []string) bool {
		for _, s := range list {
			if strings.HasPrefix(s, "http:") || strings.HasPrefix(s, "ftp:") {
				return true
			}
		}
		return false
	}
	set := func(c string) {
		if code == "" {
			code = c
		}
	}
	if anyOf(scriptSrc, cspUnsafe) || anyOf(objectSrc, func(s string) bool { return cspBroad[s] }) {
		set("csp-implemented-with-unsafe-inline")
	}
	if https && insecure(active) {
		set("csp-implemented-with-insecure-scheme")
	}
	if scriptSrc["'unsafe-eval'"] || styleSrc["'unsafe-eval'"] {
		set("csp-implemented-with-unsafe-eval")
	}
	if https && insecure(passive) {
		set("csp-implemented-with-insecure-scheme-in-passive-content-only")
	}
	if anyOf(styleSrc, cspUnsafe) {
		set("csp-implemented-with-unsafe-inline-in-style-src-only")
	}
	if d := csp["default-src"]; d["'none'"] && len(d) == 1 {
		set("csp-implemented-with-no-unsafe-default-src-none")
	} else {
		set("csp-implemented-with-no-unsafe")
	}
	if outcomes[code].pass {
		if _, dup := csp[cspDuplicateKey]; dup {
			code = "csp-implemented-but-duplicate-directives"
		}
	}
	return code, csp
}

func isSessionCookie(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "login") || strings.Contains(n, "sess")
}

func isCSRFCookie(name string) bool { return strings.Contains(strings.ToLower(name), "csrf") }

var cookieOrder = []string{
	"cookies-without-secure-flag-but-protected-by-hsts",
	"cookies-without-secure-flag",
	"cookies-session-without-secure-flag-but-protected-by-hsts",
	"cookies-samesite-flag-invalid",
	"cookies-anticsrf-without-samesite-flag",
	"cookies-session-without-httponly-flag",
	"cookies-session-without-secure-flag",
}

// worse returns the worse of two codes by their index in order (best
// first); an empty current code is replaced.
func worse(newCode, cur string, order []string) string {
	if cur == "" {
		return newCode
	}
	idx := func(c string) int {
		for i, o := range order {
			if o == c {
				return i
			}
		}
		return -1
	}
	if idx(newCode) > idx(cur) {
		return newCode
	}
	return cur
}

// cookieJarCookies returns the auto session's cookies, without Heroku's
// session-affinity cookie, which the Observatory ignores.
func (in *ObsInput) cookieJarCookies() []Cookie {
	s := in.autoSession()
	if s == nil {
		return nil
	}
	var out []Cookie
	for _, c := range s.Jar.Cookies() {
		if c.Name == "" || c.Name == "heroku-session-affinity" {
			continue
		}
		out = append(out, c)
	}
	return out
}

func testCookies(in *ObsInput, hsts bool) string {
	code := ""
	if r := in.auto(); r != nil {
		for _, raw := range r.Header.Values("Set-Cookie") {
			if hasInvalidSameSite(raw) {
				code = worse("cookies-samesite-flag-invalid", code, cookieOrder)
			}
		}
	}
	cookies := in.cookieJarCookies()
	if len(cookies) == 0 {
		// The jar result replaces a raw-header finding, as in the Observatory.
		return "cookies-not-found"
	}
	missingSameSite := false
	for _, c := range cookies {
		session := isSessionCookie(c.Name)
		csrf := isCSRFCookie(c.Name)
		sameSite := c.ValidSameSite()
		if !c.Secure && c.SameSite == "none" {
			code = worse("cookies-samesite-flag-invalid", code, cookieOrder)
		}
		if !c.Secure && hsts {
			code = worse("cookies-without-secure-flag-but-protected-by-hsts", code, cookieOrder)
		} else if !c.Secure {
			code = worse("cookies-without-secure-flag", code, cookieOrder)
		}
		if csrf && !sameSite {
			code = worse("cookies-anticsrf-without-samesite-flag", code, cookieOrder)
		}
		if session && !c.Secure && hsts {
			code = worse("cookies-session-without-secure-flag-but-protected-by-hsts", code, cookieOrder)
		} else if session && !c.Secure {
			code = worse("cookies-session-without-secure-flag", code, cookieOrder)
		}
		if session && !c.HttpOnly {
			code = worse("cookies-session-without-httponly-flag", code, cookieOrder)
		}
		if !sameSite {
			missingSameSite = true
		}
	}
	if code == "" {
		if missingSameSite {
			return "cookies-secure-with-httponly-sessions"
		}
		return "cookies-secure-with-httponly-sessions-and-samesite"
	}
	return code
}

func testCORS(in *ObsInput) string {
	r := in.CORS
	if r == nil {
		return "cross-origin-resource-sharing-not-implemented"
	}
	acao, ok := r.Joined("Access-Control-Allow-Origin")
	if !ok || acao == "" {
		return "cross-origin-resource-sharing-not-implemented"
	}
	if strings.ToLower(strings.TrimSpace(truncateRaw(acao, 256))) == "*" {
		return "cross-origin-resource-sharing-implemented-with-public-access"
	}
	creds, _ := r.Joined("Access-Control-Allow-Credentials")
	if in.CORSOrigin != "" && in.CORSOrigin == acao && strings.ToLower(strings.TrimSpace(creds)) == "true" {
		return "cross-origin-resource-sharing-implemented-with-universal-access"
	}
	return "cross-origin-resource-sharing-implemented-with-restricted-access"
}

func testRedirection(in *ObsInput) string {
	if in.http() == nil {
		return "redirection-not-needed-no-http"
	}
	if !in.HTTP.Verified {
		return "redirection-invalid-cert"
	}
	route := in.HTTP.Hops
	all := len(route) > 0
	for _, h := range route {
		u, err := url.Parse(h.URL)
		if err != nil || !in.Preload.Preloaded(u.Hostname()) {
			all = false
			break
		}
	}
	if all {
		return "redirection-all-redirects-preloaded"
	}
	if len(route) == 1 {
		return "redirection-missing"
	}
	last, _ := url.Parse(route[len(route)-1].URL)
	if last == nil || last.Scheme != "https" {
		return "redirection-not-to-https"
	}
	second, _ := url.Parse(route[1].URL)
	first, _ := url.Parse(route[0].URL)
	if second != nil && second.Scheme == "http" {
		return "redirection-not-to-https-on-initial-redirection"
	}
	if first != nil && second != nil && first.Scheme == "http" && second.Scheme == "https" && first.Hostname() != second.Hostname() {
		return "redirection-off-host-from-http"
	}
	return "redirection-to-https"
}

var referrerPrivate = map[string]bool{"no-referrer": true, "same-origin": true, "strict-origin": true, "strict-origin-when-cross-origin": true}
var referrerUnsafe = map[string]bool{"origin": true, "origin-when-cross-origin": true, "unsafe-url": true, "no-referrer-when-downgrade": true}

func testReferrer(in *ObsInput) string {
	r := in.auto()
	if r == nil {
		return "referrer-policy-not-implemented"
	}
	values := append([]string(nil), r.Header.Values("Referrer-Policy")...)
	if page, isHTML := in.page(); isHTML && page.HasMetaReferrer {
		values = append(values, page.MetaReferrer)
	}
	if len(values) == 0 {
		return "referrer-policy-not-implemented"
	}
	policy := ""
	for _, tok := range strings.Split(strings.Join(values, ", "), ",") {
		t := strings.ToLower(strings.TrimSpace(tok))
		if referrerPrivate[t] || referrerUnsafe[t] {
			policy = t
		}
	}
	switch {
	case referrerPrivate[policy]:
		return "referrer-policy-private"
	case referrerUnsafe[policy]:
		return "referrer-policy-unsafe"
	}
	return "referrer-policy-header-invalid"
}

// sixMonths is the Observatory's threshold (it accepts 15552000, 180 days).
const sixMonths = 15552000

func testHSTS(in *ObsInput) string {
	r := in.https()
	code := "hsts-not-implemented"
	switch {
	case r == nil:
		code = "hsts-not-implemented-no-https"
	case !in.HTTPS.Verified:
		code = "hsts-invalid-cert"
	default:
		if v := r.Header.Values("Strict-Transport-Security"); len(v) > 0 {
			h, err := ParseHSTS(strings.Join(v, ", "))
			switch {
			case err != nil:
				code = "hsts-header-invalid"
			case !h.MaxAgeNaN && h.MaxAge < sixMonths:
				code = "hsts-implemented-max-age-less-than-six-months"
			default:
				code = "hsts-implemented-max-age-at-least-six-months"
			}
		}
	}
	if r != nil && in.Preload.Preloaded(in.Host) {
		code = "hsts-preloaded"
	}
	return code
}

var sriOrder = []string{
	"sri-implemented-and-all-scripts-loaded-securely",
	"sri-implemented-and-external-scripts-loaded-securely",
	"sri-implemented-but-external-scripts-not-loaded-securely",
	"sri-not-implemented-but-external-scripts-loaded-securely",
	"sri-not-implemented-and-external-scripts-not-loaded-securely",
	"sri-not-implemented-response-not-html",
}

// registrableDomain returns the eTLD+1 of a host, "" when it has none (an
// IP address, a bare public suffix).
func registrableDomain(host string) string {
	d, err := publicsuffix.EffectiveTLDPlusOne(strings.TrimSuffix(strings.ToLower(host), "."))
	if err != nil {
		return ""
	}
	return d
}

func testSRI(in *ObsInput) string {
	r := in.auto()
	sess := in.autoSession()
	if r == nil || sess == nil {
		return "sri-not-implemented-but-no-scripts-loaded"
	}
	if mt := rawMediaType(r); mt != "" && !isHTMLType(mt) {
		return "sri-not-implemented-response-not-html"
	}
	page := ParseHTML(r.Body)
	siteDomain := registrableDomain(in.Host)
	code := ""
	foreign := false
	for _, s := range page.Scripts {
		if !s.HasSrc || s.Src == "" {
			continue
		}
		relProto := len(s.Src) > 2 && strings.HasPrefix(s.Src, "//") && s.Src[2] != '/'
		lower := strings.ToLower(s.Src)
		full := strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
		relOrigin, sameDomain := false, false
		switch {
		case relProto:
			sameDomain = true
		case full:
			u, err := url.Parse(s.Src)
			host := ""
			if err == nil {
				host = u.Hostname()
			}
			sameDomain = registrableDomain(host) == siteDomain
		default:
			relOrigin, sameDomain = true, true
		}
		secureOrigin := relOrigin || (sameDomain && !relProto)
		if !secureOrigin {
			foreign = true
		}
		secureScheme := (full && strings.HasPrefix(lower, "https://")) || (relOrigin && sess.Start.Scheme == "https")
		integrity := s.Integrity != ""
		if !secureOrigin {
			switch {
			case integrity && !secureScheme:
				code = worse("sri-implemented-but-external-scripts-not-loaded-securely", code, sriOrder)
			case !integrity && secureScheme:
				code = worse("sri-not-implemented-but-external-scripts-loaded-securely", code, sriOrder)
			case !integrity && !secureScheme:
				code = worse("sri-not-implemented-and-external-scripts-not-loaded-securely", code, sriOrder)
			}
		} else if integrity && secureScheme && code == "" {
			code = "sri-implemented-and-all-scripts-loaded-securely"
		}
	}
	if len(page.Scripts) == 0 {
		return "sri-not-implemented-but-no-scripts-loaded"
	}
	if code == "" {
		if foreign {
			return "sri-implemented-and-external-scripts-loaded-securely"
		}
		return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
	}
	return code
}

func testXCTO(in *ObsInput) string {
	r := in.auto()
	if r == nil {
		return "x-content-type-options-not-implemented"
	}
	v, ok := r.Joined("X-Content-Type-Options")
	if !ok || v == "" {
		return "x-content-type-options-not-implemented"
	}
	if strings.ToLower(strings.TrimSpace(truncateRaw(v, 256))) == "nosniff" {
		return "x-content-type-options-nosniff"
	}
	return "x-content-type-options-header-invalid"
}

func truncateRaw(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func testXFO(in *ObsInput, csp CSP) string {
	r := in.auto()
	if r == nil {
		return "x-frame-options-not-implemented"
	}
	code := "x-frame-options-not-implemented"
	if v, ok := r.Joined("X-Frame-Options"); ok && v != "" {
		x := strings.ToLower(strings.TrimSpace(truncateRaw(v, 1024)))
		switch {
		case x == "deny" || x == "sameorigin":
			code = "x-frame-options-sameorigin-or-deny"
		case strings.HasPrefix(x, "allow-from"):
			code = "x-frame-options-allow-from-origin"
		default:
			code = "x-frame-options-header-invalid"
		}
	}
	if csp != nil {
		if _, ok := csp["frame-ancestors"]; ok {
			code = "x-frame-options-implemented-via-csp"
		}
	}
	return code
}

func testCORP(in *ObsInput) string {
	r := in.auto()
	if r == nil {
		return "corp-not-implemented"
	}
	v, _ := r.Joined("Cross-Origin-Resource-Policy")
	v = strings.ToLower(strings.TrimSpace(truncateRaw(v, 256)))
	if v == "" {
		return "corp-not-implemented"
	}
	switch v {
	case "same-site":
		return "corp-implemented-with-same-site"
	case "same-origin":
		return "corp-implemented-with-same-origin"
	case "cross-origin":
		return "corp-implemented-with-cross-origin"
	}
	return "corp-header-invalid"
}

func testCOOP(in *ObsInput) string {
	r := in.auto()
	if r == nil {
		return "coop-not-implemented"
	}
	vs := r.Header.Values("Cross-Origin-Opener-Policy")
	if len(vs) == 0 || (len(vs) == 1 && vs[0] == "") {
		return "coop-not-implemented"
	}
	if len(vs) > 1 {
		return "coop-header-invalid"
	}
	switch tok, _ := ParseSFToken(strings.TrimSpace(truncateRaw(vs[0], 1024))); tok {
	case "same-origin":
		return "coop-implemented-with-same-origin"
	case "same-origin-allow-popups":
		return "coop-implemented-with-same-origin-allow-popups"
	case "noopener-allow-popups":
		return "coop-implemented-with-noopener-allow-popups"
	case "unsafe-none":
		return "coop-implemented-with-unsafe-none"
	}
	return "coop-header-invalid"
}

func testCOEP(in *ObsInput) string {
	r := in.auto()
	if r == nil {
		return "coep-not-implemented"
	}
	vs := r.Header.Values("Cross-Origin-Embedder-Policy")
	if len(vs) == 0 || (len(vs) == 1 && vs[0] == "") {
		return "coep-not-implemented"
	}
	if len(vs) > 1 {
		return "coep-header-invalid"
	}
	switch tok, _ := ParseSFToken(strings.TrimSpace(truncateRaw(vs[0], 1024))); tok {
	case "require-corp":
		return "coep-implemented-with-require-corp"
	case "credentialless":
		return "coep-implemented-with-credentialless"
	case "unsafe-none":
		return "coep-implemented-with-unsafe-none"
	}
	return "coep-header-invalid"
}

// ParseSFToken parses an RFC 8941 Item whose bare item is a Token and
// returns the token; parameters are checked for syntax and ignored.
func ParseSFToken(s string) (string, bool) {
	s = strings.Trim(s, " ")
	if s == "" {
		return "", false
	}
	c := s[0]
	if !(c == '*' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
		return "", false
	}
	i := 1
	for i < len(s) && (isTChar(s[i]) || s[i] == ':' || s[i] == '/') {
		i++
	}
	tok := s[:i]
	rest := s[i:]
	for rest != "" {
		if rest[0] != ';' {
			return "", false
		}
		rest = strings.TrimLeft(rest[1:], " ")
		// key: lcalpha / "*" then lcalpha / DIGIT / "_" / "-" / "." / "*"
		if rest == "" || !((rest[0] >= 'a' && rest[0] <= 'z') || rest[0] == '*') {
			return "", false
		}
		j := 1
		for j < len(rest) && ((rest[j] >= 'a' && rest[j] <= 'z') || (rest[j] >= '0' && rest[j] <= '9') || strings.IndexByte("_-.*", rest[j]) >= 0) {
			j++
		}
		rest = rest[j:]
		if rest != "" && rest[0] == '=' {
			var ok bool
			rest, ok = skipSFBareItem(rest[1:])
			if !ok {
				return "", false
			}
		}
	}
	return tok, true
}

func isTChar(c byte) bool {
	if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// skipSFBareItem skips one bare item (token, string, number, boolean, byte
// sequence) and returns the rest.
func skipSFBareItem(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	switch c := s[0]; {
	case c == '"':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return s[i+1:], true
			}
		}
		return "", false
	case c == '?':
		if len(s) >= 2 && (s[1] == '0' || s[1] == '1') {
			return s[2:], true
		}
		return "", false
	case c == ':':
		end := strings.IndexByte(s[1:], ':')
		if end < 0 {
			return "", false
		}
		return s[end+2:], true
	case c == '-' || (c >= '0' && c <= '9'):
		i := 1
		for i < len(s) && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.') {
			i++
		}
		return s[i:], true
	case c == '*' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		i := 1
		for i < len(s) && (isTChar(s[i]) || s[i] == ':' || s[i] == '/') {
			i++
		}
		return s[i:], true
	}
	return "", false
}

// Score computes the Observatory's score and grade from the tests.
func Score(tests []TestResult) (score int, grade string) {
	uncurved, withExtra := 100, 100
	for _, t := range tests {
		withExtra += t.ScoreModifier
		if t.ScoreModifier < 0 {
			uncurved += t.ScoreModifier
		}
	}
	score = uncurved
	if uncurved >= 90 {
		score = withExtra
	}
	if score < 0 {
		score = 0
	}
	return score, Grade(score)
}

// Grade maps a score to the Observatory's letter grade.
func Grade(score int) string {
	s := score - score%5
	if s > 100 {
		s = 100
	}
	switch {
	case s >= 100:
		return "A+"
	case s >= 90:
		return "A"
	case s >= 85:
		return "A-"
	case s >= 80:
		return "B+"
	case s >= 70:
		return "B"
	case s >= 65:
		return "B-"
	case s >= 60:
		return "C+"
	case s >= 50:
		return "C"
	case s >= 45:
		return "C-"
	case s >= 40:
		return "D+"
	case s >= 30:
		return "D"
	case s >= 25:
		return "D-"
	}
	return "F"
}

// TestsPassed counts the passing tests.
func TestsPassed(tests []TestResult) int {
	n := 0
	for _, t := range tests {
		if t.Pass {
			n++
		}
	}
	return n
}
