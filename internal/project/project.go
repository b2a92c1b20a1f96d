package project

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/settings"
)

// Project is one Django project of the scanned tree.
type Project struct {
	// Root is the project directory relative to the scan root ("" for the
	// root itself): where manage.py is, or the source root of its settings.
	Root string
	// ManagePy is the path of manage.py, "" when there is none.
	ManagePy string
	// EntryPoints are wsgi.py / asgi.py files.
	EntryPoints []string
	// SettingsRefs are the places that name a settings module through
	// DJANGO_SETTINGS_MODULE.
	SettingsRefs []SettingsRef
	// SettingsModules are every settings module found, ordered by name.
	SettingsModules []*SettingsModule
	// Production is the module judged to be the production settings, nil
	// when the project has none; Why says why it was chosen.
	Production *SettingsModule
	Why        []string
	// Apps is INSTALLED_APPS of the production settings, when known.
	Apps []string
	// RootURLConf is ROOT_URLCONF of the production settings.
	RootURLConf string
	// URLs is the URLconf tree flattened: every pattern reachable from
	// RootURLConf through include().
	URLs []*URL
	// TemplateDirs are TEMPLATES[*]["DIRS"] of the production settings.
	TemplateDirs []string
	// Django is the Django version from the dependency files ("" when
	// unknown) and DjangoFrom the file it came from.
	Django     string
	DjangoFrom string
	// Diagnostics say what could not be followed.
	Diagnostics []settings.Diagnostic

	source *projectSource
}

// SettingsRef is one place DJANGO_SETTINGS_MODULE is set.
type SettingsRef struct {
	Module string // the dotted module name it names
	Path   string
	Line   int
	How    string // "manage.py", "wsgi.py", "asgi.py", "python", ".env", "pytest", "tox", "setup.cfg", "pyproject"
}

// SettingsModule is a settings module and its evaluation.
type SettingsModule struct {
	Name string // dotted
	Path string
	// Role is "production", "development", "test", "base" or "" (unknown).
	Role string
	// Result is the evaluated module (nil if it could not be evaluated).
	Result *settings.Result
	// Err says why it could not be evaluated.
	Err error
}

// Get returns the evaluated value of a setting, or nil when the module does
// not set it (Django's default then applies).
func (m *SettingsModule) Get(name string) *settings.Value {
	if m == nil || m.Result == nil {
		return nil
	}
	return m.Result.Names[name]
}

// URL is one URL pattern.
type URL struct {
	// Route is the full route from the root URLconf ("admin/", "notes/<int:pk>/").
	// For a regex pattern it is the regex; Unknown parts are written "<?>".
	Route string
	// Regex is set for re_path / url patterns.
	Regex bool
	// Kind is "view", "include", "admin", "static", "debug_toolbar".
	Kind string
	// Target is the included module or the view expression as written.
	Target string
	// Module is the URLconf module that declares it.
	Module string
	Path   string
	Line   int
	Col    int
	// DebugGuarded is set when the pattern is only added under an
	// `if settings.DEBUG:` test.
	DebugGuarded bool
	// Converters lists the path converters of the route ("int", "slug"...).
	Converters []string
}

type loadKey struct{}

// Load returns the Django projects of the target, computed once per target.
func Load(ctx context.Context, t *rules.Target) ([]*Project, error) {
	v, err := t.Memo(loadKey{}, func() (any, error) { return load(ctx, t) })
	if err != nil {
		return nil, err
	}
	return v.([]*Project), nil
}

var settingsRefRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`DJANGO_SETTINGS_MODULE["']?\s*[=:]\s*["']?([A-Za-z_][A-Za-z0-9_.]*)`)
})

