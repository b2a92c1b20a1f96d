package settingsrules

import (
	"fmt"
	"path"
	"strings"

	"github.com/djangoguard/djangoguard/internal/settings"
)

// hit is one answer of a Django deploy check.
type hit struct {
	check   string // Django's check ID, e.g. "security.W004"
	setting string
	v       *settings.Value
	t       tri
	msg     string
}

// deployCheck mirrors one of Django's `check --deploy` checks.
type deployCheck struct {
	id    string
	rule  string  // our rule code
	since version // first Django series with the check
	until version // first series without it; zero when still present
	run   func(j *judged) []hit
}

func (c deployCheck) exists(v version) bool {
	if v.major == 0 {
		return c.until.major == 0
	}
	if !v.atLeast(c.since.major, c.since.minor) {
		return false
	}
	return c.until.major == 0 || v.before(c.until.major, c.until.minor)
}

func one(id, setting string, v *settings.Value, t tri, msg string) []hit {
	if !t.fires() {
		return nil
	}
	return []hit{{check: id, setting: setting, v: v, t: t, msg: msg}}
}

// weakSecret is Django's W009 test of a key: fewer than 5 distinct
// characters, shorter than 50, or (3.2+) the "django-insecure-" prefix.
func weakSecret(ver version) func(*settings.Value) (bool, bool) {
	return func(v *settings.Value) (bool, bool) {
		switch v.Kind {
		case settings.Str:
			distinct := map[rune]bool{}
			for _, r := range v.S {
				distinct[r] = true
			}
			n := len([]rune(v.S))
			if len(distinct) < 5 || n < 50 {
				return true, true
			}
			return ver.atLeast(3, 2) && strings.HasPrefix(v.S, "django-insecure-"), true
		case settings.None:
			return true, true
		}
		return false, false
	}
}

func whySecretWeak(v *settings.Value, ver version) string {
	if v == nil || v.Kind != settings.Str {
		return "SECRET_KEY is not set"
	}
	distinct := map[rune]bool{}
	for _, r := range v.S {
		distinct[r] = true
	}
	switch n := len([]rune(v.S)); {
	case n == 0:
		return "SECRET_KEY is empty"
	case n < 50:
		return fmt.Sprintf("SECRET_KEY has %d characters, fewer than Django's minimum of 50", n)
	case len(distinct) < 5:
		return fmt.Sprintf("SECRET_KEY has only %d distinct characters", len(distinct))
	}
	return "SECRET_KEY starts with \"django-insecure-\": it is the key startproject generated for development"
}

var referrerPolicies = map[string]bool{
	"no-referrer": true, "no-referrer-when-downgrade": true, "origin": true, "origin-when-cross-origin": true,
	"same-origin": true, "strict-origin": true, "strict-origin-when-cross-origin": true, "unsafe-url": true,
}

var coopValues = map[string]bool{"same-origin": true, "same-origin-allow-popups": true, "unsafe-none": true}

const fileCache = "django.core.cache.backends.filebased.FileBasedCache"

