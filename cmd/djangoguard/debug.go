package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/python"
)

func init() {
	extraCommands = append(extraCommands, newDebugCmd)
}

func newDebugCmd() *cobra.Command {
	debug := &cobra.Command{
		Use:   "debug",
		Short: "Developer tools for inspecting djangoguard's internals",
	}
	debug.AddCommand(newDebugASTCmd())
	return debug
}

func newDebugASTCmd() *cobra.Command {
	var attrs bool
	cmd := &cobra.Command{
		Use:   "ast [--attributes] FILE...",
		Short: "Print each file's Python AST the way CPython's ast.dump prints it",
		Long: `Parses each FILE with djangoguard's Python parser and prints a line
"==> PATH <==" followed by exactly what Python 3.11's
ast.dump(ast.parse(source_bytes), include_attributes=ATTR) prints, on one line.
Syntax newer than 3.11 is printed the way CPython 3.12/3.13 would print it.
A file with syntax errors prints its errors (file:line:col: message) on
stderr and the command exits with status 1.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<16)
			defer out.Flush()
			failed := false
			for _, path := range args {
				src, err := os.ReadFile(path)
				if err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				fmt.Fprintf(out, "==> %s <==\n", path)
				mod, errs := python.Parse(path, src)
				if len(errs) > 0 {
					out.Flush()
					for _, e := range errs {
						fmt.Fprintln(cmd.ErrOrStderr(), e.Error())
					}
					failed = true
					continue
				}
				out.WriteString(python.Dump(mod, attrs))
				out.WriteByte('\n')
			}
			if failed {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&attrs, "attributes", false, "include lineno, col_offset, end_lineno and end_col_offset")
	return cmd
}
