package live

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// Rules returns the 5xx rules: live probe findings beyond the Observatory's
// grade.
func Rules() []*rules.Rule {
	return []*rules.Rule{
		Debug404Page, DebugErrorPage, DjangoDetected, AdminDefaultURL, AdminOverHTTP, LoginOverHTTP,
		TraceEnabled, SessionCookieFlags, CSRFCookieFlags, HSTSIncomplete, SensitiveFileExposed,
		VersionBanner, SecurityTxtProblem, CrossDomainPolicy, PermissionsPolicyMissing, XXSSProtection,
		MixedContent, ObservatoryTestFailed, HTTPSMissing,
		TLSOldProtocol, TLSCertificateInvalid, TLSCertificateExpiry, TLSWeakKey, TLSWeakCipher, TLSHeartbleed,
		LoginNotThrottled, ServicePortOpen,
	}
}

func subject(p *rules.Pass) *Result {
	r, _ := p.Subject.(*Result)
	return r
}

func live(run func(p *rules.Pass, r *Result)) func(*rules.Pass) error {
	return func(p *rules.Pass) error {
		r := subject(p)
		if r == nil {
			return fmt.Errorf("rule %s: subject is %T, not a probe result", p.Rule.Code, p.Subject)
		}
		run(p, r)
		return nil
	}
}

func urlOf(r *Response) string {
	if r == nil || r.URL == nil {
		return ""
	}
	return redactURL(r.URL)
}

const (
	linkDeploy   = "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/"
	linkSecurity = "https://docs.djangoproject.com/en/stable/topics/security/"
	linkSettings = "https://docs.djangoproject.com/en/stable/ref/settings/"
	linkA05      = "https://owasp.org/Top10/A05_2021-Security_Misconfiguration/"
	linkA02      = "https://owasp.org/Top10/A02_2021-Cryptographic_Failures/"
	linkA07      = "https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/"
	linkObs      = "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"
)

func cwe(n int) string { return fmt.Sprintf("https://cwe.mitre.org/data/definitions/%d.html", n) }

// Debug404Page is DJG500.
var Debug404Page = &rules.Rule{
	Code: "DJG500", Name: "live-debug-404-page", Title: "The site shows Django's DEBUG 404 page",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 489, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if isTechnical404(r.NotFound) {
			p.Report(rules.Finding{URL: urlOf(r.NotFound), DjangoCheck: "security.W018",
				Setting: &rules.SettingRef{Name: "DEBUG", Value: "True"},
				Message: "a request for a path that cannot exist got Django's technical 404 page: DEBUG is True in production, and the page lists every URL pattern"})
		}
	}),
	Doc: rules.Doc{
		Why: `With DEBUG = True, a request for any missing page answers with Django's technical 404
page, which lists every URL pattern of the project: admin paths, API endpoints, internal tools. Every
error page then shows a traceback with local variables and the settings. The probe asks for a random
path and looks for the "<code>DEBUG = True</code>" marker that every Django version prints on that
page.`,
		Bad: "DEBUG = True  # in the settings the production server runs",
		Good: `DEBUG = False
ALLOWED_HOSTS = ["www.example.com"]`,
		Fix:   "Run production with DEBUG = False (read it from the environment with a False default).",
		Links: []string{linkSettings + "#debug", linkDeploy + "#debug", linkA05, cwe(489)},
	},
}

// DebugErrorPage is DJG501.
var DebugErrorPage = &rules.Rule{
	Code: "DJG501", Name: "live-debug-error-page", Title: "The site shows Django's DEBUG error page with a traceback",
	Severity: rules.Critical, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 215, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		cands := []*Response{r.BadHost, r.NotFound, r.Admin}
		for _, s := range []*Session{r.HTTP, r.HTTPS} {
			if s != nil {
				cands = append(cands, s.Final)
			}
		}
		for _, c := range cands {
			if isTechnical500(c) {
				msg := fmt.Sprintf("%s answered %d with Django's technical error page: traceback, local variables and settings are public", urlOf(c), c.Status)
				if c == r.BadHost {
					msg = fmt.Sprintf("a request with an unknown Host header got Django's technical error page (status %d): DEBUG is True, and the page shows the traceback and settings", c.Status)
				}
				p.Report(rules.Finding{URL: urlOf(c), Message: msg, DjangoCheck: "security.W018",
					Setting: &rules.SettingRef{Name: "DEBUG", Value: "True"}})
				return
			}
		}
	}),
	Doc: rules.Doc{
		Why: `Django's technical 500 page, shown when DEBUG is True, prints the full traceback with the
local variables of every frame, the request with its cookies and headers, and most settings. Django
hides settings whose names look secret, but database hosts, e-mail servers, internal URLs and any
secret under an unusual name are shown. The probe sends a request with a Host header the site does not
serve: Django's DisallowedHost then renders this page when DEBUG is on.`,
		Bad:   "DEBUG = True",
		Good:  `DEBUG = False  # errors go to ADMINS / your error tracker, not to the visitor`,
		Fix:   "Set DEBUG = False in production and report errors through logging or an error tracker.",
		Links: []string{linkSettings + "#debug", "https://docs.djangoproject.com/en/stable/howto/error-reporting/", linkA05, cwe(215)},
	},
}

// DjangoDetected is DJG502.
var DjangoDetected = &rules.Rule{
	Code: "DJG502", Name: "live-django-fingerprint", Title: "The site can be identified as Django",
	Severity: rules.Info, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 200, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if ev := r.DjangoEvidence(); len(ev) > 0 {
			p.Report(rules.Finding{URL: r.Target, Message: "Django identified by " + strings.Join(ev, ", ")})
		}
	}),
	Doc: rules.Doc{
		Why: `Knowing a site runs Django tells an attacker which default paths, cookie names and known
vulnerabilities to try. Hiding it is not a defence on its own, but the evidence listed (the default
cookie names, the admin at /admin/, a DEBUG page) is also what makes automated attacks cheap.`,
		Bad: `SESSION_COOKIE_NAME = "sessionid"  # default
path("admin/", admin.site.urls)`,
		Good: `SESSION_COOKIE_NAME = "__Host-sid"
CSRF_COOKIE_NAME = "__Host-csrf"
path("manage-7f3a/", admin.site.urls)`,
		Fix:   "Informational: keep Django up to date; optionally rename the session and CSRF cookies and move the admin.",
		Links: []string{linkSettings + "#session-cookie-name", linkSettings + "#csrf-cookie-name", cwe(200)},
	},
}

