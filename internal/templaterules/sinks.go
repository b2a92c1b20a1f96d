package templaterules

import (
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/templates"
	"github.com/djangoguard/djangoguard/internal/views"
)

// Sink is a variable whose rendered value escaping does not protect where
// it stands: marked safe, in JavaScript, in an unquoted attribute, at the
// start of a URL, or inside {% autoescape off %}. The rules report them;
// the view-to-template analysis joins them with the data views pass.
type Sink struct {
	Code string // the rule that reports it, e.g. "DJG301"
	Var  *templates.Variable
	// Root is the context name the value comes from: "profile" for
	// {{ profile.bio|safe }}; "" for an expression that is not a name.
	Root       string
	Message    string
	Confidence rules.Confidence // 0: the rule's own
}

// sinksKey is the Target.Memo key of a template's sinks.
type sinksKey struct{ path string }

// Sinks returns the sinks of a template, in source order, judging each
// variable by the HTML around it in its own file.
func Sinks(t *templates.Template) []Sink { return sinks(t, nil) }

// sinks is Sinks with some variables' contexts replaced (by index in
// t.Vars), for blocks that a parent template renders inside a script or an
// attribute.
func sinks(t *templates.Template, contexts map[int]placed) []Sink {
	var out []Sink
	plain := plainText(t)
	names := urlNames(t)
	note := ""
	add := func(code string, v *templates.Variable, conf rules.Confidence, format string, args ...any) {
		out = append(out, Sink{Code: code, Var: v, Root: rootName(v.Base), Message: fmt.Sprintf(format, args...) + note, Confidence: conf})
	}
	for i := range t.Vars {
		v := &t.Vars[i]
		if v.Base == "block.super" {
			continue // the parent's block, rendered by the template engine
		}
		note = ""
		if p, ok := contexts[i]; ok {
			cp := *v
			cp.Context = p.ctx
			v = &cp
			note = " (" + p.via + ")"
		}
		c := v.Context
		if !plain {
			judgeSafe(t, v, add)
			if !v.Autoescape && !v.Literal && v.AutoescapeTag >= 0 {
				add("DJG302", v, 0, "{{ %s }} is output unescaped: autoescaping is off around it", v.Expr)
			}
		}
		switch {
		case c.Kind == templates.CtxScript && c.IsJS():
			if bad, why := jsUnsafe(v, t.Dialect); bad {
				add("DJG303", v, 0, "{{ %s }} is rendered in a <script> %s", v.Expr, why)
			}
		case c.Kind == templates.CtxAttr && c.AttrKind == templates.AttrJS:
			if bad, why := jsUnsafe(v, t.Dialect); bad {
				add("DJG304", v, 0, "{{ %s }} is rendered in the %s attribute of <%s> %s", v.Expr, c.Attr, c.Element, why)
			}
		}
		judgeUnquoted(v, add)
		judgeURL(v, names, add)
	}
	return out
}

type addFunc func(code string, v *templates.Variable, conf rules.Confidence, format string, args ...any)

// rootName returns the first name of an expression, or "".
func rootName(base string) string {
	n := 0
	for n < len(base) && (base[n] == '_' || base[n] >= 'a' && base[n] <= 'z' || base[n] >= 'A' && base[n] <= 'Z' || n > 0 && base[n] >= '0' && base[n] <= '9') {
		n++
	}
	if n < len(base) && base[n] != '.' && base[n] != '[' {
		return ""
	}
	return base[:n]
}

// judgeSafe applies DJG301 to one variable.
func judgeSafe(t *templates.Template, v *templates.Variable, add addFunc) {
	k := lastSafe(v)
	if k < 0 || v.Literal {
		return
	}
	harmless := false
	for _, f := range v.Filters[:k] {
		harmless = harmless || escapesBeforeSafe(f.Name)
	}
	escapeAfter := false
	for _, f := range v.Filters[k+1:] {
		harmless = harmless || neutralAfterSafe(f.Name, t.Dialect)
		escapeAfter = escapeAfter || f.Name == "escape" || f.Name == "e"
	}
	if harmless {
		return
	}
	conf := rules.Confidence(0)
	if lastSeg(v.Base) == "help_text" {
		// help texts are written in model and form definitions
		conf = rules.LowConfidence
	}
	msg := "{{ %s }} is output without escaping (|%s) in %s: if %s can hold user input, that input becomes HTML and script"
	if escapeAfter {
		msg += "; the |escape after |" + v.Filters[k].Name + " does nothing to a value already marked safe — use |force_escape"
	}
	add("DJG301", v, conf, msg, v.Expr, v.Filters[k].Name, v.Context, v.Base)
}

