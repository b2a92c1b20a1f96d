package live

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

func fixture(t *testing.T, parts ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var probeTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// baseResult is an https site answering a plain page, reached from http
// by a redirect, with nothing else known.
func baseResult(final *Response) *Result {
	if final == nil {
		final = resp("https://site.test/", 200, hdr(htmlCT), "<p>hi</p>")
	}
	in := &ObsInput{
		Host:  "site.test",
		HTTP:  sess(true, resp("http://site.test/", 301, hdr("Location: https://site.test/"), ""), final),
		HTTPS: sess(true, final),
	}
	r := &Result{Target: "https://site.test/", Host: "site.test", Started: probeTime, HTTP: in.HTTP, HTTPS: in.HTTPS,
		Base: &url.URL{Scheme: "https", Host: "site.test", Path: "/"}, HTTPBase: &url.URL{Scheme: "http", Host: "site.test", Path: "/"}}
	r.Page = ParseHTML(final.Body)
	r.Tests = RunObservatory(in)
	r.Score, r.Grade = Score(r.Tests)
	return r
}

func runRule(t *testing.T, rule *rules.Rule, r *Result) []rules.Finding {
	t.Helper()
	fs, err := RunRules(context.Background(), r, []*rules.Rule{rule})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

type ruleCase struct {
	name   string
	result func(t *testing.T) *Result
	want   int            // number of findings
	sev    rules.Severity // severity of the first finding, when want > 0
	text   string         // a substring of the first finding's message
}

func runRuleTable(t *testing.T, rule *rules.Rule, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := runRule(t, rule, c.result(t))
			if len(fs) != c.want {
				t.Fatalf("%s: %d findings, want %d: %+v", rule.Code, len(fs), c.want, fs)
			}
			if c.want == 0 {
				return
			}
			f := fs[0]
			if c.sev != 0 && f.Severity != c.sev {
				t.Errorf("severity %s, want %s", f.Severity, c.sev)
			}
			if !strings.Contains(f.Message, c.text) {
				t.Errorf("message %q lacks %q", f.Message, c.text)
			}
			if f.RuleID != rule.Code || f.Fingerprint == "" || f.URL == "" || f.OWASP == "" {
				t.Errorf("finding not filled: %+v", f)
			}
		})
	}
}

func withNotFound(t *testing.T, status int, file string) func(*testing.T) *Result {
	return func(t *testing.T) *Result {
		r := baseResult(nil)
		r.NotFound = resp("https://site.test/djangoguard-x/no-such-page/", status, hdr(htmlCT), fixture(t, "django", file))
		return r
	}
}

func TestDebug404Page(t *testing.T) {
	runRuleTable(t, Debug404Page, []ruleCase{
		{"django 3.2 technical 404", withNotFound(t, 404, "debug_404.html"), 1, rules.High, "technical 404"},
		{"django 3.1 style sentence", withNotFound(t, 404, "debug_404_django31_style.html"), 1, rules.High, "DEBUG is True"},
		{"production 404", withNotFound(t, 404, "production_404.html"), 0, 0, ""},
		{"marker on a 200 page is not a 404 page", withNotFound(t, 200, "debug_404.html"), 0, 0, ""},
		{"no answer", func(*testing.T) *Result { return baseResult(nil) }, 0, 0, ""},
	})
}

func TestDebugErrorPage(t *testing.T) {
	runRuleTable(t, DebugErrorPage, []ruleCase{
		{"DisallowedHost technical page", func(t *testing.T) *Result {
			r := baseResult(nil)
			r.BadHost = resp("https://site.test/", 400, hdr(htmlCT), fixture(t, "django", "debug_400_disallowed_host.html"))
			return r
		}, 1, rules.Critical, "unknown Host header"},
		{"500 on the home page", func(t *testing.T) *Result {
			return baseResult(resp("https://site.test/", 500, hdr(htmlCT), fixture(t, "django", "debug_400_disallowed_host.html")))
		}, 1, rules.Critical, "answered 500"},
		{"technical 404 is not a traceback", withNotFound(t, 404, "debug_404.html"), 0, 0, ""},
		{"plain 400", func(t *testing.T) *Result {
			r := baseResult(nil)
			r.BadHost = resp("https://site.test/", 400, hdr(htmlCT), "<h1>Bad Request (400)</h1>")
			return r
		}, 0, 0, ""},
	})
}

