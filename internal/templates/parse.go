package templates

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Dialect is the template language a file is read as.
type Dialect uint8

const (
	// Django is the Django template language.
	Django Dialect = iota
	// Jinja2 is read with the Django lexer rules relaxed where Jinja2
	// differs: tags may span lines, {%- -%} trims, {% raw %} is verbatim,
	// {% autoescape false %} turns escaping off.
	Jinja2
)

func (d Dialect) String() string {
	if d == Jinja2 {
		return "jinja2"
	}
	return "django"
}

// Options control parsing.
type Options struct {
	Dialect Dialect
	// Plain marks a template that does not produce HTML (a .txt e-mail body,
	// robots.txt): no HTML analysis is done and variables are in CtxPlain.
	Plain bool
	// MaxSize is the largest source accepted, in bytes (DefaultMaxSize when
	// zero).
	MaxSize int
	// MaxDepth bounds block tag nesting (DefaultMaxDepth when zero); deeper
	// tags are kept but not nested, and an error is recorded.
	MaxDepth int
}

// Limits applied when Options leave them zero.
const (
	DefaultMaxSize  = 8 << 20
	DefaultMaxDepth = 100
)

// OptionsFor guesses the options for a template from its path: Jinja2 for
// .jinja, .jinja2 and .j2 files and for files under a jinja2/ directory;
// plain text for .txt files (an inner extension counts: mail.txt.j2).
func OptionsFor(p string) Options {
	var o Options
	lp := strings.ToLower(p)
	ext := path.Ext(lp)
	switch ext {
	case ".jinja", ".jinja2", ".j2":
		o.Dialect = Jinja2
		ext = path.Ext(strings.TrimSuffix(lp, ext))
	}
	if strings.HasPrefix(lp, "jinja2/") || strings.Contains(lp, "/jinja2/") {
		o.Dialect = Jinja2
	}
	o.Plain = ext == ".txt"
	return o
}

// Template is a parsed template.
type Template struct {
	Path    string
	Src     []byte
	Dialect Dialect
	Plain   bool

	Tokens []Token
	// Vars are the {{ }} outputs outside comments and verbatim blocks, in
	// source order.
	Vars []Variable
	// Tags are the {% %} tags outside comments, in source order, with their
	// block structure.
	Tags []Tag
	// Elements are the HTML start and end tags, in source order (nil for
	// plain templates).
	Elements []Element

	// Extends is the parent template named by {% extends "name" %}, or ""
	// (also when the name is a variable; see ExtendsTag).
	Extends    string
	ExtendsTag int // index in Tags, -1 when there is no {% extends %}
	// Includes are the {% include %} tags, as indexes into Tags.
	Includes []int
	// Blocks are the {% block %} tags, as indexes into Tags.
	Blocks []int

	Errors []*SyntaxError

	lineStart []int
	regions   []region
	masked    []byte // the source with template tokens masked (HTML templates)
}

// Variable is one {{ expression|filters }}.
type Variable struct {
	Start, End int // the whole token, braces included
	// Expr is the expression between the braces.
	Expr string
	// Base is the expression before the first filter.
	Base    string
	Filters []Filter
	// Literal is true when Base is a string or number constant.
	Literal bool
	// Autoescape is false inside {% autoescape off %}.
	Autoescape bool
	// AutoescapeTag is the index in Tags of the {% autoescape %} that decides
	// Autoescape, or -1.
	AutoescapeTag int
	// Parent is the index in Tags of the innermost enclosing block tag, or -1.
	Parent  int
	Context HTMLContext
}

// HasFilter reports whether the variable's chain has a filter of that name.
func (v *Variable) HasFilter(name string) bool {
	return v.FilterIndex(name) >= 0
}

// FilterIndex returns the index of the last filter named name, or -1.
func (v *Variable) FilterIndex(name string) int {
	for i := len(v.Filters) - 1; i >= 0; i-- {
		if v.Filters[i].Name == name {
			return i
		}
	}
	return -1
}

// Tag is one {% name args %}.
type Tag struct {
	Start, End int
	Name       string
	// Args are the words after the name, split as Django's smart_split
	// does (quoted strings kept whole, quotes included).
	Args    []string
	Content string
	// Parent is the index of the innermost enclosing block tag, or -1.
	Parent int
	// Close is the index of the matching end tag for a block tag, or -1.
	Close int
	Depth int
}

// maxArgs bounds the words kept per tag.
const maxArgs = 64

// SyntaxError is a problem found while parsing. Parsing goes on after it.
type SyntaxError struct {
	Path   string
	Offset int
	Line   int
	Col    int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
}

