package settingsrules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/settings"
)

// The differential test generates Django projects whose settings combine
// what the deploy checks read, runs Debian's Django 3.2
// `manage.py check --deploy` on each with the environment the settings
// read, and requires our Django-parity answers to equal Django's check IDs.

const debianPython = "/usr/bin/python3"

// differentialProjects is how many projects the test generates.
const differentialProjects = 320

func requireDjango(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import django; print(django.get_version())").CombinedOutput()
	if err == nil && strings.HasPrefix(string(out), "3.2") {
		return
	}
	msg := fmt.Sprintf("%s with Django 3.2 is needed (apt-get install python3-django): %v %s", debianPython, err, out)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// genProject is one generated project: its files and environment.
type genProject struct {
	files  map[string]string
	env    map[string]string
	module string // the settings module to check
}

// gen builds random settings from the values the deploy checks read.
type gen struct {
	r     *rand.Rand
	env   map[string]string
	nvar  int
	base  []string // lines of base.py (or settings.py)
	prod  []string // lines of production.py
	split bool
}

func (g *gen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

// envRead returns an expression that reads an environment variable whose
// raw value would be raw, in one of several styles; the variable is set or
// left unset (when a default is given) at random.
func (g *gen) envStr(raw string) string {
	g.nvar++
	name := fmt.Sprintf("GEN_VAR_%d", g.nvar)
	switch g.r.Intn(3) {
	case 0: // required
		g.env[name] = raw
		return fmt.Sprintf("os.environ[%q]", name)
	case 1: // default used
		return fmt.Sprintf("os.environ.get(%q, %q)", name, raw)
	default: // set, default ignored
		g.env[name] = raw
		return fmt.Sprintf("os.getenv(%q, %q)", name, "ignored-default")
	}
}

func (g *gen) boolExpr(v bool) string {
	switch g.r.Intn(6) {
	case 0:
		if v {
			return g.envStr("True") + ` == "True"`
		}
		return g.envStr("False") + ` == "True"`
	case 1:
		if v {
			return "bool(int(" + g.envStr("1") + "))"
		}
		return "bool(int(" + g.envStr("0") + "))"
	case 2:
		if v {
			return g.envStr("yes") + `.lower() in ("1", "yes", "true")`
		}
		return g.envStr("no") + `.lower() in ("1", "yes", "true")`
	}
	if v {
		return "True"
	}
	return "False"
}

// set writes NAME = expr into base or production.
func (g *gen) set(name, expr string) {
	line := name + " = " + expr
	if g.split && g.r.Intn(2) == 0 {
		g.prod = append(g.prod, line)
	} else {
		g.base = append(g.base, line)
	}
}

// maybeFlag sets a boolean-ish setting, sometimes to non-bool truthy values
// (Django tests some with `is True`).
func (g *gen) maybeFlag(name string) {
	switch g.r.Intn(6) {
	case 0:
		return
	case 1:
		g.set(name, "True")
	case 2:
		g.set(name, "False")
	case 3:
		g.set(name, "1")
	case 4:
		g.set(name, g.boolExpr(true))
	default:
		g.set(name, g.boolExpr(false))
	}
}

var genMiddleware = []string{
	"django.middleware.security.SecurityMiddleware",
	"django.contrib.sessions.middleware.SessionMiddleware",
	"django.middleware.common.CommonMiddleware",
	"django.middleware.csrf.CsrfViewMiddleware",
	"django.contrib.auth.middleware.AuthenticationMiddleware",
	"django.middleware.clickjacking.XFrameOptionsMiddleware",
}

func randomKey(r *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(b)
}

const keyAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)"

func quoteList(items []string) string {
	var q []string
	for _, s := range items {
		q = append(q, fmt.Sprintf("%q", s))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func generate(r *rand.Rand, dir string) genProject {
	g := &gen{r: r, env: map[string]string{}, split: r.Intn(3) > 0}
	g.base = append(g.base, "import os", "from pathlib import Path", "BASE_DIR = Path(__file__).resolve().parent.parent", `ROOT_URLCONF = "proj.urls"`)
	// INSTALLED_APPS
	apps := []string{"django.contrib.contenttypes"}
	if r.Intn(2) == 0 {
		apps = append(apps, "django.contrib.auth")
	}
	if r.Intn(3) > 0 {
		apps = append(apps, "django.contrib.sessions")
	}
	g.base = append(g.base, "INSTALLED_APPS = "+quoteList(apps))
	// MIDDLEWARE: a subset, sometimes built by += / append / insert.
	var mw []string
	for _, m := range genMiddleware {
		if r.Intn(3) > 0 {
			mw = append(mw, m)
		}
	}
	switch {
	case g.split && len(mw) > 1 && r.Intn(2) == 0:
		k := 1 + r.Intn(len(mw)-1)
		g.base = append(g.base, "MIDDLEWARE = "+quoteList(mw[k:]))
		switch r.Intn(3) {
		case 0:
			g.prod = append(g.prod, "MIDDLEWARE += "+quoteList(mw[:k]))
		case 1:
			for i := k - 1; i >= 0; i-- {
				g.prod = append(g.prod, fmt.Sprintf("MIDDLEWARE.insert(0, %q)", mw[i]))
			}
		default:
			g.prod = append(g.prod, "MIDDLEWARE = "+quoteList(mw[:k])+" + MIDDLEWARE")
		}
	case len(mw) > 0 && r.Intn(3) == 0:
		g.base = append(g.base, "MIDDLEWARE = []")
		for _, m := range mw {
			g.base = append(g.base, fmt.Sprintf("MIDDLEWARE.append(%q)", m))
		}
	default:
		g.base = append(g.base, "MIDDLEWARE = "+quoteList(mw))
	}
	// SECRET_KEY: must not be empty on Django 3.2.
	keys := []string{
		randomKey(r, 60, keyAlphabet),
		randomKey(r, 20, keyAlphabet),
		"django-insecure-" + randomKey(r, 50, keyAlphabet),
		strings.Repeat("ab", 30),
		randomKey(r, 49, keyAlphabet),
		randomKey(r, 50, keyAlphabet),
	}
	key := keys[r.Intn(len(keys))]
	if r.Intn(3) == 0 {
		g.set("SECRET_KEY", g.envStr(key))
	} else if r.Intn(4) == 0 {
		g.set("SECRET_KEY", fmt.Sprintf("%q + %q", key[:len(key)/2], key[len(key)/2:]))
	} else {
		g.set("SECRET_KEY", fmt.Sprintf("%q", key))
	}
	// DEBUG
	switch r.Intn(4) {
	case 0:
	case 1:
		g.set("DEBUG", g.boolExpr(true))
	default:
		g.set("DEBUG", g.boolExpr(false))
	}
	// ALLOWED_HOSTS
	switch r.Intn(5) {
	case 0:
	case 1:
		g.set("ALLOWED_HOSTS", "[]")
	case 2:
		g.set("ALLOWED_HOSTS", `["*"]`)
	case 3:
		g.set("ALLOWED_HOSTS", g.envStr(g.pick("example.com,www.example.com", "example.com"))+`.split(",")`)
	default:
		g.set("ALLOWED_HOSTS", `["example.com"]`)
	}
	// HSTS
	switch r.Intn(5) {
	case 0:
	case 1:
		g.set("SECURE_HSTS_SECONDS", "0")
	case 2:
		g.set("SECURE_HSTS_SECONDS", "60 * 60 * 24 * 365")
	case 3:
		g.set("SECURE_HSTS_SECONDS", "int("+g.envStr(g.pick("0", "3600", "31536000"))+")")
	default:
		g.set("SECURE_HSTS_SECONDS", "3600")
	}
	for _, f := range []string{"SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
		"SECURE_CONTENT_TYPE_NOSNIFF", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "CSRF_USE_SESSIONS"} {
		g.maybeFlag(f)
	}
	switch r.Intn(4) {
	case 0:
		g.set("X_FRAME_OPTIONS", `"DENY"`)
	case 1:
		g.set("X_FRAME_OPTIONS", `"SAMEORIGIN"`)
	case 2:
		g.set("X_FRAME_OPTIONS", g.envStr(g.pick("DENY", "SAMEORIGIN")))
	}
	switch r.Intn(8) {
	case 0:
		g.set("SECURE_REFERRER_POLICY", "None")
	case 1:
		g.set("SECURE_REFERRER_POLICY", `"same-origin"`)
	case 2:
		g.set("SECURE_REFERRER_POLICY", `"no-referrer, strict-origin-when-cross-origin"`)
	case 3:
		g.set("SECURE_REFERRER_POLICY", `"same_origin"`)
	case 4:
		g.set("SECURE_REFERRER_POLICY", `["origin", "bogus"]`)
	case 5:
		g.set("SECURE_REFERRER_POLICY", `("unsafe-url",)`)
	}
	if r.Intn(10) == 0 {
		g.set("DEFAULT_HASHING_ALGORITHM", g.pick(`"sha1"`, `"sha256"`, `"md5"`))
	}
	// Caches near media/static roots (caches.W002).
	if r.Intn(4) == 0 {
		g.set("MEDIA_ROOT", `BASE_DIR / "media"`)
		g.set("STATIC_ROOT", `os.path.join(BASE_DIR, "static")`)
		if r.Intn(2) == 0 {
			g.set("STATICFILES_DIRS", `[BASE_DIR / "assets", ("vendor", BASE_DIR / "vendor")]`)
		}
		loc := g.pick(`BASE_DIR / "media"`, `BASE_DIR / "media" / "cache"`, `BASE_DIR`, `"/var/tmp/gen-cache"`, `os.path.join(BASE_DIR, "static", "c")`, `BASE_DIR / "vendor"`)
		g.set("CACHES", `{"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": `+loc+`}}`)
	}
	// Branches decided by the environment, a try/except around a missing
	// local settings module, and the async-unsafe variable.
	if r.Intn(4) == 0 {
		g.nvar++
		name := fmt.Sprintf("GEN_VAR_%d", g.nvar)
		if r.Intn(2) == 0 {
			g.env[name] = "1"
		}
		g.base = append(g.base,
			fmt.Sprintf("if os.environ.get(%q) == \"1\":", name),
			"    SESSION_COOKIE_SECURE = True",
			"    X_FRAME_OPTIONS = \"SAMEORIGIN\"",
			"else:",
			"    SECURE_CONTENT_TYPE_NOSNIFF = False")
	}
	if g.split && r.Intn(3) == 0 {
		g.prod = append(g.prod, "try:", "    from .local import *  # noqa", "except ImportError:", "    DEBUG = False")
	}
	if r.Intn(15) == 0 {
		g.env["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
	}
	files := map[string]string{
		"manage.py":        "import os\nimport sys\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\nfrom django.core.management import execute_from_command_line\n\nexecute_from_command_line(sys.argv)\n",
		"proj/__init__.py": "",
		"proj/urls.py":     "urlpatterns = []\n",
	}
	module := "proj.settings"
	if g.split {
		files["proj/settings/__init__.py"] = ""
		files["proj/settings/base.py"] = strings.Join(g.base, "\n") + "\n"
		files["proj/settings/production.py"] = "import os\n\nfrom .base import *  # noqa\n\n" + strings.Join(g.prod, "\n") + "\n"
		module = "proj.settings.production"
		// BASE_DIR is one level deeper in a settings package.
		files["proj/settings/base.py"] = strings.Replace(files["proj/settings/base.py"], "parent.parent", "parent.parent.parent", 1)
	} else {
		files["proj/settings.py"] = strings.Join(g.base, "\n") + "\n"
	}
	return genProject{files: files, env: g.env, module: module}
}

var checkIDRE = regexp.MustCompile(`\(((?:security|async|caches)\.[EW]\d{3})\)`)

// checkDriver runs each project's manage.py as `manage.py check --deploy`
// in a child forked from one Python process that has already imported
// Django, so the test pays Django's import once per worker instead of once
// per project. Each child gets a clean environment (only the variables the
// project's settings read, plus DJANGO_SETTINGS_MODULE), its own working
// directory and sys.path, and runs manage.py with runpy exactly as
// `python3 manage.py check --deploy --fail-level CRITICAL` would.
const checkDriver = `
import json, os, runpy, sys
import django, django.core.management, django.core.checks, django.core.cache
jobs = json.load(sys.stdin)
for job in jobs:
    out = os.path.join(job["dir"], "check.out")
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(job["dir"])
            os.environ.clear()
            os.environ.update(job["env"])
            sys.path[0] = job["dir"]
            sys.argv = ["manage.py", "check", "--deploy", "--fail-level", "CRITICAL"]
            runpy.run_path("manage.py", run_name="__main__")
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 3
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(job["dir"], os.waitstatus_to_exitcode(status), flush=True)
`

type checkJob struct {
	Dir string            `json:"dir"`
	Env map[string]string `json:"env"`
}

// runDjangoChecks runs Django's deploy checks on the projects in dirs with
// `workers` driver processes and returns each project's output and exit code.
func runDjangoChecks(ctx context.Context, t *testing.T, driver string, dirs []string, projects []genProject, workers int) (outs []string, codes []int) {
	outs = make([]string, len(dirs))
	codes = make([]int, len(dirs))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		var jobs []checkJob
		for i := w; i < len(dirs); i += workers {
			env := map[string]string{"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "DJANGO_SETTINGS_MODULE": projects[i].module}
			for k, v := range projects[i].env {
				env[k] = v
			}
			jobs = append(jobs, checkJob{Dir: dirs[i], Env: env})
		}
		in, err := json.Marshal(jobs)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, debianPython, driver)
			cmd.Stdin = bytes.NewReader(in)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE=1"}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if out, err := cmd.Output(); err != nil {
				t.Errorf("check driver: %v\n%s\n%s", err, out, stderr.String())
			}
		}()
	}
	wg.Wait()
	for i, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "check.out"))
		if err != nil {
			t.Errorf("%s: no check output: %v", d, err)
			codes[i] = -1
			continue
		}
		outs[i] = string(b)
		if strings.Contains(outs[i], "Traceback") {
			codes[i] = 3
		}
	}
	return outs, codes
}