// DjangoEvidence lists what identified the site as Django.
func (r *Result) DjangoEvidence() []string {
	var ev []string
	names := map[string]bool{}
	for _, c := range r.AllCookies() {
		names[c.Name] = true
	}
	if names["csrftoken"] {
		ev = append(ev, "the csrftoken cookie")
	}
	if names["sessionid"] {
		ev = append(ev, "the sessionid cookie")
	}
	if r.AdminFound() {
		ev = append(ev, "the admin login at "+urlOf(r.Admin))
	}
	if isTechnical404(r.NotFound) || isTechnical500(r.BadHost) {
		ev = append(ev, "a DEBUG page")
	}
	if r.Page != nil && r.Page.HasCSRFToken {
		ev = append(ev, "a csrfmiddlewaretoken form field")
	}
	return ev
}

// AdminFound says whether /admin/ led to Django's admin login form.
func (r *Result) AdminFound() bool {
	if r.Admin == nil || r.Admin.Status != 200 {
		return false
	}
	p := ParseHTML(r.Admin.Body)
	return p.HasAdminLogin || strings.Contains(string(r.Admin.Body), "__admin_media_prefix__")
}

// AdminDefaultURL is DJG503.
var AdminDefaultURL = &rules.Rule{
	Code: "DJG503", Name: "live-admin-default-url", Title: "The Django admin login is public at /admin/",
	Severity: rules.Low, Confidence: rules.HighConfidence, OWASP: "A01", CWE: 1220, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if r.AdminFound() {
			p.Report(rules.Finding{URL: urlOf(r.Admin), Message: "the Django admin login form answers at /admin/, the first path every scanner tries"})
		}
	}),
	Doc: rules.Doc{
		Why: `The admin is the most powerful interface of a Django site. At its default path every
password-guessing bot finds it, and Django does not throttle failed logins. A different path is not
security by itself, but it removes the site from untargeted attacks; restricting the admin to a VPN or
an IP allow-list in the web server, and requiring two-factor authentication, is the real protection.`,
		Bad:   `path("admin/", admin.site.urls)`,
		Good:  `path(os.environ["DJANGO_ADMIN_PATH"], admin.site.urls)  # plus an allow-list in nginx`,
		Fix:   "Restrict /admin/ by IP or VPN in the web server, add 2FA and login throttling, and consider a non-default path.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/contrib/admin/", linkDeploy, "https://owasp.org/Top10/A01_2021-Broken_Access_Control/", cwe(1220)},
	},
}

// AdminOverHTTP is DJG504.
var AdminOverHTTP = &rules.Rule{
	Code: "DJG504", Name: "live-admin-over-http", Title: "The Django admin login answers over plain http",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 319, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		a := r.AdminHTTP
		if a == nil || a.Status != 200 {
			return
		}
		if pg := ParseHTML(a.Body); pg.HasAdminLogin || len(pg.PasswordForms) > 0 && strings.Contains(string(a.Body), "csrfmiddlewaretoken") {
			p.Report(rules.Finding{URL: urlOf(a), DjangoCheck: "security.W008",
				Setting: &rules.SettingRef{Name: "SECURE_SSL_REDIRECT", Value: "False"},
				Message: "the admin login form is served over http without a redirect to https: staff passwords and session cookies cross the network in clear text"})
		}
	}),
	Doc: rules.Doc{
		Why: `A login form served over http can be read and changed by anyone on the network path (public
Wi-Fi, a compromised router): the staff member's password and the admin session cookie travel in
clear text, and an attacker can inject a form that posts the password elsewhere. Redirecting every
http request to https closes this.`,
		Bad: `SECURE_SSL_REDIRECT = False  # and nginx proxies port 80 to Django`,
		Good: `SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # behind a proxy that sets it`,
		Fix:   "Redirect all http to https (SECURE_SSL_REDIRECT = True or a return 301 in the web server) and enable HSTS.",
		Links: []string{linkSettings + "#secure-ssl-redirect", linkSecurity + "#ssl-https", linkA02, cwe(319)},
	},
}

// LoginOverHTTP is DJG505.
var LoginOverHTTP = &rules.Rule{
	Code: "DJG505", Name: "live-login-over-http", Title: "A login page answers over plain http",
	Severity: rules.High, Confidence: rules.MediumConfidence, OWASP: "A02", CWE: 319, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		probes := append([]PathProbe(nil), r.LoginsHTTP...)
		if r.Base != nil && r.Base.Scheme == "http" {
			probes = append(probes, r.Logins...)
			if r.HTTP != nil && r.HTTP.Final != nil {
				probes = append(probes, PathProbe{Path: "/", Response: r.HTTP.Final})
			}
		}
		seen := map[string]bool{}
		for _, pp := range probes {
			a := pp.Response
			if a == nil || a.Status != 200 || a.URL.Scheme != "http" {
				continue
			}
			pg := ParseHTML(a.Body)
			if len(pg.PasswordForms) == 0 || seen[urlOf(a)] {
				continue
			}
			seen[urlOf(a)] = true
			p.Report(rules.Finding{URL: urlOf(a), Message: "a form with a password field is served over http: passwords can be read or the form changed on the network"})
		}
	}),
	Doc: rules.Doc{
		Why: `Any page with a password field served over http exposes the password to the network,
even when the form posts to an https URL: an attacker on the path rewrites the page before the user
types. The whole site, not only the form's target, must be https.`,
		Bad:   "http://www.example.com/accounts/login/  answers 200 with the form",
		Good:  "http://www.example.com/accounts/login/  answers 301 to https://www.example.com/accounts/login/",
		Fix:   "Serve the whole site over https: SECURE_SSL_REDIRECT = True or a 301 in the web server, then HSTS.",
		Links: []string{linkSettings + "#secure-ssl-redirect", linkSecurity + "#ssl-https", linkA02, cwe(319)},
	},
}

// TraceEnabled is DJG506.
var TraceEnabled = &rules.Rule{
	Code: "DJG506", Name: "live-trace-enabled", Title: "The server answers TRACE requests",
	Severity: rules.Low, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 693, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		for _, t := range r.Trace {
			if t.Response == nil || t.Response.Status != 200 {
				continue
			}
			if strings.HasPrefix(t.Response.ContentType(), "message/http") || strings.HasPrefix(string(t.Response.Body), "TRACE ") {
				p.Report(rules.Finding{URL: urlOf(t.Response), Message: "TRACE is enabled: the server echoes requests back, including cookies and authorization headers added by proxies"})
			}
		}
	}),
	Doc: rules.Doc{
		Why: `TRACE echoes the request, headers included. Browsers no longer let scripts send it, but a
proxy or an injected client can still use it to read headers that were meant to stay hidden (cookies
marked HttpOnly, authorization added by a gateway). Django itself answers TRACE with 405 unless a view
allows it; an echo comes from the web server or a proxy in front.`,
		Bad:   "TraceEnable on   # Apache",
		Good:  "TraceEnable off  # Apache; nginx does not implement TRACE",
		Fix:   "Disable TRACE in the web server or load balancer (Apache: TraceEnable off).",
		Links: []string{"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/06-Test_HTTP_Methods", linkA05, cwe(693)},
	},
}

