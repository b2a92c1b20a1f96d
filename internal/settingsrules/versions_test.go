package settingsrules

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/project"
)

// TestDeployChecksFollowDjangoVersions: the same settings give different
// answers on different Django series, as Django's own checks and defaults
// changed.
func TestDeployChecksFollowDjangoVersions(t *testing.T) {
	const base = `
SECRET_KEY = "django-insecure-` + "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEF" + `"
ALLOWED_HOSTS = ["example.com"]
INSTALLED_APPS = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = True
CSRF_COOKIE_SECURE = True
`
	cases := []struct {
		name, version, extra string
		want                 []string
	}{
		// Before 3.0: X_FRAME_OPTIONS defaulted to SAMEORIGIN, nosniff to
		// False; no referrer checks; no insecure-prefix test in W009.
		{"2.2 defaults", "2.2.28", "", []string{"security.W006", "security.W019"}},
		// 3.0: nosniff and DENY by default; SECURE_REFERRER_POLICY None.
		{"3.0 defaults", "3.0.14", "", []string{"security.W022"}},
		// 3.1: referrer policy same-origin by default; E100 exists.
		{"3.1 hashing algorithm", "3.1.14", `DEFAULT_HASHING_ALGORITHM = "md5"`, []string{"security.E100"}},
		// 3.2: the django-insecure- prefix makes a key weak.
		{"3.2 insecure prefix", "3.2.25", "", []string{"security.W009"}},
		// 4.0: E024 exists, E100 is gone.
		{"4.0 coop", "4.0.10", "SECURE_CROSS_ORIGIN_OPENER_POLICY = \"same_origin\"\nDEFAULT_HASHING_ALGORITHM = \"md5\"", []string{"security.E024", "security.W009"}},
		{"3.2 no coop check", "3.2.25", `SECURE_CROSS_ORIGIN_OPENER_POLICY = "same_origin"`, []string{"security.W009"}},
		// 4.1: weak fallbacks are reported one by one.
		{"4.1 fallbacks", "4.1.13", `SECRET_KEY_FALLBACKS = ["old", "x" * 60]`, []string{"security.W009", "security.W025", "security.W025"}},
		{"4.0 no fallback check", "4.0.10", `SECRET_KEY_FALLBACKS = ["old"]`, []string{"security.W009"}},
		// No version known: the newest series.
		{"newest", "", "SECURE_CROSS_ORIGIN_OPENER_POLICY = \"bogus\"\nSECRET_KEY_FALLBACKS = [\"old\"]", []string{"security.E024", "security.W009", "security.W025"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"proj/settings.py": base + c.extra + "\n"}
			if c.version != "" {
				files["requirements.txt"] = "Django==" + c.version + "\n"
			}
			tg := fixtureTarget(files)
			prs, err := project.Load(context.Background(), tg)
			if err != nil || len(prs) != 1 {
				t.Fatalf("load: %v %v", prs, err)
			}
			if prs[0].Django != c.version {
				t.Fatalf("version %q, want %q", prs[0].Django, c.version)
			}
			j := &judged{pr: prs[0], m: prs[0].Production, version: parseVersion(prs[0].Django)}
			got := djangoCheckIDs(j)
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestFindingsNameSettingValueAndCheck: a finding says which setting, its
// value (redacted when secret), where it was set, the module it was judged
// under and Django's check ID.
func TestFindingsNameSettingValueAndCheck(t *testing.T) {
	tg := fixtureTarget(map[string]string{
		"proj/settings/__init__.py":   "",
		"proj/settings/base.py":       "import os\nSECRET_KEY = os.environ.get(\"KEY\", \"short-secret\")\nMIDDLEWARE = [\"django.middleware.security.SecurityMiddleware\"]\n",
		"proj/settings/production.py": "from .base import *\nSECURE_HSTS_SECONDS = 0\n",
	})
	var all []string
	for _, r := range []*struct {
		code string
	}{{"DJG106"}, {"DJG110"}, {"DJG102"}} {
		var rule = ruleByCode(r.code)
		for _, f := range runRule(t, rule, tg) {
			all = append(all, f.RuleID)
			if f.SettingsModule != "proj.settings.production" && f.RuleID != "DJG102" {
				t.Errorf("%s judged under %q", f.RuleID, f.SettingsModule)
			}
			switch f.RuleID {
			case "DJG106":
				if f.DjangoCheck != "security.W004" || f.Setting.Name != "SECURE_HSTS_SECONDS" || f.Setting.Value != "0" || f.Path != "proj/settings/production.py" || f.Line != 2 {
					t.Errorf("DJG106: %+v %+v", f, f.Setting)
				}
			case "DJG110", "DJG102":
				if strings.Contains(f.Setting.Value, "short-secret") || !strings.Contains(f.Setting.Value, "redacted") || f.Setting.Env != "KEY" {
					t.Errorf("%s leaks or misses the env: %+v", f.RuleID, f.Setting)
				}
				if f.Path != "proj/settings/base.py" || f.Line != 2 {
					t.Errorf("%s at %s:%d", f.RuleID, f.Path, f.Line)
				}
			}
		}
	}
	sort.Strings(all)
	if strings.Join(all, " ") != "DJG102 DJG106 DJG110" {
		t.Errorf("findings %v", all)
	}
}
