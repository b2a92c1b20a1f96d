package templates

import (
	"bytes"
	"strings"
)

// TokenKind is the kind of a lexical token of a template.
type TokenKind uint8

const (
	// TextToken is literal output: HTML, JavaScript, anything outside the
	// template delimiters, and everything inside {% verbatim %}.
	TextToken TokenKind = iota
	// VarToken is {{ expression }}.
	VarToken
	// TagToken is {% tag args %}.
	TagToken
	// CommentToken is {# comment #}, or the body of a {% comment %} block.
	CommentToken
)

func (k TokenKind) String() string {
	switch k {
	case TextToken:
		return "text"
	case VarToken:
		return "var"
	case TagToken:
		return "tag"
	case CommentToken:
		return "comment"
	}
	return "unknown"
}

// Token is one lexical token. Start and End are byte offsets into the
// source, delimiters included.
type Token struct {
	Kind  TokenKind
	Start int
	End   int
	// Content is the text between the delimiters with surrounding spaces
	// (and Jinja2 whitespace-control signs) removed; empty for text.
	Content string
}

// lex splits src into tokens the way Django's Lexer does: a token starts at
// "{{", "{%" or "{#" and ends at the first matching closer on the same line
// (Jinja2 allows several lines). Text between tokens, and any opener without
// a closer, is text. Inside {% verbatim %} (Jinja2: {% raw %}) everything up
// to the matching end tag is text. Regions of {% comment %} are folded into
// one CommentToken after lexing, as Django's parser skips them.
func lex(src []byte, jinja bool) ([]Token, []lexError) {
	toks, errs := lexRaw(src, jinja)
	return foldComments(toks, &errs), errs
}

// lexRaw is the lexer without the {% comment %} folding: the tokens Django's
// Lexer produces, with adjacent text merged.
func lexRaw(src []byte, jinja bool) (toks []Token, errs []lexError) {
	toks = make([]Token, 0, bytes.Count(src, []byte("{"))+1)
	verbatimEnd := "" // content of the tag that ends the current verbatim block
	verbatimAt := 0
	textStart := 0
	flushText := func(end int) {
		if end > textStart {
			// Merge with a preceding text token so that verbatim regions
			// and stray openers make one text token.
			if n := len(toks); n > 0 && toks[n-1].Kind == TextToken && toks[n-1].End == textStart {
				toks[n-1].End = end
			} else {
				toks = append(toks, Token{Kind: TextToken, Start: textStart, End: end})
			}
		}
	}
	// Next occurrences of each closer and of a newline, found with one
	// forward search each however many openers a line holds, so that long
	// one-line templates lex in linear time.
	var next [4]nextOf
	next[VarToken].sep, next[TagToken].sep, next[CommentToken].sep, next[TextToken].sep = closeVar, closeTag, closeComment, newline
	pos := 0
	for pos < len(src) {
		i := bytes.IndexByte(src[pos:], '{')
		if i < 0 {
			break
		}
		p := pos + i
		if p+1 >= len(src) {
			break
		}
		var closer []byte
		kind := TextToken
		switch src[p+1] {
		case '{':
			closer, kind = closeVar, VarToken
		case '%':
			closer, kind = closeTag, TagToken
		case '#':
			closer, kind = closeComment, CommentToken
		default:
			pos = p + 1
			continue
		}
		j := next[kind].at(src, p+2) - (p + 2)
		if c := p + 2 + j; c >= len(src) || (!jinja && next[TextToken].at(src, p+2) < c) {
			j = -1
		}
		if j < 0 {
			if jinja || kind == TagToken {
				// Django treats it as text; remember it for the developer.
				errs = append(errs, lexError{p, "unterminated " + kind.String() + " token: no " + string(closer) + " on the same line; Django outputs it as text"})
			}
			pos = p + 1
			continue
		}
		end := p + 2 + j + 2
		content := trimContent(string(src[p+2:end-2]), jinja)
		if verbatimEnd != "" {
			if kind == TagToken && content == verbatimEnd {
				flushText(p)
				toks = append(toks, Token{Kind: TagToken, Start: p, End: end, Content: content})
				verbatimEnd = ""
				textStart = end
			}
			pos = end
			continue
		}
		flushText(p)
		toks = append(toks, Token{Kind: kind, Start: p, End: end, Content: content})
		textStart = end
		pos = end
		if kind == TagToken {
			if !jinja && (content == "verbatim" || strings.HasPrefix(content, "verbatim ")) {
				verbatimEnd, verbatimAt = "end"+content, p
			} else if jinja && content == "raw" {
				verbatimEnd, verbatimAt = "endraw", p
			}
		}
	}
	flushText(len(src))
	if verbatimEnd != "" {
		errs = append(errs, lexError{verbatimAt, "verbatim block is never closed with {% " + verbatimEnd + " %}"})
	}
	return toks, errs
}

// nextOf caches the next occurrence of sep at or after the last position
// asked, for positions asked in increasing order.
type nextOf struct {
	sep   []byte
	from  int // the search that found off started here
	off   int // the occurrence, or len(src) when there is none
	valid bool
}

func (n *nextOf) at(src []byte, from int) int {
	if n.valid && from >= n.from && (n.off >= from || n.off == len(src)) {
		return n.off
	}
	n.from, n.valid = from, true
	if i := bytes.Index(src[from:], n.sep); i >= 0 {
		n.off = from + i
	} else {
		n.off = len(src)
	}
	return n.off
}

var (
	newline      = []byte("\n")
	closeVar     = []byte("}}")
	closeTag     = []byte("%}")
	closeComment = []byte("#}")
)

type lexError struct {
	off int
	msg string
}

// trimContent strips the spaces around a token's content, and in Jinja2 the
// whitespace-control signs ({%- x -%}, {%+ x %}).
func trimContent(s string, jinja bool) string {
	s = strings.TrimSpace(s)
	if jinja {
		s = strings.TrimPrefix(s, "-")
		s = strings.TrimPrefix(s, "+")
		s = strings.TrimSuffix(s, "-")
		s = strings.TrimSuffix(s, "+")
		s = strings.TrimSpace(s)
	}
	return s
}

// foldComments turns the tokens between {% comment %} and {% endcomment %}
// into one CommentToken, as Django's parser skips them unread. The comment
// tags themselves stay, so that positions of the whole block are known.
func foldComments(toks []Token, errs *[]lexError) []Token {
	has := false
	for i := range toks {
		if toks[i].Kind == TagToken && firstWord(toks[i].Content) == "comment" {
			has = true
			break
		}
	}
	if !has {
		return toks
	}
	out := make([]Token, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		if t.Kind != TagToken || firstWord(t.Content) != "comment" {
			continue
		}
		j := i + 1
		for j < len(toks) && (toks[j].Kind != TagToken || toks[j].Content != "endcomment") {
			j++
		}
		if j == len(toks) {
			*errs = append(*errs, lexError{t.Start, "{% comment %} is never closed with {% endcomment %}; Django refuses the template"})
			if j > i+1 {
				out = append(out, Token{Kind: CommentToken, Start: toks[i+1].Start, End: toks[j-1].End})
			}
			return out
		}
		if j > i+1 {
			out = append(out, Token{Kind: CommentToken, Start: toks[i+1].Start, End: toks[j-1].End})
		}
		out = append(out, toks[j])
		i = j
	}
	return out
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
