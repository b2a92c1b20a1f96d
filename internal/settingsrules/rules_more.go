package settingsrules

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/settings"
)

// SecretKeyInSource is DJG102.
var SecretKeyInSource = mk("DJG102", "secret-key-in-source", "SECRET_KEY is written as a literal in source", rules.High, rules.HighConfidence, "A02", 798, rules.Doc{
	Why: `SECRET_KEY signs sessions (with the signed_cookies engine, their whole content),
password-reset tokens, messages and everything that uses django.core.signing. Anyone who has it can
forge those. A key in source is in every clone, fork, backup and CI log of the repository, and it
cannot be rotated without a commit. A literal default for an environment read
(os.environ.get("SECRET_KEY", "...")) is the same: production runs with it whenever the variable is
missing. SECRET_KEY_FALLBACKS entries are keys too.`,
	Bad:   `SECRET_KEY = "django-insecure-2x@9v..."`,
	Good:  `SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # fails loudly when missing`,
	Fix:   "Read SECRET_KEY from the environment or a secrets manager with no default, and rotate the key that was committed.",
	Links: []string{settingDoc("secret-key"), checklistDoc + "#secret-key", owaspA02},
}, runSecretKeyInSource)

// literalSecret returns the source literal behind a secret value: the value
// itself when it is a string written in code, or the literal default of an
// environment read. ok is false when nothing literal is involved.
func literalSecret(v *settings.Value) (lit *settings.Value, viaDefault bool, ok bool) {
	if v == nil {
		return nil, false, false
	}
	if v.Env != nil {
		d := v.Env.Default
		if v.Env.Assumed && d != nil && d.Kind == settings.Str && d.S != "" {
			return d, true, true
		}
		return nil, false, false
	}
	if v.Kind == settings.Str && v.S != "" && v.Origin.Path != "" {
		return v, false, true
	}
	return nil, false, false
}

func severityForRole(role string, sev rules.Severity) rules.Severity {
	if role == "development" || role == "test" {
		return rules.Low
	}
	return sev
}

func runSecretKeyInSource(pass *rules.Pass) error {
	d := newDedup(pass)
	return forEachSettingsModule(pass, func(j *judged) {
		check := func(name string, v *settings.Value) {
			for _, a := range v.Alternatives() {
				lit, viaDefault, ok := literalSecret(a)
				if !ok {
					continue
				}
				msg := name + " is a literal in source: anyone with the code can forge sessions, password-reset tokens and signed data"
				if viaDefault {
					msg = fmt.Sprintf("%s is read from %s with a literal default: without the variable, the site signs with a key that is in the source", name, a.Env.Var)
				}
				if j.m.Role == "development" || j.m.Role == "test" {
					msg += fmt.Sprintf(" (in %s settings: make sure no deployment uses this key)", j.m.Role)
				}
				f := j.finding(name, lit, triYes, msg)
				f.Setting.Value = redact(len([]rune(lit.S)))
				if a.Env != nil {
					f.Setting.Env = a.Env.Var
				}
				f.Severity = severityForRole(j.m.Role, 0)
				d.report(f)
			}
		}
		if v := j.m.Get("SECRET_KEY"); v != nil {
			check("SECRET_KEY", v)
		}
		if v := j.m.Get("SECRET_KEY_FALLBACKS"); v != nil {
			for _, a := range v.Alternatives() {
				for _, e := range a.Elems {
					check("SECRET_KEY_FALLBACKS", e)
				}
			}
		}
	})
}

var asyncUnsafe = mk("DJG122", "async-unsafe-allowed", "DJANGO_ALLOW_ASYNC_UNSAFE is set", rules.High, rules.MediumConfidence, "A04", 362, rules.Doc{
	Why: `DJANGO_ALLOW_ASYNC_UNSAFE turns off the guard that stops synchronous ORM calls from running in
an event loop thread, where they can block the server or share database connections between
requests. It exists for notebooks and tests, not for deployment (Django's async.E001).`,
	Bad:   "DJANGO_ALLOW_ASYNC_UNSAFE=true  # in .env or os.environ[...] = 'true'",
	Good:  "# leave DJANGO_ALLOW_ASYNC_UNSAFE unset; wrap ORM calls in sync_to_async",
	Fix:   "Remove DJANGO_ALLOW_ASYNC_UNSAFE from deployment environments and settings code.",
	Links: []string{djangoDocs + "topics/async/#envvar-DJANGO_ALLOW_ASYNC_UNSAFE", djangoDocs + "ref/checks/#asynchronous-support"},
}, runAsyncUnsafe)

var asyncUnsafeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(?:export\s+)?DJANGO_ALLOW_ASYNC_UNSAFE\s*=\s*["']?([^"'\s#]*)`)
})

func runAsyncUnsafe(pass *rules.Pass) error {
	for _, f := range pass.Target.Files {
		if err := pass.Context.Err(); err != nil {
			return err
		}
		if !bytes.Contains(f.Content, []byte("DJANGO_ALLOW_ASYNC_UNSAFE")) {
			continue
		}
		switch f.Kind {
		case rules.ConfigFile:
			b := strings.ToLower(path.Base(f.Path))
			if !(b == ".env" || strings.HasPrefix(b, ".env.") || strings.HasSuffix(b, ".env")) || strings.Contains(b, "example") || strings.Contains(b, "test") || strings.Contains(b, "dev") {
				continue
			}
			for i := 1; i <= f.LineCount(); i++ {
				if m := asyncUnsafeRE().FindStringSubmatch(f.LineText(i)); m != nil && m[1] != "" {
					pass.Report(rules.Finding{Path: f.Path, Line: i, Column: 1, DjangoCheck: "async.E001",
						Message: "DJANGO_ALLOW_ASYNC_UNSAFE is set in an environment file: Django's async safety guard is off",
						Setting: &rules.SettingRef{Name: "DJANGO_ALLOW_ASYNC_UNSAFE", Value: m[1], Path: f.Path, Line: i, Env: "DJANGO_ALLOW_ASYNC_UNSAFE"}})
				}
			}
		case rules.PythonFile:
			m := project.Parse(pass.Target, f)
			walkAll(m.AST.Body, func(n python.Node) {
				line := 0
				switch n := n.(type) {
				case *python.Assign:
					for _, t := range n.Targets {
						if s, ok := t.(*python.Subscript); ok && strConst(s.Slice) == "DJANGO_ALLOW_ASYNC_UNSAFE" {
							line = int(n.Lineno)
						}
					}
				case *python.Call:
					if a, ok := n.Func.(*python.Attribute); ok && (a.Attr == "setdefault" || a.Attr == "putenv") && len(n.Args) > 0 && strConst(n.Args[0]) == "DJANGO_ALLOW_ASYNC_UNSAFE" {
						line = int(n.Lineno)
					}
				}
				if line > 0 && !strings.Contains(f.Path, "test") {
					pass.Report(rules.Finding{Path: f.Path, Line: line, Column: 1, DjangoCheck: "async.E001",
						Message: "DJANGO_ALLOW_ASYNC_UNSAFE is set by the code: Django's async safety guard is off",
						Setting: &rules.SettingRef{Name: "DJANGO_ALLOW_ASYNC_UNSAFE", Path: f.Path, Line: line, Env: "DJANGO_ALLOW_ASYNC_UNSAFE"}})
				}
			})
		}
	}
	return nil
}

func strConst(e python.Expr) string {
	if c, ok := e.(*python.Constant); ok {
		if s, ok := c.Value.(python.Str); ok {
			return string(s)
		}
	}
	return ""
}

