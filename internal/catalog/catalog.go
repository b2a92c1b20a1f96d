// Package catalog lists every rule djangoguard has. It is the registry:
// each rule set lives in the package that owns its subject, and is named
// here once.
package catalog

import (
	"fmt"

	"github.com/djangoguard/djangoguard/internal/coderules"
	"github.com/djangoguard/djangoguard/internal/correlate"
	"github.com/djangoguard/djangoguard/internal/deps"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/scan"
	"github.com/djangoguard/djangoguard/internal/settingsrules"
	"github.com/djangoguard/djangoguard/internal/templaterules"
)

//go:generate go run ../../cmd/djangoguard rules --format markdown --output ../../docs/rules.md

// ruleSets returns every rule set. Add a package's Rules() here.
func ruleSets() [][]*rules.Rule {
	return [][]*rules.Rule{
		scan.Rules(),          // 0xx: the tool itself
		project.Rules(),       // 002: Python syntax errors
		settingsrules.Rules(), // 1xx: settings and URLs
		coderules.Rules(),     // 2xx: Python code
		templaterules.Rules(), // 3xx: templates
		deps.Rules(),          // 4xx: dependencies
		live.Rules(),          // 5xx: live probe
		correlate.Rules(),     // 6xx: static and live together
	}
}

// Registry returns the registry of every rule. It panics on invalid or
// duplicate rule metadata, which is a programming error caught by tests.
func Registry() *rules.Registry {
	var all []*rules.Rule
	for _, set := range ruleSets() {
		all = append(all, set...)
	}
	reg, err := rules.NewRegistry(all...)
	if err != nil {
		panic(fmt.Sprintf("catalog: %v", err))
	}
	return reg
}
