package templates

import (
	"bytes"
	"errors"
	"html"
	"io"
	"sort"
	"strings"

	xhtml "golang.org/x/net/html"
)

// ContextKind is the kind of place in the HTML output a variable lands in.
type ContextKind uint8

const (
	// CtxText is element content, where Django's escaping is enough
	// (including RCDATA elements such as <textarea> and <title>).
	CtxText ContextKind = iota
	// CtxTag is inside a tag where an attribute name would go:
	// <input {{ attrs }}>.
	CtxTag
	// CtxAttr is an attribute value; see HTMLContext.Attr, Quote, AttrKind.
	CtxAttr
	// CtxScript is the body of a <script> element.
	CtxScript
	// CtxStyle is the body of a <style> element.
	CtxStyle
	// CtxComment is inside an HTML comment <!-- -->.
	CtxComment
	// CtxOther is a doctype, CDATA section or processing instruction.
	CtxOther
	// CtxPlain is a template that does not produce HTML.
	CtxPlain
)

func (k ContextKind) String() string {
	switch k {
	case CtxText:
		return "HTML text"
	case CtxTag:
		return "inside tag"
	case CtxAttr:
		return "attribute"
	case CtxScript:
		return "script"
	case CtxStyle:
		return "style"
	case CtxComment:
		return "html comment"
	case CtxOther:
		return "other markup"
	case CtxPlain:
		return "plain text"
	}
	return "unknown"
}

// AttrKind classifies an attribute by what the browser does with its value.
type AttrKind uint8

const (
	// AttrPlain is an ordinary attribute (class, title, value, data-*...).
	AttrPlain AttrKind = iota
	// AttrURL is an attribute whose value is a URL that is followed,
	// loaded or submitted to: href, src, action, formaction, xlink:href,
	// data on <object>. A javascript: URL there runs script.
	AttrURL
	// AttrJS is an event handler (onclick...) or a framework attribute whose
	// value is evaluated as JavaScript: Alpine's x-data, x-init, x-on:, @,
	// x-bind:, :, x-text, x-html, x-show, x-if, x-for, x-effect, x-model;
	// Vue's v-on:, v-bind:, v-if, v-show, v-text, v-html, v-for, v-model;
	// htmx's hx-on.
	AttrJS
	// AttrStyle is the style attribute (CSS).
	AttrStyle
)

func (k AttrKind) String() string {
	switch k {
	case AttrURL:
		return "url"
	case AttrJS:
		return "javascript"
	case AttrStyle:
		return "css"
	}
	return "plain"
}

// ClassifyAttr returns the kind of attribute attr on element elem (both
// lower-case).
func ClassifyAttr(elem, attr string) AttrKind {
	if strings.IndexByte(elem, ':') >= 0 && attr != "xlink:href" {
		// a namespaced XML element (<xhtml:link> in a sitemap, <atom:link>
		// in a feed): data for a program, not a link a browser follows
		return AttrPlain
	}
	switch {
	case attr == "href" || attr == "action" || attr == "formaction" || attr == "xlink:href":
		return AttrURL
	case attr == "src" && elem != "img" && elem != "audio" && elem != "video" && elem != "source" && elem != "track" && elem != "input":
		return AttrURL
	case attr == "data" && elem == "object":
		return AttrURL
	case attr == "style":
		return AttrStyle
	case isEventAttr(attr):
		return AttrJS
	}
	return AttrPlain
}

func isEventAttr(a string) bool {
	if len(a) > 2 && strings.HasPrefix(a, "on") {
		for i := 2; i < len(a); i++ {
			if a[i] < 'a' || a[i] > 'z' {
				return false
			}
		}
		return true
	}
	switch {
	case len(a) > 1 && (a[0] == '@' || a[0] == ':'),
		strings.HasPrefix(a, "x-on:"), strings.HasPrefix(a, "v-on:"),
		strings.HasPrefix(a, "x-bind:"), strings.HasPrefix(a, "v-bind:"),
		strings.HasPrefix(a, "hx-on"):
		return true
	}
	switch a {
	case "x-data", "x-init", "x-show", "x-text", "x-html", "x-if", "x-for", "x-effect", "x-model",
		"v-if", "v-else-if", "v-show", "v-text", "v-html", "v-for", "v-model":
		return true
	}
	return false
}