// TooLargeError is returned by Parse for sources over Options.MaxSize.
type TooLargeError struct {
	Path      string
	Size, Max int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("template %s is %d bytes, over the %d-byte limit; not analysed", e.Path, e.Size, e.Max)
}

// Parse parses a template. Malformed input is not an error: problems are
// recorded in Template.Errors. The only error is a *TooLargeError.
func Parse(path string, src []byte, opts Options) (*Template, error) {
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if len(src) > opts.MaxSize {
		return nil, &TooLargeError{Path: path, Size: len(src), Max: opts.MaxSize}
	}
	t := &Template{Path: path, Src: src, Dialect: opts.Dialect, Plain: opts.Plain, ExtendsTag: -1}
	t.lineStart = append(t.lineStart, 0)
	for i, c := range src {
		if c == '\n' {
			t.lineStart = append(t.lineStart, i+1)
		}
	}
	toks, lerrs := lex(src, opts.Dialect == Jinja2)
	t.Tokens = toks
	for _, e := range lerrs {
		t.errorf(e.off, "%s", e.msg)
	}
	t.buildTags(opts.MaxDepth)
	t.buildVars()
	if t.Plain {
		for i := range t.Vars {
			t.Vars[i].Context = HTMLContext{Kind: CtxPlain}
		}
	} else {
		t.analyseHTML()
	}
	sort.SliceStable(t.Errors, func(i, j int) bool { return t.Errors[i].Offset < t.Errors[j].Offset })
	return t, nil
}

