package settings

import (
	"context"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/python"
)

// memSource is a Source over in-memory files: "a/b.py" is module "a.b",
// "a/__init__.py" is "a".
type memSource map[string]*SourceModule

func newMemSource(t testing.TB, files map[string]string) memSource {
	t.Helper()
	src := memSource{}
	for p, content := range files {
		name := strings.TrimSuffix(p, ".py")
		pkg := false
		if strings.HasSuffix(name, "/__init__") {
			name = strings.TrimSuffix(name, "/__init__")
			pkg = true
		}
		name = strings.ReplaceAll(name, "/", ".")
		mod, errs := python.Parse(p, []byte(content))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", p, errs[0])
		}
		src[name] = &SourceModule{Name: name, Path: p, Abs: "/proj/" + p, IsPackage: pkg, AST: mod}
	}
	return src
}

func (s memSource) Lookup(name string) *SourceModule { return s[name] }

func evalSrc(t testing.TB, files map[string]string, module string, opts Options) *Result {
	t.Helper()
	ev := New(newMemSource(t, files), opts)
	r, err := ev.Evaluate(context.Background(), module)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEvaluateValues(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want map[string]string // name -> Value.String()
	}{
		{"literals", `
A = 1
B = "x"
C = True
D = None
E = 1.5
F = b"raw"
G = 0o644
`, map[string]string{"A": "1", "B": "'x'", "C": "True", "D": "None", "E": "1.5", "F": "b'raw'", "G": "420"}},
		{"arithmetic", `
A = 60 * 60 * 24 * 365
B = 2 ** 10
C = 7 // 2
D = -7 // 2
E = 10 / 4
F = -3 % 5
G = 1 << 4
`, map[string]string{"A": "31536000", "B": "1024", "C": "3", "D": "-4", "E": "2.5", "F": "2", "G": "16"}},
		{"strings", `
A = "django-" + "insecure"
B = "ab" * 3
C = " X ".strip().lower()
D = "a,b,,c".split(",")
E = ", ".join(["x", "y"])
F = f"{A}-key"
G = "%s://%s" % ("https", "example.com")
H = "{}:{}".format("a", 1)
I = "abc"[1:]
J = "abc".startswith(("x", "a"))
`, map[string]string{"A": "'django-insecure'", "B": "'ababab'", "C": "'x'", "D": "['a', 'b', '', 'c']", "E": "'x, y'", "F": "'django-insecure-key'", "G": "'https://example.com'", "H": "'a:1'", "I": "'bc'", "J": "True"}},
		{"lists", `
M = ["a", "b"]
M += ["c"]
M.append("d")
M.insert(0, "z")
M.extend(("e",))
M.remove("b")
N = M[1:3]
T = ("x",) + ("y",)
S = {"a", "b", "a"}
M2 = [*M[:1], "q"]
L = list(T)
`, map[string]string{"M": "['z', 'a', 'c', 'd', 'e']", "N": "['a', 'c']", "T": "('x', 'y')", "S": "{'a', 'b'}", "M2": "['z', 'q']", "L": "['x', 'y']"}},
		{"dicts", `
D = {"default": {"ENGINE": "x", "PASSWORD": "p"}}
D["default"]["PASSWORD"] = "q"
D["default"].update({"HOST": "h"})
D.update(other={"a": 1})
E = dict(a=1, b=2)
F = {**E, "c": 3}
G = D["default"].get("HOST")
del E["a"]
`, map[string]string{"D": "{'default': {'ENGINE': 'x', 'PASSWORD': 'q', 'HOST': 'h'}, 'other': {'a': 1}}", "E": "{'b': 2}", "F": "{'a': 1, 'b': 2, 'c': 3}", "G": "'h'"}},
		{"paths", `
import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
OLD = os.path.dirname(os.path.abspath(__file__))
STATIC_ROOT = BASE_DIR / "static"
MEDIA_ROOT = os.path.join(OLD, "media")
S = str(STATIC_ROOT)
`, map[string]string{"BASE_DIR": "Path('/proj')", "OLD": "'/proj'", "STATIC_ROOT": "Path('/proj/static')", "MEDIA_ROOT": "'/proj/media'", "S": "'/proj/static'"}},
		{"if-unknown-keeps-both", `
import os
if os.environ.get("X"):
    A = 1
else:
    A = 2
`, map[string]string{"A": "one of 1 | 2"}},
		{"if-known", `
DEBUG = False
if DEBUG:
    A = 1
else:
    A = 2
`, map[string]string{"A": "2"}},
		{"for-unrolled", `
APPS = []
for a in ["x", "y"]:
    APPS.append(a)
`, map[string]string{"APPS": "['x', 'y']"}},
		{"while-forgets", `
A = 1
while True:
    A = 2
`, map[string]string{"A": "<unknown>"}},
		{"hostile-growth", `
A = "x" * 10 ** 12
B = "a"
B = B + B
C = 10 ** 1000
`, map[string]string{"A": "<unknown>", "B": "'aa'", "C": "<unknown>"}},
		{"slices-and-functions", `
M = ["a", "b", "c"]
M[0:0] = ["first"]
M[2:3] = []
del M[-1:]
N = [1, 2]
N[N[0]:] = (9,)
def add_app():
    APPS.append("x")
APPS = ["a"]
KEEP = 1
add_app()
def helper():
    return 1
KEEP2 = helper()
`, map[string]string{"M": "['first', 'a']", "N": "[1, 9]", "APPS": "<unknown>", "KEEP": "1", "KEEP2": "<unknown>"}},
		{"unknown-call", `
import something
A = something.compute()
B = get_value()
`, map[string]string{"A": "<unknown>", "B": "<unknown>"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := evalSrc(t, map[string]string{"m.py": c.src}, "m", Options{})
			for n, want := range c.want {
				v := r.Names[n]
				if got := v.String(); got != want {
					t.Errorf("%s = %s, want %s", n, got, want)
				}
			}
		})
	}
}

