package project

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// generatedProject builds a project of n settings modules chained by star
// imports (each imports the next: an import chain n deep) and n app URLconfs
// chained by include(), plus manage.py and a production module on top.
func generatedProject(n int) map[string]string {
	files := map[string]string{
		"manage.py":                 "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings.production\")\n",
		"proj/__init__.py":          "",
		"proj/settings/__init__.py": "",
		"proj/settings/production.py": `import os
from .s000 import *
DEBUG = os.environ.get("DJANGO_DEBUG", "False") == "True"
MIDDLEWARE += ["django.middleware.clickjacking.XFrameOptionsMiddleware"]
ROOT_URLCONF = "proj.urls"
`,
		"proj/urls.py": "from django.urls import include, path\nurlpatterns = [path(\"a/\", include(\"app000.urls\"))]\n",
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		if i+1 < n {
			fmt.Fprintf(&b, "from .s%03d import *\n", i+1)
		} else {
			b.WriteString("import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nMIDDLEWARE = []\nINSTALLED_APPS = []\nDATABASES = {\"default\": {}}\n")
		}
		fmt.Fprintf(&b, "MIDDLEWARE += [\"mw.M%03d\"]\n", i)
		fmt.Fprintf(&b, "INSTALLED_APPS.append(\"app%03d\")\n", i)
		fmt.Fprintf(&b, "SETTING_%03d = os.environ.get(\"VAR_%03d\", \"default-%03d\").split(\",\")\n", i, i, i)
		fmt.Fprintf(&b, "DATABASES[\"default\"][\"OPT_%03d\"] = {\"timeout\": %d * 60, \"path\": str(BASE_DIR / \"db%03d\")}\n", i, i, i)
		b.WriteString("if os.environ.get(\"FLAG\"):\n    CONDITIONAL = 1\nelse:\n    CONDITIONAL = 2\n")
		files[fmt.Sprintf("proj/settings/s%03d.py", i)] = b.String()
		files[fmt.Sprintf("app%03d/__init__.py", i)] = ""
		next := ""
		if i+1 < n {
			next = fmt.Sprintf(", path(\"next/\", include(\"app%03d.urls\"))", i+1)
		}
		files[fmt.Sprintf("app%03d/urls.py", i)] = fmt.Sprintf("from django.urls import include, path\nfrom . import views\nurlpatterns = [path(\"item/<int:pk>/\", views.item)%s]\n", next)
	}
	return files
}

func TestGeneratedProject(t *testing.T) {
	tg := memTarget(generatedProject(100))
	prs, err := Load(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if len(prs) != 1 || prs[0].Production == nil || prs[0].Production.Name != "proj.settings.production" {
		t.Fatalf("projects %+v", prs)
	}
	p := prs[0].Production
	mw := p.Get("MIDDLEWARE")
	if n, _ := mw.Len(); n != 101 {
		t.Errorf("MIDDLEWARE has %d entries, want 101 (the chain is 100 deep)", n)
	}
	apps, _ := p.Get("INSTALLED_APPS").Strings()
	if len(apps) != 100 || apps[0] != "app099" {
		t.Errorf("INSTALLED_APPS = %v", apps)
	}
	// The include chain is cut at its depth bound.
	if n := len(prs[0].URLs); n == 0 || n > 2*maxURLDepth+2 {
		t.Errorf("%d URLs", n)
	}
}

// BenchmarkLoadGeneratedProject measures the project model of a generated
// project of 200 settings and app modules: parsing, evaluating every
// settings module (a 100-deep star-import chain) and walking the URLconfs.
func BenchmarkLoadGeneratedProject(b *testing.B) {
	files := generatedProject(100)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tg := memTarget(files)
		if _, err := Load(context.Background(), tg); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = rules.PythonFile
