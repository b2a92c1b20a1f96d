package coderules

import (
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/taint"
)

// classChecks: ModelForm and ModelSerializer field lists (DJG216), and
// upload fields without validation (DJG224).
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
		}
	}
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
		if f == nil || done[f] || f.Def == nil || !sensitiveField.MatchString(k.Key) {
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
