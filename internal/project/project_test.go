package project

import (
	"context"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/rules"
)

func diskTarget(t testing.TB, dir string) *rules.Target {
	t.Helper()
	res, err := discover.Walk(context.Background(), dir, discover.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rules.NewTarget(res.Root, res.Files)
}

func TestLoadExampleProject(t *testing.T) {
	tg := diskTarget(t, "../../examples/insecure-project")
	prs, err := Load(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	// The notes site at the root, and the API project in api/.
	if len(prs) != 2 || prs[0].Root != "" || prs[1].Root != "api" {
		t.Fatalf("projects: %+v", prs)
	}
	if api := prs[1]; api.Django != "4.2.16" || api.Production == nil || api.Production.Name != "apisite.settings" || api.ManagePy != "api/manage.py" {
		t.Errorf("api project: django %q production %+v manage %q", api.Django, api.Production, api.ManagePy)
	}
	pr := prs[0]
	if pr.ManagePy != "manage.py" || pr.Root != "" {
		t.Errorf("manage.py %q root %q", pr.ManagePy, pr.Root)
	}
	if pr.Production == nil || pr.Production.Name != "mysite.settings.production" {
		t.Fatalf("production = %+v", pr.Production)
	}
	if !strings.Contains(strings.Join(pr.Why, "; "), "production") {
		t.Errorf("why = %v", pr.Why)
	}
	if pr.RootURLConf != "mysite.urls" || len(pr.Apps) == 0 {
		t.Errorf("urlconf %q apps %v", pr.RootURLConf, pr.Apps)
	}
	if pr.Django != "3.2.10" {
		t.Errorf("django %q from %q", pr.Django, pr.DjangoFrom)
	}
	kinds := map[string]int{}
	for _, u := range pr.URLs {
		kinds[u.Kind]++
		t.Logf("%s %s %s:%d guarded=%v conv=%v", u.Kind, u.Route, u.Path, u.Line, u.DebugGuarded, u.Converters)
	}
	if kinds["admin"] != 1 || kinds["static"] != 1 || kinds["debug_toolbar"] != 1 || kinds["view"] < 5 {
		t.Errorf("url kinds %v", kinds)
	}
	for _, r := range pr.SettingsRefs {
		t.Logf("ref %+v", r)
	}
}
