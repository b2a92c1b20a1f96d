package coderules

import (
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/taint"
)

// classChecks: ModelForm and ModelSerializer field lists (DJG216), upload
// fields without validation (DJG224), and __html__ methods that return
// unescaped data (DJG202).
func (c *collector) classChecks() {
	ix := c.res.Index
	for _, m := range ix.Modules {
		for _, cl := range m.Classes {
			bases := ix.AllBases(cl)
			kind := ""
			for _, b := range bases {
				switch {
				case b == "django.forms.ModelForm" || b == "django.forms.models.ModelForm":
					kind = "ModelForm"
				case strings.HasPrefix(b, "rest_framework.serializers.") && strings.HasSuffix(b, "ModelSerializer"):
					kind = "ModelSerializer"
				}
			}
			if kind != "" && cl.Meta != nil {
				c.metaFields(m, cl, kind)
			}
			if c.isModel(cl) {
				c.uploadFields(m, cl)
			}
			if f := cl.Methods["__html__"]; f != nil {
				c.htmlMethod(m, cl, f)
			}
		}
	}
}

// localValue is a value assigned to a local name; aug marks x += value.
type localValue struct {
	v   python.Expr
	aug bool
}

// escapingCalls make their result safe to insert in HTML.
var escapingCalls = map[string]bool{
	"django.utils.html.escape": true, "django.utils.html.conditional_escape": true,
	"django.utils.html.format_html": true, "django.utils.html.format_html_join": true,
	"django.utils.html.json_script": true, "django.utils.html.strip_tags": true,
	"django.template.loader.render_to_string": true, "django.utils.html.escapejs": true,
	"builtins.int": true, "builtins.len": true, "builtins.float": true,
}

// wrappingCalls pass their argument through unchanged as far as HTML is
// concerned.
var wrappingCalls = map[string]bool{
	"django.utils.safestring.mark_safe": true, "django.utils.safestring.SafeString": true,
	"django.utils.safestring.SafeText": true, "builtins.str": true,
}

// htmlMethod reports an __html__ method that returns HTML built from data
// without escaping. Django's escaping (conditional_escape, templates,
// format_html) calls __html__ and inserts what it returns as it is.
func (c *collector) htmlMethod(m *taint.Module, cl *taint.Class, f *taint.Func) {
	var returns []*python.Return
	locals := map[string][]localValue{}
	python.Walk(f.Def, func(n python.Node, _ []python.Node) bool {
		switch n := n.(type) {
		case *python.FunctionDef:
			return n == f.Def
		case *python.AsyncFunctionDef, *python.ClassDef, *python.Lambda:
			return false
		case *python.Return:
			if n.Value != nil {
				returns = append(returns, n)
			}
		case *python.Assign:
			for _, t := range n.Targets {
				if name, ok := t.(*python.Name); ok {
					locals[name.Id] = append(locals[name.Id], localValue{v: n.Value})
				}
			}
		case *python.AugAssign:
			if name, ok := n.Target.(*python.Name); ok {
				locals[name.Id] = append(locals[name.Id], localValue{v: n.Value, aug: true})
			}
		}
		return true
	}, nil)
	for _, r := range returns {
		part, built := c.unescaped(m, locals, r.Value, 0)
		if part == nil {
			continue
		}
		fd := at(m, r)
		what := exprText(part)
		if built {
			fd.Confidence = rules.MediumConfidence
			fd.Message = fmt.Sprintf("%s.__html__() returns HTML built from %s without escaping: Django inserts what __html__ returns as it is; build it with format_html()", cl.Def.Name, what)
		} else {
			fd.Confidence = rules.LowConfidence
			fd.Message = fmt.Sprintf("%s.__html__() returns %s as it is: whatever was stored there is inserted into pages unescaped; escape it when it is stored, or build the HTML with format_html()", cl.Def.Name, what)
		}
		c.add("DJG202", fd)
	}
}

