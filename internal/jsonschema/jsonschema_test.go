package jsonschema

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	schema := `{
	  "$schema": "https://json-schema.org/draft/2020-12/schema",
	  "type": "object",
	  "required": ["name", "items"],
	  "additionalProperties": false,
	  "properties": {
	    "name": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"},
	    "level": {"enum": ["error", "warning", "note"]},
	    "count": {"type": "integer", "minimum": 0, "maximum": 10},
	    "uri": {"type": "string", "format": "uri"},
	    "when": {"type": "string", "format": "date-time"},
	    "items": {"type": "array", "minItems": 1, "uniqueItems": true, "items": {"$ref": "#/definitions/item"}},
	    "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
	    "any": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
	    "fixed": {"const": 1}
	  },
	  "definitions": {
	    "item": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
	  }
	}`
	s, err := Compile([]byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, doc, wantErr string
	}{
		{"valid", `{"name":"abc","items":[{"id":"x"}],"level":"note","count":3,"uri":"file:///a/","when":"2024-01-02T03:04:05Z","either":2,"any":null,"fixed":1}`, ""},
		{"missing required", `{"items":[{"id":"x"}]}`, `missing required property "name"`},
		{"extra property", `{"name":"a","items":[{"id":"x"}],"zzz":1}`, "$.zzz: property not allowed"},
		{"wrong type", `{"name":5,"items":[{"id":"x"}]}`, "$.name: is integer, want string"},
		{"pattern", `{"name":"ABC","items":[{"id":"x"}]}`, "does not match pattern"},
		{"enum", `{"name":"a","items":[{"id":"x"}],"level":"fatal"}`, "is not one of"},
		{"integer not number", `{"name":"a","items":[{"id":"x"}],"count":1.5}`, "is number, want integer"},
		{"minimum", `{"name":"a","items":[{"id":"x"}],"count":-1}`, "less than the minimum"},
		{"maximum", `{"name":"a","items":[{"id":"x"}],"count":11}`, "more than the maximum"},
		{"minItems", `{"name":"a","items":[]}`, "want at least 1"},
		{"uniqueItems", `{"name":"a","items":[{"id":"x"},{"id":"x"}]}`, "want unique items"},
		{"ref", `{"name":"a","items":[{"nope":1}]}`, `$.items[0]: missing required property "id"`},
		{"uri format", `{"name":"a","items":[{"id":"x"}],"uri":"no-scheme"}`, "is not a valid uri"},
		{"date-time format", `{"name":"a","items":[{"id":"x"}],"when":"yesterday"}`, "is not a valid date-time"},
		{"oneOf", `{"name":"a","items":[{"id":"x"}],"either":true}`, "matches 0 of oneOf"},
		{"anyOf", `{"name":"a","items":[{"id":"x"}],"any":"s"}`, "matches none of anyOf"},
		{"const", `{"name":"a","items":[{"id":"x"}],"fixed":2}`, "want 1"},
		{"not json", `{`, "not JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Validate([]byte(c.doc))
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

func TestCompileRejects(t *testing.T) {
	for _, schema := range []string{
		`{"type":"object","patternProperties":{}}`, // unsupported: must not be silently ignored
		`{"$ref":"#/definitions/missing"}`,
		`{"$ref":"other.json#/x"}`,
		`{"pattern":"("}`,
		`[]`,
	} {
		if _, err := Compile([]byte(schema)); err == nil {
			t.Errorf("Compile(%s) succeeded, want an error", schema)
		}
	}
}
