package deps

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// referenceLock decodes a lock file with the TOML decoder, as a reference
// for scanPackageLock.
func referenceLock(content []byte) (string, error) {
	var doc struct {
		Package []struct {
			Name     string         `toml:"name"`
			Version  string         `toml:"version"`
			Category string         `toml:"category"`
			Groups   []string       `toml:"groups"`
			Source   map[string]any `toml:"source"`
			Files    []struct {
				Hash string `toml:"hash"`
			} `toml:"files"`
			Sdist *struct {
				Hash string `toml:"hash"`
			} `toml:"sdist"`
			Wheels []struct {
				Hash string `toml:"hash"`
			} `toml:"wheels"`
		} `toml:"package"`
	}
	if _, err := toml.NewDecoder(bytes.NewReader(content)).Decode(&doc); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range doc.Package {
		h := len(p.Files) + len(p.Wheels)
		if p.Sdist != nil && p.Sdist.Hash != "" {
			h++
		}
		fmt.Fprintf(&b, "%s %s %s %v %d\n", p.Name, p.Version, p.Category, p.Groups, h)
	}
	return b.String(), nil
}

func scanned(content []byte) (string, error) {
	pkgs, err := scanPackageLock(content)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range pkgs {
		g := p.groups
		if g == nil {
			g = nil
		}
		fmt.Fprintf(&b, "%s %s %s %v %d\n", p.name, p.version, p.category, g, p.hashes)
	}
	return b.String(), nil
}

func TestScanLockMatchesTOML(t *testing.T) {
	for _, p := range []string{"testdata/formats/poetry/poetry.lock", "testdata/formats/pdm/pdm.lock", "testdata/formats/uv/uv.lock", "testdata/bench/poetry.lock"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := referenceLock(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := scanned(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got != want {
			t.Errorf("%s: scanner and TOML decoder differ\n--- scanner\n%s--- toml\n%s", p, got, want)
		}
	}
}

func TestScanLockErrors(t *testing.T) {
	for name, src := range map[string]string{
		"unterminated string": "[[package]]\nname = \"django\nversion = \"1\"\n",
		"open array":          "[[package]]\nname = \"x\"\nfiles = [\n  {file = \"a\"},\n",
		"bad header":          "[[package]\nname = \"x\"\n",
		"garbage line":        "[[package]]\nthis is not toml\n",
		"extra bracket":       "[[package]]\nname = \"x\"]\n",
		"multi-line string":   "[[package]]\ndescription = \"\"\"\nx\n\"\"\"\n",
	} {
		if _, err := scanPackageLock([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "line ") {
			t.Errorf("%s: error without a line: %v", name, err)
		}
	}
}

// FuzzScanLock checks that whenever both the TOML decoder and the scanner
// accept an input, they read the same packages.
func FuzzScanLock(f *testing.F) {
	fuzzSeeds(f, "testdata/formats/poetry/poetry.lock")
	fuzzSeeds(f, "testdata/formats/pdm/pdm.lock")
	fuzzSeeds(f, "testdata/formats/uv/uv.lock")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err1 := scanned(b)
		want, err2 := referenceLock(b)
		if err1 != nil || err2 != nil {
			return
		}
		if got != want && !strings.Contains(string(b), "\\") && !strings.Contains(string(b), "\t") {
			t.Fatalf("scanner and TOML decoder differ\n--- scanner\n%s--- toml\n%s", got, want)
		}
	})
}
