package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/report"
)

func newRulesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule with its code, severity and title",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg := catalog.Registry()
			if asJSON {
				return report.WriteRulesJSON(cmd.OutOrStdout(), reg.All())
			}
			return report.WriteRulesTable(cmd.OutOrStdout(), reg.All())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rules as JSON")
	return cmd
}

func newExplainCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "explain CODE",
		Short: "Explain a rule: why it matters, bad and good examples, the fix, links",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, r := range catalog.Registry().All() {
				if strings.HasPrefix(r.Code, strings.ToUpper(toComplete)) {
					out = append(out, r.Code+"\t"+r.Title)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			r := catalog.Registry().Lookup(args[0])
			if r == nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("no rule %q; `djangoguard rules` lists them", args[0])}
			}
			return report.WriteExplain(cmd.OutOrStdout(), r)
		},
	}
}
