package coderules

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/djangoguard/djangoguard/internal/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestTraceGolden pins the taint findings of the suite, with their traces
// (file:line:column and message per step), as users see them in JSON
// reports and SARIF codeFlows. Regenerate with go test -run TraceGolden -update.
func TestTraceGolden(t *testing.T) {
	tg := loadDir(t, filepath.Join("testdata", "suite"))
	type step struct {
		At      string `json:"at"`
		Message string `json:"message"`
	}
	type out struct {
		Rule       string `json:"rule"`
		At         string `json:"at"`
		Confidence string `json:"confidence"`
		Message    string `json:"message"`
		Trace      []step `json:"trace"`
	}
	var got []out
	for _, f := range scanAll(t, tg) {
		if len(f.Trace) == 0 {
			continue
		}
		o := out{Rule: f.RuleID, At: loc(f.Path, f.Line, f.Column), Confidence: f.Confidence.String(), Message: f.Message}
		for _, s := range f.Trace {
			o.Trace = append(o.Trace, step{At: loc(s.Path, s.Line, s.Column), Message: s.Message})
		}
		got = append(got, o)
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	golden := filepath.Join("testdata", "traces.golden.json")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TraceGolden -update)", err)
	}
	if string(want) != string(b) {
		t.Errorf("traces differ from %s; rerun with -update and review the diff", golden)
	}
	// Every taint finding's trace starts at a source and ends at its sink.
	for _, f := range scanAll(t, tg) {
		if len(f.Trace) == 0 {
			continue
		}
		last := f.Trace[len(f.Trace)-1]
		if last.Line != f.Line || last.Path != f.Path {
			t.Errorf("%s:%d %s: trace ends at %s:%d, not at the sink", f.Path, f.Line, f.RuleID, last.Path, last.Line)
		}
	}
	_ = rules.HighConfidence
}

func loc(p string, line, col int) string {
	return p + ":" + itoa(line) + ":" + itoa(col)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
