package settingsrules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/settings"
)

// tri is a three-valued answer over the alternatives of a value.
type tri uint8

const (
	triUnknown tri = iota // no alternative is known to satisfy it
	triNo                 // no alternative satisfies it
	triMaybe              // some alternatives do, some do not
	triYes                // every alternative does
)

func (t tri) fires() bool { return t == triYes || t == triMaybe }

func and(ts ...tri) tri {
	out := triYes
	for _, t := range ts {
		switch t {
		case triNo:
			return triNo
		case triUnknown:
			out = triUnknown
		case triMaybe:
			if out == triYes {
				out = triMaybe
			}
		}
	}
	return out
}

func not(t tri) tri {
	switch t {
	case triYes:
		return triNo
	case triNo:
		return triYes
	}
	return t
}

// over applies a predicate to every alternative of v: pred returns
// (holds, known).
func over(v *settings.Value, pred func(*settings.Value) (bool, bool)) tri {
	yes, no, unk := 0, 0, 0
	for _, a := range v.Alternatives() {
		h, ok := pred(a)
		switch {
		case !ok:
			unk++
		case h:
			yes++
		default:
			no++
		}
	}
	switch {
	case yes > 0 && no == 0 && unk == 0:
		return triYes
	case yes > 0:
		return triMaybe
	case unk > 0:
		return triUnknown
	}
	return triNo
}

// witness returns the first alternative of v for which pred holds, or v.
func witness(v *settings.Value, pred func(*settings.Value) (bool, bool)) *settings.Value {
	for _, a := range v.Alternatives() {
		if h, ok := pred(a); ok && h {
			return a
		}
	}
	return v
}

func truthy(v *settings.Value) tri { return over(v, (*settings.Value).Truth) }

func isTrue(v *settings.Value) tri { return over(v, (*settings.Value).IsTrue) }

func isNone(v *settings.Value) tri {
	return over(v, func(a *settings.Value) (bool, bool) {
		if a.IsUnknown() {
			return false, false
		}
		return a.Kind == settings.None, true
	})
}

func has(v *settings.Value, s string) tri {
	return over(v, func(a *settings.Value) (bool, bool) { return a.Contains(s) })
}

func strEquals(v *settings.Value, s string) tri {
	return over(v, func(a *settings.Value) (bool, bool) {
		if a.IsUnknown() {
			return false, false
		}
		return a.Kind == settings.Str && a.S == s, true
	})
}

// judged is one settings module judged with a Django version.
type judged struct {
	pr      *project.Project
	m       *project.SettingsModule
	version version
	// env is the environment the module was evaluated with, when complete
	// (the differential test); nil in scans.
	env map[string]string
	// root is the scan root (absolute): shown as "<root>" in values.
	root string
}

// version is a Django series; the zero value is "the newest".
type version struct{ major, minor int }

func (v version) atLeast(major, minor int) bool {
	if v.major == 0 {
		return true
	}
	return v.major > major || v.major == major && v.minor >= minor
}

func (v version) before(major, minor int) bool { return !v.atLeast(major, minor) }

func (v version) String() string {
	if v.major == 0 {
		return "newest"
	}
	return strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor)
}

func parseVersion(s string) version {
	s = project.Series(s)
	if s == "" {
		return version{}
	}
	parts := strings.SplitN(s, ".", 2)
	maj, err1 := strconv.Atoi(parts[0])
	min, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return version{}
	}
	return version{maj, min}
}

// get returns the effective value of a setting: the module's value, with
// paths that never set it reading Django's default, or the default itself.
// It returns nil only when the setting is unset and has no default in this
// version.
func (j *judged) get(name string) *settings.Value {
	def := defaultValue(name, j.version)
	v := j.m.Get(name)
	if v == nil {
		return def
	}
	if v.Kind != settings.OneOf {
		if v.IsUnset() {
			return def
		}
		return v
	}
	alts := v.Alternatives()
	changed := false
	for i, a := range alts {
		if a.IsUnset() {
			if def == nil {
				alts[i] = settings.NewNone()
			} else {
				alts[i] = def
			}
			changed = true
		}
	}
	if !changed {
		return v
	}
	return &settings.Value{Kind: settings.OneOf, Alts: alts, Origin: v.Origin}
}

// isSet says whether the module sets a setting on some path.
func (j *judged) isSet(name string) bool { return j.m.Get(name) != nil }

// middleware returns MIDDLEWARE (or the old MIDDLEWARE_CLASSES when only
// that is set).
func (j *judged) middleware() *settings.Value {
	if !j.isSet("MIDDLEWARE") && j.isSet("MIDDLEWARE_CLASSES") {
		return j.get("MIDDLEWARE_CLASSES")
	}
	return j.get("MIDDLEWARE")
}

const (
	secMW      = "django.middleware.security.SecurityMiddleware"
	xframeMW   = "django.middleware.clickjacking.XFrameOptionsMiddleware"
	csrfMW     = "django.middleware.csrf.CsrfViewMiddleware"
	sessionMW  = "django.contrib.sessions.middleware.SessionMiddleware"
	authMW     = "django.contrib.auth.middleware.AuthenticationMiddleware"
	loginReqMW = "django.contrib.auth.middleware.LoginRequiredMiddleware"
	cspMW      = "django.middleware.csp.ContentSecurityPolicyMiddleware"
)