// deployChecks are Django's deploy checks, in Django's order.
var deployChecks = []deployCheck{
	{id: "security.W001", rule: "DJG103", since: version{1, 8}, run: func(j *judged) []hit {
		mw := j.middleware()
		return one("security.W001", "MIDDLEWARE", mw, not(has(mw, secMW)),
			"SecurityMiddleware is not in MIDDLEWARE: SECURE_HSTS_SECONDS, SECURE_SSL_REDIRECT, SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY and SECURE_CROSS_ORIGIN_OPENER_POLICY have no effect")
	}},
	{id: "security.W002", rule: "DJG104", since: version{1, 8}, run: func(j *judged) []hit {
		mw := j.middleware()
		return one("security.W002", "MIDDLEWARE", mw, not(has(mw, xframeMW)),
			"XFrameOptionsMiddleware is not in MIDDLEWARE: pages can be framed by other sites (clickjacking)")
	}},
	{id: "security.W003", rule: "DJG105", since: version{1, 8}, run: func(j *judged) []hit {
		mw := j.middleware()
		return one("security.W003", "MIDDLEWARE", mw, not(has(mw, csrfMW)),
			"CsrfViewMiddleware is not in MIDDLEWARE: views are not protected against cross-site request forgery unless each is decorated with csrf_protect")
	}},
	{id: "security.W004", rule: "DJG106", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("SECURE_HSTS_SECONDS")
		return one("security.W004", "SECURE_HSTS_SECONDS", v, and(has(j.middleware(), secMW), not(truthy(v))),
			"SECURE_HSTS_SECONDS is not set: browsers are not told to use HTTPS only, so a first plain-HTTP request can be intercepted")
	}},
	{id: "security.W005", rule: "DJG107", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("SECURE_HSTS_INCLUDE_SUBDOMAINS")
		return one("security.W005", "SECURE_HSTS_INCLUDE_SUBDOMAINS", v,
			and(has(j.middleware(), secMW), truthy(j.get("SECURE_HSTS_SECONDS")), not(isTrue(v))),
			"SECURE_HSTS_INCLUDE_SUBDOMAINS is not True: subdomains are not covered by HSTS and can be used to attack the site's cookies")
	}},
	{id: "security.W006", rule: "DJG108", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("SECURE_CONTENT_TYPE_NOSNIFF")
		return one("security.W006", "SECURE_CONTENT_TYPE_NOSNIFF", v, and(has(j.middleware(), secMW), not(isTrue(v))),
			"SECURE_CONTENT_TYPE_NOSNIFF is not True: browsers may sniff uploaded files as HTML or script")
	}},
	{id: "security.W008", rule: "DJG109", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("SECURE_SSL_REDIRECT")
		return one("security.W008", "SECURE_SSL_REDIRECT", v, and(has(j.middleware(), secMW), not(isTrue(v))),
			"SECURE_SSL_REDIRECT is not True: plain-HTTP requests are served instead of redirected to HTTPS")
	}},
	{id: "security.W009", rule: "DJG110", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("SECRET_KEY")
		t := over(v, weakSecret(j.version))
		if !t.fires() {
			return nil
		}
		var weak *settings.Value
		for _, a := range v.Alternatives() {
			if w, ok := weakSecret(j.version)(a); ok && w {
				weak = a
				break
			}
		}
		return one("security.W009", "SECRET_KEY", v, t, whySecretWeak(weak, j.version)+": signatures made with it are easier to forge")
	}},
	{id: "security.W010", rule: "DJG111", since: version{1, 8}, run: func(j *judged) []hit {
		return sessionCookieChecks(j, "SESSION_COOKIE_SECURE", "security.W010", "security.W011", "security.W012",
			"the session cookie is sent over plain HTTP too, where it can be sniffed and the session hijacked")
	}},
	{id: "security.W013", rule: "DJG112", since: version{1, 8}, run: func(j *judged) []hit {
		return sessionCookieChecks(j, "SESSION_COOKIE_HTTPONLY", "security.W013", "security.W014", "security.W015",
			"JavaScript can read the session cookie, so one XSS steals the session")
	}},
	{id: "security.W016", rule: "DJG113", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("CSRF_COOKIE_SECURE")
		return one("security.W016", "CSRF_COOKIE_SECURE", v,
			and(not(truthy(j.get("CSRF_USE_SESSIONS"))), has(j.middleware(), csrfMW), not(truthy(v))),
			"CSRF_COOKIE_SECURE is not True: the CSRF cookie is sent over plain HTTP too")
	}},
	{id: "security.W018", rule: "DJG101", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("DEBUG")
		return one("security.W018", "DEBUG", v, truthy(v),
			"DEBUG is True in the production settings: Django shows tracebacks, settings and URL patterns to anyone who triggers an error")
	}},
	{id: "security.W019", rule: "DJG114", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("X_FRAME_OPTIONS")
		return one("security.W019", "X_FRAME_OPTIONS", v, and(has(j.middleware(), xframeMW), not(strEquals(v, "DENY"))),
			"X_FRAME_OPTIONS is not 'DENY': pages can be framed by the same origin, which an XSS elsewhere on it can use")
	}},
	{id: "security.W020", rule: "DJG115", since: version{1, 8}, run: func(j *judged) []hit {
		v := j.get("ALLOWED_HOSTS")
		return one("security.W020", "ALLOWED_HOSTS", v, not(truthy(v)),
			"ALLOWED_HOSTS is empty: with DEBUG off Django answers every request with 400 Bad Request")
	}},
	{id: "security.W021", rule: "DJG116", since: version{1, 11}, run: func(j *judged) []hit {
		v := j.get("SECURE_HSTS_PRELOAD")
		return one("security.W021", "SECURE_HSTS_PRELOAD", v,
			and(has(j.middleware(), secMW), truthy(j.get("SECURE_HSTS_SECONDS")), not(isTrue(v))),
			"SECURE_HSTS_PRELOAD is not True: the site cannot be submitted to the browsers' HSTS preload list")
	}},
	{id: "security.W022", rule: "DJG117", since: version{3, 0}, run: func(j *judged) []hit {
		v := j.get("SECURE_REFERRER_POLICY")
		return one("security.W022", "SECURE_REFERRER_POLICY", v, and(has(j.middleware(), secMW), isNone(v)),
			"SECURE_REFERRER_POLICY is None: full URLs, with any tokens in them, leak to other sites in the Referer header")
	}},
	{id: "security.E023", rule: "DJG118", since: version{3, 0}, run: func(j *judged) []hit {
		v := j.get("SECURE_REFERRER_POLICY")
		invalid := over(v, func(a *settings.Value) (bool, bool) {
			var vals []string
			switch a.Kind {
			case settings.None:
				return false, true
			case settings.Str:
				for _, p := range strings.Split(a.S, ",") {
					vals = append(vals, strings.TrimSpace(p))
				}
			case settings.List, settings.Tuple, settings.Set:
				s, ok := a.Strings()
				if !ok {
					return false, false
				}
				vals = s
			default:
				return false, false
			}
			for _, p := range vals {
				if !referrerPolicies[p] {
					return true, true
				}
			}
			return false, true
		})
		return one("security.E023", "SECURE_REFERRER_POLICY", v, and(has(j.middleware(), secMW), invalid),
			"SECURE_REFERRER_POLICY holds a value that is not a referrer policy: browsers ignore the header")
	}},
	{id: "security.E024", rule: "DJG119", since: version{4, 0}, run: func(j *judged) []hit {
		v := j.get("SECURE_CROSS_ORIGIN_OPENER_POLICY")
		invalid := over(v, func(a *settings.Value) (bool, bool) {
			switch a.Kind {
			case settings.None:
				return false, true
			case settings.Str:
				return !coopValues[a.S], true
			}
			return false, false
		})
		return one("security.E024", "SECURE_CROSS_ORIGIN_OPENER_POLICY", v, and(has(j.middleware(), secMW), invalid),
			"SECURE_CROSS_ORIGIN_OPENER_POLICY is not a valid Cross-Origin-Opener-Policy value: browsers ignore it")
	}},
	{id: "security.W025", rule: "DJG120", since: version{4, 1}, run: func(j *judged) []hit {
		v := j.get("SECRET_KEY_FALLBACKS")
		var out []hit
		for _, a := range v.Alternatives() {
			if a.Kind != settings.List && a.Kind != settings.Tuple {
				continue
			}
			for i, e := range a.Elems {
				if w, ok := weakSecret(j.version)(e); ok && w {
					out = append(out, hit{check: "security.W025", setting: "SECRET_KEY_FALLBACKS", v: e, t: triYes,
						msg: fmt.Sprintf("SECRET_KEY_FALLBACKS[%d] is weak (%s)", i, strings.TrimPrefix(whySecretWeak(e, j.version), "SECRET_KEY "))})
				}
			}
			break
		}
		return out
	}},
	{id: "security.E100", rule: "DJG121", since: version{3, 1}, until: version{4, 0}, run: func(j *judged) []hit {
		v := j.get("DEFAULT_HASHING_ALGORITHM")
		bad := over(v, func(a *settings.Value) (bool, bool) {
			if a.IsUnknown() {
				return false, false
			}
			return !(a.Kind == settings.Str && (a.S == "sha1" || a.S == "sha256")), true
		})
		return one("security.E100", "DEFAULT_HASHING_ALGORITHM", v, bad,
			"DEFAULT_HASHING_ALGORITHM must be 'sha1' or 'sha256'")
	}},
	{id: "async.E001", rule: "DJG122", since: version{3, 1}, run: func(j *judged) []hit {
		if j.env == nil {
			return nil // the rule looks for the variable in the project's files instead
		}
		if j.env["DJANGO_ALLOW_ASYNC_UNSAFE"] != "" {
			return one("async.E001", "DJANGO_ALLOW_ASYNC_UNSAFE", nil, triYes, "DJANGO_ALLOW_ASYNC_UNSAFE is set")
		}
		return nil
	}},
	{id: "caches.W002", rule: "DJG123", since: version{3, 2}, run: cacheLocationCheck},
}