func load(ctx context.Context, t *rules.Target) ([]*Project, error) {
	idx := newIndex(t)
	// 1. Project roots: directories with a manage.py.
	var roots []string
	for _, f := range t.FilesOf(rules.PythonFile) {
		if path.Base(f.Path) == "manage.py" {
			roots = append(roots, dirOf(f.Path))
		}
	}
	// 2. Where DJANGO_SETTINGS_MODULE is set.
	refs := findSettingsRefs(t)
	// 3. Settings modules: by name, by reference, by content.
	cands := map[string]*rules.File{}
	for _, f := range t.FilesOf(rules.PythonFile) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if looksLikeSettings(t, f) {
			cands[f.Path] = f
		}
	}
	for _, r := range refs {
		for _, f := range idx.byName[r.Module] {
			cands[f.Path] = f
		}
	}
	// 4. Group by project root: the deepest manage.py directory above each
	// settings module; without manage.py, the source root.
	byRoot := map[string]*Project{}
	projectOf := func(p string) *Project {
		root := ""
		best := -1
		for _, r := range roots {
			if (r == "" || p == r || strings.HasPrefix(p, r+"/")) && len(r) > best {
				root, best = r, len(r)
			}
		}
		if best < 0 {
			root = SourceRoot(t, p)
		}
		pr := byRoot[root]
		if pr == nil {
			pr = &Project{Root: root}
			byRoot[root] = pr
		}
		return pr
	}
	for _, r := range roots {
		pr := projectOf(joinRel(r, "manage.py"))
		pr.ManagePy = joinRel(r, "manage.py")
	}
	var paths []string
	for p := range cands {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	refName := map[string]string{} // file path -> the name a reference uses
	for _, r := range refs {
		for _, f := range idx.byName[r.Module] {
			if _, ok := refName[f.Path]; !ok {
				refName[f.Path] = r.Module
			}
		}
	}
	for _, p := range paths {
		pr := projectOf(p)
		name := refName[p]
		if name == "" {
			name = ModuleName(t, p)
		}
		if name == "" {
			continue
		}
		pr.SettingsModules = append(pr.SettingsModules, &SettingsModule{Name: name, Path: p, Role: roleOf(name)})
	}
	for _, r := range refs {
		pr := projectOf(r.Path)
		pr.SettingsRefs = append(pr.SettingsRefs, r)
	}
	for _, f := range t.FilesOf(rules.PythonFile) {
		if b := path.Base(f.Path); b == "wsgi.py" || b == "asgi.py" {
			pr := projectOf(f.Path)
			pr.EntryPoints = append(pr.EntryPoints, f.Path)
		}
	}
	var out []*Project
	for _, pr := range byRoot {
		if len(pr.SettingsModules) == 0 && pr.ManagePy == "" {
			continue
		}
		out = append(out, pr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Root < out[j].Root })
	for _, pr := range out {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pr.source = &projectSource{t: t, idx: idx, root: pr.Root}
		pr.evaluate(ctx, t)
		pr.chooseProduction(t)
		pr.readProduction(t)
		pr.Django, pr.DjangoFrom = djangoVersion(t, pr.Root)
	}
	return out, nil
}

func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// looksLikeSettings says whether a Python file is a settings module by its
// name (settings.py, settings_*.py, */settings/*.py) or by its content
// (it assigns INSTALLED_APPS or ROOT_URLCONF at top level).
func looksLikeSettings(t *rules.Target, f *rules.File) bool {
	base := path.Base(f.Path)
	dir := path.Base(path.Dir(f.Path))
	if strings.Contains(f.Path, "/migrations/") || strings.HasPrefix(base, "test_") {
		return false
	}
	byName := base == "settings.py" || strings.HasPrefix(base, "settings_") || (dir == "settings" && base != "__init__.py")
	if byName {
		return true
	}
	if !bytes.Contains(f.Content, []byte("INSTALLED_APPS")) && !bytes.Contains(f.Content, []byte("ROOT_URLCONF")) &&
		!(base == "__init__.py" && dir == "settings") {
		return false
	}
	m := Parse(t, f)
	for _, s := range m.AST.Body {
		if a, ok := s.(*python.Assign); ok {
			for _, tg := range a.Targets {
				if n, ok := tg.(*python.Name); ok && (n.Id == "INSTALLED_APPS" || n.Id == "ROOT_URLCONF" || n.Id == "MIDDLEWARE") {
					return true
				}
			}
		}
		if imp, ok := s.(*python.ImportFrom); ok && base == "__init__.py" && dir == "settings" {
			for _, a := range imp.Names {
				if a.Name == "*" {
					return true
				}
			}
		}
	}
	return false
}

