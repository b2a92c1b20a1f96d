package project

import (
	"context"
	"strings"
	"testing"
)

func TestSettingsReferencesAndProductionChoice(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]string
		override string
		want     string // production module
		why      string // substring of the reasons
		refs     []string
	}{
		{
			name: "named production wins over manage.py's dev",
			files: map[string]string{
				"manage.py":                   "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings.dev')\n",
				"shop/__init__.py":            "",
				"shop/settings/__init__.py":   "",
				"shop/settings/base.py":       "DEBUG = False\n",
				"shop/settings/dev.py":        "from .base import *\nDEBUG = True\n",
				"shop/settings/production.py": "from .base import *\n",
				"shop/settings/test.py":       "from .base import *\n",
			},
			want: "shop.settings.production", why: "says production",
			refs: []string{"shop.settings.dev@manage.py"},
		},
		{
			name: "wsgi.py names it",
			files: map[string]string{
				"manage.py":              "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings_local')\n",
				"shop/__init__.py":       "",
				"shop/wsgi.py":           "import os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'shop.config'\n",
				"shop/config.py":         "INSTALLED_APPS = []\nROOT_URLCONF = 'shop.urls'\n",
				"shop/settings_local.py": "from shop.config import *\nDEBUG = True\n",
			},
			want: "shop.config", why: "wsgi.py",
			refs: []string{"shop.settings_local@manage.py", "shop.config@wsgi.py"},
		},
		{
			name: "references in config files",
			files: map[string]string{
				"manage.py":           "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
				"shop/__init__.py":    "",
				"shop/settings.py":    "DEBUG = False\n",
				"shop/ci_settings.py": "from .settings import *\n",
				".env":                "DJANGO_SETTINGS_MODULE=shop.settings\n",
				"pytest.ini":          "[pytest]\nDJANGO_SETTINGS_MODULE = shop.ci_settings\n",
				"pyproject.toml":      "[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = \"shop.ci_settings\"\n",
			},
			want: "shop.settings", why: "manage.py",
			refs: []string{"shop.settings@manage.py", "shop.settings@.env", "shop.ci_settings@pytest", "shop.ci_settings@pyproject"},
		},
		{
			name: "namespace packages (no __init__.py)",
			files: map[string]string{
				"manage.py":                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n",
				"config/wsgi.py":           "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.prod')\n",
				"config/settings/base.py":  "DEBUG = False\nSECURE_SSL_REDIRECT = True\n",
				"config/settings/local.py": "from .base import *\nDEBUG = True\n",
				"config/settings/prod.py":  "from .base import *\nSECURE_HSTS_SECONDS = 60\n",
			},
			want: "config.settings.prod", why: "wsgi.py",
			refs: []string{"config.settings.local@manage.py", "config.settings.prod@wsgi.py"},
		},
		{
			name: "production fragment pulled in by the package",
			files: map[string]string{
				"manage.py":                 "",
				"proj/__init__.py":          "",
				"proj/wsgi.py":              "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
				"proj/settings/__init__.py": "import os\nfrom .base import *\nif os.environ.get('ENV') == 'prod':\n    from .prod import *\n",
				"proj/settings/base.py":     "DEBUG = True\nINSTALLED_APPS = []\n",
				"proj/settings/prod.py":     "DEBUG = False\n",
			},
			want: "proj.settings", why: "wsgi.py",
		},
		{
			name:     "override",
			override: "shop.settings.dev",
			files: map[string]string{
				"manage.py":                   "",
				"shop/__init__.py":            "",
				"shop/settings/__init__.py":   "",
				"shop/settings/dev.py":        "DEBUG = True\n",
				"shop/settings/production.py": "DEBUG = False\n",
			},
			want: "shop.settings.dev", why: "--settings-module",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := memTarget(c.files)
			tg.SettingsModule = c.override
			prs, err := Load(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			if len(prs) != 1 || prs[0].Production == nil {
				t.Fatalf("projects %+v", prs)
			}
			pr := prs[0]
			if c.name == "namespace packages (no __init__.py)" {
				if v := pr.Production.Get("SECURE_SSL_REDIRECT"); v == nil || v.String() != "True" {
					t.Errorf("star import through a namespace package lost: %v", v)
				}
			}
			if pr.Production.Name != c.want {
				t.Errorf("production %s, want %s (why %v)", pr.Production.Name, c.want, pr.Why)
			}
			if !strings.Contains(strings.Join(pr.Why, "; "), c.why) {
				t.Errorf("why %v, want mention of %q", pr.Why, c.why)
			}
			got := map[string]bool{}
			for _, r := range pr.SettingsRefs {
				got[r.Module+"@"+r.How] = true
			}
			for _, r := range c.refs {
				if !got[r] {
					t.Errorf("reference %s not found in %v", r, pr.SettingsRefs)
				}
			}
		})
	}
}

