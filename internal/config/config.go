// Package config reads djangoguard's configuration: `[tool.djangoguard]` in
// pyproject.toml or a `.djangoguard.toml` file, found by walking up from the
// scanned path, or the file named by --config. Unknown keys and bad values are
// errors that name the key, the file and the line.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Config is the effective configuration.
type Config struct {
	// Path is the file it was read from, "" when defaults are in force.
	Path string
	// Select keeps only findings whose code starts with one of these
	// (empty: all). Ignore drops codes starting with any of these.
	Select []string
	Ignore []string
	// Exclude holds globs on root-relative paths.
	Exclude []string
	// FailOn is the lowest severity that makes the exit status 1.
	FailOn rules.Severity
	// SettingsModule names the production settings module (dotted).
	SettingsModule string
	// Severity overrides a rule's severity, by exact code.
	Severity map[string]rules.Severity
	// MaxFileSize is the largest file read, in bytes.
	MaxFileSize int64
}

// Default returns the configuration in force when no file is found.
func Default() *Config {
	return &Config{FailOn: rules.High, MaxFileSize: discover.DefaultMaxFileSize, Severity: map[string]rules.Severity{}}
}

// Error is a configuration problem at a place in a file.
type Error struct {
	File string
	Line int // 0 when unknown
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		fmt.Fprintf(&b, "key %q: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}

const fileName = ".djangoguard.toml"

// Find walks up from start (a file or folder) to the filesystem root and
// returns the first .djangoguard.toml, or pyproject.toml holding a
// [tool.djangoguard] table. It returns "" when there is none.
func Find(start string) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, fileName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
		p = filepath.Join(dir, "pyproject.toml")
		if b, err := os.ReadFile(p); err == nil && hasToolTable(b) {
			return p, nil
		}
		if filepath.Dir(dir) == dir {
			return "", nil
		}
	}
}

var toolTableRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*\[\s*tool\s*\.\s*djangoguard\s*[\].]`) })

func hasToolTable(b []byte) bool { return toolTableRE().Match(b) }

// Load reads the configuration file at path. For pyproject.toml only the
// [tool.djangoguard] table is read; a pyproject.toml without it gives the
// defaults.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return Parse(path, b)
}

// Parse reads configuration from the content of the file at path.
func Parse(path string, content []byte) (*Config, error) {
	cfg := Default()
	cfg.Path = path
	var raw map[string]any
	_, err := toml.Decode(string(content), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: path, Line: pe.Position.Line, Msg: "invalid TOML: " + pe.Message}
		}
		return nil, &Error{File: path, Msg: "invalid TOML: " + err.Error()}
	}
	table := raw
	prefix := []string{}
	if filepath.Base(path) == "pyproject.toml" {
		tool, _ := raw["tool"].(map[string]any)
		t, ok := tool["djangoguard"].(map[string]any)
		if !ok {
			if tool != nil && tool["djangoguard"] != nil {
				return nil, &Error{File: path, Key: "tool.djangoguard", Msg: "must be a table"}
			}
			return cfg, nil
		}
		table = t
		prefix = []string{"tool", "djangoguard"}
	}
	p := &parser{file: path, content: string(content), prefix: prefix}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := p.set(cfg, k, table[k]); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

type parser struct {
	file    string
	content string
	prefix  []string
}

var headerRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$`) })

// line finds the line where key (a path below the configuration table) is
// set: "k = ..." inside the table, or "last = ..." inside a sub-table named
// by the leading elements. The TOML library reports positions only for
// syntax errors, so this reads the text. It returns 0 when not found.
func (p *parser) line(key ...string) int {
	for split := len(key) - 1; split >= 0; split-- {
		table := strings.Join(append(append([]string(nil), p.prefix...), key[:split]...), ".")
		name := key[split]
		cur := ""
		keyRE := regexp.MustCompile(`^\s*["']?` + regexp.QuoteMeta(name) + `["']?\s*=`)
		for i, l := range strings.Split(p.content, "\n") {
			if m := headerRE().FindStringSubmatch(l); m != nil {
				cur = strings.Join(strings.Fields(strings.ReplaceAll(m[1], " ", "")), "")
				continue
			}
			if cur == table && keyRE.MatchString(l) {
				return i + 1
			}
		}
	}
	return 0
}

