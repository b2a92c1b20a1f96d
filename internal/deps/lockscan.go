package deps

import (
	"fmt"
	"strconv"
	"strings"
)

// scanPackageLock reads the [[package]] tables of poetry.lock, pdm.lock
// and uv.lock without a general TOML decoder, which is several times too
// slow for the large lock files of big projects. It understands what these
// generated files contain: table headers, key = value lines, basic and
// literal strings, arrays and inline tables spanning lines. It checks
// strings and brackets are closed and that every line is a header, a
// key/value pair, a comment or blank; anything else is an error naming the
// line. Tests compare it with the TOML decoder on every fixture and by
// fuzzing.
func scanPackageLock(content []byte) ([]scannedPackage, error) {
	var out []scannedPackage
	var cur *scannedPackage
	inPackage := false // the current table is a [[package]] root
	text := string(content)
	// next returns the line starting at offset off (without its "\n") and
	// the offset of the line after it.
	next := func(off int) (string, int) {
		if j := strings.IndexByte(text[off:], '\n'); j >= 0 {
			return text[off : off+j], off + j + 1
		}
		return text[off:], len(text) + 1
	}
	lineNo := 0
	for off := 0; off <= len(text); {
		raw, after := next(off)
		off = after
		lineNo++
		if off > len(text) && raw == "" {
			break
		}
		ln := strings.TrimRight(raw, "\r")
		t := strings.TrimSpace(ln)
		if t == "" || t[0] == '#' {
			continue
		}
		if t[0] == '[' {
			h := stripTrailingComment(t)
			switch {
			case h == "[[package]]":
				out = append(out, scannedPackage{line: lineNo})
				cur = &out[len(out)-1]
				inPackage = true
			case strings.HasPrefix(h, "[[") && strings.HasSuffix(h, "]]"), strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") && !strings.HasPrefix(h, "[["):
				inPackage = false
			default:
				return nil, fmt.Errorf("line %d: malformed table header", lineNo)
			}
			continue
		}
		eq := keyEnd(t)
		if eq < 0 {
			return nil, fmt.Errorf("line %d: expected key = value", lineNo)
		}
		key := strings.Trim(strings.TrimSpace(t[:eq]), `"'`)
		val := strings.TrimSpace(t[eq+1:])
		// Gather a value that continues over several lines, scanning each
		// line once; rest is the text of the lines after the first.
		start, restFrom := lineNo, off
		depth, err := valueDepth(val, 0)
		for err == nil && depth > 0 {
			if off > len(text) {
				return nil, fmt.Errorf("line %d: value not closed before the end of the file", start)
			}
			var l string
			l, off = next(off)
			lineNo++
			depth, err = valueDepth(l, depth)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", start, err)
		}
		rest := ""
		if lineNo > start {
			rest = text[restFrom:min(off-1, len(text))]
		}
		if !inPackage || cur == nil {
			continue
		}
		switch key {
		case "name":
			cur.name, cur.nameErr = tomlString(val)
			if q := strings.IndexByte(ln, '"'); q >= 0 && cur.nameErr == nil && strings.HasPrefix(ln[q:], `"`+cur.name+`"`) {
				cur.nameLine, cur.nameCol = start, q+1
			}
		case "version":
			cur.version, _ = tomlString(val)
		case "category":
			cur.category, _ = tomlString(val)
		case "groups":
			if strings.HasPrefix(val, "[") {
				cur.groups = tomlStrings(joinValue(val, rest))
			}
		case "source":
			cur.source = inlineKeys(joinValue(val, rest))
		case "files", "wheels", "sdist":
			cur.hashes += countHashes(val) + countHashes(rest)
		}
	}
	return out, nil
}

// joinValue is a value's first line and the lines after it, as one string.
func joinValue(first, rest string) string {
	if rest == "" {
		return first
	}
	return first + "\n" + rest
}

// countHashes counts the bare "hash" keys of the inline tables in s
// (files = [{file = "...", hash = "sha256:..."}, ...]), outside strings.
func countHashes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			// Skip the string; an unterminated one ends its line.
			if j := stringEnd(s, i); j >= 0 {
				i = j
			} else if nl := strings.IndexByte(s[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				i = len(s)
			}
		case c == 'h' && strings.HasPrefix(s[i:], "hash") && (i == 0 || strings.IndexByte("{, \t\n", s[i-1]) >= 0):
			j := i + 4
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			if j < len(s) && s[j] == '=' {
				n++
			}
			i = j - 1
		}
	}
	return n
}

type scannedPackage struct {
	line     int
	nameLine int // where the name's opening quote is, when on its key's line
	nameCol  int // 1-based
	name     string
	nameErr  error
	version  string
	category string
	groups   []string
	source   []string // keys of the source inline table (uv)
	hashes   int
}

func stripTrailingComment(s string) string {
	if i := strings.Index(s, "#"); i >= 0 && !strings.ContainsAny(s[:i], `"'`) {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// keyEnd returns the index of the "=" after a (possibly quoted) key.
func keyEnd(s string) int {
	inQ := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQ != 0:
			if c == inQ {
				inQ = 0
			}
		case c == '"' || c == '\'':
			inQ = c
		case c == '=':
			return i
		case c == '[' || c == '{' || c == '#':
			return -1
		}
	}
	return -1
}

// stringEnd returns the index of the quote that closes the string opening
// at s[i] (basic strings have backslash escapes, literal strings none), or
// -1 when the line or s ends first.
func stringEnd(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s) && s[j] != '\n'; j++ {
		if s[j] == '\\' && q == '"' {
			j++
			continue
		}
		if s[j] == q {
			return j
		}
	}
	return -1
}

// valueDepth scans one line of a value and returns the bracket depth at
// its end, starting from depth. Strings must close on their line
// (multi-line strings are not used by lock files and are rejected).
func valueDepth(v string, depth int) (int, error) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '"', '\'':
			if strings.HasPrefix(v[i:], `"""`) || strings.HasPrefix(v[i:], "'''") {
				return 0, fmt.Errorf("multi-line strings are not expected in a lock file")
			}
			j := stringEnd(v, i)
			if j < 0 {
				return 0, fmt.Errorf("unterminated string")
			}
			i = j
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth < 0 {
				return depth, fmt.Errorf("unbalanced brackets")
			}
		case '#':
			return depth, nil // a comment runs to the end of the line
		}
	}
	return depth, nil
}

func tomlString(v string) (string, error) {
	v = stripTrailingComment(strings.TrimSpace(v))
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1], nil
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		s, err := strconv.Unquote(v)
		if err != nil {
			return "", fmt.Errorf("bad string %s", clip(v))
		}
		return s, nil
	}
	return "", fmt.Errorf("expected a string, got %s", clip(v))
}

// tomlStrings returns the strings of an array value.
func tomlStrings(v string) []string {
	var out []string
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\'' {
			j := strings.IndexByte(v[i+1:], v[i])
			if j < 0 {
				break
			}
			out = append(out, v[i+1:i+1+j])
			i += j + 1
		}
	}
	return out
}

// inlineKeys returns the keys of an inline table value "{ a = 1, b = 2 }".
func inlineKeys(v string) []string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "{") {
		return nil
	}
	var out []string
	depth := 0
	keyStart := 1
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"', '\'':
			if j := strings.IndexByte(v[i+1:], v[i]); j >= 0 {
				i += j + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '=':
			if depth == 1 {
				out = append(out, strings.Trim(strings.TrimSpace(v[keyStart:i]), `"'`))
			}
		case ',':
			if depth == 1 {
				keyStart = i + 1
			}
		}
	}
	return out
}