// HTMLContext is where a variable's rendered value lands.
type HTMLContext struct {
	Kind ContextKind
	// Element is the lower-case name of the element whose tag or body holds
	// the variable ("" for ordinary text).
	Element string
	// Attr is the lower-case attribute name (CtxAttr).
	Attr string
	// Quote is the attribute's quote character, 0 when unquoted (CtxAttr).
	Quote    byte
	AttrKind AttrKind
	// AtStart is true when nothing but whitespace and control tags precede
	// the variable in the attribute value, so it decides a URL's scheme.
	AtStart bool
	// JS and JSQuote say where in JavaScript the variable is, for script
	// bodies and AttrJS attributes. JSQuote is the string's quote, '`' in a
	// template literal, '/' in a line comment or regexp, '*' in a block
	// comment.
	JS      JSState
	JSQuote byte
	// ScriptType is the lower-case type attribute of the enclosing <script>.
	ScriptType string
}

// IsJS reports whether the value is read as JavaScript: a script of a
// JavaScript type, or an event-handler attribute.
func (c HTMLContext) IsJS() bool {
	switch c.Kind {
	case CtxScript:
		return IsJSType(c.ScriptType)
	case CtxAttr:
		return c.AttrKind == AttrJS
	}
	return false
}

// IsJSType reports whether a <script type> value means JavaScript.
func IsJSType(typ string) bool {
	typ = strings.ToLower(strings.TrimSpace(typ))
	if i := strings.IndexByte(typ, ';'); i >= 0 {
		typ = strings.TrimSpace(typ[:i])
	}
	switch typ {
	case "", "module", "text/javascript", "application/javascript", "text/ecmascript",
		"application/ecmascript", "application/x-javascript", "text/x-javascript", "text/jsx", "text/babel":
		return true
	}
	return false
}

func (c HTMLContext) String() string {
	switch c.Kind {
	case CtxAttr:
		q := "unquoted"
		if c.Quote != 0 {
			q = "quoted"
		}
		s := q + " " + c.AttrKind.String() + " attribute " + c.Attr + " of <" + c.Element + ">"
		if c.AttrKind == AttrJS {
			s += " (javascript " + c.JS.String() + ")"
		}
		return s
	case CtxScript:
		if c.IsJS() {
			return "<script> (javascript " + c.JS.String() + ")"
		}
		return "<script type=" + c.ScriptType + ">"
	case CtxTag:
		return "inside the tag <" + c.Element + ">"
	}
	if c.Element != "" {
		return c.Kind.String() + " of <" + c.Element + ">"
	}
	return c.Kind.String()
}

// Element is an HTML start or end tag.
type Element struct {
	// Name is the lower-case tag name.
	Name        string
	Start, End  int // from '<' to after '>'
	EndTag      bool
	SelfClosing bool
	Attrs       []Attr
	// ContentStart and ContentEnd delimit the raw text of <script>, <style>,
	// <textarea>, <title> and the like (equal when the body is empty; both
	// -1 for other elements).
	ContentStart, ContentEnd int
}

// Attr is one attribute of a start tag.
type Attr struct {
	// Name is lower-case.
	Name      string
	NameStart int
	// ValueStart and ValueEnd delimit the value, quotes excluded; both -1
	// when the attribute has no value.
	ValueStart, ValueEnd int
	Quote                byte
}

// HasValue reports whether the attribute has "=value".
func (a *Attr) HasValue() bool { return a.ValueStart >= 0 }

