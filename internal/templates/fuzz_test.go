package templates

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// FuzzParse checks that any input parses without panicking, in both
// dialects and as plain text, and that what comes out is consistent: the
// tokens partition the source, every span is inside it, variables are in
// order and positions are valid.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pat := range []string{"testdata/lex/*", "testdata/contexts/*.html",
		"../templaterules/testdata/suite/*/templates/*/*.html", "../templaterules/testdata/suite/*/jinja2/*/*.html"} {
		m, _ := filepath.Glob(pat)
		seeds = append(seeds, m...)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
		f.Add(b, uint8(1))
	}
	f.Add([]byte("<script>`${`${{{ x }}`}`</script>{% if %}{{ }}{% endif"), uint8(0))
	f.Fuzz(func(t *testing.T, src []byte, mode uint8) {
		opts := Options{Dialect: Dialect(mode & 1), Plain: mode&2 != 0, MaxDepth: 20}
		tp, err := Parse("fuzz.html", src, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, tp)
		_ = InlineScripts(tp)
	})
}

func checkInvariants(t *testing.T, tp *Template) {
	t.Helper()
	n := len(tp.Src)
	pos := 0
	for i, tok := range tp.Tokens {
		if tok.Start != pos || tok.End <= tok.Start || tok.End > n {
			t.Fatalf("token %d [%d,%d) does not continue at %d (len %d)", i, tok.Start, tok.End, pos, n)
		}
		pos = tok.End
	}
	if pos != n {
		t.Fatalf("tokens end at %d, source at %d", pos, n)
	}
	if !sort.SliceIsSorted(tp.Vars, func(i, j int) bool { return tp.Vars[i].Start < tp.Vars[j].Start }) {
		t.Fatal("variables out of order")
	}
	for _, v := range tp.Vars {
		if v.Start < 0 || v.End > n || v.Start >= v.End {
			t.Fatalf("variable span [%d,%d) outside [0,%d)", v.Start, v.End, n)
		}
		for _, f := range v.Filters {
			if f.Offset < v.Start || f.Offset > v.End {
				t.Fatalf("filter %q at %d outside its variable [%d,%d)", f.Name, f.Offset, v.Start, v.End)
			}
		}
		if v.Parent >= len(tp.Tags) || v.AutoescapeTag >= len(tp.Tags) {
			t.Fatal("variable refers to a missing tag")
		}
		if l, c := tp.Position(v.Start); l < 1 || c < 1 || l > tp.LineCount() {
			t.Fatalf("bad position %d:%d", l, c)
		}
	}
	for i, tag := range tp.Tags {
		if tag.Start < 0 || tag.End > n || tag.Parent >= i || tag.Close >= len(tp.Tags) || (tag.Close >= 0 && tag.Close <= i) {
			t.Fatalf("tag %d inconsistent: %+v", i, tag)
		}
	}
	for _, e := range tp.Elements {
		if e.Start < 0 || e.End > n || e.Start >= e.End {
			t.Fatalf("element %s span [%d,%d) outside [0,%d)", e.Name, e.Start, e.End, n)
		}
		if e.ContentStart > e.ContentEnd || e.ContentEnd > n {
			t.Fatalf("element %s content [%d,%d)", e.Name, e.ContentStart, e.ContentEnd)
		}
		for _, a := range e.Attrs {
			if a.NameStart < e.Start || a.ValueEnd > e.End || a.ValueStart > a.ValueEnd {
				t.Fatalf("attribute %s of %s outside its tag", a.Name, e.Name)
			}
			_ = tp.Value(&a)
			_, _ = tp.StaticValue(&a)
		}
	}
	for _, e := range tp.Errors {
		if e.Line < 1 || e.Col < 1 {
			t.Fatalf("error without position: %v", e)
		}
	}
}

// lexReference is the lexer written the obvious, quadratic way (search
// the closer in the rest of the line at every opener); lexRaw must agree.
func lexReference(src []byte, jinja bool) []Token {
	var toks []Token
	textStart, pos := 0, 0
	verbatimEnd := ""
	flush := func(end int) {
		if end > textStart {
			if n := len(toks); n > 0 && toks[n-1].Kind == TextToken && toks[n-1].End == textStart {
				toks[n-1].End = end
			} else {
				toks = append(toks, Token{Kind: TextToken, Start: textStart, End: end})
			}
		}
	}
	for pos+1 < len(src) {
		if src[pos] != '{' {
			pos++
			continue
		}
		closers := map[byte]struct {
			c string
			k TokenKind
		}{'{': {"}}", VarToken}, '%': {"%}", TagToken}, '#': {"#}", CommentToken}}
		cl, ok := closers[src[pos+1]]
		if !ok {
			pos++
			continue
		}
		rest := string(src[pos+2:])
		if !jinja {
			if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
				rest = rest[:nl]
			}
		}
		j := strings.Index(rest, cl.c)
		if j < 0 {
			pos++
			continue
		}
		end := pos + 2 + j + 2
		content := trimContent(string(src[pos+2:end-2]), jinja)
		if verbatimEnd != "" {
			if cl.k == TagToken && content == verbatimEnd {
				flush(pos)
				toks = append(toks, Token{Kind: TagToken, Start: pos, End: end, Content: content})
				verbatimEnd, textStart = "", end
			}
			pos = end
			continue
		}
		flush(pos)
		toks = append(toks, Token{Kind: cl.k, Start: pos, End: end, Content: content})
		textStart, pos = end, end
		if cl.k == TagToken {
			if !jinja && (content == "verbatim" || strings.HasPrefix(content, "verbatim ")) {
				verbatimEnd = "end" + content
			} else if jinja && content == "raw" {
				verbatimEnd = "endraw"
			}
		}
	}
	flush(len(src))
	return toks
}

// FuzzLexer checks the linear-time lexer against lexReference.
func FuzzLexer(f *testing.F) {
	for _, s := range []string{"{{ a }}{% b %}{# c #}", "{{ a\n}} {{ b }}}", "{% verbatim x %}{{ y }}{% endverbatim x %}", "{{{{}}}}{%%}{##}", "{ {{ }\n}} }}"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, src []byte, jinja bool) {
		got, _ := lexRaw(src, jinja)
		want := lexReference(src, jinja)
		if len(got) != len(want) {
			t.Fatalf("%d tokens, reference %d:\n%v\n%v", len(got), len(want), got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("token %d: %+v, reference %+v", i, got[i], want[i])
			}
		}
	})
}