// walkAll visits statements (all nesting levels) and the calls in them.
func walkAll(body []python.Stmt, fn func(python.Node)) {
	var expr func(e python.Expr, depth int)
	expr = func(e python.Expr, depth int) {
		if depth > 100 {
			return
		}
		if c, ok := e.(*python.Call); ok {
			fn(c)
			for _, a := range c.Args {
				expr(a, depth+1)
			}
		}
	}
	var visit func(body []python.Stmt, depth int)
	visit = func(body []python.Stmt, depth int) {
		if depth > 100 {
			return
		}
		for _, s := range body {
			fn(s)
			switch s := s.(type) {
			case *python.ExprStmt:
				expr(s.Value, 0)
			case *python.Assign:
				expr(s.Value, 0)
			case *python.FunctionDef:
				visit(s.Body, depth+1)
			case *python.AsyncFunctionDef:
				visit(s.Body, depth+1)
			case *python.ClassDef:
				visit(s.Body, depth+1)
			case *python.If:
				visit(s.Body, depth+1)
				visit(s.Orelse, depth+1)
			case *python.With:
				visit(s.Body, depth+1)
			case *python.For:
				visit(s.Body, depth+1)
			case *python.Try:
				visit(s.Body, depth+1)
				for _, h := range s.Handlers {
					visit(h.Body, depth+1)
				}
				visit(s.Orelse, depth+1)
				visit(s.Finalbody, depth+1)
			}
		}
	}
	visit(body, 0)
}

// ---- rules on the production settings ----

// prodRule builds the Run of a rule that judges each production module.
func prodRule(fn func(j *judged, report func(rules.Finding))) func(*rules.Pass) error {
	return func(pass *rules.Pass) error {
		d := newDedup(pass)
		return forEachProduction(pass, func(j *judged) { fn(j, d.report) })
	}
}

var allowedHostsWildcard = mk("DJG124", "allowed-hosts-wildcard", "ALLOWED_HOSTS accepts any host ('*')", rules.Medium, rules.HighConfidence, "A05", 644, rules.Doc{
	Why: `ALLOWED_HOSTS is Django's defence against Host header attacks: with '*' any Host is accepted,
so password-reset emails, absolute URLs and cache keys can be made to point at an attacker's domain.
Django's own check does not flag it.`,
	Bad:   `ALLOWED_HOSTS = ["*"]`,
	Good:  `ALLOWED_HOSTS = ["notes.example.com"]`,
	Fix:   "List the real host names in ALLOWED_HOSTS (a leading dot allows subdomains).",
	Links: []string{settingDoc("allowed-hosts"), djangoDocs + "topics/security/#host-header-validation", owaspA05},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("ALLOWED_HOSTS")
	for _, a := range v.Alternatives() {
		for _, e := range a.Elems {
			if e.Kind == settings.Str && e.S == "*" {
				report(j.finding("ALLOWED_HOSTS", e, over(v, func(x *settings.Value) (bool, bool) { return x.Contains("*") }),
					"ALLOWED_HOSTS contains '*': any Host header is accepted, so password-reset links and absolute URLs can be poisoned"))
				return
			}
		}
	}
}))

var debugEnvDefaultTrue = mk("DJG125", "debug-env-default-true", "DEBUG is read from the environment with a true default", rules.High, rules.HighConfidence, "A05", 489, rules.Doc{
	Why: `DEBUG = env.bool("DEBUG", default=True) (or os.environ.get("DEBUG", "True") == "True") means
production runs in debug mode whenever the variable is missing: a forgotten variable in one
deployment exposes tracebacks and settings.`,
	Bad:   `DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"`,
	Good:  `DEBUG = os.environ.get("DJANGO_DEBUG", "False") == "True"`,
	Fix:   "Make the default of the DEBUG variable False, so only an explicit setting turns debug on.",
	Links: []string{settingDoc("debug"), checklistDoc + "#debug", owaspA05},
}, func(pass *rules.Pass) error {
	d := newDedup(pass)
	return forEachSettingsModule(pass, func(j *judged) {
		if j.m.Role == "development" || j.m.Role == "test" {
			return
		}
		v := j.m.Get("DEBUG")
		if v == nil {
			return
		}
		for _, a := range v.Alternatives() {
			if a.Env == nil || !a.Env.Assumed || a.Env.Default == nil {
				continue
			}
			if t, ok := a.Truth(); ok && t {
				f := j.finding("DEBUG", a, triYes, fmt.Sprintf("DEBUG comes from %s, and is True when the variable is unset", a.Env.Var))
				f.Confidence = rules.HighConfidence
				d.report(f)
				return
			}
		}
	})
})

var credentialNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|access_?key|private_?key|auth_?key|client_?secret|credentials?)$`)
})

var hardcodedCredential = mk("DJG126", "hardcoded-credential", "A credential is written as a literal in settings", rules.High, rules.MediumConfidence, "A07", 798, rules.Doc{
	Why: `Database passwords, SMTP passwords, cloud access keys and API tokens written in settings are in
every copy of the repository and its history. Whoever reads the code can use them, and they cannot
be rotated without a commit.`,
	Bad:   `DATABASES = {"default": {..., "PASSWORD": "Sup3rSecret!"}}`,
	Good:  `DATABASES = {"default": {..., "PASSWORD": os.environ["DB_PASSWORD"]}}`,
	Fix:   "Load the credential from the environment or a secrets manager, and rotate the one that was committed.",
	Links: []string{checklistDoc, "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html", owaspA07},
}, func(pass *rules.Pass) error {
	d := newDedup(pass)
	return forEachSettingsModule(pass, func(j *judged) {
		for _, name := range j.m.Result.Settings() {
			if name == "SECRET_KEY" || name == "SECRET_KEY_FALLBACKS" {
				continue
			}
			walkCredentials(name, name, j.m.Get(name), 0, func(label string, lit *settings.Value, via *settings.Value) {
				msg := label + " is a literal in source"
				if via != nil && via.Env != nil {
					msg = fmt.Sprintf("%s is read from %s with a literal default", label, via.Env.Var)
				}
				f := j.finding(name, lit, triYes, msg+": anyone with the code has the credential")
				f.Setting.Value = redact(len([]rune(lit.S)))
				f.Severity = severityForRole(j.m.Role, 0)
				d.report(f)
			})
		}
	})
})

// walkCredentials finds literal strings under credential-like names or keys.
func walkCredentials(setting, label string, v *settings.Value, depth int, found func(label string, lit, via *settings.Value)) {
	if v == nil || depth > 8 {
		return
	}
	for _, a := range v.Alternatives() {
		switch a.Kind {
		case settings.Dict:
			for i, k := range a.Keys {
				if k.Kind == settings.Str {
					walkCredentials(setting, label+"["+fmt.Sprintf("%q", k.S)+"]", a.Vals[i], depth+1, found)
				}
			}
		case settings.Str:
			key := label
			if i := strings.LastIndexByte(label, '['); i >= 0 {
				key = strings.Trim(label[i:], `[]"`)
			}
			if !credentialNameRE().MatchString(key) || strings.HasSuffix(strings.ToUpper(key), "_FILE") {
				continue
			}
			lit, viaDefault, ok := literalSecret(a)
			if !ok || len(lit.S) < 4 || looksLikeReference(lit.S) {
				continue
			}
			if viaDefault {
				found(label, lit, a)
			} else {
				found(label, lit, nil)
			}
		}
	}
}