func (t *Template) errorf(off int, format string, args ...any) {
	line, col := t.Position(off)
	t.Errors = append(t.Errors, &SyntaxError{Path: t.Path, Offset: off, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// Position returns the 1-based line and byte column of a source offset.
func (t *Template) Position(off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(t.Src) {
		off = len(t.Src)
	}
	i := sort.Search(len(t.lineStart), func(i int) bool { return t.lineStart[i] > off }) - 1
	return i + 1, off - t.lineStart[i] + 1
}

// LineCount returns the number of lines of the source.
func (t *Template) LineCount() int { return len(t.lineStart) }

// intermediate tags continue the enclosing block instead of opening one.
func isIntermediate(name string) bool {
	switch name {
	case "else", "elif", "empty", "plural", "elseif":
		return true
	}
	return false
}

// knownBlock reports built-in tags that always have an end tag. Other tags
// open a block when the template has a matching end tag.
func knownBlock(name string) bool {
	switch name {
	case "if", "for", "with", "block", "autoescape", "filter", "spaceless", "ifchanged", "blocktrans",
		"blocktranslate", "localize", "localtime", "timezone", "language", "ifequal", "ifnotequal",
		"verbatim", "comment", "macro", "call":
		return true
	}
	return false
}

func (t *Template) buildTags(maxDepth int) {
	jinja := t.Dialect == Jinja2
	ends := map[string]bool{}
	for _, tok := range t.Tokens {
		if tok.Kind == TagToken {
			if n := firstWord(tok.Content); strings.HasPrefix(n, "end") {
				ends[n] = true
			}
		}
	}
	var stack []int
	nt := 0
	for i := range t.Tokens {
		if t.Tokens[i].Kind == TagToken {
			nt++
		}
	}
	t.Tags = make([]Tag, 0, nt)
	for _, tok := range t.Tokens {
		if tok.Kind != TagToken {
			continue
		}
		words := SplitArgs(tok.Content, maxArgs+1)
		if len(words) == 0 {
			t.errorf(tok.Start, "empty block tag")
			continue
		}
		tag := Tag{Start: tok.Start, End: tok.End, Name: words[0], Args: words[1:], Content: tok.Content, Parent: -1, Close: -1}
		idx := len(t.Tags)
		if len(stack) > 0 {
			tag.Parent = stack[len(stack)-1]
		}
		tag.Depth = len(stack)
		switch {
		case strings.HasPrefix(tag.Name, "end") && len(tag.Name) > 3:
			opener := tag.Name[3:]
			k := len(stack) - 1
			for k >= 0 && t.Tags[stack[k]].Name != opener {
				k--
			}
			if k < 0 {
				t.errorf(tok.Start, "{%% %s %%} closes nothing: no open {%% %s %%}", tag.Name, opener)
				break
			}
			for _, open := range stack[k+1:] {
				o := &t.Tags[open]
				t.errorf(o.Start, "{%% %s %%} is not closed before {%% %s %%}", o.Name, tag.Name)
			}
			t.Tags = append(t.Tags, tag)
			t.Tags[stack[k]].Close = idx
			t.Tags[idx].Parent = t.Tags[stack[k]].Parent
			t.Tags[idx].Depth = k
			stack = stack[:k]
			continue
		case isIntermediate(tag.Name):
			if tag.Parent >= 0 {
				tag.Depth--
			}
		case (knownBlock(tag.Name) || ends["end"+tag.Name]) && !(jinja && tag.Name == "set" && strings.Contains(tok.Content, "=")):
			t.Tags = append(t.Tags, tag)
			if len(stack) >= maxDepth {
				t.errorf(tok.Start, "block tags nested deeper than %d; the rest of this block is read flat", maxDepth)
				continue
			}
			stack = append(stack, idx)
			continue
		}
		t.Tags = append(t.Tags, tag)
	}
	for _, open := range stack {
		o := &t.Tags[open]
		t.errorf(o.Start, "{%% %s %%} is never closed", o.Name)
	}
	for i := range t.Tags {
		tag := &t.Tags[i]
		switch tag.Name {
		case "extends":
			if t.ExtendsTag < 0 {
				t.ExtendsTag = i
				if len(tag.Args) > 0 {
					if name, ok := Unquote(tag.Args[0]); ok {
						t.Extends = name
					}
				}
			}
		case "include":
			t.Includes = append(t.Includes, i)
		case "block":
			t.Blocks = append(t.Blocks, i)
		}
	}
}

// TagArgName returns a tag's first argument unquoted when it is a string
// literal ({% include "a.html" %} → "a.html"), or "" for a variable.
func (tag *Tag) TagArgName() string {
	if len(tag.Args) == 0 {
		return ""
	}
	if s, ok := Unquote(tag.Args[0]); ok {
		return s
	}
	return ""
}

func (t *Template) buildVars() {
	nv := 0
	for _, tok := range t.Tokens {
		if tok.Kind == VarToken {
			nv++
		}
	}
	t.Vars = make([]Variable, 0, nv)
	tagIdx := 0
	var open []int // indexes of block tags open at the current position
	for _, tok := range t.Tokens {
		for tagIdx < len(t.Tags) && t.Tags[tagIdx].Start < tok.Start {
			tg := &t.Tags[tagIdx]
			// an end tag pops its opener and anything left open inside it
			for k := len(open) - 1; k >= 0; k-- {
				if t.Tags[open[k]].Close == tagIdx {
					open = open[:k]
					break
				}
			}
			if tg.Close >= 0 {
				open = append(open, tagIdx)
			}
			tagIdx++
		}
		if tok.Kind != VarToken {
			continue
		}
		v := Variable{Start: tok.Start, End: tok.End, Expr: tok.Content, Autoescape: true, AutoescapeTag: -1, Parent: -1}
		if tok.Content == "" {
			t.errorf(tok.Start, "empty variable tag {{ }}")
		}
		// offset of the content inside the token, for filter positions
		contentOff := tok.Start + 2
		if k := bytes.Index(t.Src[tok.Start+2:tok.End-2], []byte(tok.Content)); k >= 0 {
			contentOff += k
		}
		v.Base, v.Filters = parseExpr(tok.Content, contentOff)
		v.Literal = isLiteral(v.Base)
		if len(open) > 0 {
			v.Parent = open[len(open)-1]
		}
		for k := len(open) - 1; k >= 0; k-- {
			tg := &t.Tags[open[k]]
			if tg.Name == "autoescape" && len(tg.Args) > 0 {
				switch strings.ToLower(tg.Args[0]) {
				case "off", "false":
					v.Autoescape = false
				}
				v.AutoescapeTag = open[k]
				break
			}
		}
		t.Vars = append(t.Vars, v)
	}
}

// VarsIn returns the variables that start in [start, end), a sub-slice of
// Vars (which are in source order).
func (t *Template) VarsIn(start, end int) []Variable {
	lo := sort.Search(len(t.Vars), func(i int) bool { return t.Vars[i].Start >= start })
	hi := sort.Search(len(t.Vars), func(i int) bool { return t.Vars[i].Start >= end })
	if hi < lo {
		hi = lo
	}
	return t.Vars[lo:hi]
}

// TagsIn returns the index range [lo, hi) of the tags that start in
// [start, end).
func (t *Template) TagsIn(start, end int) (lo, hi int) {
	lo = sort.Search(len(t.Tags), func(i int) bool { return t.Tags[i].Start >= start })
	hi = sort.Search(len(t.Tags), func(i int) bool { return t.Tags[i].Start >= end })
	if hi < lo {
		hi = lo
	}
	return lo, hi
}