func checkIDs(out string) []string {
	var ids []string
	for _, m := range checkIDRE.FindAllStringSubmatch(out, -1) {
		ids = append(ids, m[1])
	}
	sort.Strings(ids)
	return ids
}

func ourChecks(ctx context.Context, dir string, p genProject) ([]string, error) {
	res, err := discover.Walk(ctx, dir, discover.Options{})
	if err != nil {
		return nil, err
	}
	tg := rules.NewTarget(res.Root, res.Files)
	tg.SettingsModule = p.module
	prs, err := project.Load(ctx, tg)
	if err != nil {
		return nil, err
	}
	if len(prs) != 1 || prs[0].Production == nil || prs[0].Production.Name != p.module {
		return nil, fmt.Errorf("project model: %d projects, production %v", len(prs), prs)
	}
	pr := prs[0]
	ev := settings.New(pr.Source(), settings.Options{Environ: p.env, EnvComplete: true})
	r, err := ev.Evaluate(ctx, p.module)
	if err != nil {
		return nil, err
	}
	m := &project.SettingsModule{Name: p.module, Path: pr.Production.Path, Result: r, Role: "production"}
	ids := djangoCheckIDs(&judged{pr: pr, m: m, version: version{3, 2}, env: p.env})
	sort.Strings(ids)
	return ids, nil
}