// Attr returns the element's first attribute of that name (lower-case), or
// nil.
func (e *Element) Attr(name string) *Attr {
	for i := range e.Attrs {
		if e.Attrs[i].Name == name {
			return &e.Attrs[i]
		}
	}
	return nil
}

// Value returns the source text of an attribute's value, template tags
// included, or "" when it has none.
func (t *Template) Value(a *Attr) string {
	if a == nil || a.ValueStart < 0 {
		return ""
	}
	return string(t.Src[a.ValueStart:a.ValueEnd])
}

// StaticValue returns an attribute value with every template token
// removed, and whether there was any.
func (t *Template) StaticValue(a *Attr) (text string, dynamic bool) {
	if a == nil || a.ValueStart < 0 {
		return "", false
	}
	return t.StaticText(a.ValueStart, a.ValueEnd)
}

// StaticText returns the source between two offsets with every template
// token removed, and whether there was any.
func (t *Template) StaticText(start, end int) (string, bool) {
	var b strings.Builder
	dynamic := false
	i := sort.Search(len(t.Tokens), func(i int) bool { return t.Tokens[i].End > start })
	pos := start
	for ; i < len(t.Tokens) && t.Tokens[i].Start < end; i++ {
		tok := t.Tokens[i]
		if tok.Kind == TextToken {
			continue
		}
		dynamic = true
		if tok.Start > pos {
			b.Write(t.Src[pos:tok.Start])
		}
		pos = max(pos, tok.End)
	}
	if pos < end {
		b.Write(t.Src[pos:end])
	}
	return b.String(), dynamic
}

type regionKind uint8

const (
	rText regionKind = iota
	rRCDATA
	rStartTag
	rEndTag
	rScript
	rStyle
	rComment
	rOther
)

// region is a stretch of the output classified by the HTML tokenizer.
type region struct {
	start, end int
	kind       regionKind
	elem       int // index in Elements of the tag, or of the element a body belongs to; -1
}

// controlTag reports whether a tag renders nothing itself (it is masked with
// spaces); other tags may output text and are masked like variables.
func controlTag(name string) bool {
	if strings.HasPrefix(name, "end") {
		return true
	}
	switch name {
	case "if", "elif", "else", "for", "empty", "with", "block", "extends", "load",
		"comment", "verbatim", "autoescape", "filter", "spaceless", "ifchanged",
		"ifequal", "ifnotequal", "set", "macro", "call", "raw", "import", "from",
		"do", "plural", "elseif", "localize", "localtime", "timezone", "language",
		"cache", "blocktrans", "blocktranslate", "resetcycle":
		return true
	}
	return false
}

// mask returns a copy of the source in which every template token is
// replaced by filler of the same length: 'x' for what renders a value
// (variables, output tags), spaces for comments and control tags. The HTML
// tokenizer then sees the markup structure the template produces, and
// every offset still points at the original source.
func (t *Template) mask() []byte {
	m := bytes.Clone(t.Src)
	for _, tok := range t.Tokens {
		fill := byte(0)
		switch tok.Kind {
		case VarToken:
			fill = 'x'
		case TagToken:
			fill = 'x'
			if controlTag(firstWord(tok.Content)) {
				fill = ' '
			}
		case CommentToken:
			fill = ' '
		}
		if fill == 0 {
			continue
		}
		for i := tok.Start; i < tok.End; i++ {
			if m[i] != '\n' {
				m[i] = fill
			}
		}
	}
	return m
}