// looksLikeReference says whether a string is a dotted path or URL-ish
// reference rather than a secret ("myapp.auth.TokenBackend").
func looksLikeReference(s string) bool {
	if strings.ContainsAny(s, " /:") {
		return false
	}
	parts := strings.Split(s, ".")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || !isIdent(p) {
			return false
		}
	}
	return true
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

var superUsers = map[string]bool{"postgres": true, "root": true, "sa": true, "admin": true, "mysql": true, "system": true, "sys": true, "rdsadmin": true, "azure_superuser": true, "cloudsqlsuperuser": true}

var databaseSuperuser = mk("DJG127", "database-superuser", "The database user looks like a superuser", rules.Medium, rules.MediumConfidence, "A05", 250, rules.Doc{
	Why: `A site that connects as postgres, root or sa can drop every database, read other applications'
data and, on PostgreSQL, run programs on the server (COPY ... PROGRAM). An SQL injection then costs
the whole server instead of one schema.`,
	Bad:   `"USER": "postgres"`,
	Good:  `"USER": "notes_app"  # owns only its own database`,
	Fix:   "Create a dedicated database role with only the privileges the application needs.",
	Links: []string{settingDoc("user"), checklistDoc + "#databases", "https://cheatsheetseries.owasp.org/cheatsheets/Database_Security_Cheat_Sheet.html"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	dbs := j.get("DATABASES")
	if dbs == nil {
		return
	}
	for _, a := range dbs.Alternatives() {
		for i, alias := range a.Keys {
			cfg := a.Vals[i]
			if e := cfg.Get("ENGINE"); e != nil && e.Kind == settings.Str && strings.Contains(e.S, "sqlite") {
				continue
			}
			u := cfg.Get("USER")
			if u == nil {
				continue
			}
			for _, ua := range u.Alternatives() {
				if ua.Kind == settings.Str && superUsers[strings.ToLower(ua.S)] {
					report(j.finding("DATABASES", ua, triYes, fmt.Sprintf("the %s database connects as %q, a superuser account name", alias.S, ua.S)))
					break
				}
			}
		}
	}
}))

var weakHashers = map[string]string{
	"django.contrib.auth.hashers.MD5PasswordHasher":           "salted MD5, fast to brute-force",
	"django.contrib.auth.hashers.UnsaltedMD5PasswordHasher":   "unsalted MD5",
	"django.contrib.auth.hashers.SHA1PasswordHasher":          "salted SHA-1, fast to brute-force",
	"django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher":  "unsalted SHA-1",
	"django.contrib.auth.hashers.CryptPasswordHasher":         "crypt(3), 8-character DES",
	"django.contrib.auth.hashers.BCryptPasswordHasher":        "bcrypt without SHA-256, which truncates passwords at 72 bytes",
	"django.contrib.auth.hashers.PBKDF2PasswordHasher_legacy": "legacy PBKDF2",
}

var weakPasswordHasher = mk("DJG128", "weak-password-hasher", "A weak or unsalted password hasher is first in PASSWORD_HASHERS", rules.High, rules.HighConfidence, "A02", 916, rules.Doc{
	Why: `Django hashes new passwords with the first entry of PASSWORD_HASHERS. MD5, SHA-1 and unsalted
hashers are computed billions of times a second on a GPU, so a leaked user table gives up most
passwords within hours.`,
	Bad:   `PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", ...]`,
	Good:  `PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]`,
	Fix:   "Put Argon2PasswordHasher, ScryptPasswordHasher or PBKDF2PasswordHasher first; keep weak hashers only later in the list to upgrade old hashes.",
	Links: []string{djangoDocs + "topics/auth/passwords/#how-django-stores-passwords", settingDoc("password-hashers"), "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("PASSWORD_HASHERS")
	for _, a := range v.Alternatives() {
		if (a.Kind == settings.List || a.Kind == settings.Tuple) && len(a.Elems) > 0 {
			first := a.Elems[0]
			if first.Kind == settings.Str {
				if why, weak := weakHashers[first.S]; weak {
					report(j.finding("PASSWORD_HASHERS", first, triYes, "the first password hasher is "+path.Ext(first.S)[1:]+" ("+why+"): new passwords are stored with it"))
					return
				}
			}
		}
	}
}))

var passwordValidatorsMissing = mk("DJG129", "password-validators-missing", "AUTH_PASSWORD_VALIDATORS is empty or missing", rules.Medium, rules.HighConfidence, "A07", 521, rules.Doc{
	Why: `Without validators Django accepts any password, including "1", "password" and the username.
startproject writes four validators; an empty list (Django's default) removes them all.`,
	Bad:   `AUTH_PASSWORD_VALIDATORS = []`,
	Good:  `AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}}, ...]`,
	Fix:   "Configure at least MinimumLengthValidator and CommonPasswordValidator.",
	Links: []string{djangoDocs + "topics/auth/passwords/#password-validation", settingDoc("auth-password-validators"), "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	if !usesAuth(j) {
		return
	}
	v := j.get("AUTH_PASSWORD_VALIDATORS")
	if t := not(truthy(v)); t.fires() {
		msg := "AUTH_PASSWORD_VALIDATORS is empty: any password is accepted"
		if !j.isSet("AUTH_PASSWORD_VALIDATORS") {
			msg = "AUTH_PASSWORD_VALIDATORS is not set (Django's default is no validation): any password is accepted"
		}
		report(j.finding("AUTH_PASSWORD_VALIDATORS", v, t, msg))
	}
}))

func usesAuth(j *judged) bool {
	return has(j.get("INSTALLED_APPS"), "django.contrib.auth").fires()
}

var pickleSessions = mk("DJG130", "pickle-session-serializer", "Sessions are serialized with pickle", rules.High, rules.HighConfidence, "A08", 502, rules.Doc{
	Why: `With PickleSerializer, session data is unpickled on every request. Anyone who can write a
session (the SECRET_KEY with signed-cookie sessions, or the session store) can run code on the
server. Django deprecated it in 4.1 and removed it in 5.0.`,
	Bad:   `SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"`,
	Good:  `SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"  # the default`,
	Fix:   "Use the default JSONSerializer and store only JSON-serializable data in sessions.",
	Links: []string{settingDoc("session-serializer"), djangoDocs + "topics/http/sessions/#session-serialization"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("SESSION_SERIALIZER")
	t := over(v, func(a *settings.Value) (bool, bool) {
		if a.Kind != settings.Str {
			return false, !a.IsUnknown()
		}
		return strings.Contains(a.S, "Pickle"), true
	})
	if t.fires() {
		report(j.finding("SESSION_SERIALIZER", v, t, "sessions are unpickled on every request: whoever can forge a session runs code on the server"))
	}
}))

var signedCookieSessions = mk("DJG131", "signed-cookie-sessions", "Sessions are stored in signed cookies", rules.Medium, rules.MediumConfidence, "A02", 565, rules.Doc{
	Why: `With the signed_cookies engine the whole session lives in the browser: it is readable (only
signed, not encrypted), cannot be revoked on logout from another device, can be replayed until it
expires, and anyone with SECRET_KEY can forge any session.`,
	Bad:   `SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"`,
	Good:  `SESSION_ENGINE = "django.contrib.sessions.backends.db"  # or cache / cached_db`,
	Fix:   "Use a server-side session engine (db, cache or cached_db).",
	Links: []string{djangoDocs + "topics/http/sessions/#using-cookie-based-sessions", settingDoc("session-engine")},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("SESSION_ENGINE")
	if t := strEquals(v, "django.contrib.sessions.backends.signed_cookies"); t.fires() {
		report(j.finding("SESSION_ENGINE", v, t, "sessions live in signed (not encrypted) cookies: readable by the user, not revocable, forgeable with SECRET_KEY"))
	}
}))

