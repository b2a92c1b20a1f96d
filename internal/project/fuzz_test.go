package project

import (
	"context"
	"os"
	"testing"
)

// FuzzLoad builds the project model from an arbitrary settings module,
// URLconf and .env file: it must not panic or hang.
func FuzzLoad(f *testing.F) {
	settings, _ := os.ReadFile("../../examples/insecure-project/mysite/settings/base.py")
	urls, _ := os.ReadFile("../../examples/insecure-project/mysite/urls.py")
	f.Add(string(settings), string(urls), "DJANGO_SETTINGS_MODULE=proj.settings\n")
	f.Add("ROOT_URLCONF = 'proj.urls'\n", "from django.urls import include, path\nurlpatterns = [path('a/', include('proj.urls'))]\n", "")
	f.Add("INSTALLED_APPS = []\n", "urlpatterns = [path(x, include([path('<int:a>/', v)]))] + static()\nif DEBUG:\n    urlpatterns += [url(r'^(?P<pk>\\d+)$', v)]\n", "DJANGO_SETTINGS_MODULE = \"'\n")
	f.Fuzz(func(t *testing.T, settingsSrc, urlsSrc, env string) {
		tg := memTarget(map[string]string{
			"manage.py":        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
			"proj/__init__.py": "",
			"proj/settings.py": "ROOT_URLCONF = 'proj.urls'\n" + settingsSrc,
			"proj/urls.py":     urlsSrc,
			".env":             env,
		})
		if _, err := Load(context.Background(), tg); err != nil {
			t.Fatal(err)
		}
	})
}
