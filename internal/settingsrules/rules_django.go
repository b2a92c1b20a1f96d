package settingsrules

import (
	"github.com/djangoguard/djangoguard/internal/rules"
)

const (
	djangoDocs   = "https://docs.djangoproject.com/en/stable/"
	checksDoc    = djangoDocs + "ref/checks/#security"
	checklistDoc = djangoDocs + "howto/deployment/checklist/"
	secMWDoc     = djangoDocs + "ref/middleware/#module-django.middleware.security"
	owaspA05     = "https://owasp.org/Top10/A05_2021-Security_Misconfiguration/"
	owaspA02     = "https://owasp.org/Top10/A02_2021-Cryptographic_Failures/"
	owaspA07     = "https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/"
	owaspA01     = "https://owasp.org/Top10/A01_2021-Broken_Access_Control/"
)

func settingDoc(anchor string) string { return djangoDocs + "ref/settings/#" + anchor }

func cweLink(n int) string { return "https://cwe.mitre.org/data/definitions/" + itoa(n) + ".html" }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// mk builds a rule; links get the CWE page appended when cwe is set.
func mk(code, name, title string, sev rules.Severity, conf rules.Confidence, owasp string, cwe int, doc rules.Doc, run func(*rules.Pass) error) *rules.Rule {
	if cwe != 0 {
		doc.Links = append(doc.Links, cweLink(cwe))
	}
	return &rules.Rule{Code: code, Name: name, Title: title, Severity: sev, Confidence: conf, OWASP: owasp, CWE: cwe, Kind: rules.Static, Doc: doc, Run: run}
}

// runDeploy runs the deploy checks mapped to one rule on every project's
// production settings.
func runDeploy(code string) func(*rules.Pass) error {
	return func(pass *rules.Pass) error {
		d := newDedup(pass)
		return forEachProduction(pass, func(j *judged) {
			for _, c := range deployChecks {
				if c.rule != code || !c.exists(j.version) {
					continue
				}
				for _, h := range c.run(j) {
					f := j.finding(h.setting, h.v, h.t, h.msg)
					f.DjangoCheck = h.check
					d.report(f)
				}
			}
		})
	}
}

// DebugEnabled is DJG101.
var DebugEnabled = mk("DJG101", "debug-enabled", "DEBUG is set to True in a settings module", rules.High, rules.HighConfidence, "A05", 489, rules.Doc{
	Why: `With DEBUG = True, any error shows Django's technical page: the full traceback with
local variables, every setting (Django masks only names that look secret), the installed apps and
middleware, and the URL patterns. Django also keeps every SQL query in memory. Anyone who can make
the site fail, or request a missing URL, learns how the application is built. djangoguard evaluates
the production settings (base modules, star imports, environment defaults included) and reports the
line that makes DEBUG true.`,
	Bad:   "DEBUG = True",
	Good:  `DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"  # False unless set explicitly`,
	Fix:   "Set DEBUG = False in production settings, or read it from the environment with a False default.",
	Links: []string{settingDoc("debug"), checklistDoc + "#debug", checksDoc, owaspA05},
}, runDeploy("DJG101"))

var securityMiddlewareMissing = mk("DJG103", "security-middleware-missing", "SecurityMiddleware is not in MIDDLEWARE", rules.Medium, rules.HighConfidence, "A05", 693, rules.Doc{
	Why: `django.middleware.security.SecurityMiddleware sends HSTS, redirects HTTP to HTTPS, and sets
X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy. Without it every SECURE_*
setting is silently ignored, however carefully it was written.`,
	Bad:   `MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", ...]`,
	Good:  `MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware", ...]`,
	Fix:   "Add django.middleware.security.SecurityMiddleware as the first entry of MIDDLEWARE.",
	Links: []string{secMWDoc, checksDoc, owaspA05},
}, runDeploy("DJG103"))

var xframeMiddlewareMissing = mk("DJG104", "xframe-middleware-missing", "XFrameOptionsMiddleware is not in MIDDLEWARE", rules.Medium, rules.HighConfidence, "A05", 1021, rules.Doc{
	Why: `Without X-Frame-Options (or a CSP frame-ancestors directive), any site can load yours in an
invisible frame and trick a logged-in user into clicking buttons on it: clickjacking.`,
	Bad:   `MIDDLEWARE = [...]  # no XFrameOptionsMiddleware`,
	Good:  `MIDDLEWARE = [..., "django.middleware.clickjacking.XFrameOptionsMiddleware"]`,
	Fix:   "Add django.middleware.clickjacking.XFrameOptionsMiddleware to MIDDLEWARE.",
	Links: []string{djangoDocs + "ref/clickjacking/", checksDoc, owaspA05},
}, runDeploy("DJG104"))

