package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/rules"
)

func newProbeCmd() *cobra.Command {
	def := live.DefaultOptions()
	var (
		headers, resolves, connectTos []string
		caCert, preloadFile, format   string
		failOn, urlFile, output       string
		concurrency                   int
		noTLS, progress               bool
	)
	opts := def
	cmd := &cobra.Command{
		Use:   "probe [URL]",
		Short: "Probe a live Django deployment: Observatory grade, Django checks, TLS",
		Long: `probe grades a running site exactly as the Mozilla HTTP Observatory does (12 tests,
score and grade), then runs Django-specific checks (DEBUG pages, admin and login over http, cookie
flags, exposed files, security.txt, banners, mixed content) and a TLS scan.

It only reads: GET, HEAD, OPTIONS and one TRACE. The intrusive checks (failed logins against the
login form, connections to database and cache ports) run only with --active.

See docs/probe.md.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 1) == (urlFile != "") {
				return &exitError{code: exitUsage, err: errors.New("probe: give one URL, or --urls FILE")}
			}
			threshold, err := rules.ParseSeverity(failOn)
			if err != nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("--fail-on: %w", err)}
			}
			switch format {
			case "text", "json", "sarif", "markdown", "html":
			default:
				return &exitError{code: exitUsage, err: fmt.Errorf("--format %q: want text, json, sarif, markdown or html", format)}
			}
			opts.Headers = http.Header{}
			for _, h := range headers {
				if err := live.ParseHeader(opts.Headers, h); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			opts.Resolve = map[string]string{}
			for _, r := range resolves {
				if err := live.ParseResolve(opts.Resolve, r); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			opts.ConnectTo = map[string]string{}
			for _, c := range connectTos {
				if err := live.ParseConnectTo(opts.ConnectTo, c); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			if caCert != "" {
				if opts.RootCAs, err = live.LoadCACert(caCert); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			if preloadFile != "" {
				if opts.Preload, err = live.LoadPreloadList(preloadFile); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			opts.SkipTLS = noTLS
			targets := args
			if urlFile != "" {
				f, err := os.Open(urlFile)
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("--urls: %w", err)}
				}
				targets, err = live.ReadTargets(f)
				f.Close()
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("--urls %s: %w", urlFile, err)}
				}
				if len(targets) == 0 {
					return &exitError{code: exitUsage, err: fmt.Errorf("--urls %s: no URLs", urlFile)}
				}
			}
			for _, t := range targets {
				if _, err := live.NormaliseTarget(t); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			reg := catalog.Registry()
			var onProgress func(done, total int)
			if len(targets) > 1 && (progress || term.IsTerminal(int(os.Stderr.Fd()))) {
				bar := progressbar.NewOptions(len(targets), progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("probing"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
				onProgress = func(done, total int) { _ = bar.Set(done) }
				defer bar.Finish()
			}
			outcomes := live.ProbeMany(ctx, targets, opts, reg.OfKind(rules.Live), concurrency, onProgress)
			reps := make([]*live.Report, len(outcomes))
			failed, worst := 0, rules.Severity(0)
			for i, o := range outcomes {
				reps[i] = live.NewReport(o.Target, o.Result, o.Findings, o.Err)
				if o.Err != nil {
					failed++
				}
				for _, f := range o.Findings {
					if f.Severity > worst {
						worst = f.Severity
					}
				}
			}
			if err := writeProbeReport(cmd, output, format, reps, reg); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if failed == 1 && len(targets) == 1 {
				return &exitError{code: exitUsage, err: fmt.Errorf("probe failed: %v", outcomes[0].Err)}
			}
			if failed > 0 {
				return &exitError{code: exitUsage, err: fmt.Errorf("%d of %d probes failed (see the errors in the report)", failed, len(targets))}
			}
			if worst >= threshold {
				return &exitError{code: exitFindings}
			}
			if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return &exitError{code: exitUsage, err: errors.New("interrupted")}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&opts.Timeout, "timeout", def.Timeout, "timeout of each request (connect, TLS, headers, body)")
	fl.DurationVar(&opts.Deadline, "deadline", def.Deadline, "time limit for the whole probe of one URL")
	fl.IntVar(&opts.MaxRedirects, "max-redirects", def.MaxRedirects, "redirects followed per chain (the Observatory follows 10)")
	fl.StringVar(&opts.UserAgent, "user-agent", def.UserAgent, "User-Agent header")
	fl.StringArrayVarP(&headers, "header", "H", nil, `extra header "Name: value" sent only to the URL's host, over https (repeatable)`)
	fl.BoolVar(&opts.HeadersOverHTTP, "send-headers-over-http", false, "also send --header values over plain http (to the URL's host only)")
	fl.StringArrayVar(&resolves, "resolve", nil, "HOST:PORT:ADDR, connect to ADDR for HOST:PORT as curl --resolve (repeatable)")
	fl.StringArrayVar(&connectTos, "connect-to", nil, "HOST1:PORT1:HOST2:PORT2, connect to HOST2:PORT2 instead, as curl --connect-to (repeatable)")
	fl.StringVar(&caCert, "ca-cert", "", "PEM file of extra trusted CA certificates (internal CAs)")
	fl.StringVar(&preloadFile, "hsts-preload-list", "", "HSTS preload list file (Chromium's transport_security_state_static.json)")
	fl.StringVarP(&format, "format", "f", "text", "output format: text, json, sarif, markdown, html (one self-contained page)")
	fl.StringVarP(&output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity")
	fl.StringVar(&urlFile, "urls", "", "file with one URL per line to probe instead of a single URL")
	fl.IntVarP(&concurrency, "concurrency", "j", 4, "probes run at the same time with --urls")
	fl.BoolVar(&progress, "progress", false, "show a progress bar with --urls even when stderr is not a terminal")
	fl.BoolVar(&noTLS, "no-tls-scan", false, "skip the TLS protocol, cipher and certificate scan")
	fl.BoolVar(&opts.Active, "active", false, "also run intrusive checks: failed logins against the login form, connections to database/cache ports (off by default)")
	fl.IntVar(&opts.LoginAttempts, "login-attempts", def.LoginAttempts, "failed logins the --active throttling check makes")
	fl.Int64Var(&opts.MaxBody, "max-body", def.MaxBody, "bytes read from each response body, after decompression")
	return cmd
}

// writeProbeReport writes the reports to stdout, or to a file created only
// once the probes are done.
func writeProbeReport(cmd *cobra.Command, output, format string, reps []*live.Report, reg *rules.Registry) error {
	if output == "" {
		return writeProbe(cmd.OutOrStdout(), format, reps, reg)
	}
	f, err := os.Create(output)
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := writeProbe(f, format, reps, reg); err != nil {
		f.Close()
		return fmt.Errorf("--output %s: %w", output, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--output %s: %w", output, err)
	}
	return nil
}