func TestEnvironmentReads(t *testing.T) {
	src := `
import os
import environ
from decouple import config, Csv
env = environ.Env(DEBUG=(bool, False))
A = os.environ.get("A", "dflt")
B = os.getenv("B")
C = os.environ["C"]
D = os.environ.get("D", "False") == "True"
E = env("DEBUG")
F = env.bool("F", default=True)
G = env.list("G", default=["x"])
H = config("H", default="no", cast=bool)
I = config("I", default="a, b", cast=Csv())
J = int(os.environ.get("J", "3600"))
K = env.db("DATABASE_URL", default="postgres://root:hunter2@db:5432/app")
L = env.bool("L", True)
M = env.int("M", 5) * 2
`
	files := map[string]string{"m.py": src}
	t.Run("unknown environment", func(t *testing.T) {
		r := evalSrc(t, files, "m", Options{})
		want := map[string]string{"A": "'dflt'", "B": "<unknown>", "C": "<unknown>", "D": "False", "E": "False", "F": "True", "G": "['x']", "H": "False", "I": "['a', 'b']", "J": "3600", "L": "True", "M": "10"}
		for n, w := range want {
			v := r.Names[n]
			if v.String() != w {
				t.Errorf("%s = %s, want %s", n, v, w)
			}
			if v.Env == nil || !v.Env.Assumed {
				t.Errorf("%s: env read not recorded as assumed: %+v", n, v.Env)
			}
		}
		if r.Names["D"].Env.Var != "D" || r.Names["D"].Env.Default.String() != "'False'" {
			t.Errorf("D env = %+v", r.Names["D"].Env)
		}
		k := r.Names["K"]
		if k.Get("PASSWORD").String() != "'hunter2'" || k.Get("USER").String() != "'root'" {
			t.Errorf("K = %s", k)
		}
	})
	t.Run("known environment", func(t *testing.T) {
		r := evalSrc(t, files, "m", Options{EnvComplete: true, Environ: map[string]string{
			"A": "set", "C": "c", "D": "True", "DEBUG": "yes", "F": "off", "G": "p,q", "H": "on", "I": "x,y", "J": "60",
		}})
		want := map[string]string{"A": "'set'", "B": "None", "C": "'c'", "D": "True", "E": "True", "F": "False", "G": "['p', 'q']", "H": "True", "I": "['x', 'y']", "J": "60"}
		for n, w := range want {
			if v := r.Names[n]; v.String() != w {
				t.Errorf("%s = %s, want %s", n, v, w)
			}
		}
	})
}