// judgeUnquoted applies DJG305 to one variable.
func judgeUnquoted(v *templates.Variable, add addFunc) {
	c := v.Context
	unquotedValue := c.Kind == templates.CtxAttr && c.Quote == 0
	if !unquotedValue && c.Kind != templates.CtxTag || v.Literal || numericBase(v.Base) {
		return
	}
	for _, f := range v.Filters {
		if noSpaceFilter(f.Name) {
			return
		}
	}
	if unquotedValue {
		add("DJG305", v, 0,
			"{{ %s }} is the unquoted value of %s on <%s>: a space in the value ends it and what follows becomes new attributes (an onfocus handler, say); quote the attribute",
			v.Expr, c.Attr, c.Element)
		return
	}
	add("DJG305", v, 0,
		"{{ %s }} is rendered inside the <%s> tag where attribute names go: its text becomes attributes, such as an event handler; render attributes as name=\"{{ value }}\"",
		v.Expr, c.Element)
}

// judgeURL applies DJG306 to one variable.
func judgeURL(v *templates.Variable, names safeNames, add addFunc) {
	c := v.Context
	if c.Kind != templates.CtxAttr || c.AttrKind != templates.AttrURL || !c.AtStart {
		return
	}
	if v.Literal || safeURLBase(v.Base) || numericBase(v.Base) || names.has(v.Base, v.Start) {
		return
	}
	for _, f := range v.Filters {
		if f.Name == "urlencode" && !strings.Contains(f.Arg, ":") || f.Name == "slugify" {
			return
		}
	}
	conf := rules.Confidence(0)
	if untrustedURL(v.Base) {
		conf = rules.MediumConfidence
	}
	add("DJG306", v, conf,
		"{{ %s }} starts the %s of <%s>: escaping does not check the scheme, so a javascript: or data: URL in it runs script when used; build the URL with {%% url %%} or allow only http(s) URLs in Python",
		v.Expr, c.Attr, c.Element)
}

// placed is the context a variable takes where another template renders
// it, and a note saying where.
type placed struct {
	ctx templates.HTMLContext
	via string
}

// sinksOf returns a parsed template's sinks, computed once per scan, with
// the blocks it fills judged where its parents render them, and its
// variables judged where templates that include it render it.
func sinksOf(target *rules.Target, t *templates.Template) []Sink {
	v, _ := target.Memo(sinksKey{t.Path}, func() (any, error) {
		ctx := blockContexts(target, index(target), t)
		for i, p := range includeContexts(target, t) {
			if _, ok := ctx[i]; !ok {
				if ctx == nil {
					ctx = map[int]placed{}
				}
				ctx[i] = p
			}
		}
		return sinks(t, ctx), nil
	})
	return v.([]Sink)
}

// linksKey is the Target.Memo key of the links between the project's
// templates.
type linksKey struct{}

// includeSite is an {% include "name" %} tag.
type includeSite struct {
	from *templates.Template
	tag  *templates.Tag
}

// links are how the project's templates name each other with literals,
// keyed by the path of the template named.
type links struct {
	includers map[string][]includeSite         // the {% include %} tags naming it
	extenders map[string][]*templates.Template // the templates that {% extends %} it
}

func templateLinks(target *rules.Target) *links {
	v, _ := target.Memo(linksKey{}, func() (any, error) {
		idx := index(target)
		out := &links{includers: map[string][]includeSite{}, extenders: map[string][]*templates.Template{}}
		for _, f := range target.FilesOf(rules.TemplateFile) {
			t, err := parsed(target, f)
			if err != nil {
				continue
			}
			for _, ti := range t.Includes {
				tag := &t.Tags[ti]
				for _, g := range idx.resolve(tag.TagArgName()) {
					out.includers[g.Path] = append(out.includers[g.Path], includeSite{t, tag})
				}
			}
			if t.Extends != "" {
				for _, g := range idx.resolve(t.Extends) {
					if g.Path != t.Path {
						out.extenders[g.Path] = append(out.extenders[g.Path], t)
					}
				}
			}
		}
		return out, nil
	})
	return v.(*links)
}

