package rules

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReportBoundsSourceLine(t *testing.T) {
	r := &Rule{Code: "DJG190", Name: "x", Title: "x", Severity: High, Confidence: HighConfidence, OWASP: "A05",
		Doc: Doc{Why: "w", Fix: "f"}}
	line := strings.Repeat("é", 5000) // a minified one-line template
	target := NewTarget("/r", []*File{{Path: "t.html", Content: []byte(line + "\n")}})
	var got []Finding
	pass := NewPass(context.Background(), r, target, nil, func(f Finding) { got = append(got, f) })
	for i := 0; i < 3; i++ {
		pass.Reportf("t.html", 1, i+1, "finding %d", i)
	}
	for _, f := range got {
		if len(f.Source) > MaxSourceLen+len("…") || !utf8.ValidString(f.Source) || !strings.HasSuffix(f.Source, "…") {
			t.Fatalf("source not bounded on a rune boundary: %d bytes", len(f.Source))
		}
		if f.Severity != High || f.RuleID != "DJG190" || f.EndLine != 1 {
			t.Fatalf("metadata not filled: %+v", f)
		}
	}
	if TruncateSource("short") != "short" {
		t.Fatal("short line changed")
	}
}
