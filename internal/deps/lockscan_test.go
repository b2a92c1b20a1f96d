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
	// A generic document, read with exact keys: TOML keys are case
	// sensitive, and decoding into a struct would match "[[Package]]" or
	// "NAME" to the fields case-insensitively.
	var doc map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(content)).Decode(&doc); err != nil {
		return "", err
	}
	str := func(t map[string]any, k string) string {
		s, _ := t[k].(string)
		return s
	}
	tables := func(v any) []map[string]any {
		switch v := v.(type) {
		case []map[string]any:
			return v
		case []any:
			var out []map[string]any
			for _, e := range v {
				if m, ok := e.(map[string]any); ok {
					out = append(out, m)
				}
			}
			return out
		}
		return nil
	}
	var b strings.Builder
	pkgs, _ := doc["package"].([]map[string]any)
	for _, p := range pkgs {
		var groups []string
		if gs, ok := p["groups"].([]any); ok {
			for _, g := range gs {
				if s, ok := g.(string); ok {
					groups = append(groups, s)
				}
			}
		}
		h := 0
		for _, t := range append(tables(p["files"]), tables(p["wheels"])...) {
			if _, ok := t["hash"]; ok {
				h++
			}
		}
		if sd, ok := p["sdist"].(map[string]any); ok {
			if _, ok := sd["hash"]; ok {
				h++
			}
		}
		fmt.Fprintf(&b, "%s %s %s %v %d\n", str(p, "name"), str(p, "version"), str(p, "category"), groups, h)
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
		// The scanner counts bare "hash" keys; quoted ones are not compared.
		s := string(b)
		quotedKey := strings.Contains(s, `"hash"`) || strings.Contains(s, `'hash'`)
		if got != want && !quotedKey && !strings.Contains(s, "\\") && !strings.Contains(s, "\t") {
			t.Fatalf("scanner and TOML decoder differ\n--- scanner\n%s--- toml\n%s", got, want)
		}
	})
}
