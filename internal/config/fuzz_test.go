package config

import (
	"errors"
	"testing"
)

// FuzzParse: any file content yields a configuration or an *Error that
// names the file; never a panic.
func FuzzParse(f *testing.F) {
	f.Add(".djangoguard.toml", "select = [\"DJG1\"]\nfail-on = \"low\"\n[severity]\nDJG101 = \"info\"\n")
	f.Add("pyproject.toml", "[tool.djangoguard]\nexclude = [\"**/x/**\"]\n")
	f.Add("pyproject.toml", "[tool]\ndjangoguard = 3\n")
	f.Add(".djangoguard.toml", "max-file-size = 1.5\n")
	f.Fuzz(func(t *testing.T, name, content string) {
		if name != "pyproject.toml" {
			name = ".djangoguard.toml"
		}
		cfg, err := Parse(name, []byte(content))
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.File != name {
				t.Fatalf("error %v does not name the file", err)
			}
			return
		}
		if cfg.FailOn == 0 || cfg.MaxFileSize <= 0 {
			t.Fatalf("invalid configuration accepted: %+v", cfg)
		}
	})
}