var (
	prodRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(^|[._])(prod|production|prd|live|deploy|deployment|release|heroku|docker)($|[._])`)
	})
	devRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(^|[._])(dev|develop|development|local|localhost|debug)($|[._])`)
	})
	testRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|[._])(test|tests|testing|ci|pytest)($|[._])`) })
	baseRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(^|[._])(base|common|defaults|default|shared|components)($|[._])`)
	})
	stageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(^|[._])(staging|stage|preprod|qa|uat)($|[._])`) })
)

// roleOf guesses a settings module's role from its last name component.
func roleOf(name string) string {
	last := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		last = name[i+1:]
	}
	last = strings.TrimPrefix(last, "settings_")
	switch {
	case prodRE().MatchString(last):
		return "production"
	case stageRE().MatchString(last):
		return "staging"
	case testRE().MatchString(last):
		return "test"
	case devRE().MatchString(last):
		return "development"
	case baseRE().MatchString(last):
		return "base"
	}
	return ""
}

// evaluate runs every settings module of the project through one evaluator,
// so shared bases are evaluated once.
func (pr *Project) evaluate(ctx context.Context, t *rules.Target) {
	ev := settings.New(pr.source, settings.Options{})
	for _, m := range pr.SettingsModules {
		r, err := ev.Evaluate(ctx, m.Name)
		m.Result, m.Err = r, err
		if r != nil {
			for _, d := range r.Diagnostics {
				if len(pr.Diagnostics) < 500 {
					pr.Diagnostics = append(pr.Diagnostics, d)
				}
			}
		}
	}
}

// chooseProduction picks the settings module judged to be production.
func (pr *Project) chooseProduction(t *rules.Target) {
	if len(pr.SettingsModules) == 0 {
		return
	}
	if want := t.SettingsModule; want != "" {
		for _, m := range pr.SettingsModules {
			if m.Name == want || m.Path == want {
				pr.Production = m
				pr.Why = []string{"named by --settings-module or the configuration"}
				m.Role = "production"
				return
			}
		}
		if m := pr.source.Lookup(want); m != nil && (pr.Root == "" || strings.HasPrefix(m.Path, pr.Root+"/")) {
			sm := &SettingsModule{Name: m.Name, Path: m.Path, Role: "production"}
			ev := settings.New(pr.source, settings.Options{})
			sm.Result, sm.Err = ev.Evaluate(context.Background(), m.Name)
			pr.SettingsModules = append(pr.SettingsModules, sm)
			pr.Production = sm
			pr.Why = []string{"named by --settings-module or the configuration"}
			return
		}
	}
	// Modules that other settings modules import are bases.
	imported := map[string]bool{}
	for _, m := range pr.SettingsModules {
		if m.Result != nil {
			for _, imp := range m.Result.Imports {
				imported[imp] = true
			}
		}
	}
	type scored struct {
		m     *SettingsModule
		score int
		why   []string
	}
	var best *scored
	for _, m := range pr.SettingsModules {
		s := &scored{m: m}
		switch m.Role {
		case "production":
			s.score += 100
			s.why = append(s.why, fmt.Sprintf("its name (%s) says production", m.Name))
		case "staging":
			s.score += 40
			s.why = append(s.why, "its name says staging, the closest to production")
		case "development", "test":
			s.score -= 100
		case "base":
			s.score -= 20
		}
		for _, r := range pr.SettingsRefs {
			if r.Module != m.Name {
				continue
			}
			switch r.How {
			case "wsgi.py", "asgi.py":
				s.score += 50
				s.why = append(s.why, fmt.Sprintf("%s (%s:%d) sets DJANGO_SETTINGS_MODULE to it", r.How, r.Path, r.Line))
			case "manage.py":
				s.score += 30
				s.why = append(s.why, fmt.Sprintf("manage.py (%s:%d) sets DJANGO_SETTINGS_MODULE to it", r.Path, r.Line))
			case ".env":
				s.score += 10
				s.why = append(s.why, fmt.Sprintf("%s:%d sets DJANGO_SETTINGS_MODULE to it", r.Path, r.Line))
			case "pytest", "tox":
				s.score -= 40
			default:
				s.score += 5
			}
		}
		if imported[m.Name] && m.Role != "production" {
			s.score -= 60
		}
		if imported[m.Name] && m.Role == "production" && m.Result != nil && len(m.Result.Imports) == 0 {
			// A fragment (prod overrides without a base) that another
			// settings module pulls in: the importer is what runs.
			s.score -= 120
		}
		if m.Result == nil {
			s.score -= 1000
		}
		if best == nil || s.score > best.score {
			best = s
		}
	}
	if best == nil {
		return
	}
	if len(pr.SettingsModules) == 1 {
		best.why = append(best.why, "it is the project's only settings module")
	}
	if imported[best.m.Name] {
		best.why = append(best.why, "other settings modules import it, but none looks more like production")
	}
	if len(best.why) == 0 {
		best.why = append(best.why, "no module is named like production or set by wsgi.py/manage.py; it is the most likely one")
	}
	pr.Production = best.m
	pr.Why = best.why
	if best.m.Role == "" || best.m.Role == "base" || best.m.Role == "staging" {
		best.m.Role = "production"
	}
}

// readProduction reads apps, URLconf and template directories from the
// production settings, then walks the URLconf tree.
func (pr *Project) readProduction(t *rules.Target) {
	p := pr.Production
	if p == nil || p.Result == nil {
		return
	}
	if v := p.Get("INSTALLED_APPS"); v != nil {
		pr.Apps, _ = v.Strings()
	}
	if v := p.Get("ROOT_URLCONF"); v != nil && v.Kind == settings.Str {
		pr.RootURLConf = v.S
	}
	if v := p.Get("TEMPLATES"); v != nil && v.Kind == settings.List {
		for _, e := range v.Elems {
			if dirs := e.Get("DIRS"); dirs != nil {
				for _, d := range dirs.Elems {
					if d.Kind == settings.Str || d.Kind == settings.Path {
						pr.TemplateDirs = append(pr.TemplateDirs, d.S)
					}
				}
			}
		}
	}
	if pr.RootURLConf != "" {
		pr.URLs = walkURLs(t, pr.source, pr.RootURLConf)
	}
}

// index maps dotted module names to files.
type index struct {
	byName map[string][]*rules.File
}

func newIndex(t *rules.Target) *index {
	idx := &index{byName: map[string][]*rules.File{}}
	var manageDirs []string
	for _, f := range t.FilesOf(rules.PythonFile) {
		if path.Base(f.Path) == "manage.py" {
			manageDirs = append(manageDirs, dirOf(f.Path))
		}
	}
	for _, f := range t.FilesOf(rules.PythonFile) {
		n := ModuleName(t, f.Path)
		if n != "" {
			idx.byName[n] = append(idx.byName[n], f)
		}
		// manage.py's directory is on sys.path, and directories without
		// __init__.py import as namespace packages: index the name relative
		// to it too.
		for _, d := range manageDirs {
			if alias := relModuleName(d, f.Path); alias != "" && alias != n {
				idx.byName[alias] = append(idx.byName[alias], f)
			}
		}
	}
	return idx
}

// relModuleName is the dotted name of p relative to directory dir, "" when
// p is not below dir or a part is not an identifier.
func relModuleName(dir, p string) string {
	rel := p
	if dir != "" {
		if !strings.HasPrefix(p, dir+"/") {
			return ""
		}
		rel = strings.TrimPrefix(p, dir+"/")
	}
	rel = strings.TrimSuffix(rel, ".py")
	rel = strings.TrimSuffix(rel, "/__init__")
	parts := strings.Split(rel, "/")
	for _, s := range parts {
		if !isIdentifier(s) {
			return ""
		}
	}
	return strings.Join(parts, ".")
}

// projectSource is the settings.Source of one project: modules under the
// project root first, then anywhere in the tree.
type projectSource struct {
	t    *rules.Target
	idx  *index
	root string
}

func (s *projectSource) file(name string) *rules.File {
	fs := s.idx.byName[name]
	if len(fs) == 0 {
		return nil
	}
	for _, f := range fs {
		if s.root == "" || strings.HasPrefix(f.Path, s.root+"/") {
			return f
		}
	}
	return fs[0]
}

// Lookup implements settings.Source.
func (s *projectSource) Lookup(name string) *settings.SourceModule {
	f := s.file(name)
	if f == nil {
		return nil
	}
	m := Parse(s.t, f)
	return &settings.SourceModule{Name: name, Path: f.Path, Abs: f.Abs, IsPackage: path.Base(f.Path) == "__init__.py", AST: m.AST}
}

// Source returns the project's module source for the settings evaluator.
func (pr *Project) Source() settings.Source { return pr.source }