func sessionCookieChecks(j *judged, name, appID, mwID, bothID, why string) []hit {
	v := j.get(name)
	off := not(truthy(v))
	app := has(j.get("INSTALLED_APPS"), "django.contrib.sessions")
	mw := has(j.middleware(), sessionMW)
	if t := and(off, app, mw); t.fires() {
		return one(bothID, name, v, t, name+" is not True: "+why)
	}
	var out []hit
	out = append(out, one(appID, name, v, and(off, app), name+" is not True while django.contrib.sessions is installed: "+why)...)
	out = append(out, one(mwID, name, v, and(off, mw), name+" is not True while SessionMiddleware is in MIDDLEWARE: "+why)...)
	return out
}

// cacheLocationCheck is caches.W002: a file-based cache inside, around or
// at MEDIA_ROOT, STATIC_ROOT or a STATICFILES_DIRS entry can be served, or
// its files overwritten by uploads.
func cacheLocationCheck(j *judged) []hit {
	caches := j.get("CACHES")
	if caches == nil || caches.Kind != settings.Dict {
		return nil
	}
	type named struct{ name, p string }
	var roots []named
	for _, n := range []string{"MEDIA_ROOT", "STATIC_ROOT"} {
		v := j.get(n)
		if v != nil && (v.Kind == settings.Str || v.Kind == settings.Path) && v.S != "" {
			roots = append(roots, named{n, v.S})
		}
	}
	if v := j.get("STATICFILES_DIRS"); v != nil && (v.Kind == settings.List || v.Kind == settings.Tuple) {
		for _, e := range v.Elems {
			if e.Kind == settings.Tuple && len(e.Elems) == 2 {
				e = e.Elems[1]
			}
			if e.Kind == settings.Str || e.Kind == settings.Path {
				roots = append(roots, named{"STATICFILES_DIRS", e.S})
			}
		}
	}
	var out []hit
	// Django answers once per (setting, cache alias): the first relation
	// that holds for any of the setting's paths.
	for _, name := range []string{"MEDIA_ROOT", "STATIC_ROOT", "STATICFILES_DIRS"} {
		var paths []string
		for _, r := range roots {
			if r.name == name {
				paths = append(paths, path.Clean(r.p))
			}
		}
		if len(paths) == 0 {
			continue
		}
		for i, alias := range caches.Keys {
			cfg := caches.Vals[i]
			b := cfg.Get("BACKEND")
			loc := cfg.Get("LOCATION")
			if b == nil || b.Kind != settings.Str || b.S != fileCache || loc == nil || (loc.Kind != settings.Str && loc.Kind != settings.Path) {
				continue
			}
			if !strings.HasPrefix(loc.S, "/") {
				continue // relative paths depend on the working directory
			}
			c := path.Clean(loc.S)
			rel := ""
			for _, rule := range []struct {
				name string
				test func(m string) bool
			}{
				{"matches", func(m string) bool { return c == m }},
				{"is inside", func(m string) bool { return m == "/" && c != "/" || strings.HasPrefix(c, m+"/") }},
				{"contains", func(m string) bool { return c == "/" && m != "/" || strings.HasPrefix(m, c+"/") }},
			} {
				for _, m := range paths {
					if strings.HasPrefix(m, "/") && rule.test(m) {
						rel = rule.name
						break
					}
				}
				if rel != "" {
					break
				}
			}
			if rel == "" {
				continue
			}
			a := "?"
			if alias.Kind == settings.Str {
				a = alias.S
			}
			out = append(out, hit{check: "caches.W002", setting: "CACHES", v: loc, t: triYes,
				msg: fmt.Sprintf("the %q cache's LOCATION %s %s: cached data can be served as files, or poisoned by uploads", a, rel, name)})
		}
	}
	return out
}

// djangoCheckIDs returns the IDs Django's `check --deploy` would report for
// a judged settings module: what the differential test compares with
// Django itself.
func djangoCheckIDs(j *judged) []string {
	var ids []string
	for _, c := range deployChecks {
		if !c.exists(j.version) {
			continue
		}
		for _, h := range c.run(j) {
			ids = append(ids, h.check)
		}
	}
	return ids
}