// AllCookies returns every cookie set on any response the probe received,
// de-duplicated by name, preferring the one set over https.
func (r *Result) AllCookies() []Cookie {
	var all []Cookie
	add := func(resp *Response) {
		if resp == nil {
			return
		}
		for _, raw := range resp.Header.Values("Set-Cookie") {
			if c, ok := ParseSetCookie(raw); ok {
				c.SetOn = urlOf(resp)
				all = append(all, c)
			}
		}
	}
	for _, s := range []*Session{r.HTTPS, r.HTTP} {
		if s != nil {
			for _, resp := range s.Responses {
				add(resp)
			}
		}
	}
	add(r.Admin)
	for _, l := range r.Logins {
		add(l.Response)
	}
	byName := map[string]int{}
	var out []Cookie
	for _, c := range all {
		if i, ok := byName[c.Name]; ok {
			if !strings.HasPrefix(out[i].SetOn, "https:") && strings.HasPrefix(c.SetOn, "https:") {
				out[i] = c
			}
			continue
		}
		byName[c.Name] = len(out)
		out = append(out, c)
	}
	return out
}

// siteHasHTTPS says whether the site answered over https.
func (r *Result) siteHasHTTPS() bool { return r.HTTPS != nil && r.HTTPS.Final != nil }

// SessionCookieFlags is DJG507.
var SessionCookieFlags = &rules.Rule{
	Code: "DJG507", Name: "live-session-cookie-flags", Title: "The session cookie lacks Secure, HttpOnly or SameSite",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 614, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		for _, c := range r.AllCookies() {
			if !isSessionCookie(c.Name) && !strings.EqualFold(c.Name, "sessionid") {
				continue
			}
			var missing []string
			sev := rules.Medium
			var setting *rules.SettingRef
			if !c.Secure {
				missing = append(missing, "Secure")
				sev = rules.High
				setting = &rules.SettingRef{Name: "SESSION_COOKIE_SECURE", Value: "False"}
			}
			if !c.HttpOnly {
				missing = append(missing, "HttpOnly")
				sev = rules.High
				if setting == nil {
					setting = &rules.SettingRef{Name: "SESSION_COOKIE_HTTPONLY", Value: "False"}
				}
			}
			if !c.ValidSameSite() {
				missing = append(missing, "SameSite")
				if setting == nil {
					setting = &rules.SettingRef{Name: "SESSION_COOKIE_SAMESITE", Value: "None"}
				}
			} else if c.SameSite == "none" && len(missing) == 0 {
				continue
			}
			if len(missing) == 0 {
				continue
			}
			check := ""
			if !c.Secure {
				check = "security.W010"
			} else if !c.HttpOnly {
				check = "security.W013"
			}
			p.Report(rules.Finding{URL: c.SetOn, Severity: sev, Setting: setting, DjangoCheck: check,
				Message: fmt.Sprintf("session cookie %q is set without %s", c.Name, joinAnd(missing))})
		}
	}),
	Doc: rules.Doc{
		Why: `The session cookie is the logged-in user. Without Secure a browser sends it over any http
request (one http link or image is enough) where the network can read it; without HttpOnly any
script injected into a page can read it; without SameSite it rides along on cross-site requests. The
probe checks Django's default name (sessionid) and any cookie whose name contains "sess" or "login",
which covers a custom SESSION_COOKIE_NAME.`,
		Bad: `SESSION_COOKIE_SECURE = False
SESSION_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = None`,
		Good: `SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True  # the default
SESSION_COOKIE_SAMESITE = "Lax"  # the default`,
		Fix:   "Set SESSION_COOKIE_SECURE = True and keep SESSION_COOKIE_HTTPONLY = True and SESSION_COOKIE_SAMESITE = \"Lax\".",
		Links: []string{linkSettings + "#session-cookie-secure", linkSettings + "#session-cookie-httponly", linkSettings + "#session-cookie-samesite", linkA05, cwe(614), cwe(1004)},
	},
}

// CSRFCookieFlags is DJG508.
var CSRFCookieFlags = &rules.Rule{
	Code: "DJG508", Name: "live-csrf-cookie-flags", Title: "The CSRF cookie lacks Secure or SameSite",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 614, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		for _, c := range r.AllCookies() {
			if !isCSRFCookie(c.Name) {
				continue
			}
			var missing []string
			sev := rules.Low
			var setting *rules.SettingRef
			if !c.Secure {
				missing = append(missing, "Secure")
				sev = rules.Medium
				setting = &rules.SettingRef{Name: "CSRF_COOKIE_SECURE", Value: "False"}
			}
			if !c.ValidSameSite() {
				missing = append(missing, "SameSite")
				if setting == nil {
					setting = &rules.SettingRef{Name: "CSRF_COOKIE_SAMESITE", Value: "None"}
				}
			}
			if len(missing) == 0 {
				continue
			}
			check := ""
			if !c.Secure {
				check = "security.W016"
			}
			p.Report(rules.Finding{URL: c.SetOn, Severity: sev, Setting: setting, DjangoCheck: check,
				Message: fmt.Sprintf("CSRF cookie %q is set without %s", c.Name, joinAnd(missing))})
		}
	}),
	Doc: rules.Doc{
		Why: `Django's CSRF protection compares the csrftoken cookie with the token in the form. An
attacker who can read or set that cookie over plain http (a man in the middle, or a sibling subdomain)
can forge requests; Secure keeps it on https, and SameSite stops browsers sending it on cross-site
requests. The probe checks the default name (csrftoken) and any name containing "csrf".`,
		Bad: `CSRF_COOKIE_SECURE = False
CSRF_COOKIE_SAMESITE = None`,
		Good: `CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"  # the default`,
		Fix:   "Set CSRF_COOKIE_SECURE = True and keep CSRF_COOKIE_SAMESITE = \"Lax\" (or \"Strict\").",
		Links: []string{linkSettings + "#csrf-cookie-secure", linkSettings + "#csrf-cookie-samesite", "https://docs.djangoproject.com/en/stable/ref/csrf/", linkA05, cwe(614)},
	},
}

