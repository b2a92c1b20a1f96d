package correlate

import (
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Rules returns the 6xx correlation rules.
func Rules() []*rules.Rule {
	return []*rules.Rule{HSTSStripped, DebugPageDespiteSettings, CSPNotDeployed, SSLRedirectNotDeployed, SessionCookieSecureNotDeployed}
}

func subject(p *rules.Pass) (*Input, error) {
	in, ok := p.Subject.(*Input)
	if !ok || in == nil {
		return nil, fmt.Errorf("correlation rule %s got %T, want *correlate.Input", p.Rule.Code, p.Subject)
	}
	return in, nil
}

func run(f func(p *rules.Pass, in *Input)) func(*rules.Pass) error {
	return func(p *rules.Pass) error {
		in, err := subject(p)
		if err != nil {
			return err
		}
		if in.Probe == nil || in.Settings == nil {
			return nil
		}
		f(p, in)
		return nil
	}
}

func ref(a *Assignment) *rules.SettingRef {
	return &rules.SettingRef{Name: a.Name, Value: a.Raw, Path: a.Path, Line: a.Line}
}

const cweLink = "https://cwe.mitre.org/data/definitions/%d.html"

// HSTSStripped: settings enable HSTS, the live https answer has none.
var HSTSStripped = &rules.Rule{
	Code: "DJG601", Name: "correlate-hsts-stripped", Title: "Settings enable HSTS but the live site sends no Strict-Transport-Security",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 319, Kind: rules.Correlation,
	Doc: rules.Doc{
		Why: "SECURE_HSTS_SECONDS makes Django's SecurityMiddleware send Strict-Transport-Security on https responses. " +
			"When the settings set it and the deployed site still answers without the header, something between Django and the " +
			"browser removes it (a proxy or CDN rewriting headers), the middleware is missing, or another settings module is deployed. " +
			"Browsers then accept a downgrade to plain http on the next visit.",
		Bad:   "# settings/production.py\nSECURE_HSTS_SECONDS = 31536000\n# live: https://example.com/ answers with no Strict-Transport-Security",
		Good:  "# the proxy passes the header through, or sets it itself:\nadd_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;",
		Fix:   "Find what strips Strict-Transport-Security between Django and the client (proxy, CDN, wrong DJANGO_SETTINGS_MODULE) and let it through",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security", fmt.Sprintf(cweLink, 319)},
	},
	Run: run(func(p *rules.Pass, in *Input) {
		t := in.test(live.TestHSTS)
		if t == nil || t.Result != "hsts-not-implemented" {
			return
		}
		for _, a := range in.Settings.Find("SECURE_HSTS_SECONDS") {
			if a.Int != nil && *a.Int > 0 {
				p.Report(rules.Finding{Path: a.Path, Line: a.Line, URL: in.url(), Setting: ref(a),
					Message: fmt.Sprintf("%s:%d sets SECURE_HSTS_SECONDS = %s, but %s answers over https without Strict-Transport-Security: a proxy strips it, SecurityMiddleware is missing, or another settings module is deployed", a.Path, a.Line, a.Raw, in.url())})
				return
			}
		}
	}),
}

// DebugPageDespiteSettings: the production settings say DEBUG = False, the
// site shows Django's DEBUG pages.
var DebugPageDespiteSettings = &rules.Rule{
	Code: "DJG602", Name: "correlate-debug-wrong-settings", Title: "Production settings set DEBUG = False but the live site shows a DEBUG page",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 489, Kind: rules.Correlation,
	Doc: rules.Doc{
		Why: "The live site shows Django's technical 404 or 500 page, which only DEBUG = True produces, while the production " +
			"settings module says DEBUG = False. The deployed process is not using that module: DJANGO_SETTINGS_MODULE points " +
			"elsewhere (often the development settings), or an environment variable overrides DEBUG. The DEBUG pages leak settings, " +
			"paths, SQL and source code.",
		Bad:   "# settings/production.py\nDEBUG = False\n# but the service runs with DJANGO_SETTINGS_MODULE=project.settings.dev",
		Good:  "# the service definition\nEnvironment=DJANGO_SETTINGS_MODULE=project.settings.production",
		Fix:   "Check DJANGO_SETTINGS_MODULE and the DEBUG environment of the deployed process; deploy the production settings",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/settings/#debug", "https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings", fmt.Sprintf(cweLink, 489)},
	},
	Run: run(func(p *rules.Pass, in *Input) {
		pages := in.liveFindings("DJG500", "DJG501")
		if len(pages) == 0 {
			return
		}
		for _, f := range in.Settings.Files {
			a, ok := f.Values["DEBUG"]
			if !ok || !f.Production || a.Bool == nil || *a.Bool {
				continue
			}
			p.Report(rules.Finding{Path: a.Path, Line: a.Line, URL: pages[0].URL, Setting: ref(a), SettingsModule: modulePath(f.Path),
				Message: fmt.Sprintf("%s:%d sets DEBUG = False, but %s shows Django's DEBUG page: the deployed process runs other settings (check DJANGO_SETTINGS_MODULE) or overrides DEBUG", a.Path, a.Line, pages[0].URL)})
			return
		}
	}),
}

// CSPNotDeployed: the settings configure a Content-Security-Policy, the
// live page has none.
var CSPNotDeployed = &rules.Rule{
	Code: "DJG603", Name: "correlate-csp-not-deployed", Title: "Settings configure a Content-Security-Policy that the live site does not send",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A05", CWE: 1021, Kind: rules.Correlation,
	Doc: rules.Doc{
		Why: "The settings configure a Content-Security-Policy (Django 6's SECURE_CSP, or django-csp's CSP_* settings and " +
			"CSPMiddleware), but the live page carries no Content-Security-Policy header. The policy the team reviewed is not the " +
			"one protecting users: the middleware is not in the deployed MIDDLEWARE, a proxy drops the header, or other settings are deployed.",
		Bad:   "# settings.py\nCSP_DEFAULT_SRC = (\"'self'\",)\n# live: no Content-Security-Policy header",
		Good:  "MIDDLEWARE = [..., \"csp.middleware.CSPMiddleware\"]\nCSP_DEFAULT_SRC = (\"'self'\",)",
		Fix:   "Make sure the CSP middleware runs in the deployed settings and that no proxy drops Content-Security-Policy",
		Links: []string{"https://docs.djangoproject.com/en/dev/ref/csp/", "https://django-csp.readthedocs.io/", fmt.Sprintf(cweLink, 1021)},
	},
	Run: run(func(p *rules.Pass, in *Input) {
		t := in.test(live.TestCSP)
		if t == nil || t.Result != "csp-not-implemented" {
			return
		}
		for _, name := range []string{"SECURE_CSP", "CONTENT_SECURITY_POLICY", "CSP_DEFAULT_SRC", "CSP_SCRIPT_SRC"} {
			for _, a := range in.Settings.Find(name) {
				if a.Raw == "" || a.Raw == "None" || a.Raw == "{}" {
					continue
				}
				p.Report(rules.Finding{Path: a.Path, Line: a.Line, URL: in.url(), Setting: ref(a),
					Message: fmt.Sprintf("%s:%d configures a Content-Security-Policy (%s), but %s sends none", a.Path, a.Line, a.Name, in.url())})
				return
			}
		}
	}),
}

// SSLRedirectNotDeployed: SECURE_SSL_REDIRECT = True, plain http does not
// redirect to https.
var SSLRedirectNotDeployed = &rules.Rule{
	Code: "DJG604", Name: "correlate-ssl-redirect-missing", Title: "Settings set SECURE_SSL_REDIRECT but the live site does not redirect http to https",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A02", CWE: 319, Kind: rules.Correlation,
	Doc: rules.Doc{
		Why: "With SECURE_SSL_REDIRECT = True Django redirects every plain-http request to https. The live site answers plain " +
			"http without that redirect, so the setting is not in effect: the proxy serves http itself, the proxy tells Django every " +
			"request is secure (a wrong SECURE_PROXY_SSL_HEADER), or other settings are deployed.",
		Bad:   "SECURE_SSL_REDIRECT = True\n# live: http://example.com/ answers 200",
		Good:  "# nginx\nserver { listen 80; return 301 https://$host$request_uri; }",
		Fix:   "Redirect plain http to https at the proxy, and check SECURE_PROXY_SSL_HEADER matches what the proxy sends",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/settings/#secure-ssl-redirect", fmt.Sprintf(cweLink, 319)},
	},
	Run: run(func(p *rules.Pass, in *Input) {
		t := in.test(live.TestRedirection)
		if t == nil || (t.Result != "redirection-missing" && t.Result != "redirection-not-to-https") {
			return
		}
		for _, a := range in.Settings.Find("SECURE_SSL_REDIRECT") {
			if a.Bool != nil && *a.Bool {
				p.Report(rules.Finding{Path: a.Path, Line: a.Line, URL: in.url(), Setting: ref(a),
					Message: fmt.Sprintf("%s:%d sets SECURE_SSL_REDIRECT = True, but plain http to %s is not redirected to https (%s)", a.Path, a.Line, in.url(), t.Result)})
				return
			}
		}
	}),
}

// SessionCookieSecureNotDeployed: SESSION_COOKIE_SECURE = True, the live
// session cookie lacks Secure.
var SessionCookieSecureNotDeployed = &rules.Rule{
	Code: "DJG605", Name: "correlate-session-cookie-secure-missing", Title: "Settings set SESSION_COOKIE_SECURE but the live session cookie lacks Secure",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A05", CWE: 614, Kind: rules.Correlation,
	Doc: rules.Doc{
		Why: "SESSION_COOKIE_SECURE = True makes Django mark the session cookie Secure. The live site sets it without Secure, " +
			"so the deployed process does not use these settings, or a proxy rewrites Set-Cookie. The cookie can then leak over plain http.",
		Bad:   "SESSION_COOKIE_SECURE = True\n# live: Set-Cookie: sessionid=...; HttpOnly; Path=/",
		Good:  "# live: Set-Cookie: sessionid=...; HttpOnly; Path=/; SameSite=Lax; Secure",
		Fix:   "Deploy the settings that set SESSION_COOKIE_SECURE = True and make sure no proxy rewrites Set-Cookie",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-secure", fmt.Sprintf(cweLink, 614)},
	},
	Run: run(func(p *rules.Pass, in *Input) {
		var live []rules.Finding
		for _, f := range in.liveFindings("DJG507") {
			if f.Setting != nil && f.Setting.Name == "SESSION_COOKIE_SECURE" {
				live = append(live, f)
			}
		}
		if len(live) == 0 {
			return
		}
		for _, a := range in.Settings.Find("SESSION_COOKIE_SECURE") {
			if a.Bool != nil && *a.Bool {
				p.Report(rules.Finding{Path: a.Path, Line: a.Line, URL: live[0].URL, Setting: ref(a),
					Message: fmt.Sprintf("%s:%d sets SESSION_COOKIE_SECURE = True, but %s sets the session cookie without Secure", a.Path, a.Line, live[0].URL)})
				return
			}
		}
	}),
}

// modulePath turns "project/settings/prod.py" into "project.settings.prod".
func modulePath(p string) string {
	p = strings.TrimSuffix(strings.TrimSuffix(p, ".py"), "/__init__")
	return strings.ReplaceAll(p, "/", ".")
}
