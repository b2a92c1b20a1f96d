package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/report"
)

func newRulesCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule with its code, severity and title",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all := catalog.Registry().All()
			var write func(io.Writer) error
			switch format {
			case "table":
				write = func(w io.Writer) error { return report.WriteRulesTable(w, all) }
			case "json":
				write = func(w io.Writer) error { return report.WriteRulesJSON(w, all) }
			case "markdown":
				write = func(w io.Writer) error { return report.WriteRulesMarkdown(w, all) }
			default:
				return usageErr("--format: unknown format %q (want table, json or markdown)", format)
			}
			if output != "" {
				return writeFileAtomic(output, write)
			}
			return write(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table, json, markdown (the docs/rules.md page)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of standard output")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"table", "json", "markdown"}, cobra.ShellCompDirectiveNoFileComp))
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