var cookieSameSite = mk("DJG132", "cookie-samesite-insecure", "A cookie's SameSite is 'None' or invalid", rules.Medium, rules.HighConfidence, "A01", 1275, rules.Doc{
	Why: `SameSite=Lax keeps the browser from sending the session and CSRF cookies on cross-site POSTs,
a second wall behind CSRF tokens. "None" sends them everywhere; a value Django does not know
(anything but "Lax", "Strict", "None", None or False) makes the attribute invalid, and browsers fall
back to their own default.`,
	Bad:   `SESSION_COOKIE_SAMESITE = "None"`,
	Good:  `SESSION_COOKIE_SAMESITE = "Lax"  # the default`,
	Fix:   "Use 'Lax' (or 'Strict'); keep 'None' only for cookies that must cross sites, and then with Secure.",
	Links: []string{settingDoc("session-cookie-samesite"), settingDoc("csrf-cookie-samesite"), "https://owasp.org/www-community/SameSite"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	for _, name := range []string{"SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SAMESITE"} {
		if !j.isSet(name) {
			continue
		}
		v := j.get(name)
		none := strEquals(v, "None")
		if none.fires() {
			report(j.finding(name, v, none, name+" is 'None': the cookie is sent with cross-site requests"))
			continue
		}
		bad := over(v, func(a *settings.Value) (bool, bool) {
			switch a.Kind {
			case settings.Str:
				return a.S != "Lax" && a.S != "Strict", true
			case settings.None:
				return false, true
			case settings.Bool:
				return a.B, true
			}
			return false, false
		})
		if bad.fires() {
			report(j.finding(name, v, bad, name+" is not one of 'Lax', 'Strict', 'None': browsers ignore the attribute"))
		}
	}
}))

var languageCookieNotSecure = mk("DJG133", "language-cookie-not-secure", "LANGUAGE_COOKIE_SECURE is not True", rules.Low, rules.HighConfidence, "A05", 614, rules.Doc{
	Why: `The language cookie is sent over plain HTTP unless marked Secure; on an HTTPS site a network
attacker can set it and switch the user's language, and it breaks the rule that every cookie of an
HTTPS site is Secure (Observatory cookies test).`,
	Bad:   `# LANGUAGE_COOKIE_SECURE not set`,
	Good:  `LANGUAGE_COOKIE_SECURE = True`,
	Fix:   "Set LANGUAGE_COOKIE_SECURE = True.",
	Links: []string{settingDoc("language-cookie-secure")},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	if !usesLanguageCookie(j) {
		return
	}
	v := j.get("LANGUAGE_COOKIE_SECURE")
	if t := not(isTrue(v)); t.fires() {
		report(j.finding("LANGUAGE_COOKIE_SECURE", v, t, "LANGUAGE_COOKIE_SECURE is not True: the language cookie is sent over plain HTTP"))
	}
}))

// usesLanguageCookie says whether the language cookie can be set:
// LocaleMiddleware or the set_language view (django.conf.urls.i18n).
func usesLanguageCookie(j *judged) bool {
	if has(j.middleware(), "django.middleware.locale.LocaleMiddleware").fires() {
		return true
	}
	for _, u := range j.pr.URLs {
		if strings.Contains(u.Target, "i18n") || strings.Contains(u.Target, "set_language") {
			return true
		}
	}
	return false
}

var csrfTrustedOrigins = mk("DJG134", "csrf-trusted-origins-insecure", "CSRF_TRUSTED_ORIGINS trusts http:// origins, wildcards or scheme-less hosts", rules.Medium, rules.HighConfidence, "A01", 352, rules.Doc{
	Why: `Django accepts unsafe requests whose Origin matches CSRF_TRUSTED_ORIGINS. An http:// origin can
be impersonated by anyone on the network; a wildcard trusts every subdomain, including forgotten or
user-controlled ones. Since Django 4.0 entries must carry a scheme (4_0.E001).`,
	Bad:   `CSRF_TRUSTED_ORIGINS = ["http://example.com", "https://*.example.com"]`,
	Good:  `CSRF_TRUSTED_ORIGINS = ["https://www.example.com"]`,
	Fix:   "List exact https:// origins only.",
	Links: []string{settingDoc("csrf-trusted-origins"), djangoDocs + "ref/csrf/", owaspA01},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("CSRF_TRUSTED_ORIGINS")
	for _, a := range v.Alternatives() {
		for _, e := range a.Elems {
			if e.Kind != settings.Str {
				continue
			}
			switch {
			case strings.HasPrefix(strings.ToLower(e.S), "http://"):
				report(j.finding("CSRF_TRUSTED_ORIGINS", e, triYes, fmt.Sprintf("CSRF_TRUSTED_ORIGINS trusts %q, a plain-HTTP origin anyone on the network can impersonate", e.S)))
			case strings.Contains(e.S, "*"):
				report(j.finding("CSRF_TRUSTED_ORIGINS", e, triYes, fmt.Sprintf("CSRF_TRUSTED_ORIGINS trusts %q: every matching subdomain can send cross-site POSTs", e.S)))
			case !strings.Contains(e.S, "://") && j.version.atLeast(4, 0):
				f := j.finding("CSRF_TRUSTED_ORIGINS", e, triYes, fmt.Sprintf("CSRF_TRUSTED_ORIGINS entry %q has no scheme: Django 4.0+ rejects it (4_0.E001)", e.S))
				f.DjangoCheck = "4_0.E001"
				report(f)
			}
		}
	}
}))

var proxySSLHeader = mk("DJG135", "proxy-ssl-header-trusted", "SECURE_PROXY_SSL_HEADER trusts a forwarded header", rules.Low, rules.LowConfidence, "A05", 348, rules.Doc{
	Why: `With SECURE_PROXY_SSL_HEADER, Django believes a request is HTTPS whenever the named header has
the value. That is right only behind a proxy that always sets or strips the header; reached directly
(or through a proxy that passes it on), a client can send X-Forwarded-Proto: https itself and Django
will treat plain HTTP as secure (request.is_secure(), CSRF referer checks, SECURE_SSL_REDIRECT).
djangoguard cannot see the proxy, so this is a reminder to verify it.`,
	Bad:   `SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # app port also reachable directly`,
	Good:  `# only behind a proxy that overwrites X-Forwarded-Proto, with the app port closed to the world`,
	Fix:   "Set it only when every request passes through a proxy that overwrites the header; otherwise remove it.",
	Links: []string{settingDoc("secure-proxy-ssl-header"), checklistDoc},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("SECURE_PROXY_SSL_HEADER")
	if t := not(isNone(v)); t == triYes || t == triMaybe {
		msg := "SECURE_PROXY_SSL_HEADER is set: Django trusts the client-supplied " + headerName(v) + " header unless the proxy in front overwrites it"
		if v.Kind == settings.Tuple && len(v.Elems) == 2 && v.Elems[1].Kind == settings.Str && v.Elems[1].S != "https" {
			msg += fmt.Sprintf("; its expected value %q is not \"https\"", v.Elems[1].S)
		}
		report(j.finding("SECURE_PROXY_SSL_HEADER", v, t, msg))
	}
}))