// HSTSIncomplete is DJG509.
var HSTSIncomplete = &rules.Rule{
	Code: "DJG509", Name: "live-hsts-incomplete", Title: "HSTS is set without includeSubDomains or preload",
	Severity: rules.Low, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 319, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if !r.siteHasHTTPS() || !r.HTTPS.Verified {
			return
		}
		v := r.HTTPS.Final.Header.Values("Strict-Transport-Security")
		if len(v) == 0 {
			return
		}
		h, err := ParseHSTS(strings.Join(v, ", "))
		if err != nil {
			return
		}
		var missing []string
		setting := ""
		if !h.IncludeSubDomains {
			missing = append(missing, "includeSubDomains")
			setting = "SECURE_HSTS_INCLUDE_SUBDOMAINS"
		}
		if !h.Preload {
			missing = append(missing, "preload")
			if setting == "" {
				setting = "SECURE_HSTS_PRELOAD"
			}
		}
		if len(missing) == 0 {
			return
		}
		check := "security.W005"
		if h.IncludeSubDomains {
			check = "security.W021"
		}
		p.Report(rules.Finding{URL: urlOf(r.HTTPS.Final), DjangoCheck: check, Setting: &rules.SettingRef{Name: setting, Value: "False"},
			Message: fmt.Sprintf("Strict-Transport-Security lacks %s: subdomains (and first visits) can still be reached over http", strings.Join(missing, " and "))})
	}),
	Doc: rules.Doc{
		Why: `HSTS tells the browser to use only https for the host. Without includeSubDomains, a
sibling like http://old.example.com can still set cookies for example.com over plain http; without
preload (and an entry on the browsers' preload list), the very first visit is unprotected.`,
		Bad: `SECURE_HSTS_SECONDS = 31536000`,
		Good: `SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True  # then submit the domain at hstspreload.org`,
		Fix:   "Set SECURE_HSTS_INCLUDE_SUBDOMAINS = True and, once every subdomain is https, SECURE_HSTS_PRELOAD = True.",
		Links: []string{linkSettings + "#secure-hsts-include-subdomains", linkSettings + "#secure-hsts-preload", linkSecurity + "#http-strict-transport-security", "https://hstspreload.org/", cwe(319)},
	},
}

// SensitiveFileExposed is DJG510.
var SensitiveFileExposed = &rules.Rule{
	Code: "DJG510", Name: "live-sensitive-file-exposed", Title: "A file that must never be public is served",
	Severity: rules.Critical, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 538, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		detect := map[string]func([]byte, string) bool{}
		for _, s := range sensitivePaths {
			detect[s.path] = s.is
		}
		for _, f := range r.Files {
			resp := f.Response
			if resp == nil || resp.Status != 200 || len(resp.Body) == 0 {
				continue
			}
			is := detect[f.Path]
			sev := rules.Critical
			what := "a secret-bearing file"
			switch {
			case is != nil:
			case strings.HasSuffix(f.Path, ".py"):
				is = looksPython
				what = "Python source under STATIC_URL or MEDIA_URL"
			default:
				continue
			}
			if !is(resp.Body, resp.ContentType()) || sameAsNotFound(resp, r.NotFound) {
				continue
			}
			switch {
			case strings.HasPrefix(f.Path, "/.git"):
				what = "the git repository (the whole source history can be downloaded)"
			case f.Path == "/.env":
				what = "the environment file (secrets, database password)"
			case f.Path == "/.DS_Store":
				what, sev = "a macOS folder index listing file names", rules.Medium
			case f.Path == "/requirements.txt":
				what, sev = "the dependency list with versions", rules.Medium
			case strings.HasSuffix(f.Path, ".sqlite3") || strings.HasSuffix(f.Path, ".sql"):
				what = "a database file or dump"
			case strings.HasSuffix(f.Path, ".swp") || strings.HasSuffix(f.Path, "~") || strings.HasSuffix(f.Path, ".bak") || strings.HasSuffix(f.Path, ".orig"):
				what = "a backup or editor swap file of Python source"
			case strings.HasSuffix(f.Path, ".py") && what == "a secret-bearing file":
				what, sev = "Python source (settings may hold SECRET_KEY and passwords)", rules.High
			}
			if strings.Contains(what, "STATIC_URL") {
				sev = rules.High
			}
			p.Report(rules.Finding{URL: urlOf(resp), Severity: sev, Message: fmt.Sprintf("%s is served: %s", f.Path, what)})
		}
	}),
	Doc: rules.Doc{
		Why: `Web servers serve whatever lies under the directory they are pointed at. A document root or
STATIC_ROOT set to the project directory publishes .git (the full source and history), .env (the
SECRET_KEY and database password), settings.py, editor backups and database dumps. Each check compares
the body with what the file really looks like, so a catch-all page answering 200 is not reported.`,
		Bad: `STATIC_ROOT = BASE_DIR          # collectstatic output mixed with the source
location / { root /srv/app; }   # nginx serving the checkout`,
		Good: `STATIC_ROOT = BASE_DIR / "staticfiles"
location /static/ { alias /srv/app/staticfiles/; }
location / { proxy_pass http://app; }`,
		Fix:   "Serve only STATIC_ROOT and MEDIA_ROOT, never the project directory; delete the exposed files and rotate every secret they held.",
		Links: []string{"https://docs.djangoproject.com/en/stable/howto/static-files/deployment/", linkSettings + "#static-root", linkA05, cwe(538), cwe(527)},
	},
}

// sameAsNotFound says whether a response has the same body as the answer
// to a path that cannot exist (a soft 404).
func sameAsNotFound(resp, nf *Response) bool {
	return nf != nil && nf.Status == resp.Status && len(nf.Body) > 0 && string(nf.Body) == string(resp.Body)
}

// VersionBanner is DJG511.
var VersionBanner = &rules.Rule{
	Code: "DJG511", Name: "live-version-banner", Title: "Server or X-Powered-By headers reveal software versions",
	Severity: rules.Low, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 200, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		seen := map[string]bool{}
		var resps []*Response
		for _, s := range []*Session{r.HTTPS, r.HTTP} {
			if s != nil {
				resps = append(resps, s.Responses...)
			}
		}
		resps = append(resps, r.NotFound)
		for _, resp := range resps {
			if resp == nil {
				continue
			}
			for _, h := range []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-Runtime-Version"} {
				for _, v := range resp.Header.Values(h) {
					key := h + ": " + v
					if !hasVersion(v) || seen[key] {
						continue
					}
					seen[key] = true
					p.Report(rules.Finding{URL: urlOf(resp), Message: fmt.Sprintf("%s: %s names a version, which tells attackers which known vulnerabilities to try", h, truncate(v, 120))})
				}
			}
		}
	}),
	Doc: rules.Doc{
		Why: `A version in Server or X-Powered-By lets an attacker match the site against published
vulnerabilities without probing. Removing it does not fix an outdated server, but it stops the site
showing up in searches for vulnerable versions.`,
		Bad:   "Server: nginx/1.18.0 (Ubuntu)",
		Good:  "Server: nginx   # server_tokens off;",
		Fix:   "Hide versions: nginx server_tokens off; Apache ServerTokens Prod; remove X-Powered-By in the proxy.",
		Links: []string{"https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens", linkA05, cwe(200)},
	},
}

