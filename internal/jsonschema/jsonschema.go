// Package jsonschema validates JSON documents against a JSON Schema. It
// implements the keywords used by the SARIF 2.1.0 schema and by
// djangoguard's own report schemas: type, properties, required,
// additionalProperties, items, enum, const, $ref (local JSON pointers),
// anyOf, oneOf, allOf, not, minimum, maximum, minItems, maxItems,
// uniqueItems, minLength, maxLength, pattern and format (date-time, uri,
// uri-reference). An unknown keyword that would constrain a value is an
// error when the schema is compiled, so a schema is never half-checked.
package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Schema is a compiled schema.
type Schema struct {
	root     any
	patterns map[string]*regexp.Regexp
}

var annotations = map[string]bool{
	"$schema": true, "$id": true, "id": true, "title": true, "description": true,
	"default": true, "definitions": true, "$defs": true, "examples": true, "$comment": true,
	"deprecated": true, "readOnly": true, "writeOnly": true,
}

var keywords = map[string]bool{
	"type": true, "properties": true, "required": true, "additionalProperties": true,
	"items": true, "enum": true, "const": true, "$ref": true, "anyOf": true, "oneOf": true,
	"allOf": true, "not": true, "minimum": true, "maximum": true, "minItems": true,
	"maxItems": true, "uniqueItems": true, "minLength": true, "maxLength": true,
	"pattern": true, "format": true,
}

// Compile parses a schema document.
func Compile(schema []byte) (*Schema, error) {
	var root any
	dec := json.NewDecoder(bytes.NewReader(schema))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	s := &Schema{root: root, patterns: map[string]*regexp.Regexp{}}
	if err := s.check(root, "#"); err != nil {
		return nil, err
	}
	return s, nil
}

// check walks the schema, rejecting unsupported keywords and compiling
// patterns.
func (s *Schema) check(node any, at string) error {
	m, ok := node.(map[string]any)
	if !ok {
		if _, isBool := node.(bool); isBool {
			return nil
		}
		return fmt.Errorf("%s: a schema must be an object or a boolean", at)
	}
	for k, v := range m {
		switch {
		case annotations[k]:
			if k == "definitions" || k == "$defs" {
				defs, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("%s/%s: must be an object", at, k)
				}
				for name, d := range defs {
					if err := s.check(d, at+"/"+k+"/"+name); err != nil {
						return err
					}
				}
			}
		case !keywords[k]:
			return fmt.Errorf("%s: unsupported keyword %q", at, k)
		case k == "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s/properties: must be an object", at)
			}
			for name, p := range props {
				if err := s.check(p, at+"/properties/"+name); err != nil {
					return err
				}
			}
		case k == "items" || k == "additionalProperties" || k == "not":
			if err := s.check(v, at+"/"+k); err != nil {
				return err
			}
		case k == "anyOf" || k == "oneOf" || k == "allOf":
			list, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s/%s: must be an array", at, k)
			}
			for i, sub := range list {
				if err := s.check(sub, fmt.Sprintf("%s/%s/%d", at, k, i)); err != nil {
					return err
				}
			}
		case k == "pattern":
			p, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s/pattern: must be a string", at)
			}
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("%s/pattern: %w", at, err)
			}
			s.patterns[p] = re
		case k == "$ref":
			ref, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s/$ref: must be a string", at)
			}
			if _, err := s.resolve(ref); err != nil {
				return fmt.Errorf("%s/$ref: %w", at, err)
			}
		}
	}
	return nil
}

func (s *Schema) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("only local references are supported, not %q", ref)
	}
	node := s.root
	ptr := strings.TrimPrefix(ref, "#")
	if ptr == "" {
		return node, nil
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %q does not resolve", ref)
		}
		if node, ok = m[tok]; !ok {
			return nil, fmt.Errorf("reference %q does not resolve", ref)
		}
	}
	return node, nil
}

// ValidationError lists every place where a document breaks the schema.
type ValidationError struct{ Problems []string }

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%d schema violation(s):\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Validate checks a JSON document.
func (s *Schema) Validate(doc []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("document is not JSON: %w", err)
	}
	var probs []string
	s.validate(s.root, v, "$", &probs, 0)
	if len(probs) > 0 {
		sort.Strings(probs)
		return &ValidationError{Problems: probs}
	}
	return nil
}

const maxDepth = 256