// analyseHTML tokenizes the masked source and records elements and regions.
func (t *Template) analyseHTML() {
	m := t.mask()
	n := bytes.Count(m, []byte("<"))
	t.Elements = make([]Element, 0, n)
	t.regions = make([]region, 0, 2*n+1)
	z := xhtml.NewTokenizer(bytes.NewReader(m))
	off := 0
	rawElem := -1 // element whose raw text body comes next
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			if err := z.Err(); err != nil && !errors.Is(err, io.EOF) {
				t.errorf(off, "HTML tokenizer stopped: %v", err)
			}
			break
		}
		n := len(z.Raw())
		start, end := off, off+n
		off = end
		if n == 0 {
			continue
		}
		switch tt {
		case xhtml.TextToken:
			r := region{start: start, end: end, kind: rText, elem: -1}
			if rawElem >= 0 {
				e := &t.Elements[rawElem]
				e.ContentStart, e.ContentEnd = start, end
				r.elem = rawElem
				switch e.Name {
				case "script":
					r.kind = rScript
				case "style":
					r.kind = rStyle
				default:
					r.kind = rRCDATA
				}
			}
			t.regions = append(t.regions, r)
			rawElem = -1
			continue
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			e := parseTag(m, start, end)
			if ns := start + 1 + b2i(e.EndTag); ns+len(e.Name) <= len(t.Src) && !bytes.EqualFold(t.Src[ns:ns+len(e.Name)], []byte(e.Name)) {
				// the name is (partly) template output, as in <h{{ level }}>:
				// name the element as written
				e.Name = strings.ToLower(string(t.Src[ns : ns+len(e.Name)]))
			}
			e.SelfClosing = tt == xhtml.SelfClosingTagToken
			e.ContentStart, e.ContentEnd = -1, -1
			idx := len(t.Elements)
			t.Elements = append(t.Elements, e)
			kind := rStartTag
			if e.EndTag {
				kind = rEndTag
			}
			t.regions = append(t.regions, region{start: start, end: end, kind: kind, elem: idx})
			rawElem = -1
			if !e.EndTag && e.Name == "noscript" {
				// With scripting off a browser parses <noscript> as markup;
				// read it so, to see the links, forms and variables in it.
				z.NextIsNotRawText()
				continue
			}
			if !e.EndTag && isRawElement(e.Name) {
				rawElem = idx
				t.Elements[idx].ContentStart, t.Elements[idx].ContentEnd = end, end
			}
			continue
		case xhtml.CommentToken:
			t.regions = append(t.regions, region{start: start, end: end, kind: rComment, elem: -1})
		default:
			t.regions = append(t.regions, region{start: start, end: end, kind: rOther, elem: -1})
		}
		rawElem = -1
	}
	t.masked = m
	t.assignContexts(m)
}

func isRawElement(name string) bool {
	switch name {
	case "script", "style", "textarea", "title", "iframe", "noembed", "noframes", "xmp", "plaintext":
		return true
	}
	return false
}

// parseTag reads the tag m[start:end] ("<name attr=v ...>" or "</name>")
// the way the HTML tokenizer does.
func parseTag(m []byte, start, end int) Element {
	e := Element{Start: start, End: end}
	i := start + 1
	if i < end && m[i] == '/' {
		e.EndTag = true
		i++
	}
	ns := i
	for i < end && !isSpace(m[i]) && m[i] != '/' && m[i] != '>' {
		i++
	}
	e.Name = strings.ToLower(string(m[ns:i]))
	if n := bytes.Count(m[i:end], []byte("=")); n > 0 && !e.EndTag {
		e.Attrs = make([]Attr, 0, n+1)
	}
	for i < end {
		for i < end && (isSpace(m[i]) || m[i] == '/') {
			i++
		}
		if i >= end || m[i] == '>' {
			break
		}
		a := Attr{NameStart: i, ValueStart: -1, ValueEnd: -1}
		i++ // the first character may be '='
		for i < end && !isSpace(m[i]) && m[i] != '/' && m[i] != '>' && m[i] != '=' {
			i++
		}
		a.Name = strings.ToLower(string(m[a.NameStart:i]))
		j := i
		for j < end && isSpace(m[j]) {
			j++
		}
		if j < end && m[j] == '=' {
			j++
			for j < end && isSpace(m[j]) {
				j++
			}
			if j < end && (m[j] == '"' || m[j] == '\'') {
				a.Quote = m[j]
				a.ValueStart = j + 1
				k := bytes.IndexByte(m[j+1:end], a.Quote)
				if k < 0 {
					a.ValueEnd = end
					i = end
				} else {
					a.ValueEnd = j + 1 + k
					i = a.ValueEnd + 1
				}
			} else {
				a.ValueStart = j
				for j < end && !isSpace(m[j]) && m[j] != '>' {
					j++
				}
				a.ValueEnd = j
				i = j
			}
		}
		if !e.EndTag {
			e.Attrs = append(e.Attrs, a)
		}
	}
	return e
}