func headerName(v *settings.Value) string {
	if v.Kind == settings.Tuple && len(v.Elems) > 0 && v.Elems[0].Kind == settings.Str {
		return v.Elems[0].S
	}
	return "forwarded"
}

var useXForwardedHost = mk("DJG136", "use-x-forwarded-host", "USE_X_FORWARDED_HOST is True", rules.Medium, rules.MediumConfidence, "A05", 644, rules.Doc{
	Why: `With USE_X_FORWARDED_HOST, request.get_host() takes the client's X-Forwarded-Host header over
Host. Unless the proxy always overwrites it, an attacker picks the host used in password-reset links
and absolute URLs.`,
	Bad:   `USE_X_FORWARDED_HOST = True`,
	Good:  `USE_X_FORWARDED_HOST = False  # the default`,
	Fix:   "Leave USE_X_FORWARDED_HOST off unless the proxy sets X-Forwarded-Host on every request.",
	Links: []string{settingDoc("use-x-forwarded-host"), djangoDocs + "topics/security/#host-header-validation"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("USE_X_FORWARDED_HOST")
	if t := truthy(v); t.fires() {
		report(j.finding("USE_X_FORWARDED_HOST", v, t, "USE_X_FORWARDED_HOST is True: the client's X-Forwarded-Host decides the host of absolute URLs and reset links unless the proxy overwrites it"))
	}
}))

var uploadLimitsDisabled = mk("DJG137", "upload-limits-disabled", "A DATA_UPLOAD_MAX_* limit is disabled", rules.Medium, rules.HighConfidence, "A05", 770, rules.Doc{
	Why: `DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS and DATA_UPLOAD_MAX_NUMBER_FILES
cap what one request may make Django parse into memory. None removes the cap: one request with a
huge body or a million fields ties up a worker (CVE-2023-24580 was the missing file count).`,
	Bad:   `DATA_UPLOAD_MAX_MEMORY_SIZE = None`,
	Good:  `DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024`,
	Fix:   "Keep the defaults or set finite limits sized for the largest legitimate request.",
	Links: []string{settingDoc("data-upload-max-memory-size"), settingDoc("data-upload-max-number-fields"), settingDoc("data-upload-max-number-files")},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	for _, n := range []string{"DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "DATA_UPLOAD_MAX_NUMBER_FILES"} {
		if !j.isSet(n) {
			continue
		}
		v := j.get(n)
		if t := isNone(v); t.fires() {
			report(j.finding(n, v, t, n+" is None: requests can make Django parse unbounded data into memory"))
		}
	}
}))

var fileUploadPermissions = mk("DJG138", "file-upload-permissions-wide", "FILE_UPLOAD_PERMISSIONS is wider than 0o644", rules.Medium, rules.HighConfidence, "A01", 732, rules.Doc{
	Why: `Uploaded files are written with FILE_UPLOAD_PERMISSIONS. Group or world write lets other local
users replace them; execute bits let an uploaded script run if the directory is ever executable.`,
	Bad:   `FILE_UPLOAD_PERMISSIONS = 0o666`,
	Good:  `FILE_UPLOAD_PERMISSIONS = 0o644  # the default since Django 3.0`,
	Fix:   "Use 0o644 (or 0o640) for uploaded files.",
	Links: []string{settingDoc("file-upload-permissions")},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	if !j.isSet("FILE_UPLOAD_PERMISSIONS") {
		return
	}
	v := j.get("FILE_UPLOAD_PERMISSIONS")
	wide := func(a *settings.Value) (bool, bool) {
		switch a.Kind {
		case settings.Int:
			return a.I&^0o644 != 0, true
		case settings.None:
			return false, true
		}
		return false, false
	}
	if t := over(v, wide); t.fires() {
		w := witness(v, wide)
		report(j.finding("FILE_UPLOAD_PERMISSIONS", w, t, fmt.Sprintf("FILE_UPLOAD_PERMISSIONS is %#o: uploaded files get write or execute bits beyond 0o644", w.I)))
	}
}))

var mediaRootExposed = mk("DJG139", "media-root-exposed", "MEDIA_ROOT is inside STATIC_ROOT or the code tree", rules.Medium, rules.MediumConfidence, "A05", 434, rules.Doc{
	Why: `User uploads under STATIC_ROOT are served as static files with the site's own origin (an
uploaded HTML file becomes stored XSS) and may be overwritten by collectstatic. Uploads inside the
source tree mix untrusted files with code: they end up in backups and commits, and a misconfigured
server may execute or serve them.`,
	Bad:   `MEDIA_ROOT = BASE_DIR / "static" / "uploads"`,
	Good:  `MEDIA_ROOT = "/srv/notes/media"  # outside the code and static trees`,
	Fix:   "Put MEDIA_ROOT in its own directory outside STATIC_ROOT and the project's source tree.",
	Links: []string{settingDoc("media-root"), djangoDocs + "topics/security/#user-uploaded-content-security"},
}, func(pass *rules.Pass) error {
	d := newDedup(pass)
	root := strings.TrimSuffix(pass.Target.Root, "/")
	return forEachProduction(pass, func(j *judged) {
		media := j.get("MEDIA_ROOT")
		if media == nil || (media.Kind != settings.Str && media.Kind != settings.Path) || media.S == "" {
			return
		}
		m := path.Clean(media.S)
		if static := j.get("STATIC_ROOT"); static != nil && (static.Kind == settings.Str || static.Kind == settings.Path) && static.S != "" {
			s := path.Clean(static.S)
			if m == s || strings.HasPrefix(m, s+"/") {
				d.report(j.finding("MEDIA_ROOT", media, triYes, fmt.Sprintf("MEDIA_ROOT (%s) is inside STATIC_ROOT (%s): uploads are served as static files", relTo(root, m), relTo(root, s))))
				return
			}
		}
		if root != "" && (m == root || strings.HasPrefix(m, root+"/")) && media.Env == nil {
			f := j.finding("MEDIA_ROOT", media, triYes, fmt.Sprintf("MEDIA_ROOT (%s) is inside the project's source tree: uploads sit next to code", relTo(root, m)))
			f.Severity = rules.Low
			d.report(f)
		}
	})
})

func relTo(root, p string) string {
	if root != "" && strings.HasPrefix(p, root+"/") {
		return "<project>/" + strings.TrimPrefix(p, root+"/")
	}
	return p
}

const sixMonths = 15768000

var hstsTooShort = mk("DJG140", "hsts-too-short", "SECURE_HSTS_SECONDS is under six months", rules.Low, rules.HighConfidence, "A02", 319, rules.Doc{
	Why: `An HSTS max-age under six months (15768000 seconds) lapses between visits of occasional users,
who are then exposed to SSL stripping again; the Observatory and the preload list require at least
that (the preload list one year).`,
	Bad:   `SECURE_HSTS_SECONDS = 3600`,
	Good:  `SECURE_HSTS_SECONDS = 31536000`,
	Fix:   "Raise SECURE_HSTS_SECONDS to at least 15768000 (six months), ideally 31536000, once HTTPS is stable.",
	Links: []string{settingDoc("secure-hsts-seconds"), "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("SECURE_HSTS_SECONDS")
	short := func(a *settings.Value) (bool, bool) {
		switch a.Kind {
		case settings.Int:
			return a.I > 0 && a.I < sixMonths, true
		case settings.Bool, settings.None:
			return false, true
		}
		return false, false
	}
	if t := over(v, short); t.fires() {
		w := witness(v, short)
		report(j.finding("SECURE_HSTS_SECONDS", w, t, fmt.Sprintf("SECURE_HSTS_SECONDS is %d, under six months (15768000)", w.I)))
	}
}))

