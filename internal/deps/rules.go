package deps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/djangoguard/djangoguard/internal/deps/vulndb"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Auditor runs the dependency audit for the DJG4xx rules. One Auditor
// loads the vulnerability database at most once.
type Auditor struct {
	cfg Config
}

// NewAuditor returns an auditor with the given configuration.
func NewAuditor(cfg Config) *Auditor {
	if cfg.Calendar == nil {
		cfg.Calendar = DefaultCalendar()
	}
	return &Auditor{cfg: cfg}
}

// DefaultConfig uses the newer of the embedded database and the one in
// the user's cache directory, the real clock and the embedded calendar.
func DefaultConfig() Config {
	dir, err := vulndb.DefaultCacheDir()
	if err != nil {
		dir = ""
	}
	store := vulndb.NewStore(dir)
	return Config{DB: store.DB, Now: time.Now, Calendar: DefaultCalendar()}
}

// Rules returns the DJG4xx rules, auditing with DefaultConfig.
func Rules() []*rules.Rule { return NewAuditor(DefaultConfig()).Rules() }

type auditKey struct{ a *Auditor }

// AuditTarget audits the dependency files of a scan target, once per
// target however many rules ask.
func (a *Auditor) AuditTarget(ctx context.Context, t *rules.Target) (*Result, error) {
	v, err := t.Memo(auditKey{a}, func() (any, error) {
		var paths []string
		for _, f := range t.FilesOf(rules.DependencyFile) {
			paths = append(paths, f.Path)
		}
		pr := Load(ctx, paths, TargetOpener(t))
		return Audit(pr, a.cfg)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Result), nil
}

// TargetOpener reads files of the target, or from disk under its root for
// files the discovery did not keep (an included constraints file with an
// unusual name). Paths leaving the root, also through symbolic links,
// are refused.
func TargetOpener(t *rules.Target) Opener {
	return func(rel string) ([]byte, error) {
		if f := t.File(rel); f != nil {
			return f.Content, nil
		}
		if t.Root == "" {
			return nil, fmt.Errorf("%s: %w", rel, fs.ErrNotExist)
		}
		return readUnder(t.Root, rel)
	}
}

// DiskOpener reads files under root.
func DiskOpener(root string) Opener {
	return func(rel string) ([]byte, error) { return readUnder(root, rel) }
}

func readUnder(root, rel string) ([]byte, error) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	if r, err := filepath.Rel(realRoot, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s leads outside the project", rel)
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", rel)
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("%s: %d bytes is over the %d byte limit", rel, st.Size(), maxFile)
	}
	return os.ReadFile(real)
}

func (a *Auditor) run(code string) func(*rules.Pass) error {
	return func(p *rules.Pass) error {
		if p.Target == nil {
			return nil
		}
		ctx := p.Context
		if ctx == nil {
			ctx = context.Background()
		}
		res, err := a.AuditTarget(ctx, p.Target)
		if err != nil {
			return fmt.Errorf("dependency audit: %w", err)
		}
		for _, iss := range res.Issues {
			if iss.Code == code {
				p.Report(iss.Finding())
			}
		}
		if res.DBErr != nil && code == CodeVulnerable && !errors.Is(res.DBErr, vulndb.ErrNoDatabase) {
			return fmt.Errorf("vulnerability database: %w", res.DBErr)
		}
		return nil
	}
}

// Finding converts an issue to a finding (the pass fills the rule's
// metadata).
func (iss Issue) Finding() rules.Finding {
	return rules.Finding{Path: iss.Path, Line: iss.Line, Column: iss.Column, Message: iss.Message, Severity: iss.Severity}
}