// finding builds a finding about a setting. v is the value the finding is
// about (its origin places the finding); nil places it on the module.
func (j *judged) finding(name string, v *settings.Value, t tri, msg string) rules.Finding {
	f := rules.Finding{SettingsModule: j.m.Name}
	path, line, col := j.m.Path, 0, 0
	if v != nil && v.Kind == settings.OneOf && v.Origin.Path == "" {
		// Alternatives merged from if/try branches: place the finding on
		// the first branch that set the value.
		for _, a := range v.Alternatives() {
			if a.Origin.Path != "" {
				path, line, col = a.Origin.Path, a.Origin.Line, a.Origin.Col
				break
			}
		}
	}
	if v != nil && v.Origin.Path != "" {
		path, line, col = v.Origin.Path, v.Origin.Line, v.Origin.Col
	}
	f.Path, f.Line, f.Column = path, line, col
	ref := &rules.SettingRef{Name: name}
	if v != nil {
		ref.Value = j.display(name, v)
		if v.Origin.Path != "" {
			ref.Path, ref.Line = v.Origin.Path, v.Origin.Line
		}
		if env := envOf(v); env != nil {
			ref.Env = env.Var
			if env.Assumed {
				if env.Default != nil {
					msg += fmt.Sprintf(" (when %s is unset: the default in the code)", env.Var)
				}
				f.Confidence = rules.MediumConfidence
			}
		}
	} else {
		ref.Value = "(not set: Django's default)"
	}
	if !j.isSet(name) && v != nil && v.Origin.Path == "" {
		ref.Value = j.display(name, v) + " (Django's default)"
	}
	if t == triMaybe {
		msg += " (on some paths through if/try statements)"
		f.Confidence = rules.MediumConfidence
	}
	f.Setting = ref
	f.Message = msg
	return f
}

func envOf(v *settings.Value) *settings.EnvRead {
	for _, a := range v.Alternatives() {
		if a.Env != nil {
			return a.Env
		}
	}
	return v.Env
}

// secretNames are settings whose values are never shown.
func isSecretName(name string) bool {
	u := strings.ToUpper(name)
	for _, s := range []string{"SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL", "DSN"} {
		if strings.Contains(u, s) {
			return true
		}
	}
	return false
}

// display renders a value for a report, redacting secrets and writing
// paths under the scan root relative to it.
func (j *judged) display(name string, v *settings.Value) string {
	if isSecretName(name) {
		return redactValue(v)
	}
	s := v.String()
	if j.root != "" && j.root != "/" {
		s = strings.ReplaceAll(s, j.root+"/", "<root>/")
		s = strings.ReplaceAll(s, "'"+j.root+"'", "'<root>'")
	}
	return s
}

func redactValue(v *settings.Value) string {
	switch v.Kind {
	case settings.Str:
		return redact(len([]rune(v.S)))
	case settings.Dict, settings.List, settings.Tuple:
		return "<" + v.Kind.String() + ", redacted>"
	}
	return v.String()
}

// redact shows only the length of a secret.
func redact(n int) string {
	return strings.Repeat("*", min(n, 8)) + " (" + strconv.Itoa(n) + " characters, redacted)"
}

// forEachProduction calls fn for the production settings module of every
// project, in project order.
func forEachProduction(pass *rules.Pass, fn func(j *judged)) error {
	prs, err := project.Load(pass.Context, pass.Target)
	if err != nil {
		return fmt.Errorf("loading the project model: %w", err)
	}
	for _, pr := range prs {
		if err := pass.Context.Err(); err != nil {
			return err
		}
		if pr.Production == nil || pr.Production.Result == nil {
			continue
		}
		fn(&judged{pr: pr, m: pr.Production, version: parseVersion(pr.Django), root: strings.TrimSuffix(pass.Target.Root, "/")})
	}
	return nil
}

// forEachSettingsModule calls fn for every settings module of every project,
// production first.
func forEachSettingsModule(pass *rules.Pass, fn func(j *judged)) error {
	prs, err := project.Load(pass.Context, pass.Target)
	if err != nil {
		return fmt.Errorf("loading the project model: %w", err)
	}
	for _, pr := range prs {
		mods := append([]*project.SettingsModule{}, pr.SettingsModules...)
		sort.SliceStable(mods, func(a, b int) bool { return mods[a] == pr.Production && mods[b] != pr.Production })
		for _, m := range mods {
			if err := pass.Context.Err(); err != nil {
				return err
			}
			if m.Result == nil {
				continue
			}
			fn(&judged{pr: pr, m: m, version: parseVersion(pr.Django), root: strings.TrimSuffix(pass.Target.Root, "/")})
		}
	}
	return nil
}

// dedup reports each (path, line, setting) once per rule.
type dedup struct {
	pass *rules.Pass
	seen map[string]bool
}

func newDedup(pass *rules.Pass) *dedup { return &dedup{pass: pass, seen: map[string]bool{}} }

func (d *dedup) report(f rules.Finding) {
	key := f.Path + "\x00" + strconv.Itoa(f.Line) + "\x00" + f.Message
	if f.Setting != nil {
		key += "\x00" + f.Setting.Name
	}
	if d.seen[key] {
		return
	}
	d.seen[key] = true
	d.pass.Report(f)
}