// SecurityTxtProblem is DJG512.
var SecurityTxtProblem = &rules.Rule{
	Code: "DJG512", Name: "live-security-txt", Title: "security.txt is missing, expired or has no Contact",
	Severity: rules.Info, Confidence: rules.HighConfidence, OWASP: "A09", CWE: 0, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		st := r.SecurityTxt
		u := ""
		if r.Base != nil {
			ref, _ := r.Base.Parse("/.well-known/security.txt")
			u = ref.String()
		}
		if st == nil || st.Status != 200 || !strings.HasPrefix(st.ContentType(), "text/plain") || looksHTML(st.Body) {
			p.Report(rules.Finding{URL: u, Message: "no /.well-known/security.txt (RFC 9116): researchers who find a vulnerability have no published way to report it"})
			return
		}
		t := ParseSecurityTxt(st.Body)
		var probs []string
		sev := rules.Low
		if len(t.Contacts) == 0 {
			probs = append(probs, "has no Contact field")
		}
		switch {
		case t.ExpiresCount == 0:
			probs = append(probs, "has no Expires field")
		case t.ExpiresErr != nil:
			probs = append(probs, t.ExpiresErr.Error())
		case !t.Expires.After(r.Started):
			probs = append(probs, "expired on "+t.Expires.UTC().Format(time.DateOnly))
		}
		if t.ExpiresCount > 1 {
			probs = append(probs, "has more than one Expires field")
		}
		if len(probs) > 0 {
			p.Report(rules.Finding{URL: urlOf(st), Severity: sev, Message: "security.txt " + strings.Join(probs, "; ")})
		}
	}),
	Doc: rules.Doc{
		Why: `RFC 9116 security.txt tells people who find a vulnerability how to reach you. A file without
Contact is useless, and one past its Expires date must be treated as stale; without any, reports go to
a generic inbox or nowhere.`,
		Bad: "404 at /.well-known/security.txt",
		Good: `Contact: mailto:security@example.com
Expires: 2027-06-30T00:00:00Z
Preferred-Languages: en`,
		Fix:   "Publish /.well-known/security.txt with Contact and an Expires date under a year ahead, and renew it.",
		Links: []string{"https://www.rfc-editor.org/rfc/rfc9116", "https://securitytxt.org/", "https://owasp.org/Top10/A09_2021-Security_Logging_and_Monitoring_Failures/"},
	},
}

// CrossDomainPolicy is DJG513.
var CrossDomainPolicy = &rules.Rule{
	Code: "DJG513", Name: "live-crossdomain-policy", Title: "crossdomain.xml or clientaccesspolicy.xml allows any domain",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 942, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		for _, c := range r.CrossDomain {
			if c.Response == nil || c.Response.Status != 200 || looksHTML(c.Response.Body) {
				continue
			}
			if ok, _ := permissiveCrossDomain(c.Response.Body); ok {
				p.Report(rules.Finding{URL: urlOf(c.Response), Message: c.Path + " lets pages on any domain read this site with the visitor's cookies (Flash/Silverlight clients and some others still honour it)"})
			}
		}
	}),
	Doc: rules.Doc{
		Why: `These policy files tell Flash, Silverlight and some other clients which origins may read
the site with the user's credentials. A "*" policy is a universal cross-origin read: any page can
fetch authenticated content. Nothing modern needs them.`,
		Bad:   `<cross-domain-policy><allow-access-from domain="*"/></cross-domain-policy>`,
		Good:  "no crossdomain.xml or clientaccesspolicy.xml at all",
		Fix:   "Delete crossdomain.xml and clientaccesspolicy.xml, or list only the exact domains that need access.",
		Links: []string{"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/08-Test_RIA_Cross_Domain_Policy", linkA05, cwe(942)},
	},
}

// PermissionsPolicyMissing is DJG514.
var PermissionsPolicyMissing = &rules.Rule{
	Code: "DJG514", Name: "live-permissions-policy-missing", Title: "No Permissions-Policy header",
	Severity: rules.Info, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 693, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		in := &ObsInput{HTTP: r.HTTP, HTTPS: r.HTTPS}
		a := in.auto()
		if a == nil || !isHTMLType(a.ContentType()) && a.ContentType() != "" {
			return
		}
		if a.Header.Get("Permissions-Policy") == "" {
			p.Report(rules.Finding{URL: urlOf(a), Message: "no Permissions-Policy: any script or frame on the page may ask for camera, microphone, geolocation and other powerful features"})
		}
	}),
	Doc: rules.Doc{
		Why: `Permissions-Policy switches off browser features the site does not use, so that an
injected script or a third-party frame cannot ask for them. Django 3.2 does not set it; a middleware
or the web server must.`,
		Bad:   "(no Permissions-Policy header)",
		Good:  "Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=()",
		Fix:   "Send Permissions-Policy disabling the features you do not use, from the web server or a middleware.",
		Links: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Permissions-Policy", "https://owasp.org/www-project-secure-headers/", cwe(693)},
	},
}

// XXSSProtection is DJG515.
var XXSSProtection = &rules.Rule{
	Code: "DJG515", Name: "live-x-xss-protection", Title: "X-XSS-Protection is set to a value other than 0",
	Severity: rules.Info, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 693, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		in := &ObsInput{HTTP: r.HTTP, HTTPS: r.HTTPS}
		a := in.auto()
		if a == nil {
			return
		}
		if v, ok := a.Joined("X-XSS-Protection"); ok && strings.TrimSpace(v) != "0" {
			p.Report(rules.Finding{URL: urlOf(a), DjangoCheck: "", Message: fmt.Sprintf("X-XSS-Protection: %s turns on a filter modern browsers removed and older ones could be abused through", truncate(v, 60))})
		}
	}),
	Doc: rules.Doc{
		Why: `The XSS auditor this header controlled was removed from every current browser; in the
browsers that still have it, "1; mode=block" could be abused to blank pages or leak data across
origins. Django removed SECURE_BROWSER_XSS_FILTER in 4.0. Send 0, or nothing, and rely on CSP.`,
		Bad:   `SECURE_BROWSER_XSS_FILTER = True  # X-XSS-Protection: 1; mode=block`,
		Good:  "X-XSS-Protection: 0   # or no header, plus a Content-Security-Policy",
		Fix:   "Stop sending X-XSS-Protection (or send 0) and deploy a Content-Security-Policy.",
		Links: []string{"https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-XSS-Protection", "https://docs.djangoproject.com/en/stable/releases/4.0/#securitymiddleware-no-longer-sets-the-x-xss-protection-header", cwe(693)},
	},
}