func withAdmin(file string, status int) func(*testing.T) *Result {
	return func(t *testing.T) *Result {
		r := baseResult(nil)
		r.Admin = resp("https://site.test/admin/login/?next=/admin/", status, hdr(htmlCT), fixture(t, "django", file))
		r.AdminHTTP = resp("http://site.test/admin/login/", status, hdr(htmlCT), fixture(t, "django", file))
		return r
	}
}

func TestAdminRules(t *testing.T) {
	runRuleTable(t, AdminDefaultURL, []ruleCase{
		{"admin login", withAdmin("admin_login.html", 200), 1, rules.Low, "/admin/"},
		{"404", withAdmin("production_404.html", 404), 0, 0, ""},
	})
	runRuleTable(t, AdminOverHTTP, []ruleCase{
		{"admin over http", withAdmin("admin_login.html", 200), 1, rules.High, "over http"},
		{"redirected", func(t *testing.T) *Result {
			r := withAdmin("admin_login.html", 200)(t)
			r.AdminHTTP = resp("http://site.test/admin/login/", 301, hdr("Location: https://site.test/admin/login/"), "")
			return r
		}, 0, 0, ""},
	})
	runRuleTable(t, DjangoDetected, []ruleCase{
		{"admin and cookies", func(t *testing.T) *Result {
			r := withAdmin("admin_login.html", 200)(t)
			r.Admin.Header.Add("Set-Cookie", "csrftoken=x; SameSite=Lax; Secure")
			return r
		}, 1, rules.Info, "the csrftoken cookie, the admin login"},
		{"nothing", func(*testing.T) *Result { return baseResult(nil) }, 0, 0, ""},
	})
}

func TestLoginOverHTTP(t *testing.T) {
	form := `<form method="post"><input name="username"><input type="password" name="password"></form>`
	runRuleTable(t, LoginOverHTTP, []ruleCase{
		{"login form over http", func(*testing.T) *Result {
			r := baseResult(nil)
			r.LoginsHTTP = []PathProbe{{Path: "/accounts/login/", Response: resp("http://site.test/accounts/login/", 200, hdr(htmlCT), form)}}
			return r
		}, 1, rules.High, "password field"},
		{"redirect", func(*testing.T) *Result {
			r := baseResult(nil)
			r.LoginsHTTP = []PathProbe{{Path: "/accounts/login/", Response: resp("http://site.test/accounts/login/", 301, hdr(), "")}}
			return r
		}, 0, 0, ""},
		{"http-only site with a password form on the home page", func(*testing.T) *Result {
			final := resp("http://site.test/", 200, hdr(htmlCT), form)
			r := baseResult(nil)
			r.HTTP = sess(true, final)
			r.HTTPS = &Session{Start: &url.URL{Scheme: "https", Host: "site.test", Path: "/"}}
			r.Base = &url.URL{Scheme: "http", Host: "site.test", Path: "/"}
			return r
		}, 1, rules.High, "password field"},
	})
}

func TestTraceEnabled(t *testing.T) {
	runRuleTable(t, TraceEnabled, []ruleCase{
		{"echo", func(*testing.T) *Result {
			r := baseResult(nil)
			r.Trace = []PathProbe{{Response: resp("http://site.test/", 200, hdr("Content-Type: message/http"), "TRACE / HTTP/1.1\r\nHost: site.test\r\n")}}
			return r
		}, 1, rules.Low, "TRACE is enabled"},
		{"405", func(*testing.T) *Result {
			r := baseResult(nil)
			r.Trace = []PathProbe{{Response: resp("http://site.test/", 405, hdr(), "")}}
			return r
		}, 0, 0, ""},
	})
}