func (p *parser) errf(key []string, format string, args ...any) error {
	return &Error{File: p.file, Line: p.line(key...), Key: strings.Join(key, "."), Msg: fmt.Sprintf(format, args...)}
}

var codeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^DJG[0-9]{3}$`) })

var codePrefixRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^DJG[0-9]{0,3}$`) })

// Keys lists the accepted configuration keys.
var Keys = []string{"exclude", "fail-on", "ignore", "max-file-size", "select", "settings-module", "severity"}

func (p *parser) set(cfg *Config, key string, v any) error {
	k := []string{key}
	switch key {
	case "select", "ignore":
		list, err := p.strings(k, v)
		if err != nil {
			return err
		}
		for _, c := range list {
			if !codePrefixRE().MatchString(strings.ToUpper(c)) {
				return p.errf(k, "%q is not a rule code or prefix (e.g. DJG101, DJG1)", c)
			}
		}
		for i := range list {
			list[i] = strings.ToUpper(list[i])
		}
		if key == "select" {
			cfg.Select = list
		} else {
			cfg.Ignore = list
		}
	case "exclude":
		list, err := p.strings(k, v)
		if err != nil {
			return err
		}
		for _, g := range list {
			if err := discover.ValidGlob(g); err != nil {
				return p.errf(k, "bad glob %q: %v", g, err)
			}
		}
		cfg.Exclude = list
	case "fail-on":
		s, ok := v.(string)
		if !ok {
			return p.errf(k, "must be a string: one of info, low, medium, high, critical")
		}
		sev, err := rules.ParseSeverity(s)
		if err != nil {
			return p.errf(k, "%v", err)
		}
		cfg.FailOn = sev
	case "settings-module":
		s, ok := v.(string)
		if !ok || !dottedRE().MatchString(s) {
			return p.errf(k, "must be a dotted module name such as \"mysite.settings.production\"")
		}
		cfg.SettingsModule = s
	case "max-file-size":
		n, ok := v.(int64)
		if !ok || n <= 0 {
			return p.errf(k, "must be a positive whole number of bytes")
		}
		cfg.MaxFileSize = n
	case "severity":
		m, ok := v.(map[string]any)
		if !ok {
			return p.errf(k, "must be a table of CODE = \"severity\"")
		}
		for code, sv := range m {
			kk := []string{key, code}
			if !codeRE().MatchString(code) {
				return p.errf(kk, "%q is not a rule code", code)
			}
			s, ok := sv.(string)
			if !ok {
				return p.errf(kk, "must be a string: one of info, low, medium, high, critical")
			}
			sev, err := rules.ParseSeverity(s)
			if err != nil {
				return p.errf(kk, "%v", err)
			}
			cfg.Severity[code] = sev
		}
	default:
		return p.errf(k, "unknown key (known keys: %s)", strings.Join(Keys, ", "))
	}
	return nil
}

var dottedRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
})

func (p *parser) strings(key []string, v any) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, p.errf(key, "must be an array of strings")
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, p.errf(key, "must be an array of strings, found %T", e)
		}
		out = append(out, s)
	}
	return out, nil
}

// Selected reports whether findings of code are kept by select and ignore.
func (c *Config) Selected(code string) bool {
	if len(c.Select) > 0 {
		ok := false
		for _, s := range c.Select {
			if strings.HasPrefix(code, s) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, s := range c.Ignore {
		if strings.HasPrefix(code, s) {
			return false
		}
	}
	return true
}

// ValidateCodes checks that every exact code named in the configuration
// exists in reg (prefixes are not checked).
func (c *Config) ValidateCodes(reg *rules.Registry) error {
	for code := range c.Severity {
		if reg.Lookup(code) == nil {
			return &Error{File: c.Path, Key: "severity." + code, Msg: "no such rule"}
		}
	}
	return nil
}