var templateOptions = mk("DJG141", "template-insecure-options", "TEMPLATES turn autoescaping off or template debug on", rules.High, rules.HighConfidence, "A03", 79, rules.Doc{
	Why: `"autoescape": False in a Django template backend's OPTIONS stops escaping of every variable in
every template: each {{ value }} from a user becomes stored or reflected XSS. "debug": True
renders detailed template error pages (source and context) independently of DEBUG.`,
	Bad:   `TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {"autoescape": False}}]`,
	Good:  `TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {}}]`,
	Fix:   "Remove autoescape: False and debug: True from TEMPLATES OPTIONS; mark individual safe values with mark_safe.",
	Links: []string{djangoDocs + "topics/templates/#django.template.backends.django.DjangoTemplates", djangoDocs + "ref/templates/api/#django.template.Engine", "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("TEMPLATES")
	for _, a := range v.Alternatives() {
		for _, backend := range a.Elems {
			opts := backend.Get("OPTIONS")
			if opts == nil {
				continue
			}
			if ae := opts.Get("autoescape"); ae != nil {
				if t := not(truthy(ae)); t.fires() {
					report(j.finding("TEMPLATES", ae, t, "TEMPLATES OPTIONS autoescape is off: every template variable is rendered unescaped (XSS)"))
				}
			}
			if dbg := opts.Get("debug"); dbg != nil {
				if t := truthy(dbg); t.fires() {
					f := j.finding("TEMPLATES", dbg, t, "TEMPLATES OPTIONS debug is on: template errors show source and context whatever DEBUG says")
					f.Severity = rules.Medium
					report(f)
				}
			}
		}
	}
}))

var corsAllowAll = mk("DJG142", "cors-allow-all", "django-cors-headers allows every origin, or credentials with broad origin patterns", rules.High, rules.HighConfidence, "A05", 942, rules.Doc{
	Why: `CORS_ALLOW_ALL_ORIGINS (CORS_ORIGIN_ALLOW_ALL before 3.5) lets any web site read the site's
responses from a visitor's browser. With CORS_ALLOW_CREDENTIALS the visitor's cookies go along, so
any page the user opens can read their private data; a loose CORS_ALLOWED_ORIGIN_REGEXES entry
(".*", an unescaped dot, no $ anchor) does the same for look-alike domains.`,
	Bad:   `CORS_ALLOW_ALL_ORIGINS = True`,
	Good:  `CORS_ALLOWED_ORIGINS = ["https://app.example.com"]`,
	Fix:   "List exact origins in CORS_ALLOWED_ORIGINS; use anchored, escaped regexes only when needed.",
	Links: []string{"https://github.com/adamchainz/django-cors-headers#configuration", "https://portswigger.net/web-security/cors", owaspA05},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	creds := truthy(j.get("CORS_ALLOW_CREDENTIALS"))
	for _, n := range []string{"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"} {
		if !j.isSet(n) {
			continue
		}
		v := j.get(n)
		if t := truthy(v); t.fires() {
			msg := n + " is True: any web site can read responses from a visitor's browser"
			f := j.finding(n, v, t, msg)
			if !creds.fires() {
				f.Severity = rules.Medium
			} else {
				f.Message += ", with the visitor's cookies (CORS_ALLOW_CREDENTIALS)"
			}
			report(f)
		}
	}
	if !creds.fires() {
		return
	}
	for _, n := range []string{"CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST"} {
		v := j.get(n)
		if v == nil {
			continue
		}
		for _, a := range v.Alternatives() {
			for _, e := range a.Elems {
				if e.Kind == settings.Str {
					if why := broadOriginRegex(e.S); why != "" {
						report(j.finding(n, e, triYes, fmt.Sprintf("%s entry %q %s, and CORS_ALLOW_CREDENTIALS sends cookies to those origins", n, e.S, why)))
					}
				}
			}
		}
	}
}))

// broadOriginRegex says why an origin regex matches more than intended.
func broadOriginRegex(re string) string {
	switch {
	case strings.Contains(re, ".*") || strings.Contains(re, ".+"):
		return "matches any text"
	case !strings.HasSuffix(re, "$") && !strings.HasSuffix(re, `\Z`):
		return "is not anchored with $ (https://example.com.evil.net matches)"
	}
	body := strings.ReplaceAll(re, `\.`, "")
	if strings.Contains(body, ".") {
		return "has an unescaped dot (it matches any character)"
	}
	return ""
}

var cspMissing = mk("DJG143", "csp-missing", "No Content-Security-Policy is configured", rules.Medium, rules.MediumConfidence, "A05", 1021, rules.Doc{
	Why: `A Content-Security-Policy is the browser-side net under XSS: it stops injected inline scripts
and scripts from other origins from running. Django sends none by default (before 6.0's SECURE_CSP);
without django-csp, SECURE_CSP or another CSP middleware the site has no policy at all, which the
Observatory scores -25.`,
	Bad:   `MIDDLEWARE = [...]  # no CSP middleware`,
	Good:  "MIDDLEWARE += [\"csp.middleware.CSPMiddleware\"]\nCSP_DEFAULT_SRC = (\"'self'\",)",
	Fix:   "Add a policy: django-csp's CSPMiddleware (or Django 6's ContentSecurityPolicyMiddleware with SECURE_CSP), starting from default-src 'self'.",
	Links: []string{djangoDocs + "ref/csp/", "https://django-csp.readthedocs.io/", "https://developer.mozilla.org/docs/Web/HTTP/CSP", "https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	if hasCSP(j) != triNo {
		return
	}
	mw := j.middleware()
	report(j.finding("MIDDLEWARE", mw, triYes, "no Content-Security-Policy: neither django-csp, Django's SECURE_CSP nor another CSP middleware is configured"))
}))

// hasCSP says whether a CSP is configured (a middleware or an app that
// sends one).
func hasCSP(j *judged) tri {
	mw := j.middleware()
	apps := j.get("INSTALLED_APPS")
	t := triNo
	for _, a := range mw.Alternatives() {
		if a.IsUnknown() {
			return triUnknown
		}
		for _, e := range a.Elems {
			if e.Kind != settings.Str {
				return triUnknown
			}
			l := strings.ToLower(e.S)
			if strings.Contains(l, "csp") || strings.Contains(l, "contentsecuritypolicy") || strings.Contains(l, "talisman") {
				t = triYes
			}
		}
	}
	if t == triYes {
		return t
	}
	if has(apps, "csp").fires() {
		return triYes
	}
	return triNo
}