func withCookies(lines ...string) func(*testing.T) *Result {
	return func(*testing.T) *Result {
		h := hdr(htmlCT)
		for _, l := range lines {
			h.Add("Set-Cookie", l)
		}
		return baseResult(resp("https://site.test/", 200, h, "<p>hi</p>"))
	}
}

func TestCookieRules(t *testing.T) {
	runRuleTable(t, SessionCookieFlags, []ruleCase{
		{"django defaults without secure", withCookies("sessionid=abc; HttpOnly; Path=/; SameSite=Lax"), 1, rules.High, `"sessionid" is set without Secure`},
		{"no httponly", withCookies("sessionid=abc; Secure; Path=/; SameSite=Lax"), 1, rules.High, "HttpOnly"},
		{"no samesite only", withCookies("sessionid=abc; Secure; HttpOnly"), 1, rules.Medium, "SameSite"},
		{"custom name", withCookies("myapp_session=abc; Path=/"), 1, rules.High, `"myapp_session"`},
		{"all flags", withCookies("sessionid=abc; Secure; HttpOnly; SameSite=Lax"), 0, 0, ""},
		{"other cookies ignored", withCookies("theme=dark"), 0, 0, ""},
	})
	runRuleTable(t, CSRFCookieFlags, []ruleCase{
		{"default csrftoken without secure", withCookies("csrftoken=x; SameSite=Lax"), 1, rules.Medium, `"csrftoken" is set without Secure`},
		{"custom name without samesite", withCookies("__Host-csrf=x; Secure; Path=/"), 1, rules.Low, "SameSite"},
		{"good", withCookies("csrftoken=x; Secure; SameSite=Strict"), 0, 0, ""},
	})
}

func TestHSTSIncomplete(t *testing.T) {
	with := func(v string) func(*testing.T) *Result {
		return func(*testing.T) *Result {
			return baseResult(resp("https://site.test/", 200, hdr(htmlCT, "Strict-Transport-Security: "+v), ""))
		}
	}
	runRuleTable(t, HSTSIncomplete, []ruleCase{
		{"bare", with("max-age=31536000"), 1, rules.Low, "includeSubDomains and preload"},
		{"no preload", with("max-age=31536000; includeSubDomains"), 1, rules.Low, "lacks preload"},
		{"complete", with("max-age=63072000; includeSubDomains; preload"), 0, 0, ""},
		{"invalid is the Observatory's business", with("includeSubDomains"), 0, 0, ""},
	})
}

func withFile(path, file string, status int) func(*testing.T) *Result {
	return func(t *testing.T) *Result {
		r := baseResult(nil)
		r.NotFound = resp("https://site.test/djangoguard-x/", 200, hdr(htmlCT), fixture(t, "files", "soft404.html"))
		r.Files = []PathProbe{{Path: path, Response: resp("https://site.test"+path, status, hdr("Content-Type: text/plain"), fixture(t, "files", file))}}
		return r
	}
}

func TestSensitiveFileExposed(t *testing.T) {
	runRuleTable(t, SensitiveFileExposed, []ruleCase{
		{".git/HEAD", withFile("/.git/HEAD", "git_HEAD", 200), 1, rules.Critical, "git repository"},
		{".env", withFile("/.env", "dotenv", 200), 1, rules.Critical, "environment file"},
		{"requirements", withFile("/requirements.txt", "requirements.txt", 200), 1, rules.Medium, "dependency list"},
		{"manage.py", withFile("/manage.py", "manage.py", 200), 1, rules.High, "Python source"},
		{"python under STATIC_URL", withFile("/static/manage.py", "manage.py", 200), 1, rules.High, "STATIC_URL"},
		{"catch-all page", withFile("/.env", "soft404.html", 200), 0, 0, ""},
		{"catch-all page for .git", withFile("/.git/HEAD", "soft404.html", 200), 0, 0, ""},
		{"403", withFile("/.git/HEAD", "git_HEAD", 403), 0, 0, ""},
	})
}