// MixedContent is DJG516.
var MixedContent = &rules.Rule{
	Code: "DJG516", Name: "live-mixed-content", Title: "An https page loads resources over http",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 319, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if r.Page == nil || r.Base == nil || r.Base.Scheme != "https" {
			return
		}
		var active, passive []string
		for _, res := range r.Page.Resources {
			if !strings.HasPrefix(strings.ToLower(res.URL), "http://") {
				continue
			}
			d := res.Tag + " " + truncate(res.URL, 100)
			if res.Active {
				active = append(active, d)
			} else {
				passive = append(passive, d)
			}
		}
		u := urlOf(r.HTTPS.Final)
		if len(active) > 0 {
			p.Report(rules.Finding{URL: u, Message: fmt.Sprintf("active mixed content (%d): %s; anyone on the network can replace these with their own code", len(active), strings.Join(firstN(active, 5), ", "))})
		}
		if len(passive) > 0 {
			p.Report(rules.Finding{URL: u, Severity: rules.Low, Message: fmt.Sprintf("passive mixed content (%d): %s", len(passive), strings.Join(firstN(passive, 5), ", "))})
		}
	}),
	Doc: rules.Doc{
		Why: `A script, stylesheet, frame or form target loaded over http from an https page can be
replaced in transit, which gives the attacker the page. Browsers block most active mixed content, so
it also breaks the page; passive content (images, media) is still loaded and can be swapped or used to
track the visitor.`,
		Bad:   `<script src="http://cdn.example.com/app.js"></script>`,
		Good:  `<script src="https://cdn.example.com/app.js" integrity="sha384-..." crossorigin="anonymous"></script>`,
		Fix:   "Load every resource over https (or same-origin relative URLs); a CSP with upgrade-insecure-requests helps during migration.",
		Links: []string{"https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content", linkA02, cwe(319)},
	},
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(ss []string) string {
	if len(ss) <= 1 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " and " + ss[len(ss)-1]
}

func firstN(ss []string, n int) []string {
	if len(ss) > n {
		return append(ss[:n:n], fmt.Sprintf("and %d more", len(ss)-n))
	}
	return ss
}

// ObservatoryTestFailed is DJG517.
var ObservatoryTestFailed = &rules.Rule{
	Code: "DJG517", Name: "live-observatory-test-failed", Title: "An HTTP Observatory test fails",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 693, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		u := r.Target
		in := &ObsInput{HTTP: r.HTTP, HTTPS: r.HTTPS}
		if a := in.auto(); a != nil {
			u = urlOf(a)
		}
		for _, t := range r.Tests {
			if t.Pass {
				continue
			}
			sev := rules.Low
			switch {
			case t.ScoreModifier <= -40:
				sev = rules.High
			case t.ScoreModifier <= -20:
				sev = rules.Medium
			}
			p.Report(rules.Finding{URL: u, Severity: sev, Fix: observatoryFix[t.Name],
				Message: fmt.Sprintf("%s: %s (%s): %s", t.Name, t.Result, signed(t.ScoreModifier), t.Description)})
		}
	}),
	Doc: rules.Doc{
		Why: `The Mozilla HTTP Observatory grades a site on twelve HTTP headers and behaviours
(Content-Security-Policy, cookies, CORS, redirection to https, Referrer-Policy, HSTS, Subresource
Integrity, X-Content-Type-Options, X-Frame-Options, and the Cross-Origin Resource, Opener and
Embedder policies). Each failing test is a missing browser defence; the grade is the number people
quote. djangoguard reproduces the Observatory's tests, result codes and score exactly and reports
every failing test here, with its Django fix.`,
		Bad: `SECURE_CONTENT_TYPE_NOSNIFF = False
X_FRAME_OPTIONS = "ALLOW"`,
		Good: `SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# plus a Content-Security-Policy from django-csp or the web server`,
		Fix:   "Fix each failing header as its message says; djangoguard probe prints the Observatory's test table.",
		Links: []string{linkObs, linkSecurity, linkDeploy, "https://owasp.org/www-project-secure-headers/", cwe(693)},
	},
}

var observatoryFix = map[string]string{
	TestCSP:         "Send a Content-Security-Policy without 'unsafe-inline' in script-src, with object-src 'none' (django-csp, or Django 6's SECURE_CSP, or the web server).",
	TestCookies:     "Set SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE to True, keep SESSION_COOKIE_HTTPONLY, and set SameSite on every cookie.",
	TestCORS:        "Do not reflect arbitrary origins with Access-Control-Allow-Credentials: true (check django-cors-headers' CORS_ALLOWED_ORIGINS).",
	TestRedirection: "Redirect http to https on the same host first: SECURE_SSL_REDIRECT = True or a 301 in the web server.",
	TestReferrer:    "Set SECURE_REFERRER_POLICY = \"same-origin\" (or strict-origin-when-cross-origin).",
	TestHSTS:        "Set SECURE_HSTS_SECONDS = 31536000 (at least 15552000) on a valid certificate.",
	TestSRI:         "Load third-party scripts over https with integrity= and crossorigin= attributes, or host them yourself.",
	TestXCTO:        "Set SECURE_CONTENT_TYPE_NOSNIFF = True (the default) and keep SecurityMiddleware enabled.",
	TestXFO:         "Keep XFrameOptionsMiddleware with X_FRAME_OPTIONS = \"DENY\", or send CSP frame-ancestors.",
	TestCORP:        "Send Cross-Origin-Resource-Policy: same-origin (or same-site) from the web server.",
	TestCOOP:        "Set SECURE_CROSS_ORIGIN_OPENER_POLICY = \"same-origin\" (Django 4.0+) or send the header from the web server.",
	TestCOEP:        "Send Cross-Origin-Embedder-Policy: require-corp or credentialless when every embedded resource allows it.",
}

// HTTPSMissing is DJG518.
var HTTPSMissing = &rules.Rule{
	Code: "DJG518", Name: "live-https-missing", Title: "The site does not answer over https",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 319, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if r.HTTPS != nil && r.HTTPS.Final == nil && r.HTTP != nil && r.HTTP.Final != nil {
			msg := "the site answers over http only"
			if r.HTTPS.Err != nil {
				msg += " (https: " + truncate(r.HTTPS.Err.Error(), 200) + ")"
			}
			p.Report(rules.Finding{URL: redactURL(r.HTTPS.Start), Message: msg + ": every password, cookie and page can be read and changed on the network"})
		}
	}),
	Doc: rules.Doc{
		Why: `Without https, everything between the browser and the server (passwords, session cookies,
personal data, the page itself) can be read and rewritten by anyone on the path. Certificates are free
and automatic with ACME clients.`,
		Bad: "listen 80; only",
		Good: `listen 443 ssl http2;  # certificate from an ACME client
SECURE_SSL_REDIRECT = True`,
		Fix:   "Serve the site over https with a valid certificate, then redirect http to https and enable HSTS.",
		Links: []string{linkSecurity + "#ssl-https", linkDeploy + "#https", "https://letsencrypt.org/getting-started/", linkA02, cwe(319)},
	},
}