var cspWeak = mk("DJG144", "csp-weak", "The Content-Security-Policy allows unsafe-inline, unsafe-eval or broad sources", rules.Medium, rules.MediumConfidence, "A05", 1021, rules.Doc{
	Why: `A policy only helps if it blocks injected script. 'unsafe-inline' in script-src (or no
script-src, object-src and default-src at all), a broad source such as https: or *, or 'unsafe-eval'
lets XSS through; the Observatory scores such policies -10 to -20. djangoguard builds the policy
from django-csp settings (CSP_* or CONTENT_SECURITY_POLICY) or SECURE_CSP and grades it with the
Observatory's rules.`,
	Bad:   `CSP_SCRIPT_SRC = ("'self'", "'unsafe-inline'")`,
	Good:  "CSP_DEFAULT_SRC = (\"'none'\",)\nCSP_SCRIPT_SRC = (\"'self'\",)",
	Fix:   "Remove 'unsafe-inline' and 'unsafe-eval' from script-src, use nonces or hashes, and set default-src or object-src to 'none'.",
	Links: []string{djangoDocs + "ref/csp/", "https://django-csp.readthedocs.io/", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	pol, where, name := buildCSP(j)
	if pol == nil {
		return
	}
	if grade, why, dir := gradeCSP(pol); grade != "" {
		if v := pol.at(dir); v != nil {
			where = v
			if strings.HasPrefix(name, "MIDDLEWARE") || name == "CSP_REPORT_ONLY" {
				name = "CSP_" + strings.ToUpper(strings.ReplaceAll(dir, "-", "_"))
			}
		}
		f := j.finding(name, where, triYes, "the Content-Security-Policy "+why)
		if grade == "unsafe-inline-style" {
			f.Severity = rules.Low
		}
		report(f)
	}
}))

var bruteForce = mk("DJG145", "no-brute-force-protection", "Login views have no brute-force protection", rules.Medium, rules.MediumConfidence, "A07", 307, rules.Doc{
	Why: `Django's login views and the admin accept unlimited password attempts. Without django-axes,
django-defender, django-ratelimit or DRF throttling in front of them, passwords can be guessed or
sprayed at the speed of the server.`,
	Bad:   `path("admin/", admin.site.urls)  # no axes, no rate limit`,
	Good:  "INSTALLED_APPS += [\"axes\"]\nMIDDLEWARE += [\"axes.middleware.AxesMiddleware\"]",
	Fix:   "Install django-axes (or django-defender / django-ratelimit) and configure lockout or rate limits on login.",
	Links: []string{djangoDocs + "topics/auth/default/#django.contrib.auth.views.LoginView", "https://django-axes.readthedocs.io/", "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks"},
}, func(pass *rules.Pass) error {
	d := newDedup(pass)
	rateLimitedInCode := codeMentions(pass.Target, "ratelimit", "throttle_classes", "axes", "defender")
	return forEachProduction(pass, func(j *judged) {
		if rateLimitedInCode || bruteForceProtected(j) {
			return
		}
		// One finding per project, on the admin when it is mounted, else on
		// the first login view; the message counts the others.
		var first *project.URL
		n := 0
		for _, u := range j.pr.URLs {
			if u.Kind == "admin" || isLoginURL(u) {
				n++
				if first == nil || u.Kind == "admin" && first.Kind != "admin" {
					first = u
				}
			}
		}
		if first == nil {
			return
		}
		what := "the admin login"
		if first.Kind != "admin" {
			what = "the login view " + first.Target
		}
		where := "at /" + first.Route
		if strings.Contains(first.Route, "<?>") {
			where = "(at an address computed at run time)"
		}
		msg := what + " " + where + " accepts unlimited password attempts: no django-axes, django-defender, django-ratelimit or DRF throttling found"
		if n > 1 {
			msg += fmt.Sprintf(" (%d login entry points in all)", n)
		}
		d.report(rules.Finding{Path: first.Path, Line: first.Line, Column: first.Col, SettingsModule: j.m.Name, Message: msg})
	})
})

func isLoginURL(u *project.URL) bool {
	l := strings.ToLower(u.Target + " " + u.Route)
	for _, k := range []string{"login", "signin", "sign_in", "django.contrib.auth.urls", "obtain_auth_token", "tokenobtain", "allauth.urls", "dj_rest_auth", "rest_auth", "knox.urls", "two_factor"} {
		if strings.Contains(l, k) {
			return true
		}
	}
	return false
}

func bruteForceProtected(j *judged) bool {
	apps := j.get("INSTALLED_APPS")
	mw := j.middleware()
	for _, name := range []string{"axes", "defender", "django_ratelimit", "ratelimit", "security"} {
		if has(apps, name).fires() {
			return true
		}
	}
	for _, a := range mw.Alternatives() {
		for _, e := range a.Elems {
			if e.Kind == settings.Str && (strings.Contains(e.S, "axes") || strings.Contains(e.S, "defender") || strings.Contains(e.S, "ratelimit")) {
				return true
			}
		}
	}
	if rf := j.get("REST_FRAMEWORK"); rf != nil && rf.Get("DEFAULT_THROTTLE_CLASSES") != nil {
		if t := truthy(rf.Get("DEFAULT_THROTTLE_CLASSES")); t.fires() {
			return true
		}
	}
	return false
}

// codeMentions says whether a Python file (not a settings module or a
// test) imports one of the names: evidence of per-view rate limiting.
func codeMentions(t *rules.Target, names ...string) bool {
	for _, f := range t.FilesOf(rules.PythonFile) {
		if strings.Contains(f.Path, "test") || strings.Contains(f.Path, "/settings") {
			continue
		}
		for _, n := range names {
			if mentions(f.Content, n) {
				return true
			}
		}
	}
	return false
}

// mentions reports whether src holds "import n", "from n", "@n" or "n =":
// one pass over src per name, looking at what surrounds each occurrence.
func mentions(src []byte, n string) bool {
	for off := 0; ; {
		i := bytes.Index(src[off:], []byte(n))
		if i < 0 {
			return false
		}
		i += off
		before, after := src[:i], src[i+len(n):]
		if bytes.HasSuffix(before, []byte("import ")) || bytes.HasSuffix(before, []byte("from ")) ||
			bytes.HasSuffix(before, []byte("@")) || bytes.HasPrefix(after, []byte(" =")) {
			return true
		}
		off = i + 1
	}
}

var drfPermissions = mk("DJG146", "drf-default-permissions", "Django REST framework has no default permission, or AllowAny", rules.Medium, rules.MediumConfidence, "A01", 862, rules.Doc{
	Why: `DRF's default permission is AllowAny: every API view without its own permission_classes is
open to anonymous users, including writes. Setting DEFAULT_PERMISSION_CLASSES to IsAuthenticated
(or stricter) makes forgetting a permission fail closed.`,
	Bad:   `REST_FRAMEWORK = {}`,
	Good:  `REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}`,
	Fix:   "Set REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES'] to IsAuthenticated (or stricter) and open views explicitly.",
	Links: []string{"https://www.django-rest-framework.org/api-guide/permissions/#setting-the-permission-policy", owaspA01},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	apps := j.get("INSTALLED_APPS")
	if !has(apps, "rest_framework").fires() {
		return
	}
	rf := j.get("REST_FRAMEWORK")
	if rf == nil || rf.Kind != settings.Dict {
		if rf == nil {
			report(j.finding("REST_FRAMEWORK", appEntry(apps, "rest_framework"), triYes, "rest_framework is installed without REST_FRAMEWORK settings: every API view defaults to AllowAny"))
		}
		return
	}
	perms := rf.Get("DEFAULT_PERMISSION_CLASSES")
	if perms == nil {
		report(j.finding("REST_FRAMEWORK", rf, triYes, "REST_FRAMEWORK has no DEFAULT_PERMISSION_CLASSES: every API view defaults to AllowAny"))
		return
	}
	for _, e := range perms.Elems {
		if e.Kind == settings.Str && strings.HasSuffix(e.S, "AllowAny") {
			report(j.finding("REST_FRAMEWORK", e, triYes, "DEFAULT_PERMISSION_CLASSES includes AllowAny: API views are open to anonymous users unless they say otherwise"))
		}
	}
}))