// assignContexts computes the HTML context of every variable.
func (t *Template) assignContexts(m []byte) {
	scanners := map[int]*jsScanner{} // by region index
	for vi := range t.Vars {
		v := &t.Vars[vi]
		v.Context, _, _ = t.locate(m, v.Start, scanners)
	}
}

// locate computes the HTML context of source offset off. For a script body
// it also returns the JavaScript scanner positioned at off (from scanners,
// by region, so that calls in increasing offset order cost one pass); for
// an attribute value, the masked text of the value before off.
func (t *Template) locate(m []byte, off int, scanners map[int]*jsScanner) (c HTMLContext, js *jsScanner, attrPrefix []byte) {
	ri := sort.Search(len(t.regions), func(i int) bool { return t.regions[i].end > off })
	if ri >= len(t.regions) {
		return c, nil, nil
	}
	r := t.regions[ri]
	switch r.kind {
	case rText:
		c.Kind = CtxText
	case rRCDATA:
		c.Kind, c.Element = CtxText, t.Elements[r.elem].Name
	case rComment:
		c.Kind = CtxComment
	case rOther:
		c.Kind = CtxOther
	case rStyle:
		c.Kind, c.Element = CtxStyle, "style"
	case rScript:
		e := &t.Elements[r.elem]
		c.Kind, c.Element = CtxScript, "script"
		c.ScriptType = strings.ToLower(strings.TrimSpace(t.StaticOf(e.Attr("type"))))
		if IsJSType(c.ScriptType) {
			s := scanners[ri]
			if s == nil || s.pos > off {
				s = newJSScanner()
				s.pos = r.start
				scanners[ri] = s
			}
			s.advance(m[:r.end], off)
			c.JS, c.JSQuote = s.state, s.quote
			js = s
		}
	case rStartTag, rEndTag:
		e := &t.Elements[r.elem]
		c.Kind, c.Element = CtxTag, e.Name
		for ai := range e.Attrs {
			a := &e.Attrs[ai]
			if a.ValueStart < 0 || off < a.ValueStart || off >= a.ValueEnd {
				continue
			}
			c.Kind, c.Attr, c.Quote = CtxAttr, a.Name, a.Quote
			c.AttrKind = ClassifyAttr(e.Name, a.Name)
			attrPrefix = m[a.ValueStart:off]
			c.AtStart = len(bytes.TrimSpace(attrPrefix)) == 0
			if c.AttrKind == AttrJS {
				c.JS, c.JSQuote = jsStateAt([]byte(html.UnescapeString(string(attrPrefix))))
			}
			break
		}
	}
	return c, js, attrPrefix
}