func TestImportsAndOrigins(t *testing.T) {
	files := map[string]string{
		"proj/__init__.py":          "",
		"proj/settings/__init__.py": "",
		"proj/settings/base.py": `DEBUG = True
MIDDLEWARE = [
    "a",
]
_PRIVATE = 1
`,
		"proj/settings/prod.py": `from .base import *
DEBUG = False
MIDDLEWARE += ["b"]
try:
    from .local import *
except ImportError:
    pass
try:
    from .extra import *
except ImportError:
    EXTRA = False
`,
		"proj/settings/extra.py": "EXTRA = True\nDEBUG = True\n",
	}
	r := evalSrc(t, files, "proj.settings.prod", Options{})
	if _, ok := r.Names["_PRIVATE"]; ok {
		t.Error("star import copied a private name")
	}
	mw := r.Names["MIDDLEWARE"]
	if mw.String() != "['a', 'b']" || mw.Origin.Line != 3 || mw.Origin.Path != "proj/settings/prod.py" {
		t.Errorf("MIDDLEWARE = %s at %s", mw, mw.Origin)
	}
	if e := mw.Elems[0]; e.Origin.Path != "proj/settings/base.py" || e.Origin.Line != 3 {
		t.Errorf("MIDDLEWARE[0] origin %s", e.Origin)
	}
	if d := r.Names["DEBUG"]; d.String() != "one of True | False" {
		t.Errorf("DEBUG = %s (a try keeps both sides)", d)
	}
	if e := r.Names["EXTRA"]; e.String() != "one of True | False" {
		t.Errorf("EXTRA = %s", e)
	}
	if len(r.Imports) != 2 || r.Imports[0] != "proj.settings.base" {
		t.Errorf("imports = %v", r.Imports)
	}
}

func TestImportCycleAndDepth(t *testing.T) {
	files := map[string]string{
		"a.py": "from b import *\nA = 1\n",
		"b.py": "from a import *\nB = 2\n",
	}
	r := evalSrc(t, files, "a", Options{})
	if r.Names["A"].String() != "1" || r.Names["B"].String() != "2" {
		t.Errorf("names: %v", r.Names)
	}
	found := false
	for _, d := range evalSrc(t, files, "a", Options{}).Diagnostics {
		if strings.Contains(d.Message, "import cycle") {
			found = true
		}
	}
	if !found {
		t.Error("no cycle diagnostic")
	}
	deep := map[string]string{}
	for i := 0; i < 200; i++ {
		deep["m"+itoa(i)+".py"] = "from m" + itoa(i+1) + " import *\nX" + itoa(i) + " = " + itoa(i) + "\n"
	}
	deep["m200.py"] = "LAST = 1\n"
	r = evalSrc(t, deep, "m0", Options{MaxImportDepth: 50})
	if _, ok := r.Names["LAST"]; ok {
		t.Error("import depth not bounded")
	}
	if r.Names["X0"].String() != "0" {
		t.Error("X0 lost")
	}
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for i > 0 {
		s = string(rune('0'+i%10)) + s
		i /= 10
	}
	return s
}

func TestStepBudget(t *testing.T) {
	src := "A = [1]\n" + strings.Repeat("A = A + A\n", 40)
	r := evalSrc(t, map[string]string{"m.py": src}, "m", Options{})
	if r.Names["A"].Known() {
		t.Errorf("exponential list kept: %d items", len(r.Names["A"].Elems))
	}
}

func TestHostileShapesStayBounded(t *testing.T) {
	var big strings.Builder
	big.WriteString("D = {")
	for i := 0; i < 50_000; i++ {
		big.WriteString(`"k` + fmtInt(i) + `": ` + fmtInt(i) + ", ")
	}
	big.WriteString("}\nS = {")
	for i := 0; i < 20_000; i++ {
		big.WriteString(`"s` + fmtInt(i) + `", `)
	}
	big.WriteString("}\n")
	// A value that shares structure: comparing it must not take 2^40 steps.
	big.WriteString("A = [1]\n")
	for i := 0; i < 40; i++ {
		big.WriteString("A = [A, A]\n")
	}
	big.WriteString("E = A == [A[0], A[1]]\nIN = A in [A]\n")
	r := evalSrc(t, map[string]string{"m.py": big.String()}, "m", Options{})
	if n, _ := r.Names["D"].Len(); n != 50_000 {
		t.Errorf("D has %d keys", n)
	}
	if n, _ := r.Names["S"].Len(); n != 20_000 {
		t.Errorf("S has %d items", n)
	}
	if r.Names["E"] == nil {
		t.Error("E not evaluated")
	}
}
