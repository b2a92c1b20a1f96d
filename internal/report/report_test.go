package report

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/jsonschema"
	"github.com/djangoguard/djangoguard/internal/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func sampleRegistry(t *testing.T) *rules.Registry {
	t.Helper()
	doc := rules.Doc{Why: "Why it matters.", Bad: "DEBUG = True", Good: "DEBUG = False", Fix: "Turn it off.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/settings/#debug"}}
	reg, err := rules.NewRegistry(
		&rules.Rule{Code: "DJG101", Name: "debug-enabled", Title: "DEBUG is set to True", Severity: rules.High,
			Confidence: rules.HighConfidence, OWASP: "A05", CWE: 489, Doc: doc},
		&rules.Rule{Code: "DJG201", Name: "sql-injection", Title: "SQL built from request data", Severity: rules.Critical,
			Confidence: rules.MediumConfidence, OWASP: "A03", CWE: 89, Doc: doc},
		&rules.Rule{Code: "DJG501", Name: "debug-page", Title: "DEBUG page served", Severity: rules.High,
			Confidence: rules.HighConfidence, OWASP: "A05", CWE: 215, Kind: rules.Live, Doc: doc},
	)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func sampleDocument(t *testing.T) *Document {
	reg := sampleRegistry(t)
	var fs []rules.Finding
	add := func(code string, f rules.Finding) {
		rules.NewPass(context.Background(), reg.Lookup(code), nil, nil, func(g rules.Finding) { fs = append(fs, g) }).Report(f)
	}
	add("DJG101", rules.Finding{Path: "mysite/settings/base.py", Line: 12, Column: 1, EndColumn: 13,
		Message: "DEBUG = True in mysite.settings.production", Source: "DEBUG = True",
		Setting:     &rules.SettingRef{Name: "DEBUG", Value: "True", Path: "mysite/settings/base.py", Line: 12},
		DjangoCheck: "security.W018", SettingsModule: "mysite.settings.production"})
	add("DJG201", rules.Finding{Path: "shop/views.py", Line: 40, Column: 9, EndLine: 40, EndColumn: 60,
		Message: "request.GET[\"q\"] reaches cursor.execute() | unescaped <b>", Source: "\tcursor.execute(sql)",
		Trace: []rules.TraceStep{
			{Path: "shop/views.py", Line: 38, Column: 9, Message: "source: request.GET[\"q\"]"},
			{Path: "shop/views.py", Line: 39, Column: 5, Message: "sql = \"...\" % q"},
			{Path: "shop/views.py", Line: 40, Column: 9, Message: "sink: cursor.execute(sql)"},
		}})
	add("DJG501", rules.Finding{URL: "https://example.test/nonexistent-404", Message: "the 404 page is Django's DEBUG page"})
	rules.Sort(fs)
	rules.SetFingerprints(fs)
	errs := []Error{{RuleID: "DJG201", Message: "rule DJG201 crashed: boom\nstack..."}}
	return NewDocument("1.2.3", "/home/dev/mysite", reg, fs, nil, errs, 42, 1500*time.Millisecond)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, format, sampleDocument(t), Options{}); err != nil {
				t.Fatal(err)
			}
			golden(t, "sample."+format+".golden", b.Bytes())
		})
	}
}

func TestTextColorOnlyWhenAsked(t *testing.T) {
	var plain, colored bytes.Buffer
	doc := sampleDocument(t)
	if err := WriteText(&plain, doc, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&colored, doc, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain.Bytes(), []byte("\x1b[")) {
		t.Error("plain output contains ANSI escapes")
	}
	if !bytes.Contains(colored.Bytes(), []byte("\x1b[")) {
		t.Error("coloured output has no ANSI escapes")
	}
}

func TestJSONSchema(t *testing.T) {
	schema, err := os.ReadFile("../../docs/json-report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Compile(schema)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleDocument(t), false); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	// The schema must catch a broken report.
	broken := bytes.Replace(b.Bytes(), []byte(`"severity": "high"`), []byte(`"severity": "severe"`), 1)
	if err := s.Validate(broken); err == nil {
		t.Fatal("schema accepted an unknown severity")
	}
}

func TestSARIFSchema(t *testing.T) {
	schema, err := os.ReadFile("testdata/sarif-2.1.0.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Compile(schema)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteSARIF(&b, sampleDocument(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`"uriBaseId": "%SRCROOT%"`, `"uri": "mysite/settings/base.py"`, `"security-severity": "8.0"`,
		`"djangoguard/v1"`, `"codeFlows"`, `"external/cwe/cwe-89"`, `"uri": "file:///home/dev/mysite/"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("SARIF output lacks %s", want)
		}
	}
	// The schema must catch a broken log.
	if err := s.Validate(bytes.Replace(b.Bytes(), []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)); err == nil {
		t.Fatal("SARIF schema accepted level fatal")
	}
}

func TestEmptyReports(t *testing.T) {
	doc := NewDocument("1.0.0", "/x", sampleRegistry(t), nil, nil, nil, 3, 0)
	for _, format := range Formats {
		var b bytes.Buffer
		if err := Write(&b, format, doc, Options{}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if format == "json" && !strings.Contains(b.String(), `"findings": []`) {
			t.Errorf("empty JSON report must hold an empty findings array:\n%s", b.String())
		}
	}
	if err := Write(&bytes.Buffer{}, "xml", doc, Options{}); err == nil {
		t.Error("unknown format accepted")
	}
}