func TestVersionBanner(t *testing.T) {
	with := func(lines ...string) func(*testing.T) *Result {
		return func(*testing.T) *Result {
			return baseResult(resp("https://site.test/", 200, hdr(append([]string{htmlCT}, lines...)...), ""))
		}
	}
	runRuleTable(t, VersionBanner, []ruleCase{
		{"nginx version", with("Server: nginx/1.22.1"), 1, rules.Low, "nginx/1.22.1"},
		{"x-powered-by", with("Server: nginx", "X-Powered-By: PHP/8.1.2"), 1, rules.Low, "X-Powered-By"},
		{"no version", with("Server: nginx"), 0, 0, ""},
	})
}

func TestSecurityTxtRule(t *testing.T) {
	with := func(file, ct string, status int) func(*testing.T) *Result {
		return func(t *testing.T) *Result {
			r := baseResult(nil)
			r.SecurityTxt = resp("https://site.test/.well-known/security.txt", status, hdr("Content-Type: "+ct), fixture(t, "securitytxt", file))
			return r
		}
	}
	runRuleTable(t, SecurityTxtProblem, []ruleCase{
		{"valid", with("valid.txt", "text/plain; charset=utf-8", 200), 0, 0, ""},
		{"signed", with("signed.txt", "text/plain", 200), 0, 0, ""},
		{"expired", with("expired.txt", "text/plain", 200), 1, rules.Low, "expired on 2024-01-01"},
		{"no contact", with("nocontact.txt", "text/plain", 200), 1, rules.Low, "no Contact"},
		{"no expires", with("noexpires.txt", "text/plain", 200), 1, rules.Low, "no Expires"},
		{"bad date", with("baddate.txt", "text/plain", 200), 1, rules.Low, "RFC 3339"},
		{"missing", with("valid.txt", "text/plain", 404), 1, rules.Info, "no /.well-known/security.txt"},
		{"html catch-all", func(t *testing.T) *Result {
			r := baseResult(nil)
			r.SecurityTxt = resp("https://site.test/.well-known/security.txt", 200, hdr(htmlCT), fixture(t, "files", "soft404.html"))
			return r
		}, 1, rules.Info, "no /.well-known/security.txt"},
	})
}

func TestCrossDomainPolicy(t *testing.T) {
	with := func(path, file string) func(*testing.T) *Result {
		return func(t *testing.T) *Result {
			r := baseResult(nil)
			r.CrossDomain = []PathProbe{{Path: path, Response: resp("https://site.test"+path, 200, hdr("Content-Type: application/xml"), fixture(t, "crossdomain", file))}}
			return r
		}
	}
	runRuleTable(t, CrossDomainPolicy, []ruleCase{
		{"flash any", with("/crossdomain.xml", "flash_any.xml"), 1, rules.Medium, "/crossdomain.xml"},
		{"silverlight any", with("/clientaccesspolicy.xml", "silverlight_any.xml"), 1, rules.Medium, "/clientaccesspolicy.xml"},
		{"flash restricted", with("/crossdomain.xml", "flash_restricted.xml"), 0, 0, ""},
		{"silverlight restricted", with("/clientaccesspolicy.xml", "silverlight_restricted.xml"), 0, 0, ""},
	})
}

func TestHeaderInfoRules(t *testing.T) {
	with := func(lines ...string) func(*testing.T) *Result {
		return func(*testing.T) *Result {
			return baseResult(resp("https://site.test/", 200, hdr(append([]string{htmlCT}, lines...)...), ""))
		}
	}
	runRuleTable(t, PermissionsPolicyMissing, []ruleCase{
		{"missing", with(), 1, rules.Info, "Permissions-Policy"},
		{"present", with("Permissions-Policy: camera=()"), 0, 0, ""},
	})
	runRuleTable(t, XXSSProtection, []ruleCase{
		{"1; mode=block", with("X-XSS-Protection: 1; mode=block"), 1, rules.Info, "1; mode=block"},
		{"0", with("X-XSS-Protection: 0"), 0, 0, ""},
		{"absent", with(), 0, 0, ""},
	})
}