// EmbeddedContexts returns the contexts of the variables of t that start
// in [start, end) — the body of one of t's {% block %} tags — when that body
// is rendered at offset at of the template outer (where outer, a template
// t extends, has its own {% block %} of the same name). Only variables whose
// context changes are returned, by index in t.Vars: when the parent puts
// the block inside a <script>, an attribute or a tag, the child's text is
// read as JavaScript, attribute value or tag content.
func EmbeddedContexts(outer *Template, at int, t *Template, start, end int) map[int]HTMLContext {
	if outer.Plain || t.Plain || outer.masked == nil || t.masked == nil {
		return nil
	}
	oc, js, prefix := outer.locate(outer.masked, at, map[int]*jsScanner{})
	switch oc.Kind {
	case CtxScript, CtxAttr, CtxTag:
	default:
		return nil
	}
	out := map[int]HTMLContext{}
	var s *jsScanner
	if js != nil {
		// continue the parent's scanner over the child's text
		s = &jsScanner{state: js.state, quote: js.quote, braces: append([]int(nil), js.braces...),
			depth: js.depth, regexOK: js.regexOK, pos: start}
	}
	lo := sort.Search(len(t.Vars), func(i int) bool { return t.Vars[i].Start >= start })
	for i := lo; i < len(t.Vars) && t.Vars[i].Start < end; i++ {
		v := &t.Vars[i]
		c := oc
		switch oc.Kind {
		case CtxScript:
			if s != nil {
				s.advance(t.masked[:end], v.Start)
				c.JS, c.JSQuote = s.state, s.quote
			}
		case CtxAttr:
			child := t.masked[start:v.Start]
			c.AtStart = oc.AtStart && len(bytes.TrimSpace(child)) == 0
			if c.AttrKind == AttrJS {
				c.JS, c.JSQuote = jsStateAt([]byte(html.UnescapeString(string(prefix) + string(child))))
			}
		case CtxTag:
			// the child writes attributes: read them up to the variable
			if ns, ne, valStart, quote, inValue := attrStateAt(t.masked[start:v.Start]); inValue {
				// the name as written: it may be template output itself
				name := strings.ToLower(string(t.Src[start+ns : start+ne]))
				c.Kind, c.Attr, c.Quote = CtxAttr, name, quote
				c.AttrKind = ClassifyAttr(c.Element, name)
				val := t.masked[start+valStart : v.Start]
				c.AtStart = len(bytes.TrimSpace(val)) == 0
				if c.AttrKind == AttrJS {
					c.JS, c.JSQuote = jsStateAt([]byte(html.UnescapeString(string(val))))
				}
			}
		}
		if c != v.Context {
			out[i] = c
		}
	}
	return out
}

// StaticOf returns the static text of an attribute value ("" for nil).
func (t *Template) StaticOf(a *Attr) string {
	s, _ := t.StaticValue(a)
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// attrStateAt reads text that stands inside a start tag, after its name
// (attributes a template writes into a tag), and says whether its end is
// inside an attribute value: where the attribute's name is in text, where
// its value starts, and its quote (0 when unquoted).
func attrStateAt(text []byte) (nameStart, nameEnd, valStart int, quote byte, inValue bool) {
	i := 0
	for i < len(text) {
		for i < len(text) && (isSpace(text[i]) || text[i] == '/') {
			i++
		}
		if i >= len(text) {
			return 0, 0, 0, 0, false
		}
		ns := i
		i++ // the first character may be '='
		for i < len(text) && !isSpace(text[i]) && text[i] != '/' && text[i] != '>' && text[i] != '=' {
			i++
		}
		nameStart, nameEnd = ns, i
		j := i
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		if j >= len(text) || text[j] != '=' {
			continue
		}
		j++
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		if j >= len(text) {
			return nameStart, nameEnd, j, 0, true
		}
		if q := text[j]; q == '"' || q == '\'' {
			k := bytes.IndexByte(text[j+1:], q)
			if k < 0 {
				return nameStart, nameEnd, j + 1, q, true
			}
			i = j + 1 + k + 1
			continue
		}
		for j < len(text) && !isSpace(text[j]) && text[j] != '>' {
			j++
		}
		if j >= len(text) {
			// the value runs to the variable: find where it started
			vs := j
			for vs > 0 && !isSpace(text[vs-1]) && text[vs-1] != '=' {
				vs--
			}
			return nameStart, nameEnd, vs, 0, true
		}
		i = j
	}
	return 0, 0, 0, 0, false
}
