package project

import (
	"github.com/djangoguard/djangoguard/internal/rules"
)

// Rules returns the rules of this package: DJG002.
func Rules() []*rules.Rule { return []*rules.Rule{SyntaxErrorRule} }

// SyntaxErrorRule is DJG002: a Python file of the project does not parse.
var SyntaxErrorRule = &rules.Rule{
	Code:       "DJG002",
	Name:       "python-syntax-error",
	Title:      "A Python file has a syntax error and was only partly analysed",
	Severity:   rules.Info,
	Confidence: rules.HighConfidence,
	OWASP:      "A05",
	Kind:       rules.Static,
	Run:        runSyntaxErrors,
	Doc: rules.Doc{
		Why: `djangoguard parses every Python file as Python 3.8 to 3.13 would. A statement that does not
parse is skipped: settings it assigns, views it defines and URLs it declares are not seen, so
problems inside it go unreported. The file may be Python 2, a template with a .py name, or simply
broken; if Django imports it, it fails at start-up too.`,
		Bad:  `print "hello"`,
		Good: `print("hello")`,
		Fix:  "Fix the syntax error, or exclude the file in the configuration if it is not part of the project.",
		Links: []string{
			"https://docs.python.org/3/reference/grammar.html",
			"https://docs.python.org/3/library/exceptions.html#SyntaxError",
		},
	},
}

func runSyntaxErrors(pass *rules.Pass) error {
	for _, f := range pass.Target.FilesOf(rules.PythonFile) {
		if err := pass.Context.Err(); err != nil {
			return err
		}
		m := Parse(pass.Target, f)
		for _, e := range m.Errors {
			kind := e.Kind
			if kind == "" {
				kind = "SyntaxError"
			}
			col := e.Col
			if col < 1 {
				col = 1
			}
			line := e.Line
			if line < 1 {
				line = 1
			}
			pass.Report(rules.Finding{
				Path: f.Path, Line: line, Column: col,
				Message: kind + ": " + e.Msg + " (the rest of this statement is not analysed)",
			})
		}
	}
	return nil
}