var csrfMiddlewareMissing = mk("DJG105", "csrf-middleware-missing", "CsrfViewMiddleware is not in MIDDLEWARE", rules.High, rules.HighConfidence, "A01", 352, rules.Doc{
	Why: `CsrfViewMiddleware is what makes Django reject forged POST requests from other sites. Without
it, every form and state-changing view is open to cross-site request forgery unless each view is
decorated with csrf_protect.`,
	Bad:   `MIDDLEWARE = [...]  # CsrfViewMiddleware removed`,
	Good:  `MIDDLEWARE = [..., "django.middleware.csrf.CsrfViewMiddleware", ...]`,
	Fix:   "Add django.middleware.csrf.CsrfViewMiddleware to MIDDLEWARE (after SessionMiddleware).",
	Links: []string{djangoDocs + "ref/csrf/", checksDoc, "https://owasp.org/www-community/attacks/csrf"},
}, runDeploy("DJG105"))

var hstsNotSet = mk("DJG106", "hsts-not-set", "SECURE_HSTS_SECONDS is not set", rules.Medium, rules.HighConfidence, "A02", 319, rules.Doc{
	Why: `HTTP Strict Transport Security tells browsers to use HTTPS for the site for a period. Without
it the first request of a visit may go over plain HTTP, where a network attacker can strip the
redirect to HTTPS and read or change everything.`,
	Bad:   `SECURE_HSTS_SECONDS = 0`,
	Good:  `SECURE_HSTS_SECONDS = 31536000  # one year, once HTTPS works everywhere`,
	Fix:   "Set SECURE_HSTS_SECONDS (start small, then one year) once the whole site is served over HTTPS.",
	Links: []string{settingDoc("secure-hsts-seconds"), secMWDoc + "#http-strict-transport-security", checksDoc, owaspA02},
}, runDeploy("DJG106"))

var hstsNoSubdomains = mk("DJG107", "hsts-no-subdomains", "SECURE_HSTS_INCLUDE_SUBDOMAINS is not True", rules.Low, rules.HighConfidence, "A02", 319, rules.Doc{
	Why: `Without includeSubDomains, a subdomain reached over plain HTTP can set cookies for the parent
domain, including a forged CSRF cookie.`,
	Bad:   `SECURE_HSTS_SECONDS = 31536000`,
	Good:  "SECURE_HSTS_SECONDS = 31536000\nSECURE_HSTS_INCLUDE_SUBDOMAINS = True",
	Fix:   "Set SECURE_HSTS_INCLUDE_SUBDOMAINS = True when every subdomain serves HTTPS.",
	Links: []string{settingDoc("secure-hsts-include-subdomains"), checksDoc},
}, runDeploy("DJG107"))

var nosniffOff = mk("DJG108", "content-type-nosniff-off", "SECURE_CONTENT_TYPE_NOSNIFF is not True", rules.Medium, rules.HighConfidence, "A05", 693, rules.Doc{
	Why: `Without X-Content-Type-Options: nosniff, browsers may guess a response's type from its content,
so an uploaded "image" containing HTML or script can run as a page on the site's origin.`,
	Bad:   `SECURE_CONTENT_TYPE_NOSNIFF = False`,
	Good:  `SECURE_CONTENT_TYPE_NOSNIFF = True  # the default since Django 3.0`,
	Fix:   "Set SECURE_CONTENT_TYPE_NOSNIFF = True (or remove the line on Django 3.0+).",
	Links: []string{settingDoc("secure-content-type-nosniff"), checksDoc},
}, runDeploy("DJG108"))

var sslRedirectOff = mk("DJG109", "ssl-redirect-off", "SECURE_SSL_REDIRECT is not True", rules.Medium, rules.MediumConfidence, "A02", 319, rules.Doc{
	Why: `Unless the web server or load balancer already redirects, plain-HTTP requests are answered over
HTTP, with cookies and pages readable on the network.`,
	Bad:   `SECURE_SSL_REDIRECT = False`,
	Good:  `SECURE_SSL_REDIRECT = True`,
	Fix:   "Set SECURE_SSL_REDIRECT = True, or make sure the front server redirects every HTTP request to HTTPS.",
	Links: []string{settingDoc("secure-ssl-redirect"), secMWDoc + "#ssl-redirect", checksDoc},
}, runDeploy("DJG109"))

var weakSecretKey = mk("DJG110", "weak-secret-key", "SECRET_KEY is missing, short, simple or a development key", rules.High, rules.HighConfidence, "A02", 330, rules.Doc{
	Why: `Django signs sessions, password-reset links and signed cookies with SECRET_KEY. A key shorter
than 50 characters, with fewer than 5 distinct characters, or generated by startproject for
development ("django-insecure-...") makes those signatures guessable or known.`,
	Bad:   `SECRET_KEY = "changeme"`,
	Good:  `SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # 50+ random characters`,
	Fix:   "Generate a new key with django.core.management.utils.get_random_secret_key() and load it from the environment.",
	Links: []string{settingDoc("secret-key"), checklistDoc + "#secret-key", checksDoc},
}, runDeploy("DJG110"))