// includers maps each template path to the {% include %} tags, anywhere in
// the project, that name it with a literal.
func includers(target *rules.Target) map[string][]includeSite {
	return templateLinks(target).includers
}

// maxIncludeSites bounds the include sites examined per template.
const maxIncludeSites = 64

// includeContexts returns the contexts the variables of t take where other
// templates include it inside a <script>, an attribute or a tag (the first
// such include site wins).
func includeContexts(target *rules.Target, t *templates.Template) map[int]placed {
	var out map[int]placed
	sites := includers(target)[t.Path]
	if len(sites) > maxIncludeSites {
		sites = sites[:maxIncludeSites]
	}
	for _, site := range sites {
		if site.from == t {
			continue
		}
		for i, c := range templates.EmbeddedContexts(site.from, site.tag.Start, t, 0, len(t.Src)) {
			if _, ok := out[i]; ok {
				continue
			}
			if out == nil {
				out = map[int]placed{}
			}
			line, _ := site.from.Position(site.tag.Start)
			out[i] = placed{c, fmt.Sprintf("where %s:%d includes this template", site.from.Path, line)}
		}
	}
	return out
}

// blockContexts finds, for each {% block %} a child template fills, the
// block of the same name in the templates it extends (up to
// maxExtendsDepth), and returns the contexts its variables take there when
// that differs from the child's own reading.
func blockContexts(target *rules.Target, idx templateIndex, t *templates.Template) map[int]placed {
	if t.Extends == "" || t.Plain {
		return nil
	}
	// the chain of parents, and where each places its blocks
	var parents []*templates.Template
	var blockAt []map[string]int
	for cur := t; cur.Extends != "" && len(parents) < maxExtendsDepth; {
		files := idx.resolve(cur.Extends)
		if len(files) == 0 {
			break
		}
		p, err := parsed(target, files[0])
		if err != nil || p == t {
			break
		}
		at := map[string]int{}
		for _, pbi := range p.Blocks {
			if pt := &p.Tags[pbi]; len(pt.Args) > 0 {
				if _, dup := at[pt.Args[0]]; !dup {
					at[pt.Args[0]] = pt.Start
				}
			}
		}
		parents, blockAt = append(parents, p), append(blockAt, at)
		cur = p
	}
	var out map[int]placed
	for _, bi := range t.Blocks {
		tag := &t.Tags[bi]
		if tag.Close < 0 || len(tag.Args) == 0 {
			continue
		}
		name := tag.Args[0]
		for depth, p := range parents {
			at, ok := blockAt[depth][name]
			if !ok {
				continue // defined higher up
			}
			line, _ := p.Position(at)
			for i, c := range templates.EmbeddedContexts(p, at, t, tag.End, t.Tags[tag.Close].Start) {
				if out == nil {
					out = map[int]placed{}
				}
				out[i] = placed{c, fmt.Sprintf("block %s, which %s:%d renders there", name, p.Path, line)}
			}
			break
		}
	}
	return out
}

// runSinkRule is the Run of the rules whose findings are sinks.
func runSinkRule(pass *rules.Pass) error {
	// The views that render each template say what its variables carry:
	// request data makes an unsafe output high confidence, database data
	// medium, a value no request reaches low.
	join, err := views.Load(pass.Context, pass.Target)
	if err != nil {
		return err
	}
	// DJG301 reports the templates that could not be parsed, once per scan
	sc := &scope{target: pass.Target, join: join, seen: map[scopeKey]bool{}}
	return eachTemplate(pass, pass.Rule.Code == "DJG301", func(t *templates.Template) {
		for _, s := range sinksOf(pass.Target, t) {
			if s.Code != pass.Rule.Code {
				continue
			}
			conf, msg := s.Confidence, s.Message
			var trace []rules.TraceStep
			if v := sc.resolve(t, s.Var.Start, s.Root); v != nil {
				conf = v.Level.Confidence()
				msg += fmt.Sprintf("; %s carries %s data", s.Root, v.Level)
				if v.View != "" {
					msg += " from " + v.View
				}
				trace = v.Trace
			}
			reportTrace(pass, t, s.Var.Start, s.Var.End, conf, trace, "%s", msg)
		}
	})
}
