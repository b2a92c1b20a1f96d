package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

func sampleHTMLReport(t *testing.T) *HTMLReport {
	doc := sampleDocument(t)
	live := doc.Findings[len(doc.Findings)-1]
	return &HTMLReport{
		Title:   "djangoguard report: <shop> & co",
		Version: "1.2.3",
		Static:  doc,
		Probes: []HTMLProbe{{
			Target: "https://example.test/", Grade: "B", Score: 70, TestsPassed: 9, TestsQuantity: 10, Graded: true,
			Tests: []HTMLTest{
				{Name: "content-security-policy", Result: "csp-not-implemented", Description: "No <CSP> header", ScoreModifier: -25},
				{Name: "x-content-type-options", Result: "x-content-type-options-nosniff", Pass: true},
			},
			Findings: []rules.Finding{live},
			Warnings: []string{"body cut at 2097152 bytes"},
		}, {Target: "https://down.test/", Errors: []string{"connection refused"}}},
		History: []HistoryPoint{
			{When: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Grade: "B", Score: 70},
			{When: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Grade: "A+", Score: 110},
		},
	}
}

func TestHTMLReportGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTMLReport(&b, sampleHTMLReport(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "full.html.golden", b.Bytes())
}

// TestHTMLSelfContained checks the report makes no request when opened and
// escapes what it shows.
func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTMLReport(&b, sampleHTMLReport(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)<link`), regexp.MustCompile(`(?i)<img`),
		regexp.MustCompile(`(?i)<iframe`), regexp.MustCompile(`(?i)\ssrc=`), regexp.MustCompile(`(?i)url\(`),
		regexp.MustCompile(`(?i)@import`), regexp.MustCompile(`<shop>`), regexp.MustCompile(`<b>`), regexp.MustCompile(`<CSP>`),
	} {
		if loc := bad.FindStringIndex(out); loc != nil {
			t.Errorf("report contains %q: %q", bad, out[max(0, loc[0]-40):min(len(out), loc[1]+40)])
		}
	}
	for _, want := range []string{"default-src 'none'", "Grade history", "DJG201", "Fix: Turn it off.", "csp-not-implemented", "connection refused", "&lt;shop&gt; &amp; co"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Findings are ordered most severe first: the critical DJG201 before the high DJG101.
	if strings.Index(out, "DJG201") > strings.Index(out, "<strong>DJG101") {
		t.Error("critical finding not listed before high")
	}
}

func TestHistoryChartOrderAndBounds(t *testing.T) {
	pts := []HistoryPoint{
		{When: time.Unix(300, 0), Grade: "F", Score: -40},
		{When: time.Unix(100, 0), Grade: "A+", Score: 200},
		{When: time.Unix(200, 0), Grade: "<x>", Score: 50},
	}
	svg := string(HistoryChartSVG(pts, 400, 200))
	if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>") {
		t.Fatal("not an svg element")
	}
	if strings.Contains(svg, "<x>") || !strings.Contains(svg, "&lt;x&gt;") {
		t.Error("labels not escaped")
	}
	// Oldest first: A+ (clamped to the top), then <x>, then F (clamped to 0).
	if a, x, f := strings.Index(svg, ">A+<"), strings.Index(svg, ">&lt;x&gt;<"), strings.Index(svg, ">F<"); !(a < x && x < f) {
		t.Errorf("points not in time order: %d %d %d", a, x, f)
	}
	m := regexp.MustCompile(`cy="(-?[0-9.]+)"`).FindAllStringSubmatch(svg, -1)
	if len(m) != 3 {
		t.Fatalf("%d points", len(m))
	}
	for _, c := range m {
		if strings.HasPrefix(c[1], "-") || c[1] > "2" && len(c[1]) > 5 {
			t.Errorf("point outside the plot: cy=%s", c[1])
		}
	}
	if empty := string(HistoryChartSVG(nil, 400, 200)); strings.Contains(empty, "polyline") {
		t.Error("empty history drew a line")
	}
}

func TestGradeRank(t *testing.T) {
	order := []string{"A+", "A", "B-", "C", "F", ""}
	for i := 1; i < len(order); i++ {
		if GradeRank(order[i-1]) >= GradeRank(order[i]) {
			t.Errorf("%q should rank before %q", order[i-1], order[i])
		}
	}
}