// TLSOldProtocol is DJG520.
var TLSOldProtocol = &rules.Rule{
	Code: "DJG520", Name: "live-tls-old-protocol", Title: "The server accepts TLS 1.0 or TLS 1.1",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 327, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if r.TLS == nil || len(r.TLS.CBCOnly) == 0 {
			return
		}
		var parts []string
		for _, v := range r.TLS.CBCOnly {
			parts = append(parts, v+" ("+r.TLS.Suites[v]+")")
		}
		p.Report(rules.Finding{URL: r.TLS.URL, Message: fmt.Sprintf("the server accepts %s: deprecated by RFC 8996, with only CBC suites and SHA-1 in the handshake", strings.Join(parts, ", "))})
	}),
	Doc: rules.Doc{
		Why: `TLS 1.0 and 1.1 were deprecated by RFC 8996 in 2021. They only offer CBC cipher suites
(exposed to padding-oracle attacks such as BEAST and Lucky13) and sign the handshake with MD5/SHA-1.
Every browser of the last years speaks TLS 1.2; leaving the old versions on only serves attackers
trying to downgrade connections.`,
		Bad:   "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;",
		Good:  "ssl_protocols TLSv1.2 TLSv1.3;",
		Fix:   "Allow only TLS 1.2 and 1.3 in the web server or load balancer.",
		Links: []string{"https://www.rfc-editor.org/rfc/rfc8996", "https://ssl-config.mozilla.org/", linkA02, cwe(327)},
	},
}

// TLSCertificateInvalid is DJG521.
var TLSCertificateInvalid = &rules.Rule{
	Code: "DJG521", Name: "live-tls-certificate-invalid", Title: "The TLS certificate chain does not verify or does not match the host",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 295, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		t := r.TLS
		if t == nil || len(t.Chain) == 0 {
			return
		}
		u := t.URL
		if t.HostnameErr != "" {
			p.Report(rules.Finding{URL: u, Message: "certificate does not cover " + t.Host + ": " + truncate(t.HostnameErr, 200)})
		}
		if t.VerifyErr != "" && !strings.Contains(t.VerifyErr, "expired") && t.HostnameErr == "" {
			p.Report(rules.Finding{URL: u, Message: "certificate chain does not verify: " + truncate(t.VerifyErr, 200) + " (a private CA can be given with --ca-cert)"})
		}
	}),
	Doc: rules.Doc{
		Why: `A certificate that does not chain to a trusted root, or names another host, makes browsers
refuse the site or train users to click through warnings, which is exactly what an interception
attack needs. HSTS is also ignored on an invalid certificate.`,
		Bad:   "a self-signed certificate, or one for www.example.com served on example.com",
		Good:  "a certificate from a public CA (ACME) whose names cover every host served, with the full intermediate chain",
		Fix:   "Install a certificate from a trusted CA covering the host, and serve the intermediate chain with it.",
		Links: []string{"https://letsencrypt.org/docs/", linkA02, cwe(295)},
	},
}

// TLSCertificateExpiry is DJG522.
var TLSCertificateExpiry = &rules.Rule{
	Code: "DJG522", Name: "live-tls-certificate-expiry", Title: "The TLS certificate has expired or expires within 30 days",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 298, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		t := r.TLS
		if t == nil || len(t.Chain) == 0 {
			return
		}
		leaf := t.Chain[0]
		u := t.URL
		left := leaf.NotAfter.Sub(t.Now)
		switch {
		case left <= 0:
			p.Report(rules.Finding{URL: u, Severity: rules.Critical, Message: fmt.Sprintf("certificate expired on %s", leaf.NotAfter.UTC().Format(time.RFC3339))})
		case left < 30*24*time.Hour:
			p.Report(rules.Finding{URL: u, Message: fmt.Sprintf("certificate expires on %s, in %d days", leaf.NotAfter.UTC().Format(time.RFC3339), int(left.Hours()/24))})
		case t.Now.Before(leaf.NotBefore):
			p.Report(rules.Finding{URL: u, Message: "certificate is not valid yet (NotBefore " + leaf.NotBefore.UTC().Format(time.RFC3339) + ")"})
		}
	}),
	Doc: rules.Doc{
		Why: `An expired certificate takes the site down for every browser, and HSTS forbids clicking
through. Under 30 days left usually means renewal automation is broken.`,
		Bad:   "a certificate renewed by hand once a year",
		Good:  "ACME renewal (certbot, Caddy, cert-manager) with monitoring of the expiry date",
		Fix:   "Renew the certificate now and automate renewal with monitoring.",
		Links: []string{"https://letsencrypt.org/docs/integration-guide/", linkA02, cwe(298)},
	},
}

// TLSWeakKey is DJG523.
var TLSWeakKey = &rules.Rule{
	Code: "DJG523", Name: "live-tls-weak-key", Title: "The certificate uses a weak key or signature algorithm",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 326, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		t := r.TLS
		if t == nil || len(t.Chain) == 0 {
			return
		}
		u := t.URL
		if weakKey(t.Chain[0]) {
			p.Report(rules.Finding{URL: u, Message: fmt.Sprintf("certificate key is %s %d bits (want RSA 2048+ or ECDSA P-256+)", t.Chain[0].KeyAlgorithm, t.Chain[0].KeyBits)})
		}
		for i, c := range t.Chain {
			if c.SelfSigned && i > 0 {
				continue // a root's self-signature is not checked by clients
			}
			if weakSignature(c.SignatureAlgorithm) {
				p.Report(rules.Finding{URL: u, Message: fmt.Sprintf("certificate %q is signed with %s, which can be forged", truncate(c.Subject, 80), c.SignatureAlgorithm)})
			}
		}
	}),
	Doc: rules.Doc{
		Why: `RSA keys under 2048 bits can be factored with enough computing power, and MD5 or SHA-1
signatures can be forged with chosen-prefix collisions, letting an attacker make a certificate the
client accepts.`,
		Bad:   "RSA 1024-bit key, sha1WithRSAEncryption",
		Good:  "ECDSA P-256 or RSA 2048+ key, SHA-256 signature",
		Fix:   "Reissue the certificate with an ECDSA P-256 or RSA 2048+ key and a SHA-256 signature.",
		Links: []string{"https://ssl-config.mozilla.org/", linkA02, cwe(326), cwe(328)},
	},
}

