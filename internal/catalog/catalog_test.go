package catalog

import (
	"bytes"
	"os"
	"testing"

	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
)

func TestRegistry(t *testing.T) {
	reg := Registry() // panics on invalid or duplicate metadata
	if len(reg.All()) == 0 {
		t.Fatal("no rules registered")
	}
	for _, r := range reg.All() {
		if r.Kind == rules.Static && r.Run == nil && r.Code != "DJG000" && r.Code != "DJG001" {
			t.Errorf("%s: static rule without Run", r.Code)
		}
		if len(r.Doc.Links) == 0 {
			t.Errorf("%s: doc has no links", r.Code)
		}
		if r.Doc.Bad == "" || r.Doc.Good == "" {
			t.Errorf("%s: doc needs a bad and a good example", r.Code)
		}
		// The code's hundreds digit says what the rule looks at.
		wantKind := map[byte]rules.Kind{'0': rules.Static, '1': rules.Static, '2': rules.Static, '3': rules.Static,
			'4': rules.Static, '5': rules.Live, '6': rules.Correlation}[r.Code[3]]
		if r.Kind != wantKind {
			t.Errorf("%s: kind %s, but %cxx codes are %s rules", r.Code, r.Kind, r.Code[3], wantKind)
		}
	}
}

// TestRulesDocIsFresh fails when docs/rules.md does not match the registry.
// Regenerate it with `go generate ./internal/catalog`.
func TestRulesDocIsFresh(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteRulesMarkdown(&b, Registry().All()); err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatalf("%v: run go generate ./internal/catalog", err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatal("docs/rules.md is stale: run go generate ./internal/catalog")
	}
}