// Rules returns the DJG4xx rules bound to this auditor.
func (a *Auditor) Rules() []*rules.Rule {
	return []*rules.Rule{
		{
			Code: CodeVulnerable, Name: "vulnerable-dependency",
			Title:    "Pinned or locked dependency version has known vulnerabilities",
			Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A06", CWE: 1395, Kind: rules.Static,
			Doc: rules.Doc{
				Why: "The version a requirements or lock file pins is the code that runs in production. When a published advisory " +
					"(CVE, GHSA, PYSEC, or Django's own security archive) covers that version, the flaw is public, often with a " +
					"proof of concept, and attackers scan for it. djangoguard matches pinned and locked versions against an offline " +
					"copy of the PyPI advisories with PEP 440 version semantics and lists every advisory with the lowest release " +
					"that fixes them all. Severity comes from the advisory's CVSS score or rating; a Django advisory without one " +
					"is reported as high.",
				Bad:  "Django==3.2.1\nPillow==9.0.0",
				Good: "Django==5.2.12\nPillow==11.0.0",
				Fix:  "Upgrade to the release named in the finding (or later), regenerate the lock file and run the tests.",
				Links: []string{
					"https://docs.djangoproject.com/en/stable/releases/security/",
					"https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/",
					"https://cwe.mitre.org/data/definitions/1395.html",
					"https://osv.dev/list?ecosystem=PyPI",
				},
			},
			Run: a.run(CodeVulnerable),
		},
		{
			Code: CodeUnsupported, Name: "django-unsupported-series",
			Title:    "Django release series past or near the end of security support",
			Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A06", CWE: 1104, Kind: rules.Static,
			Doc: rules.Doc{
				Why: "Each Django feature release gets security fixes for a fixed time (about 16 months, three years for LTS " +
					"releases). After that date new vulnerabilities are announced for the supported series only, and the old " +
					"series stays vulnerable for good: the advisories even stop listing it as affected. A pinned or locked " +
					"version is judged by its series; a series within 90 days of its end is reported at medium so the upgrade " +
					"can be planned. A version range that admits only unsupported series (Django>=3.2,<4.0) is reported too.",
				Bad:  "Django==4.2.29   # 4.2 LTS security support ended on 2026-04-07",
				Good: "Django==5.2.12   # 5.2 LTS, supported until April 2028",
				Fix:  "Upgrade to a supported Django series (the latest LTS is the safe choice) following the release notes' deprecation timeline.",
				Links: []string{
					"https://www.djangoproject.com/download/#supported-versions",
					"https://docs.djangoproject.com/en/stable/internals/release-process/",
					"https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/",
					"https://cwe.mitre.org/data/definitions/1104.html",
				},
			},
			Run: a.run(CodeUnsupported),
		},
		{
			Code: CodeUnpinned, Name: "unpinned-dependency",
			Title:    "Application requirement is not pinned to an exact version",
			Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A08", CWE: 1104, Kind: rules.Static,
			Doc: rules.Doc{
				Why: "A requirements file an application is deployed from should say exactly what gets installed. With a " +
					"range or no version at all, two deployments of the same commit can run different code, a broken release " +
					"breaks production without any change on your side, and a hijacked maintainer account or typosquatted " +
					"upload is installed silently on the next deploy. Pin every requirement (pip-compile, pip freeze, uv, poetry " +
					"export) and upgrade on purpose. pip-compile inputs (*.in) and library metadata (pyproject.toml, setup.cfg) " +
					"are meant to hold ranges and are not reported; development and test files are reported at low. A -c " +
					"constraints file that pins the package counts as pinning it.",
				Bad:  "Django>=4.2\ndjangorestframework\ngit+https://github.com/org/lib.git#egg=lib",
				Good: "Django==5.2.12\ndjangorestframework==3.16.1\ngit+https://github.com/org/lib.git@3f1c0e9b2a7d4c5e6f708192a3b4c5d6e7f8091a#egg=lib",
				Fix:  "Pin the exact version (package==X.Y.Z), for example by compiling the file with pip-compile or uv pip compile.",
				Links: []string{
					"https://pip.pypa.io/en/stable/topics/repeatable-installs/",
					"https://owasp.org/Top10/A08_2021-Software_and_Data_Integrity_Failures/",
					"https://cwe.mitre.org/data/definitions/1104.html",
				},
			},
			Run: a.run(CodeUnpinned),
		},
		{
			Code: CodeNoHashes, Name: "requirements-without-hashes",
			Title:    "Production requirements file without hashes",
			Severity: rules.Low, Confidence: rules.MediumConfidence, OWASP: "A08", CWE: 494, Kind: rules.Static,
			Doc: rules.Doc{
				Why: "A version pin says which release to install, not which file. With --hash options pip refuses any " +
					"artifact whose digest differs from the one recorded when the file was compiled, which protects against a " +
					"compromised index or mirror, a man in the middle on a custom index, and a re-uploaded file. Lock files " +
					"(poetry, uv, pdm, Pipfile.lock, pylock.toml) record hashes already; a requirements file needs them " +
					"written out, which pip-compile --generate-hashes does.",
				Bad:  "Django==5.2.12\ngunicorn==23.0.0",
				Good: "Django==5.2.12 \\\n    --hash=sha256:<digest of the sdist> \\\n    --hash=sha256:<digest of the wheel>",
				Fix:  "Generate hashes (pip-compile --generate-hashes, or uv pip compile --generate-hashes) and install with pip install --require-hashes.",
				Links: []string{
					"https://pip.pypa.io/en/stable/topics/secure-installs/",
					"https://owasp.org/Top10/A08_2021-Software_and_Data_Integrity_Failures/",
					"https://cwe.mitre.org/data/definitions/494.html",
				},
			},
			Run: a.run(CodeNoHashes),
		},
		{
			Code: CodeRange, Name: "vulnerable-version-range",
			Title:    "Version range admits a known-vulnerable release",
			Severity: rules.Low, Confidence: rules.MediumConfidence, OWASP: "A06", CWE: 1395, Kind: rules.Static,
			Doc: rules.Doc{
				Why: "A range such as Django>=3.2 lets the resolver pick any release above the bound, including ones with " +
					"published vulnerabilities: an old lock file, a cached wheel or another package's upper bound can settle " +
					"on one of them without anybody noticing. Raising the lower bound to a fixed release makes the vulnerable " +
					"versions impossible to install. This is reported for ranges in requirements, Pipfile, pyproject.toml and " +
					"setup.cfg; pinned and locked versions are checked by DJG401.",
				Bad:  "dependencies = [\"Django>=4.2\"]",
				Good: "dependencies = [\"Django>=5.2.12,<6.0\"]",
				Fix:  "Raise the range's lower bound to the fixed release named in the finding.",
				Links: []string{
					"https://packaging.python.org/en/latest/specifications/version-specifiers/",
					"https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/",
					"https://cwe.mitre.org/data/definitions/1395.html",
				},
			},
			Run: a.run(CodeRange),
		},
	}
}
