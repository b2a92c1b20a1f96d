package templates

import "strings"

// InlineKind is a kind of inline JavaScript.
type InlineKind uint8

const (
	// InlineScript is a <script> element with a body and no src.
	InlineScript InlineKind = iota
	// InlineHandler is an event-handler attribute (onclick=...).
	InlineHandler
	// InlineJSURL is a javascript: URL in a URL attribute.
	InlineJSURL
)

func (k InlineKind) String() string {
	switch k {
	case InlineScript:
		return "inline <script>"
	case InlineHandler:
		return "inline event handler"
	case InlineJSURL:
		return "javascript: URL"
	}
	return "unknown"
}

// Inline is a piece of JavaScript written into the page rather than loaded
// from a URL. A Content-Security-Policy whose script-src has neither
// 'unsafe-inline' nor a matching nonce or hash blocks it.
type Inline struct {
	Kind       InlineKind
	Start, End int
	Element    string
	Attr       string // the attribute, for handlers and URLs
	// Nonce is true when a <script> carries a nonce attribute, which a
	// nonce-based policy allows. Handlers and javascript: URLs cannot carry
	// one.
	Nonce bool
}

// InlineScripts lists the inline JavaScript of a template: <script> bodies
// of a JavaScript type without src, event-handler attributes (on*), and
// javascript: URLs. Framework attributes such as Alpine's x-data are not
// included: those are evaluated by the framework, not blocked by CSP as
// inline script (the framework itself may need 'unsafe-eval').
func InlineScripts(t *Template) []Inline {
	var out []Inline
	for i := range t.Elements {
		e := &t.Elements[i]
		if e.EndTag {
			continue
		}
		if e.Name == "script" && e.Attr("src") == nil && IsJSType(t.StaticOf(e.Attr("type"))) &&
			e.ContentEnd > e.ContentStart && strings.TrimSpace(string(t.Src[e.ContentStart:e.ContentEnd])) != "" {
			out = append(out, Inline{Kind: InlineScript, Start: e.Start, End: e.End, Element: e.Name, Nonce: e.Attr("nonce") != nil})
		}
		for ai := range e.Attrs {
			a := &e.Attrs[ai]
			switch {
			case len(a.Name) > 2 && strings.HasPrefix(a.Name, "on") && isEventAttr(a.Name) && a.HasValue() && strings.TrimSpace(t.Value(a)) != "":
				out = append(out, Inline{Kind: InlineHandler, Start: a.NameStart, End: a.ValueEnd, Element: e.Name, Attr: a.Name})
			case ClassifyAttr(e.Name, a.Name) == AttrURL && a.HasValue():
				v := strings.ToLower(strings.TrimLeft(t.StaticOf(a), " \t\r\n"))
				if strings.HasPrefix(v, "javascript:") {
					out = append(out, Inline{Kind: InlineJSURL, Start: a.NameStart, End: a.ValueEnd, Element: e.Name, Attr: a.Name})
				}
			}
		}
	}
	return out
}
