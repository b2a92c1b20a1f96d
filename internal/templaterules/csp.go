package templaterules

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/templates"
)

// cspKey is the Target.Memo key of the project's CSP detection.
type cspKey struct{}

// cspInfo is what a text search of the project's Python files says about
// its Content-Security-Policy. It stands in for the settings evaluator.
type cspInfo struct {
	// Path and Line locate the CSP middleware, "" when none was found.
	Path       string
	Line       int
	Middleware string
	// AllowsInline is set when a line mentioning script-src or
	// default-src also allows 'unsafe-inline'.
	AllowsInline bool
}

var cspMiddlewares = []string{
	"csp.middleware.CSPMiddleware",
	"django.middleware.csp.ContentSecurityPolicyMiddleware",
}

// detectCSP searches the Python files of the target, outside comments,
// for a CSP middleware and for policies that allow inline script.
func detectCSP(pass *rules.Pass) (cspInfo, error) {
	v, err := pass.Target.Memo(cspKey{}, func() (any, error) {
		var info cspInfo
		for _, f := range pass.Target.FilesOf(rules.PythonFile) {
			if err := pass.Context.Err(); err != nil {
				return nil, err
			}
			if !mentionsCSP(f.Content) {
				continue
			}
			for n, line := range strings.Split(string(f.Content), "\n") {
				if i := strings.IndexByte(line, '#'); i >= 0 {
					line = line[:i]
				}
				for _, mw := range cspMiddlewares {
					if info.Path == "" && strings.Contains(line, mw) {
						info.Path, info.Line, info.Middleware = f.Path, n+1, mw
					}
				}
				l := strings.ToLower(line)
				if (strings.Contains(l, "unsafe-inline") || strings.Contains(l, "unsafe_inline")) &&
					(strings.Contains(l, "script") || strings.Contains(l, "default")) {
					info.AllowsInline = true
				}
			}
		}
		return info, nil
	})
	if err != nil {
		return cspInfo{}, err
	}
	return v.(cspInfo), nil
}

// metaPolicy is a Content-Security-Policy declared in a template with
// <meta http-equiv="Content-Security-Policy" content="...">.
type metaPolicy struct {
	Path         string
	Line         int
	AllowsInline bool
}

// metaCSP returns the policy a template declares in a <meta> tag, if any.
func metaCSP(t *templates.Template) (metaPolicy, bool) {
	for i := range t.Elements {
		e := &t.Elements[i]
		if e.EndTag || e.Name != "meta" {
			continue
		}
		equiv, dyn := t.StaticValue(e.Attr("http-equiv"))
		if dyn || !strings.EqualFold(strings.TrimSpace(equiv), "content-security-policy") {
			continue
		}
		content, dyn := t.StaticValue(e.Attr("content"))
		if dyn {
			continue
		}
		line, _ := t.Position(e.Start)
		return metaPolicy{Path: t.Path, Line: line, AllowsInline: policyAllowsInline(content)}, true
	}
	return metaPolicy{}, false
}

// policyAllowsInline reports whether a CSP policy lets inline scripts run:
// no script-src nor default-src, or one with 'unsafe-inline' and without a
// nonce, a hash or 'strict-dynamic' (which make browsers ignore
// 'unsafe-inline').
func policyAllowsInline(policy string) bool {
	dirs := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(strings.ToLower(d))
		if len(f) > 0 {
			if _, dup := dirs[f[0]]; !dup {
				dirs[f[0]] = f[1:]
			}
		}
	}
	src, ok := dirs["script-src"]
	if !ok {
		if src, ok = dirs["default-src"]; !ok {
			return true
		}
	}
	inline := false
	for _, s := range src {
		switch {
		case s == "'unsafe-inline'":
			inline = true
		case strings.HasPrefix(s, "'nonce-"), strings.HasPrefix(s, "'sha256-"), strings.HasPrefix(s, "'sha384-"),
			strings.HasPrefix(s, "'sha512-"), s == "'strict-dynamic'":
			return false
		}
	}
	return inline
}

// maxExtendsDepth bounds how far {% extends %} chains are followed.
const maxExtendsDepth = 10

// inheritedMetaCSP returns the <meta> policy of a template or of the
// templates it extends.
func inheritedMetaCSP(pass *rules.Pass, idx templateIndex, t *templates.Template) (metaPolicy, bool) {
	for depth := 0; t != nil && depth <= maxExtendsDepth; depth++ {
		if p, ok := metaCSP(t); ok {
			return p, true
		}
		files := idx.resolve(t.Extends)
		if t.Extends == "" || len(files) == 0 {
			break
		}
		next, err := parsed(pass.Target, files[0])
		if err != nil {
			break
		}
		t = next
	}
	return metaPolicy{}, false
}

func runInlineScriptCSP(pass *rules.Pass) error {
	if err := pass.Context.Err(); err != nil {
		return fmt.Errorf("template rule %s interrupted: %w", pass.Rule.Code, err)
	}
	info, err := detectCSP(pass)
	if err != nil {
		return err
	}
	idx := index(pass.Target)
	return eachTemplate(pass, false, func(t *templates.Template) {
		if t.Plain {
			return
		}
		where := ""
		switch meta, ok := inheritedMetaCSP(pass, idx, t); {
		case info.Path != "" && !info.AllowsInline:
			where = fmt.Sprintf("installed in %s:%d (%s)", info.Path, info.Line, info.Middleware)
		case ok && !meta.AllowsInline:
			where = fmt.Sprintf("declared by the <meta> tag at %s:%d", meta.Path, meta.Line)
		default:
			return
		}
		for _, in := range templates.InlineScripts(t) {
			if in.Nonce {
				continue
			}
			what := in.Kind.String()
			if in.Attr != "" {
				what += " (" + in.Attr + ")"
			}
			report(pass, t, in.Start, in.End, 0,
				"%s: the Content-Security-Policy %s blocks it unless script-src allows it; use a static script file, a nonce, or addEventListener",
				what, where)
		}
	})
}

// mentionsCSP is a cheap test that a file can matter to detectCSP: it
// names a CSP middleware or says "unsafe" in any case. Most files do
// neither and are not split into lines.
func mentionsCSP(b []byte) bool {
	for _, mw := range cspMiddlewares {
		if bytes.Contains(b, []byte(mw)) {
			return true
		}
	}
	const word = "unsafe"
	for i := 0; i+len(word) <= len(b); i++ {
		c := b[i] | 0x20
		if c != 'u' {
			continue
		}
		j := 1
		for j < len(word) && b[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}
