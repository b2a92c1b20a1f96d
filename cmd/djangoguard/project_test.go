package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestProjectCommand(t *testing.T) {
	out, stderr, code := djangoguard(t, "project", "--format", "json", "--settings", "../../examples/insecure-project")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Projects []struct {
			Root       string   `json:"root"`
			Production string   `json:"production"`
			Why        []string `json:"why"`
			Django     string   `json:"django"`
			Settings   []struct {
				Name, Value, Where, Env string
			} `json:"settings"`
		} `json:"projects"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Projects) != 2 || doc.Projects[0].Production != "mysite.settings.production" || doc.Projects[1].Production != "apisite.settings" {
		t.Fatalf("projects: %+v", doc.Projects)
	}
	p := doc.Projects[0]
	if p.Django != "3.2.10" || !strings.Contains(strings.Join(p.Why, " "), "wsgi.py") {
		t.Errorf("django %q why %v", p.Django, p.Why)
	}
	found := false
	for _, s := range p.Settings {
		if s.Name == "SECRET_KEY" && (s.Value != "(redacted)" || s.Env != "DJANGO_SECRET_KEY") {
			t.Errorf("SECRET_KEY shown as %+v", s)
		}
		if s.Name == "DEBUG" {
			found = s.Value == "True" && s.Where == "mysite/settings/production.py:6" && s.Env == "DJANGO_DEBUG"
		}
	}
	if !found {
		t.Errorf("DEBUG not reported as evaluated: %+v", p.Settings)
	}
	text, _, code := djangoguard(t, "project", "--settings-module", "mysite.settings.base", "../../examples/insecure-project")
	if code != 0 || !strings.Contains(text, "production:       mysite.settings.base, because named by --settings-module") {
		t.Errorf("override not shown:\n%s", text)
	}
}