func TestMixedContent(t *testing.T) {
	with := func(body string) func(*testing.T) *Result {
		return func(*testing.T) *Result { return baseResult(resp("https://site.test/", 200, hdr(htmlCT), body)) }
	}
	runRuleTable(t, MixedContent, []ruleCase{
		{"script", with(`<script src="http://cdn.example.org/a.js"></script>`), 1, rules.Medium, "active mixed content (1)"},
		{"image only", with(`<img src="http://img.example.org/a.png">`), 1, rules.Low, "passive mixed content (1)"},
		{"form action", with(`<form action="http://site.test/login"></form>`), 1, rules.Medium, "form"},
		{"https only", with(`<script src="https://cdn.example.org/a.js"></script><img src="/a.png">`), 0, 0, ""},
	})
}

func TestObservatoryTestFailedSeverity(t *testing.T) {
	r := baseResult(resp("https://site.test/", 200, hdr(htmlCT, "Set-Cookie: sessionid=1; HttpOnly"), ""))
	fs := runRule(t, ObservatoryTestFailed, r)
	got := map[string]rules.Severity{}
	for _, f := range fs {
		name, _, _ := strings.Cut(f.Message, ":")
		got[name] = f.Severity
	}
	want := map[string]rules.Severity{
		TestCSP: rules.Medium, TestCookies: rules.High, TestHSTS: rules.Medium,
		TestXCTO: rules.Low, TestXFO: rules.Medium,
	}
	for name, sev := range want {
		if got[name] != sev {
			t.Errorf("%s: severity %s, want %s (all: %v)", name, got[name], sev, got)
		}
	}
	if len(fs) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(fs), len(want), got)
	}
}

func TestHTTPSMissing(t *testing.T) {
	final := resp("http://site.test/", 200, hdr(htmlCT), "")
	r := baseResult(nil)
	r.HTTP = sess(true, final)
	r.HTTPS = &Session{Start: &url.URL{Scheme: "https", Host: "site.test", Path: "/"}, Err: os.ErrDeadlineExceeded}
	if fs := runRule(t, HTTPSMissing, r); len(fs) != 1 || fs[0].Severity != rules.High {
		t.Fatalf("want one high finding, got %+v", fs)
	}
	if fs := runRule(t, HTTPSMissing, baseResult(nil)); len(fs) != 0 {
		t.Fatalf("https site: %+v", fs)
	}
}

