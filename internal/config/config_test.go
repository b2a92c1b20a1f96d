package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

func TestParseDjangoguardToml(t *testing.T) {
	src := `
select = ["DJG1", "djg205"]
ignore = ["DJG102"]
exclude = ["**/migrations/**", "legacy/*.py"]
fail-on = "medium"
settings-module = "mysite.settings.production"
max-file-size = 1048576

[severity]
DJG101 = "critical"
`
	cfg, err := Parse("/p/.djangoguard.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Select, ",") != "DJG1,DJG205" || strings.Join(cfg.Ignore, ",") != "DJG102" {
		t.Errorf("select %v ignore %v", cfg.Select, cfg.Ignore)
	}
	if cfg.FailOn != rules.Medium || cfg.SettingsModule != "mysite.settings.production" || cfg.MaxFileSize != 1<<20 {
		t.Errorf("cfg %+v", cfg)
	}
	if cfg.Severity["DJG101"] != rules.Critical {
		t.Errorf("severity %v", cfg.Severity)
	}
	for code, want := range map[string]bool{"DJG101": true, "DJG102": false, "DJG205": true, "DJG201": false, "DJG401": false} {
		if got := cfg.Selected(code); got != want {
			t.Errorf("Selected(%s) = %v, want %v", code, got, want)
		}
	}
}

func TestParsePyproject(t *testing.T) {
	src := `[project]
name = "mysite"

[tool.black]
line-length = 100

[tool.djangoguard]
fail-on = "low"

[tool.djangoguard.severity]
DJG102 = "medium"
`
	cfg, err := Parse("/p/pyproject.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.FailOn != rules.Low || cfg.Severity["DJG102"] != rules.Medium {
		t.Fatalf("cfg %+v", cfg)
	}
	// A pyproject.toml without the table gives the defaults.
	cfg, err = Parse("/p/pyproject.toml", []byte("[project]\nname = \"x\"\n"))
	if err != nil || cfg.FailOn != rules.High {
		t.Fatalf("cfg %+v err %v", cfg, err)
	}
}

func TestBadConfiguration(t *testing.T) {
	for _, c := range []struct {
		file, src, want string
	}{
		{".djangoguard.toml", "select = [\"DJG1\"]\nfail_on = \"high\"\n", `.djangoguard.toml:2: key "fail_on": unknown key`},
		{".djangoguard.toml", "\n\nfail-on = \"severe\"\n", `.djangoguard.toml:3: key "fail-on": unknown severity "severe"`},
		{".djangoguard.toml", "select = \"DJG1\"\n", `.djangoguard.toml:1: key "select": must be an array of strings`},
		{".djangoguard.toml", "ignore = [\"E501\"]\n", `.djangoguard.toml:1: key "ignore": "E501" is not a rule code`},
		{".djangoguard.toml", "exclude = [\"[a-\"]\n", `.djangoguard.toml:1: key "exclude": bad glob`},
		{".djangoguard.toml", "settings-module = \"my site\"\n", `.djangoguard.toml:1: key "settings-module": must be a dotted module name`},
		{".djangoguard.toml", "max-file-size = -5\n", `.djangoguard.toml:1: key "max-file-size"`},
		{".djangoguard.toml", "[severity]\nDJG10 = \"low\"\n", `.djangoguard.toml:2: key "severity.DJG10": "DJG10" is not a rule code`},
		{".djangoguard.toml", "[severity]\nDJG101 = \"loud\"\n", `.djangoguard.toml:2: key "severity.DJG101": unknown severity`},
		{".djangoguard.toml", "select = [\"DJG1\"\n", `.djangoguard.toml:1: invalid TOML`},
		{"pyproject.toml", "[tool.djangoguard]\nfail-on = \"high\"\nexlude = []\n", `pyproject.toml:3: key "exlude": unknown key`},
	} {
		_, err := Parse(c.file, []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) error = %v, want %q", c.src, err, c.want)
		}
	}
}

func TestFindWalksUp(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	// A pyproject.toml without our table is passed over.
	os.WriteFile(filepath.Join(root, "a", "b", "pyproject.toml"), []byte("[project]\nname='x'\n"), 0o644)
	os.WriteFile(filepath.Join(root, "a", "pyproject.toml"), []byte("[tool.djangoguard]\nfail-on='low'\n"), 0o644)
	got, err := Find(deep)
	if err != nil || got != filepath.Join(root, "a", "pyproject.toml") {
		t.Fatalf("Find = %q, %v", got, err)
	}
	// .djangoguard.toml wins in the same folder.
	os.WriteFile(filepath.Join(root, "a", ".djangoguard.toml"), []byte(""), 0o644)
	got, _ = Find(deep)
	if got != filepath.Join(root, "a", ".djangoguard.toml") {
		t.Fatalf("Find = %q", got)
	}
}