func TestDifferentialAgainstDjango(t *testing.T) {
	requireDjango(t)
	ctx := context.Background()
	root := t.TempDir()
	r := rand.New(rand.NewSource(20260401))
	projects := make([]genProject, differentialProjects)
	for i := range projects {
		projects[i] = generate(r, root)
		dir := filepath.Join(root, fmt.Sprintf("p%03d", i))
		for name, content := range projects[i].files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	type result struct {
		django, ours []string
		output       string
		err          error
	}
	dirs := make([]string, len(projects))
	for i := range projects {
		dirs[i] = filepath.Join(root, fmt.Sprintf("p%03d", i))
	}
	driver := filepath.Join(root, "check_driver.py")
	if err := os.WriteFile(driver, []byte(checkDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	outs, codes := runDjangoChecks(ctx, t, driver, dirs, projects, max(2, runtime.GOMAXPROCS(0)))
	results := make([]result, len(projects))
	for i := range projects {
		results[i].output = outs[i]
		if codes[i] != 0 {
			results[i].err = fmt.Errorf("Django's check failed (code %d)", codes[i])
			continue
		}
		results[i].django = checkIDs(outs[i])
		results[i].ours, results[i].err = ourChecks(ctx, dirs[i], projects[i])
	}
	match := 0
	seen := map[string]int{}
	for i, res := range results {
		dir := filepath.Join(root, fmt.Sprintf("p%03d", i))
		if res.err != nil {
			t.Errorf("p%03d: %v\n%s", i, res.err, res.output)
			continue
		}
		for _, id := range res.django {
			seen[id]++
		}
		if strings.Join(res.django, " ") == strings.Join(res.ours, " ") {
			match++
			continue
		}
		var src strings.Builder
		for _, name := range []string{"proj/settings.py", "proj/settings/base.py", "proj/settings/production.py"} {
			if c, ok := projects[i].files[name]; ok {
				fmt.Fprintf(&src, "--- %s\n%s", name, c)
			}
		}
		t.Errorf("p%03d (%s): Django %v, djangoguard %v\nenv %v\n%s", i, dir, res.django, res.ours, projects[i].env, src.String())
	}
	var ids []string
	for id, n := range seen {
		ids = append(ids, fmt.Sprintf("%s×%d", id, n))
	}
	sort.Strings(ids)
	t.Logf("differential: %d/%d projects match Django 3.2's check --deploy exactly; checks seen: %s", match, len(projects), strings.Join(ids, " "))
	fmt.Printf("differential: %d/%d generated projects match Django 3.2 `manage.py check --deploy` exactly\n", match, len(projects))
}