var sessionCookieNotSecure = mk("DJG111", "session-cookie-not-secure", "SESSION_COOKIE_SECURE is not True", rules.Medium, rules.HighConfidence, "A02", 614, rules.Doc{
	Why: `Without the Secure flag the browser sends the session cookie on plain-HTTP requests too, where
anyone on the network can copy it and take over the session.`,
	Bad:   `SESSION_COOKIE_SECURE = False`,
	Good:  `SESSION_COOKIE_SECURE = True`,
	Fix:   "Set SESSION_COOKIE_SECURE = True.",
	Links: []string{settingDoc("session-cookie-secure"), checksDoc, owaspA02},
}, runDeploy("DJG111"))

var sessionCookieNotHTTPOnly = mk("DJG112", "session-cookie-not-httponly", "SESSION_COOKIE_HTTPONLY is not True", rules.Medium, rules.HighConfidence, "A05", 1004, rules.Doc{
	Why:   `With HttpOnly off, JavaScript can read the session cookie: any XSS on the site can send it away.`,
	Bad:   `SESSION_COOKIE_HTTPONLY = False`,
	Good:  `SESSION_COOKIE_HTTPONLY = True  # the default`,
	Fix:   "Remove the line or set SESSION_COOKIE_HTTPONLY = True.",
	Links: []string{settingDoc("session-cookie-httponly"), checksDoc},
}, runDeploy("DJG112"))

var csrfCookieNotSecure = mk("DJG113", "csrf-cookie-not-secure", "CSRF_COOKIE_SECURE is not True", rules.Medium, rules.HighConfidence, "A02", 614, rules.Doc{
	Why:   `Without the Secure flag the CSRF cookie travels over plain HTTP, where it can be read or replaced.`,
	Bad:   `CSRF_COOKIE_SECURE = False`,
	Good:  `CSRF_COOKIE_SECURE = True`,
	Fix:   "Set CSRF_COOKIE_SECURE = True.",
	Links: []string{settingDoc("csrf-cookie-secure"), checksDoc},
}, runDeploy("DJG113"))

var xFrameOptionsNotDeny = mk("DJG114", "x-frame-options-not-deny", "X_FRAME_OPTIONS is not 'DENY'", rules.Low, rules.HighConfidence, "A05", 1021, rules.Doc{
	Why: `SAMEORIGIN still lets pages of the same origin frame the site; unless framing is needed, DENY
removes clickjacking entirely.`,
	Bad:   `X_FRAME_OPTIONS = "SAMEORIGIN"`,
	Good:  `X_FRAME_OPTIONS = "DENY"  # the default since Django 3.0`,
	Fix:   "Set X_FRAME_OPTIONS = 'DENY' unless the site frames its own pages.",
	Links: []string{settingDoc("x-frame-options"), djangoDocs + "ref/clickjacking/", checksDoc},
}, runDeploy("DJG114"))

var allowedHostsEmpty = mk("DJG115", "allowed-hosts-empty", "ALLOWED_HOSTS is empty", rules.Low, rules.HighConfidence, "A05", 0, rules.Doc{
	Why: `With DEBUG off and ALLOWED_HOSTS empty Django rejects every request; the usual "fix" under
pressure is ['*'], which disables Host header validation.`,
	Bad:   `ALLOWED_HOSTS = []`,
	Good:  `ALLOWED_HOSTS = ["www.example.com"]`,
	Fix:   "List the site's host names in ALLOWED_HOSTS.",
	Links: []string{settingDoc("allowed-hosts"), checksDoc},
}, runDeploy("DJG115"))

var hstsNoPreload = mk("DJG116", "hsts-no-preload", "SECURE_HSTS_PRELOAD is not True", rules.Low, rules.HighConfidence, "A02", 319, rules.Doc{
	Why: `Only preloaded sites are protected on a browser's very first visit; the preload flag is the
opt-in browsers require before adding the site to their list.`,
	Bad:   `SECURE_HSTS_SECONDS = 31536000`,
	Good:  "SECURE_HSTS_SECONDS = 31536000\nSECURE_HSTS_PRELOAD = True",
	Fix:   "Set SECURE_HSTS_PRELOAD = True and submit the domain to hstspreload.org, once HTTPS is permanent.",
	Links: []string{settingDoc("secure-hsts-preload"), checksDoc, "https://hstspreload.org/"},
}, runDeploy("DJG116"))