func tlsResult(mod func(*TLSReport)) func(*testing.T) *Result {
	return func(*testing.T) *Result {
		r := baseResult(nil)
		r.TLS = &TLSReport{URL: "https://site.test/", Host: "site.test", Now: probeTime, Versions: []string{"TLS 1.2", "TLS 1.3"},
			Suites: map[string]string{"TLS 1.0": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
			Chain: []CertInfo{{Subject: "CN=site.test", KeyAlgorithm: "ECDSA", KeyBits: 256, SignatureAlgorithm: "ECDSA-SHA256",
				NotBefore: probeTime.Add(-24 * time.Hour), NotAfter: probeTime.Add(90 * 24 * time.Hour)}}}
		mod(r.TLS)
		return r
	}
}

func TestTLSRules(t *testing.T) {
	none := func(*TLSReport) {}
	runRuleTable(t, TLSOldProtocol, []ruleCase{
		{"tls 1.0", tlsResult(func(r *TLSReport) { r.CBCOnly = []string{"TLS 1.0"} }), 1, rules.Medium, "TLS 1.0 (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)"},
		{"modern", tlsResult(none), 0, 0, ""},
	})
	runRuleTable(t, TLSCertificateInvalid, []ruleCase{
		{"unknown authority", tlsResult(func(r *TLSReport) { r.VerifyErr = "x509: certificate signed by unknown authority" }), 1, rules.High, "does not verify"},
		{"hostname", tlsResult(func(r *TLSReport) { r.HostnameErr = "x509: certificate is valid for other.test, not site.test" }), 1, rules.High, "does not cover"},
		{"valid", tlsResult(none), 0, 0, ""},
	})
	runRuleTable(t, TLSCertificateExpiry, []ruleCase{
		{"expired", tlsResult(func(r *TLSReport) { r.Chain[0].NotAfter = probeTime.Add(-time.Hour) }), 1, rules.Critical, "expired"},
		{"10 days", tlsResult(func(r *TLSReport) { r.Chain[0].NotAfter = probeTime.Add(10*24*time.Hour + time.Hour) }), 1, rules.High, "in 10 days"},
		{"not yet valid", tlsResult(func(r *TLSReport) { r.Chain[0].NotBefore = probeTime.Add(time.Hour) }), 1, rules.High, "not valid yet"},
		{"90 days", tlsResult(none), 0, 0, ""},
	})
	runRuleTable(t, TLSWeakKey, []ruleCase{
		{"rsa 1024", tlsResult(func(r *TLSReport) { r.Chain[0].KeyAlgorithm, r.Chain[0].KeyBits = "RSA", 1024 }), 1, rules.High, "RSA 1024"},
		{"sha1 signature", tlsResult(func(r *TLSReport) { r.Chain[0].SignatureAlgorithm = "SHA1-RSA" }), 1, rules.High, "SHA1-RSA"},
		{"sha1 self-signed root is fine", tlsResult(func(r *TLSReport) {
			r.Chain = append(r.Chain, CertInfo{Subject: "CN=root", SignatureAlgorithm: "SHA1-RSA", SelfSigned: true, KeyAlgorithm: "RSA", KeyBits: 4096})
		}), 0, 0, ""},
		{"good", tlsResult(none), 0, 0, ""},
	})
	runRuleTable(t, TLSWeakCipher, []ruleCase{
		{"3des", tlsResult(func(r *TLSReport) { r.ThreeDES = []string{"TLS 1.2"} }), 1, rules.Medium, "3DES"},
		{"none", tlsResult(none), 0, 0, ""},
	})
}

func TestActiveRules(t *testing.T) {
	with := func(a *ActiveReport) func(*testing.T) *Result {
		return func(*testing.T) *Result {
			r := baseResult(nil)
			r.Active = a
			return r
		}
	}
	runRuleTable(t, LoginNotThrottled, []ruleCase{
		{"not throttled", with(&ActiveReport{LoginURL: "https://site.test/admin/login/", Attempts: 10, Statuses: []int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200}}), 1, rules.Medium, "10 failed logins"},
		{"429", with(&ActiveReport{LoginURL: "https://site.test/admin/login/", Attempts: 4, Throttled: true, ThrottledBy: "HTTP 429"}), 0, 0, ""},
		{"broken form", with(&ActiveReport{LoginURL: "https://site.test/admin/login/", Attempts: 5, Statuses: []int{500, 500, 500, 500, 500}}), 0, 0, ""},
		{"not run", with(nil), 0, 0, ""},
	})
	runRuleTable(t, ServicePortOpen, []ruleCase{
		{"redis", with(&ActiveReport{Addr: "192.0.2.1", OpenPorts: []int{6379}}), 1, rules.High, "Redis"},
		{"closed", with(&ActiveReport{Addr: "192.0.2.1", PortsTried: []int{6379}}), 0, 0, ""},
	})
}

// TestRulesRejectOtherSubjects checks a live rule given something else
// fails with an error instead of panicking.
func TestRulesRejectOtherSubjects(t *testing.T) {
	for _, r := range Rules() {
		p := rules.NewPass(context.Background(), r, nil, "not a result", func(rules.Finding) {})
		if err := r.Run(p); err == nil {
			t.Errorf("%s accepted a string subject", r.Code)
		}
		if r.Kind != rules.Live {
			t.Errorf("%s: kind %s", r.Code, r.Kind)
		}
	}
}
