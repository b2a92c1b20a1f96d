package templaterules

import (
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

func runInlineScriptCSP(pass *rules.Pass) error {
	if err := pass.Context.Err(); err != nil {
		return fmt.Errorf("template rule %s interrupted: %w", pass.Rule.Code, err)
	}
	info, err := detectCSP(pass)
	if err != nil {
		return err
	}
	if info.Path == "" || info.AllowsInline {
		return nil
	}
	return eachTemplate(pass, false, func(t *templates.Template) {
		if t.Plain {
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
				"%s: the Content-Security-Policy installed in %s:%d (%s) blocks it unless script-src allows it; use a static script file, a nonce, or addEventListener",
				what, info.Path, info.Line, info.Middleware)
		}
	})
}