var referrerPolicyNone = mk("DJG117", "referrer-policy-none", "SECURE_REFERRER_POLICY is None", rules.Low, rules.HighConfidence, "A05", 200, rules.Doc{
	Why:   `With no Referrer-Policy, browsers send full URLs (including tokens in query strings) to other sites.`,
	Bad:   `SECURE_REFERRER_POLICY = None`,
	Good:  `SECURE_REFERRER_POLICY = "same-origin"`,
	Fix:   "Set SECURE_REFERRER_POLICY = 'same-origin' (or 'strict-origin-when-cross-origin').",
	Links: []string{settingDoc("secure-referrer-policy"), secMWDoc + "#referrer-policy", checksDoc},
}, runDeploy("DJG117"))

var referrerPolicyInvalid = mk("DJG118", "referrer-policy-invalid", "SECURE_REFERRER_POLICY has an invalid value", rules.Medium, rules.HighConfidence, "A05", 200, rules.Doc{
	Why:   `A misspelt policy makes browsers ignore the header, so full URLs leak as if none were set.`,
	Bad:   `SECURE_REFERRER_POLICY = "same_origin"`,
	Good:  `SECURE_REFERRER_POLICY = "same-origin"`,
	Fix:   "Use one of the referrer policy values, e.g. 'same-origin'.",
	Links: []string{settingDoc("secure-referrer-policy"), checksDoc, "https://developer.mozilla.org/docs/Web/HTTP/Headers/Referrer-Policy"},
}, runDeploy("DJG118"))

var coopInvalid = mk("DJG119", "cross-origin-opener-policy-invalid", "SECURE_CROSS_ORIGIN_OPENER_POLICY has an invalid value", rules.Medium, rules.HighConfidence, "A05", 1021, rules.Doc{
	Why: `An invalid Cross-Origin-Opener-Policy is ignored, so windows the site opens (or that open it)
keep a reference to it, which cross-window attacks use.`,
	Bad:   `SECURE_CROSS_ORIGIN_OPENER_POLICY = "same_origin"`,
	Good:  `SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"`,
	Fix:   "Use same-origin, same-origin-allow-popups or unsafe-none.",
	Links: []string{settingDoc("secure-cross-origin-opener-policy"), checksDoc},
}, runDeploy("DJG119"))

var weakSecretKeyFallback = mk("DJG120", "weak-secret-key-fallback", "A SECRET_KEY_FALLBACKS entry is weak", rules.High, rules.HighConfidence, "A02", 330, rules.Doc{
	Why: `Django accepts signatures made with any fallback key, so one weak fallback weakens everything the
primary key protects.`,
	Bad:   `SECRET_KEY_FALLBACKS = ["old"]`,
	Good:  `SECRET_KEY_FALLBACKS = [os.environ["DJANGO_OLD_SECRET_KEY"]]`,
	Fix:   "Remove weak fallbacks, or replace them with the real previous keys loaded from the environment.",
	Links: []string{settingDoc("secret-key-fallbacks"), checksDoc},
}, runDeploy("DJG120"))

var hashingAlgorithmInvalid = mk("DJG121", "default-hashing-algorithm-invalid", "DEFAULT_HASHING_ALGORITHM is not sha1 or sha256", rules.Low, rules.HighConfidence, "A02", 327, rules.Doc{
	Why: `Django 3.1 and 3.2 accept only 'sha1' or 'sha256' here (the setting existed for the SHA-256
transition and was removed in 4.0); anything else breaks signing.`,
	Bad:   `DEFAULT_HASHING_ALGORITHM = "md5"`,
	Good:  `# remove DEFAULT_HASHING_ALGORITHM (sha256 is the default)`,
	Fix:   "Remove DEFAULT_HASHING_ALGORITHM or set it to 'sha256'.",
	Links: []string{djangoDocs + "releases/3.1/#default-hashing-algorithm-settings", checksDoc},
}, runDeploy("DJG121"))

var cacheLocationExposed = mk("DJG123", "cache-location-exposed", "A file-based cache is stored with media or static files", rules.Medium, rules.HighConfidence, "A05", 552, rules.Doc{
	Why: `A FileBasedCache whose LOCATION is, contains or is inside MEDIA_ROOT, STATIC_ROOT or a
STATICFILES_DIRS entry can be downloaded by the web server, and its pickled entries overwritten by
uploads, which Django then unpickles.`,
	Bad:   `CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": MEDIA_ROOT / "cache"}}`,
	Good:  `CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/var/cache/mysite"}}`,
	Fix:   "Move the cache LOCATION outside every directory the web server serves or users upload to.",
	Links: []string{djangoDocs + "topics/cache/#filesystem-caching", djangoDocs + "ref/checks/#caches"},
}, runDeploy("DJG123"))
