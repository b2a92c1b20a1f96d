package scan

import "github.com/djangoguard/djangoguard/internal/rules"

// Diagnostic is DJG000: a file or input djangoguard could not read or
// analyse. Its findings come from the engine, not from a Run function.
var Diagnostic = &rules.Rule{
	Code:       "DJG000",
	Name:       "scan-diagnostic",
	Title:      "A file could not be analysed",
	Severity:   rules.Info,
	Confidence: rules.HighConfidence,
	OWASP:      "A05",
	Kind:       rules.Static,
	Doc: rules.Doc{
		Why: `djangoguard reads every file of the project, but some cannot be analysed: they are
too large, binary, not valid UTF-8, unreadable, or not valid Python. Nothing in such a file is
checked, so a problem inside it would go unseen. The diagnostic says which file and why; the scan
goes on with the rest.`,
		Bad:  "settings.py saved as Latin-1 with a non-ASCII comment",
		Good: "settings.py saved as UTF-8",
		Fix:  "Make the file readable UTF-8 text, or exclude it in the configuration if it is not part of the project.",
		Links: []string{
			"https://peps.python.org/pep-3120/",
		},
	},
}

// BareSuppression is DJG001: `# djangoguard: ignore` without codes.
var BareSuppression = &rules.Rule{
	Code:       "DJG001",
	Name:       "bare-suppression",
	Title:      "Suppression comment without rule codes",
	Severity:   rules.Low,
	Confidence: rules.HighConfidence,
	OWASP:      "A05",
	Kind:       rules.Static,
	Doc: rules.Doc{
		Why: `A suppression comment without codes hides every finding on its line, including
ones added later by new rules or by new code on the same line. Naming the codes keeps the
suppression as narrow as the decision that was made.`,
		Bad:  "DEBUG = True  # djangoguard: ignore",
		Good: "DEBUG = True  # djangoguard: ignore[DJG101]",
		Fix:  "Name the rule codes to ignore: # djangoguard: ignore[DJG101].",
		Links: []string{
			"https://docs.astral.sh/ruff/linter/#error-suppression",
		},
	},
}

// Rules returns the 0xx rules, about the tool itself.
func Rules() []*rules.Rule { return []*rules.Rule{Diagnostic, BareSuppression} }