func TestMonorepoProjects(t *testing.T) {
	tg := memTarget(map[string]string{
		"shop/manage.py":        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
		"shop/site/__init__.py": "",
		"shop/site/settings.py": "DEBUG = False\nROOT_URLCONF = 'site.urls'\n",
		"shop/site/urls.py":     "from django.urls import path\nurlpatterns = [path('a/', v)]\n",
		"shop/requirements.txt": "Django==4.2.1\n",
		"blog/manage.py":        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
		"blog/site/__init__.py": "",
		"blog/site/settings.py": "DEBUG = True\nROOT_URLCONF = 'site.urls'\n",
		"blog/site/urls.py":     "from django.urls import path\nurlpatterns = [path('b/', v), path('c/', v)]\n",
		"requirements.txt":      "Django>=5.0\n",
	})
	prs, err := Load(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if len(prs) != 2 || prs[0].Root != "blog" || prs[1].Root != "shop" {
		t.Fatalf("projects %+v", prs)
	}
	blog, shop := prs[0], prs[1]
	// An override naming a module of one project does not leak into the other.
	tg2 := memTarget(map[string]string{
		"shop/manage.py": "", "shop/shopsite/__init__.py": "", "shop/shopsite/settings.py": "DEBUG = False\n", "shop/shopsite/prod.py": "DEBUG = False\n",
		"blog/manage.py": "", "blog/blogsite/__init__.py": "", "blog/blogsite/settings.py": "DEBUG = True\n",
	})
	tg2.SettingsModule = "shopsite.prod"
	prs2, err := Load(context.Background(), tg2)
	if err != nil || len(prs2) != 2 {
		t.Fatalf("%v %v", prs2, err)
	}
	if prs2[0].Production.Name != "blogsite.settings" || prs2[1].Production.Name != "shopsite.prod" {
		t.Errorf("override: blog %s, shop %s", prs2[0].Production.Name, prs2[1].Production.Name)
	}
	// The same module name resolves inside each project.
	if d := blog.Production.Get("DEBUG"); d == nil || d.String() != "True" || blog.Production.Path != "blog/site/settings.py" {
		t.Errorf("blog production %+v", blog.Production)
	}
	if len(blog.URLs) != 2 || len(shop.URLs) != 1 {
		t.Errorf("urls: blog %d shop %d", len(blog.URLs), len(shop.URLs))
	}
	if shop.Django != "4.2.1" || blog.Django != "5.0" {
		t.Errorf("versions: shop %q blog %q", shop.Django, blog.Django)
	}
}

func TestURLConfShapes(t *testing.T) {
	tg := memTarget(map[string]string{
		"manage.py":            "",
		"site/__init__.py":     "",
		"site/settings.py":     "ROOT_URLCONF = 'site.urls'\n",
		"site/api/__init__.py": "",
		"site/api/urls.py":     "from django.urls import path\nurlpatterns = [path('items/<int:pk>/', v)]\n",
		"site/urls.py": `from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from site.api import urls as api_urls

ADMIN = "hidden-admin/"
v1 = [path("ping/", ping), path("api/", include(api_urls))]
urlpatterns = i18n_patterns(path(ADMIN, admin.site.urls), path("v1/", include(v1)))
urlpatterns += [re_path(r"^legacy/(?P<id>[0-9]+)/$", legacy)]
if settings.DEBUG:
    urlpatterns += [path("__debug__/", include("debug_toolbar.urls"))]
`,
	})
	prs, err := Load(context.Background(), tg)
	if err != nil || len(prs) != 1 {
		t.Fatalf("%v %v", prs, err)
	}
	got := map[string]string{}
	for _, u := range prs[0].URLs {
		desc := u.Kind
		if u.DebugGuarded {
			desc += " guarded"
		}
		if len(u.Converters) > 0 {
			desc += " " + strings.Join(u.Converters, ",")
		}
		got[u.Route] = desc
	}
	want := map[string]string{
		"hidden-admin/":           "admin",
		"v1/":                     "include",
		"v1/ping/":                "view",
		"v1/api/":                 "include",
		"v1/api/items/<int:pk>/":  "view int",
		"legacy/(?P<id>[0-9]+)/$": "view int",
		"__debug__/":              "debug_toolbar guarded",
	}
	for r, d := range want {
		if got[r] != d {
			t.Errorf("%s: got %q, want %q (all: %v)", r, got[r], d, got)
		}
	}
}
