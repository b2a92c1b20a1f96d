package templates

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// djangoPython is Debian's Python, which has python3-django; the python3 on
// PATH may not.
const djangoPython = "/usr/bin/python3"

// needDjango skips when Django is not installed, except under CI, where
// the test script installs python3-django and its absence is a failure.
func needDjango(t *testing.T) {
	t.Helper()
	if err := exec.Command(djangoPython, "-c", "import django").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s cannot import django (apt-get install python3-django): %v", djangoPython, err)
		}
		t.Skipf("%s cannot import django (apt-get install python3-django); skipping the comparison with Django's lexer", djangoPython)
	}
}

type djToken struct {
	kind       string
	content    string
	start, end int
}

func djangoLex(t *testing.T, src []byte) []djToken {
	t.Helper()
	cmd := exec.Command(djangoPython, "testdata/lexdump.py")
	cmd.Stdin = bytes.NewReader(src)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lexdump.py: %v\n%s", err, stderr.String())
	}
	var raw [][4]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("lexdump.py output: %v", err)
	}
	var toks []djToken
	for _, r := range raw {
		tk := djToken{kind: r[0].(string), content: r[1].(string), start: int(r[2].(float64)), end: int(r[3].(float64))}
		// merge adjacent text, as our lexer does
		if n := len(toks); n > 0 && tk.kind == "TEXT" && toks[n-1].kind == "TEXT" && toks[n-1].end == tk.start {
			toks[n-1].end = tk.end
			toks[n-1].content += tk.content
			continue
		}
		toks = append(toks, tk)
	}
	return toks
}

// lexFixtures are Django templates used to compare lexers.
func lexFixtures(t *testing.T) []string {
	var files []string
	for _, pat := range []string{"testdata/lex/*.html", "testdata/contexts/*.html", "../templaterules/testdata/suite/app/templates/app/*.html"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	return files
}

// TestLexerMatchesDjango compares our tokens with Django's DebugLexer on
// every fixture: same kinds, same contents, same byte spans.
func TestLexerMatchesDjango(t *testing.T) {
	needDjango(t)
	for _, file := range lexFixtures(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := djangoLex(t, src)
			got, _ := lexRaw(src, false)
			kinds := map[TokenKind]string{TextToken: "TEXT", VarToken: "VAR", TagToken: "BLOCK", CommentToken: "COMMENT"}
			n := max(len(got), len(want))
			for i := 0; i < n; i++ {
				if i >= len(got) || i >= len(want) {
					t.Fatalf("token %d: we have %d tokens, Django %d", i, len(got), len(want))
				}
				g, w := got[i], want[i]
				content := g.Content
				if g.Kind == TextToken {
					content = string(src[g.Start:g.End])
				}
				if kinds[g.Kind] != w.kind || content != w.content || g.Start != w.start || g.End != w.end {
					t.Fatalf("token %d: got %s %q [%d,%d), Django %s %q [%d,%d)", i,
						kinds[g.Kind], content, g.Start, g.End, w.kind, w.content, w.start, w.end)
				}
			}
		})
	}
}

func TestLex(t *testing.T) {
	type tok struct {
		kind    TokenKind
		content string // content, or source text for text tokens
	}
	tests := []struct {
		name  string
		src   string
		jinja bool
		want  []tok
		errs  int
	}{
		{"var and text", "a{{ x }}b", false, []tok{{TextToken, "a"}, {VarToken, "x"}, {TextToken, "b"}}, 0},
		{"tag content trimmed", "{%  if  a %}", false, []tok{{TagToken, "if  a"}}, 0},
		{"django tags do not span lines", "{{ a\n}}", false, []tok{{TextToken, "{{ a\n}}"}}, 0},
		{"unterminated tag is text with an error", "{% if", false, []tok{{TextToken, "{% if"}}, 1},
		{"first closer wins", `{{ "}}" }}`, false, []tok{{VarToken, `"`}, {TextToken, `" }}`}}, 0},
		{"verbatim", "{% verbatim %}{{ x }}{% endverbatim %}", false,
			[]tok{{TagToken, "verbatim"}, {TextToken, "{{ x }}"}, {TagToken, "endverbatim"}}, 0},
		{"named verbatim ignores other ends", "{% verbatim v %}{% endverbatim %}{% endverbatim v %}", false,
			[]tok{{TagToken, "verbatim v"}, {TextToken, "{% endverbatim %}"}, {TagToken, "endverbatim v"}}, 0},
		{"unclosed verbatim", "{% verbatim %}{{ x }}", false, []tok{{TagToken, "verbatim"}, {TextToken, "{{ x }}"}}, 1},
		{"comment block folded", "{% comment %}{{ x }}{% if %}{% endcomment %}y", false,
			[]tok{{TagToken, "comment"}, {CommentToken, "{{ x }}{% if %}"}, {TagToken, "endcomment"}, {TextToken, "y"}}, 0},
		{"empty comment block", "{% comment %}{% endcomment %}", false, []tok{{TagToken, "comment"}, {TagToken, "endcomment"}}, 0},
		{"unclosed comment block", "{% comment %}{{ x }}", false, []tok{{TagToken, "comment"}, {CommentToken, "{{ x }}"}}, 1},
		{"jinja multi-line and trim", "{%- if a\n -%}{{- x -}}{#\n c #}", true,
			[]tok{{TagToken, "if a"}, {VarToken, "x"}, {CommentToken, "c"}}, 0},
		{"jinja raw", "{% raw %}{{ x }}{% endraw %}", true, []tok{{TagToken, "raw"}, {TextToken, "{{ x }}"}, {TagToken, "endraw"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := lex([]byte(tt.src), tt.jinja)
			var have []tok
			for _, g := range got {
				c := g.Content
				if g.Kind == TextToken || g.Kind == CommentToken && !strings.HasPrefix(tt.src[g.Start:], "{#") {
					c = tt.src[g.Start:g.End]
				}
				have = append(have, tok{g.Kind, c})
			}
			if len(have) != len(tt.want) {
				t.Fatalf("got %v, want %v", have, tt.want)
			}
			for i := range have {
				if have[i] != tt.want[i] {
					t.Errorf("token %d: got %v, want %v", i, have[i], tt.want[i])
				}
			}
			if len(errs) != tt.errs {
				t.Errorf("got %d errors %v, want %d", len(errs), errs, tt.errs)
			}
		})
	}
}