// unescaped returns the first dynamic part of e that reaches the result
// without escaping, and whether e builds a string around it (as opposed to
// returning it whole); nil when every part is a constant or escaped.
func (c *collector) unescaped(m *taint.Module, locals map[string][]localValue, e python.Expr, depth int) (python.Expr, bool) {
	if depth > 32 {
		return nil, false
	}
	switch e := e.(type) {
	case *python.JoinedStr:
		for _, v := range e.Values {
			if fv, ok := v.(*python.FormattedValue); ok {
				if p, _ := c.unescaped(m, locals, fv.Value, depth+1); p != nil {
					return p, true
				}
			}
		}
		return nil, false
	case *python.BinOp:
		if e.Op != python.Add && e.Op != python.Mod {
			return nil, false // arithmetic: a number
		}
		if p, _ := c.unescaped(m, locals, e.Left, depth+1); p != nil {
			return p, true
		}
		if t, ok := e.Right.(*python.Tuple); ok && e.Op == python.Mod {
			for _, x := range t.Elts {
				if p, _ := c.unescaped(m, locals, x, depth+1); p != nil {
					return p, true
				}
			}
			return nil, false
		}
		if p, _ := c.unescaped(m, locals, e.Right, depth+1); p != nil {
			return p, true
		}
		return nil, false
	case *python.IfExp:
		if p, b := c.unescaped(m, locals, e.Body, depth+1); p != nil {
			return p, b
		}
		return c.unescaped(m, locals, e.Orelse, depth+1)
	case *python.Call:
		q := c.res.Index.Resolve(m, e.Func)
		if escapingCalls[q] {
			return nil, false
		}
		if wrappingCalls[q] && len(e.Args) > 0 {
			return c.unescaped(m, locals, e.Args[0], depth+1)
		}
		if a, ok := e.Func.(*python.Attribute); ok {
			if _, isConst := a.Value.(*python.Constant); isConst && a.Attr == "format" {
				for _, x := range e.Args {
					if p, _ := c.unescaped(m, locals, x, depth+1); p != nil {
						return p, true
					}
				}
				for _, k := range e.Keywords {
					if p, _ := c.unescaped(m, locals, k.Value, depth+1); p != nil {
						return p, true
					}
				}
				return nil, false
			}
		}
		return nil, false // another function's result: not judged here
	case *python.Attribute:
		// self.label: stored data returned whole.
		if n, ok := e.Value.(*python.Name); ok && n.Id == "self" {
			return e, false
		}
		return nil, false
	case *python.Name:
		// A local: judge what was assigned to it (x += ... joins the
		// previous value, which is judged on its own). Anything else (a
		// module constant, a builtin) is not request or stored data.
		for _, lv := range locals[e.Id] {
			if p, b := c.unescaped(m, locals, lv.v, depth+1); p != nil {
				return p, b || lv.aug
			}
		}
		return nil, false
	}
	return nil, false
}

func (c *collector) metaFields(m *taint.Module, cl *taint.Class, kind string) {
	for _, st := range cl.Meta.Body {
		a, ok := st.(*python.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		n, ok := a.Targets[0].(*python.Name)
		if !ok {
			continue
		}
		switch n.Id {
		case "fields":
			if s, ok := constStr(a.Value); ok && s == "__all__" {
				f := at(m, a)
				f.Message = fmt.Sprintf("%s %s takes every model field from the request (fields = \"__all__\"): a field added to the model later becomes writable by users; list the fields", kind, cl.Def.Name)
				c.add("DJG216", f)
			}
		case "exclude":
			f := at(m, a)
			f.Confidence = rules.MediumConfidence
			f.Message = fmt.Sprintf("%s %s uses exclude: every field not excluded, including fields added later, is writable by users; list the fields instead", kind, cl.Def.Name)
			c.add("DJG216", f)
		}
	}
}

func (c *collector) uploadFields(m *taint.Module, cl *taint.Class) {
	for _, st := range cl.Def.Body {
		a, ok := st.(*python.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		call, ok := a.Value.(*python.Call)
		if !ok {
			continue
		}
		q := c.res.Index.Resolve(m, call.Func)
		t := lastSeg(q)
		if t == "" {
			t = lastSeg(exprText(call.Func))
		}
		if t != "FileField" && t != "ImageField" {
			continue
		}
		if _, ok := kw(call, "validators"); ok {
			continue
		}
		name := exprText(a.Targets[0])
		f := at(m, call)
		f.Message = fmt.Sprintf("%s = %s() accepts any file type and size: add validators (FileExtensionValidator, a size check) so users cannot upload HTML, SVG or executables served from your domain", name, t)
		if t == "ImageField" {
			f.Confidence = rules.LowConfidence
			f.Message = fmt.Sprintf("%s = ImageField() checks that the file is an image but not its size or extension: add validators (FileExtensionValidator, a size check)", name)
		}
		c.add("DJG224", f)
	}
}

// sensitiveParams: views that read passwords or card numbers from POST
// without @sensitive_post_parameters (DJG223).
func (c *collector) sensitiveParams() {
	done := map[*taint.Func]bool{}
	for _, k := range c.res.Keys {
		f := k.Func
		if f == nil || done[f] || f.Def == nil || !sensitiveField().MatchString(k.Key) {
			continue
		}
		if !strings.Contains(exprText(nodeExpr(k.Node)), "POST") && !strings.Contains(exprText(nodeExpr(k.Node)), "data") {
			continue
		}
		marked := false
		for _, d := range f.Decorators {
			if strings.HasSuffix(d, "sensitive_post_parameters") || strings.HasSuffix(d, "sensitive_variables") {
				marked = true
			}
		}
		if f.Class != nil {
			for _, d := range f.Class.Def.DecoratorList {
				if strings.Contains(exprText(d), "sensitive_post_parameters") || strings.Contains(exprText(d), "method_decorator") {
					marked = true
				}
			}
		}
		done[f] = true
		if marked {
			continue
		}
		fd := at(k.Mod, k.Node)
		fd.Message = fmt.Sprintf("%s() reads %q from the request without @sensitive_post_parameters: if the view raises, Django's error report (e-mail to ADMINS, Sentry) contains the value", f.Name, k.Key)
		c.add("DJG223", fd)
	}
}

func nodeExpr(n python.Located) python.Expr {
	if e, ok := n.(python.Expr); ok {
		return e
	}
	return nil
}