func (s *Schema) validate(schema, v any, at string, probs *[]string, depth int) {
	if depth > maxDepth {
		*probs = append(*probs, at+": schema recursion too deep")
		return
	}
	fail := func(format string, args ...any) {
		*probs = append(*probs, at+": "+fmt.Sprintf(format, args...))
	}
	if b, ok := schema.(bool); ok {
		if !b {
			fail("no value is allowed here")
		}
		return
	}
	m := schema.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		target, _ := s.resolve(ref)
		s.validate(target, v, at, probs, depth+1)
	}
	if t, ok := m["type"]; ok && !typeMatches(t, v) {
		fail("is %s, want %v", typeName(v), t)
		return
	}
	if enum, ok := m["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if equal(e, v) {
				found = true
				break
			}
		}
		if !found {
			fail("value %s is not one of %s", show(v), show(enum))
		}
	}
	if c, ok := m["const"]; ok && !equal(c, v) {
		fail("value %s, want %s", show(v), show(c))
	}
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		list, ok := m[k].([]any)
		if !ok {
			continue
		}
		n := 0
		var sub []string
		for _, alt := range list {
			var p []string
			s.validate(alt, v, at, &p, depth+1)
			if len(p) == 0 {
				n++
			} else {
				sub = append(sub, p...)
			}
		}
		switch {
		case k == "anyOf" && n == 0:
			fail("matches none of anyOf: %s", strings.Join(sub, "; "))
		case k == "oneOf" && n != 1:
			fail("matches %d of oneOf, want exactly 1", n)
		case k == "allOf" && n != len(list):
			*probs = append(*probs, sub...)
		}
	}
	if not, ok := m["not"]; ok {
		var p []string
		s.validate(not, v, at, &p, depth+1)
		if len(p) == 0 {
			fail("matches a schema it must not")
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := m["properties"].(map[string]any)
		if req, ok := m["required"].([]any); ok {
			for _, r := range req {
				if name, _ := r.(string); name != "" {
					if _, ok := x[name]; !ok {
						fail("missing required property %q", name)
					}
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			child := at + "." + k
			if ps, ok := props[k]; ok {
				s.validate(ps, x[k], child, probs, depth+1)
				continue
			}
			if ap, ok := m["additionalProperties"]; ok {
				if b, isBool := ap.(bool); isBool && !b {
					*probs = append(*probs, child+": property not allowed")
					continue
				}
				s.validate(ap, x[k], child, probs, depth+1)
			}
		}
	case []any:
		if n, ok := num(m["minItems"]); ok && float64(len(x)) < n {
			fail("has %d items, want at least %v", len(x), n)
		}
		if n, ok := num(m["maxItems"]); ok && float64(len(x)) > n {
			fail("has %d items, want at most %v", len(x), n)
		}
		if u, _ := m["uniqueItems"].(bool); u {
			for i := range x {
				for j := i + 1; j < len(x); j++ {
					if equal(x[i], x[j]) {
						fail("items %d and %d are equal, want unique items", i, j)
					}
				}
			}
		}
		if items, ok := m["items"]; ok {
			for i, e := range x {
				s.validate(items, e, fmt.Sprintf("%s[%d]", at, i), probs, depth+1)
			}
		}
	case string:
		if n, ok := num(m["minLength"]); ok && float64(len([]rune(x))) < n {
			fail("is shorter than %v characters", n)
		}
		if n, ok := num(m["maxLength"]); ok && float64(len([]rune(x))) > n {
			fail("is longer than %v characters", n)
		}
		if p, ok := m["pattern"].(string); ok && !s.patterns[p].MatchString(x) {
			fail("%q does not match pattern %q", x, p)
		}
		if f, ok := m["format"].(string); ok {
			if err := checkFormat(f, x); err != nil {
				fail("%q is not a valid %s: %v", x, f, err)
			}
		}
	case json.Number:
		f, _ := x.Float64()
		if n, ok := num(m["minimum"]); ok && f < n {
			fail("%v is less than the minimum %v", x, n)
		}
		if n, ok := num(m["maximum"]); ok && f > n {
			fail("%v is more than the maximum %v", x, n)
		}
	}
}

func checkFormat(format, s string) error {
	switch format {
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err
	case "uri":
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		if u.Scheme == "" {
			return fmt.Errorf("no scheme")
		}
	case "uri-reference":
		_, err := url.Parse(s)
		return err
	}
	return nil
}

func num(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if isInteger(x) {
			return "integer"
		}
		return "number"
	}
	return "unknown"
}

func isInteger(n json.Number) bool {
	if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return true
	}
	f, err := n.Float64()
	return err == nil && f == math.Trunc(f) && !math.IsInf(f, 0)
}

func typeMatches(t, v any) bool {
	switch tt := t.(type) {
	case string:
		got := typeName(v)
		return got == tt || (tt == "number" && got == "integer")
	case []any:
		for _, e := range tt {
			if typeMatches(e, v) {
				return true
			}
		}
	}
	return false
}

func equal(a, b any) bool {
	if na, ok := a.(json.Number); ok {
		nb, ok := b.(json.Number)
		if !ok {
			return false
		}
		fa, _ := na.Float64()
		fb, _ := nb.Float64()
		return fa == fb
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
