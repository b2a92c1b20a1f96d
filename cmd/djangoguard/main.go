// Command djangoguard audits Django projects from source and probes live
// Django deployments. This package only wires commands; the work is done in
// the packages under internal/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/heap"
	"github.com/djangoguard/djangoguard/internal/version"
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Exit codes, documented in the README.
const (
	exitOK       = 0 // nothing at or above --fail-on
	exitFindings = 1 // a finding at or above --fail-on
	exitUsage    = 2 // usage or fatal error
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "djangoguard",
		Short: "Security audits for Django projects and Django deployments",
		Long: `djangoguard audits a Django project from its source without running it
(settings, URLs, views, templates, dependencies) and probes live Django
deployments (headers, cookies, TLS, exposed files), explaining every finding
with Django-specific remediation mapped to OWASP Top 10 and CWE.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("djangoguard {{.Version}}\n")
	root.AddCommand(
		newScanCmd(),
		newProbeCmd(),
		newRulesCmd(),
		newExplainCmd(),
		newVersionCmd(),
	)
	for _, extra := range extraCommands {
		root.AddCommand(extra())
	}
	return root
}

// extraCommands are added by the files that wire further command groups
// (debug, db, deps, serve ...), each from its own init function.
var extraCommands []func() *cobra.Command

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the djangoguard version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "djangoguard %s\n", version.String())
			return nil
		},
	}
}

func main() {
	ctx := context.Background()
	if n := heapReserve(os.Args[1:]); n > 0 {
		// Best effort, silent: without it the command is only slower.
		if _, ok := heap.SetBudget(0); ok {
			ctx = context.WithValue(ctx, heapBudgetKey{}, true)
		}
		_, _ = heap.Reserve(n)
	}
	os.Exit(runContext(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// heapBudgetKey marks a context whose process runs with heap.SetBudget's
// collector settings, which a scan then sizes to its input. Tests run
// commands in their own process and leave it unset.
type heapBudgetKey struct{}

// budgetForInput returns the scan.Options.Input hook that raises the memory
// limit to the scan's input, or nil when the process keeps Go's defaults.
func budgetForInput(ctx context.Context) func(files int, bytes int64) {
	if on, _ := ctx.Value(heapBudgetKey{}).(bool); !on {
		return nil
	}
	return func(_ int, bytes int64) { heap.SetBudget(bytes) }
}

// heapReserve is how much heap a command line is expected to touch, for the
// huge page reservation (internal/heap); 0 leaves the heap as Go sets it
// up. Scans of large projects touch hundreds of MiB; a dependency audit of
// a large lock file about 20 MiB. Other commands are short or run for days
// (serve) and are left alone.
func heapReserve(args []string) int {
	if len(args) == 0 {
		return 0
	}
	switch args[0] {
	case "scan", "project", "correlate":
		return 512 << 20
	case "deps":
		return 64 << 20
	}
	return 0
}

// run executes one command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with the context the commands see.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "djangoguard:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "djangoguard:", err)
	return exitUsage
}
