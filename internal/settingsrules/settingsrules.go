// Package settingsrules holds the 1xx rules: Django settings and URLconfs.
package settingsrules

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// Rules returns the 1xx rules.
func Rules() []*rules.Rule { return []*rules.Rule{DebugEnabled, SecretKeyInSource} }

// DebugEnabled is DJG101.
var DebugEnabled = &rules.Rule{
	Code:       "DJG101",
	Name:       "debug-enabled",
	Title:      "DEBUG is set to True in a settings module",
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	OWASP:      "A05",
	CWE:        489,
	Kind:       rules.Static,
	Run:        runDebugEnabled,
	Doc: rules.Doc{
		Why: `With DEBUG = True, any error shows Django's technical page: the full traceback with
local variables, every setting (Django masks only names that look secret), the installed apps and
middleware, and the URL patterns. Django also keeps every SQL query in memory. Anyone who can make
the site fail, or request a missing URL, learns how the application is built.`,
		Bad:  "DEBUG = True",
		Good: `DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"  # False unless set explicitly`,
		Fix:  "Set DEBUG = False in production settings, or read it from the environment with a False default.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/settings/#debug",
			"https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#debug",
			"https://owasp.org/Top10/A05_2021-Security_Misconfiguration/",
			"https://cwe.mitre.org/data/definitions/489.html",
		},
	},
}

// SecretKeyInSource is DJG102.
var SecretKeyInSource = &rules.Rule{
	Code:       "DJG102",
	Name:       "secret-key-in-source",
	Title:      "SECRET_KEY is written as a literal in source",
	Severity:   rules.High,
	Confidence: rules.HighConfidence,
	OWASP:      "A02",
	CWE:        798,
	Kind:       rules.Static,
	Run:        runSecretKeyInSource,
	Doc: rules.Doc{
		Why: `SECRET_KEY signs sessions (with the signed_cookies engine, their whole content),
password-reset tokens, messages and everything that uses django.core.signing. Anyone who has it can
forge those. A key in source is in every clone, fork, backup and CI log of the repository, and it
cannot be rotated without a commit.`,
		Bad:  `SECRET_KEY = "django-insecure-2x@9v..."`,
		Good: `SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # fails loudly when missing`,
		Fix:  "Read SECRET_KEY from the environment or a secrets manager with no default, and rotate the key that was committed.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/settings/#secret-key",
			"https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key",
			"https://owasp.org/Top10/A02_2021-Cryptographic_Failures/",
			"https://cwe.mitre.org/data/definitions/798.html",
		},
	},
}

// isSettingsModule says whether a Python file looks like a Django settings
// module: settings.py, settings_*.py, or any module in a settings/ package.
// The settings evaluator replaces this guess with the project model.
func isSettingsModule(p string) bool {
	base := path.Base(p)
	if !strings.HasSuffix(base, ".py") {
		return false
	}
	if base == "settings.py" || strings.HasPrefix(base, "settings_") {
		return true
	}
	dir := path.Base(path.Dir(p))
	return dir == "settings"
}

var (
	debugTrueRE = regexp.MustCompile(`^DEBUG\s*(?::\s*bool\s*)?=\s*True\s*(#.*)?$`)
	secretRE    = regexp.MustCompile(`^SECRET_KEY\s*(?::\s*str\s*)?=\s*[rRbBuU]?("[^"]*"|'[^']*')\s*(#.*)?$`)
)

func eachSettingsLine(pass *rules.Pass, fn func(f *rules.File, line int, text string)) {
	for _, f := range pass.Target.FilesOf(rules.PythonFile) {
		if !isSettingsModule(f.Path) {
			continue
		}
		for i := 1; i <= f.LineCount(); i++ {
			if pass.Context.Err() != nil {
				return
			}
			fn(f, i, f.LineText(i))
		}
	}
}

func runDebugEnabled(pass *rules.Pass) error {
	eachSettingsLine(pass, func(f *rules.File, line int, text string) {
		if debugTrueRE.MatchString(text) {
			pass.Report(rules.Finding{
				Path: f.Path, Line: line, Column: 1, EndColumn: len(strings.TrimRight(text, " \t")) + 1,
				Message:     "DEBUG = True: Django shows tracebacks, settings and URL patterns to anyone who triggers an error",
				Setting:     &rules.SettingRef{Name: "DEBUG", Value: "True", Path: f.Path, Line: line},
				DjangoCheck: "security.W018",
			})
		}
	})
	return nil
}

func runSecretKeyInSource(pass *rules.Pass) error {
	eachSettingsLine(pass, func(f *rules.File, line int, text string) {
		if m := secretRE.FindStringSubmatch(text); m != nil {
			pass.Report(rules.Finding{
				Path: f.Path, Line: line, Column: 1, EndColumn: len(strings.TrimRight(text, " \t")) + 1,
				Message: "SECRET_KEY is a literal in source: anyone with the code can forge sessions, password-reset tokens and signed data",
				Setting: &rules.SettingRef{Name: "SECRET_KEY", Value: redact(m[1]), Path: f.Path, Line: line},
			})
		}
	})
	return nil
}

// redact shows only the length of a quoted secret.
func redact(quoted string) string {
	n := len(quoted) - 2
	if n < 0 {
		n = 0
	}
	return strings.Repeat("*", min(n, 8)) + " (" + strconv.Itoa(n) + " characters, redacted)"
}