// TLSWeakCipher is DJG524.
var TLSWeakCipher = &rules.Rule{
	Code: "DJG524", Name: "live-tls-weak-cipher", Title: "The server accepts 3DES cipher suites",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 327, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		t := r.TLS
		if t == nil || len(t.ThreeDES) == 0 {
			return
		}
		p.Report(rules.Finding{URL: t.URL, Message: "the server accepts 3DES (64-bit block, Sweet32) on " + strings.Join(t.ThreeDES, ", ")})
	}),
	Doc: rules.Doc{
		Why: `3DES has a 64-bit block: after a few hundred gigabytes on one connection, collisions leak
plaintext (Sweet32, CVE-2016-2183). It is only there for clients from before 2010. RC4, also broken,
cannot be tested by djangoguard because Go's TLS client does not implement it.`,
		Bad:   "ssl_ciphers ALL;",
		Good:  "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:...;  # Mozilla intermediate",
		Fix:   "Use the Mozilla intermediate cipher list: AEAD suites with ECDHE only.",
		Links: []string{"https://sweet32.info/", "https://ssl-config.mozilla.org/", linkA02, cwe(327)},
	},
}

// TLSHeartbleed is DJG525.
var TLSHeartbleed = &rules.Rule{
	Code: "DJG525", Name: "live-tls-heartbleed", Title: "The server leaks memory through TLS heartbeats (Heartbleed, --active)",
	Severity: rules.Critical, Confidence: rules.HighConfidence, OWASP: "A06", CWE: 125, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		if r.TLS != nil && r.TLS.Heartbleed == "vulnerable" {
			p.Report(rules.Finding{URL: r.TLS.URL, Message: "a heartbeat request claiming 16 KiB of payload and carrying none got a longer answer: server memory (keys, cookies, passwords) leaks (CVE-2014-0160)"})
		}
	}),
	Doc: rules.Doc{
		Why: `OpenSSL 1.0.1 to 1.0.1f answered a TLS heartbeat with as many bytes as the request claimed,
reading past the payload into process memory: private keys, session cookies and passwords of other
users, 64 KiB at a time, without a trace in the logs. The probe sends one malformed heartbeat after the
server's hello and reads the length of the answer, as Pony Checkup did; it never reads the leaked
bytes. It runs only with --active, because on a vulnerable server it is the exploit itself.`,
		Bad:   "OpenSSL 1.0.1f (2014) terminating TLS",
		Good:  "a maintained OpenSSL (3.x) or another TLS library, updated by the distribution",
		Fix:   "Upgrade OpenSSL (and restart every process using it), then replace the certificate key and invalidate sessions and passwords.",
		Links: []string{"https://heartbleed.com/", "https://nvd.nist.gov/vuln/detail/CVE-2014-0160", "https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/", cwe(125)},
	},
}

// LoginNotThrottled is DJG530.
var LoginNotThrottled = &rules.Rule{
	Code: "DJG530", Name: "live-login-not-throttled", Title: "Repeated failed logins are not throttled (--active)",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A07", CWE: 307, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		a := r.Active
		if a == nil || a.LoginURL == "" || a.Throttled || a.Attempts < 3 || a.LoginErr != "" {
			return
		}
		for _, s := range a.Statuses {
			if s >= 500 {
				return // the form is broken, not unthrottled
			}
		}
		p.Report(rules.Finding{URL: a.LoginURL, Message: fmt.Sprintf("%d failed logins for a made-up user got no 429, lockout or captcha (statuses %v): passwords can be guessed at full speed", a.Attempts, a.Statuses)})
	}),
	Doc: rules.Doc{
		Why: `Django's login views and the admin do not limit failed attempts. Without throttling, an
attacker can try leaked passwords against every account as fast as the server answers. The --active
check sends a few failed logins for a made-up user name and looks for a 429, a lockout message or a
captcha.`,
		Bad: `path("admin/", admin.site.urls)  # no rate limit anywhere`,
		Good: `INSTALLED_APPS += ["axes"]  # django-axes, or limit_req in nginx on the login URLs
AXES_FAILURE_LIMIT = 5`,
		Fix:   "Throttle logins per account and per IP (django-axes, django-ratelimit, or the web server's rate limiting).",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/auth/passwords/", "https://owasp.org/www-community/controls/Blocking_Brute_Force_Attacks", linkA07, cwe(307)},
	},
}

// ServicePortOpen is DJG531.
var ServicePortOpen = &rules.Rule{
	Code: "DJG531", Name: "live-service-port-open", Title: "A database or cache port is reachable on the site's address (--active)",
	Severity: rules.High, Confidence: rules.MediumConfidence, OWASP: "A05", CWE: 668, Kind: rules.Live,
	Run: live(func(p *rules.Pass, r *Result) {
		a := r.Active
		if a == nil {
			return
		}
		names := map[int]string{5432: "PostgreSQL", 3306: "MySQL", 6379: "Redis", 11211: "Memcached", 27017: "MongoDB"}
		for _, port := range a.OpenPorts {
			n := names[port]
			if n == "" {
				n = "service"
			}
			u := url.URL{Scheme: "tcp", Host: fmt.Sprintf("%s:%d", a.Addr, port)}
			p.Report(rules.Finding{URL: u.String(), Message: fmt.Sprintf("port %d (%s) accepts connections on the web server's address: the database or cache is exposed to whoever can reach the site", port, n)})
		}
	}),
	Doc: rules.Doc{
		Why: `Databases and caches listening on a public address are found by mass scanners within hours.
Redis and Memcached often run without authentication; a reachable PostgreSQL or MySQL turns a leaked
DATABASES password into a full compromise. The --active check only opens and closes a TCP connection.`,
		Bad:   "listen_addresses = '*'   # postgresql.conf, with no firewall",
		Good:  "listen_addresses = 'localhost'  # or a private network, plus a firewall",
		Fix:   "Bind databases and caches to localhost or a private network and firewall their ports.",
		Links: []string{linkSettings + "#databases", linkA05, cwe(668)},
	},
}

// RunRules runs the 5xx rules on a probe result and returns the findings,
// fingerprinted and ordered by severity (highest first), then code.
func RunRules(ctx context.Context, res *Result, rs []*rules.Rule) ([]rules.Finding, error) {
	var out []rules.Finding
	for _, rule := range rs {
		if rule.Kind != rules.Live || rule.Run == nil {
			continue
		}
		pass := rules.NewPass(ctx, rule, nil, res, func(f rules.Finding) {
			if f.URL == "" {
				f.URL = res.Target
			}
			out = append(out, f)
		})
		if err := rule.Run(pass); err != nil {
			return out, fmt.Errorf("rule %s: %w", rule.Code, err)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].RuleID < out[j].RuleID
	})
	rules.SetFingerprints(out)
	return out, nil
}