func appEntry(apps *settings.Value, name string) *settings.Value {
	for _, a := range apps.Alternatives() {
		for _, e := range a.Elems {
			if e.Kind == settings.Str && e.S == name {
				return e
			}
		}
	}
	return apps
}

var drfThrottling = mk("DJG147", "drf-no-throttling", "Django REST framework has no default throttling", rules.Low, rules.MediumConfidence, "A04", 770, rules.Doc{
	Why: `Without DEFAULT_THROTTLE_CLASSES, API endpoints (token login included) accept unlimited
requests: credential stuffing, scraping and expensive queries are limited only by the server.`,
	Bad:   `REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": [...]}`,
	Good:  `REST_FRAMEWORK = {..., "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle", "rest_framework.throttling.UserRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "100/hour", "user": "1000/hour"}}`,
	Fix:   "Set DEFAULT_THROTTLE_CLASSES and DEFAULT_THROTTLE_RATES in REST_FRAMEWORK.",
	Links: []string{"https://www.django-rest-framework.org/api-guide/throttling/"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	apps := j.get("INSTALLED_APPS")
	if !has(apps, "rest_framework").fires() {
		return
	}
	rf := j.get("REST_FRAMEWORK")
	if rf != nil && rf.Kind == settings.Dict && rf.Get("DEFAULT_THROTTLE_CLASSES") != nil {
		return
	}
	where := rf
	if where == nil {
		where = appEntry(apps, "rest_framework")
	}
	report(j.finding("REST_FRAMEWORK", where, triYes, "REST_FRAMEWORK has no DEFAULT_THROTTLE_CLASSES: API endpoints accept unlimited requests"))
}))

var debugApps = map[string]string{
	"debug_toolbar":     "django-debug-toolbar shows SQL, settings and request data",
	"django_extensions": "django-extensions adds runserver_plus (Werkzeug debugger) and shell commands",
	"silk":              "django-silk records and shows requests and SQL",
	"debug_permissions": "debug_permissions",
}

var debugAppsInProduction = mk("DJG148", "debug-apps-in-production", "Development apps are installed in production settings", rules.Medium, rules.HighConfidence, "A05", 489, rules.Doc{
	Why: `debug_toolbar, django_extensions and silk are development tools: they expose SQL queries,
settings, request data or an interactive debugger, and widen the attack surface for no production
benefit.`,
	Bad:   `INSTALLED_APPS += ["debug_toolbar"]`,
	Good:  `# add debug_toolbar only in the development settings module`,
	Fix:   "Install development apps only in development settings.",
	Links: []string{settingDoc("installed-apps"), "https://django-debug-toolbar.readthedocs.io/en/latest/installation.html"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	apps := j.get("INSTALLED_APPS")
	for _, a := range apps.Alternatives() {
		for _, e := range a.Elems {
			if e.Kind != settings.Str {
				continue
			}
			name := strings.SplitN(e.S, ".", 2)[0]
			if why, ok := debugApps[name]; ok {
				report(j.finding("INSTALLED_APPS", e, triYes, fmt.Sprintf("%q is installed in the production settings: %s", e.S, why)))
			}
		}
	}
}))

var middlewareOrder = mk("DJG149", "middleware-order", "MIDDLEWARE is in an order that weakens a protection", rules.Medium, rules.HighConfidence, "A05", 696, rules.Doc{
	Why: `Middleware runs top to bottom on requests. SecurityMiddleware should come first so its
redirects and headers apply to every response; LoginRequiredMiddleware before
AuthenticationMiddleware sees no user (Django 5.1's auth.E013); with CSRF_USE_SESSIONS the CSRF
middleware needs the session, so it must come after SessionMiddleware; AuthenticationMiddleware
needs SessionMiddleware before it.`,
	Bad:   "MIDDLEWARE = [\"django.contrib.sessions.middleware.SessionMiddleware\", \"django.middleware.security.SecurityMiddleware\", ...]",
	Good:  "MIDDLEWARE = [\"django.middleware.security.SecurityMiddleware\", \"django.contrib.sessions.middleware.SessionMiddleware\", ...]",
	Fix:   "Order MIDDLEWARE as startproject does: SecurityMiddleware first, then sessions, common, CSRF, authentication, messages, clickjacking.",
	Links: []string{djangoDocs + "ref/middleware/#middleware-ordering", djangoDocs + "topics/http/middleware/"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	mw := j.middleware()
	if !mw.Known() {
		return
	}
	items, ok := mw.Strings()
	if !ok {
		return
	}
	idx := func(s string) int {
		for i, x := range items {
			if x == s {
				return i
			}
		}
		return -1
	}
	at := func(i int) *settings.Value { return mw.Elems[i] }
	if i := idx(secMW); i > 0 {
		f := j.finding("MIDDLEWARE", at(i), triYes, fmt.Sprintf("SecurityMiddleware is entry %d of MIDDLEWARE, not the first: responses from the middleware above it miss its redirects and headers", i+1))
		f.Severity = rules.Low
		report(f)
	}
	if l, a := idx(loginReqMW), idx(authMW); l >= 0 && (a < 0 || l < a) {
		f := j.finding("MIDDLEWARE", at(l), triYes, "LoginRequiredMiddleware comes before AuthenticationMiddleware: it sees no user (auth.E013)")
		f.Severity = rules.High
		f.DjangoCheck = "auth.E013"
		report(f)
	}
	if c, s := idx(csrfMW), idx(sessionMW); c >= 0 && s > c && truthy(j.get("CSRF_USE_SESSIONS")).fires() {
		report(j.finding("MIDDLEWARE", at(c), triYes, "CSRF_USE_SESSIONS is on but CsrfViewMiddleware comes before SessionMiddleware: the CSRF token cannot be read from the session"))
	}
	if a, s := idx(authMW), idx(sessionMW); a >= 0 && s > a {
		f := j.finding("MIDDLEWARE", at(a), triYes, "AuthenticationMiddleware comes before SessionMiddleware: request.user cannot be loaded (admin.E410)")
		f.DjangoCheck = "admin.E410"
		report(f)
	}
}))

var longSession = mk("DJG150", "long-session", "Sessions last longer than two weeks and survive browser close", rules.Low, rules.HighConfidence, "A07", 613, rules.Doc{
	Why: `A session cookie valid for months on a shared or stolen device keeps the account open long
after the user left. Django's default is two weeks; longer ages should at least expire when the
browser closes.`,
	Bad:   `SESSION_COOKIE_AGE = 60 * 60 * 24 * 90`,
	Good:  `SESSION_COOKIE_AGE = 60 * 60 * 8`,
	Fix:   "Keep SESSION_COOKIE_AGE at two weeks or less, or set SESSION_EXPIRE_AT_BROWSER_CLOSE = True.",
	Links: []string{settingDoc("session-cookie-age"), settingDoc("session-expire-at-browser-close"), "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration"},
}, prodRule(func(j *judged, report func(rules.Finding)) {
	v := j.get("SESSION_COOKIE_AGE")
	isLong := func(a *settings.Value) (bool, bool) {
		if a.Kind == settings.Int {
			return a.I > 1209600, true
		}
		return false, false
	}
	if t := and(over(v, isLong), not(isTrue(j.get("SESSION_EXPIRE_AT_BROWSER_CLOSE")))); t.fires() {
		w := witness(v, isLong)
		report(j.finding("SESSION_COOKIE_AGE", w, t, fmt.Sprintf("SESSION_COOKIE_AGE is %d seconds (%d days), beyond two weeks, and sessions survive browser close", w.I, w.I/86400)))
	}
}))
