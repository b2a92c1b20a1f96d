package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/server"
	"github.com/djangoguard/djangoguard/internal/store"
	"github.com/djangoguard/djangoguard/internal/version"
)

func init() { extraCommands = append(extraCommands, newServeCmd) }

type serveFlags struct {
	addr, db, tlsCert, tlsKey, redirectAddr string
	insecureHTTP, workerOnly, noWorker      bool
	createAdmin, createToken, tokenUser     string
	allow, repoRoots                        []string
	concurrency, scanLimit                  int
	lease                                   time.Duration
	caCert, publicURL                       string
	noTLSScan, trustProxy                   bool
	probeTimeout, probeDeadline             time.Duration
}

func newServeCmd() *cobra.Command {
	var fl serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the dashboard and API that scan and track many sites",
		Long: `serve runs a web dashboard and JSON API: add sites, scan them now or on a schedule,
see each site's grade, findings and history, compare scans, export them (JSON, SARIF,
HTML), and get a webhook call when a grade drops.

State lives in SQLite (default, --db FILE) or PostgreSQL (--db postgres://...). Scans run
from a queue: "serve --worker" processes on other machines sharing a PostgreSQL database
take work from it. Create the first account with --create-admin USER (the password is
read from the terminal, or from DJANGOGUARD_ADMIN_PASSWORD).

The server refuses to listen on a non-loopback address without --tls-cert/--tls-key,
unless --insecure-http is given. See docs/serve.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, &fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.addr, "addr", "127.0.0.1:8080", "HOST:PORT to listen on")
	f.StringVar(&fl.db, "db", "", "SQLite file or postgres:// URL (default: the user data directory's djangoguard/serve.db)")
	f.StringVar(&fl.tlsCert, "tls-cert", "", "PEM certificate chain: serve HTTPS")
	f.StringVar(&fl.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	f.StringVar(&fl.redirectAddr, "http-redirect-addr", "", "HOST:PORT answering plain http with a redirect to https (needs TLS)")
	f.BoolVar(&fl.insecureHTTP, "insecure-http", false, "allow plain http on a non-loopback address (behind a TLS proxy only)")
	f.BoolVar(&fl.workerOnly, "worker", false, "run only a scan worker (no web server); share a PostgreSQL database with the server")
	f.BoolVar(&fl.noWorker, "no-worker", false, "run only the web server; scans wait for a separate serve --worker")
	f.StringVar(&fl.createAdmin, "create-admin", "", "create an admin account with this user name, then exit")
	f.StringVar(&fl.createToken, "create-token", "", "create an API token with this name for --user, print it, then exit")
	f.StringVar(&fl.tokenUser, "user", "", "the account --create-token is for")
	f.StringArrayVar(&fl.allow, "allow-target", nil, "CIDR or address that scans may reach although internal (repeatable), e.g. 10.0.0.0/8")
	f.StringArrayVar(&fl.repoRoots, "repo-root", nil, "directory under which sites may name a repository for the static scan (repeatable)")
	f.IntVar(&fl.concurrency, "concurrency", 2, "scans a worker runs at once")
	f.IntVar(&fl.scanLimit, "scan-limit", 30, "scans a user may ask for per hour")
	f.DurationVar(&fl.lease, "lease", 2*time.Minute, "how long a worker holds a scan without renewing; a dead worker's scan is retried after it")
	f.StringVar(&fl.caCert, "ca-cert", "", "PEM file of extra CA certificates trusted when probing sites")
	f.StringVar(&fl.publicURL, "public-url", "", "the dashboard's public URL, for links in webhook events")
	f.BoolVar(&fl.noTLSScan, "no-tls-scan", false, "skip the TLS protocol and cipher scan in probes")
	f.BoolVar(&fl.trustProxy, "trust-proxy", false, "take client addresses from X-Forwarded-For (only behind a proxy that sets it)")
	f.DurationVar(&fl.probeTimeout, "probe-timeout", 10*time.Second, "timeout of each probe request")
	f.DurationVar(&fl.probeDeadline, "probe-deadline", 90*time.Second, "time limit of one probe")
	return cmd
}

func serveUsage(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// loopbackHost says whether a listen address only accepts local clients.
func loopbackHost(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && a.IsLoopback()
}

func runServe(cmd *cobra.Command, fl *serveFlags) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	useTLS := fl.tlsCert != "" || fl.tlsKey != ""
	if useTLS && (fl.tlsCert == "" || fl.tlsKey == "") {
		return serveUsage("--tls-cert and --tls-key go together")
	}
	if fl.redirectAddr != "" && !useTLS {
		return serveUsage("--http-redirect-addr needs --tls-cert and --tls-key")
	}
	if _, _, err := net.SplitHostPort(fl.addr); err != nil {
		return serveUsage("--addr %q: want HOST:PORT", fl.addr)
	}
	if !fl.workerOnly && !useTLS && !fl.insecureHTTP && !loopbackHost(fl.addr) {
		return serveUsage("refusing to serve plain http on %s, which is not a loopback address: give --tls-cert and --tls-key, or --insecure-http when a TLS proxy is in front", fl.addr)
	}
	allow, err := server.ParseAllow(fl.allow)
	if err != nil {
		return serveUsage("%v", err)
	}
	dsn := fl.db
	if dsn == "" {
		if dsn, err = store.DefaultPath(); err != nil {
			return serveUsage("%v", err)
		}
	}
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer st.Close()

	if fl.createAdmin != "" {
		return createAdmin(ctx, cmd, st, fl.createAdmin)
	}
	if fl.createToken != "" {
		if fl.tokenUser == "" {
			return serveUsage("--create-token needs --user")
		}
		u, err := st.UserByName(ctx, fl.tokenUser)
		if err != nil {
			return serveUsage("--user %q: %v", fl.tokenUser, err)
		}
		tok, err := server.NewAPIToken(ctx, st, u.ID, fl.createToken)
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		fmt.Fprintln(cmd.OutOrStdout(), tok)
		return nil
	}

	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	reg := catalog.Registry()
	guard := &server.Guard{Allow: allow}
	probe := live.DefaultOptions()
	probe.Timeout, probe.Deadline, probe.SkipTLS = fl.probeTimeout, fl.probeDeadline, fl.noTLSScan
	if fl.caCert != "" {
		if probe.RootCAs, err = live.LoadCACert(fl.caCert); err != nil {
			return serveUsage("%v", err)
		}
	}
	scanner := &server.Scanner{Guard: guard, Probe: probe, Registry: reg, Version: version.String()}
	host, _ := os.Hostname()
	worker := &server.Worker{Store: st, Scan: scanner.Scan, ID: fmt.Sprintf("%s:%d", host, os.Getpid()), Lease: fl.lease,
		Concurrency: fl.concurrency, Schedule: true, Webhook: server.NewNotifier(guard, fl.publicURL), Logger: logger}

	if fl.workerOnly {
		logger.Info("worker started", "db", st.Dialect(), "id", worker.ID)
		if err := worker.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return &exitError{code: exitUsage, err: err}
		}
		return nil
	}
	if n, err := st.UserCount(ctx); err == nil && n == 0 {
		logger.Warn("no account yet: create one with djangoguard serve --create-admin USER")
	}
	srv, err := server.New(server.Config{Store: st, Registry: reg, Version: version.String(), TLS: useTLS, Guard: guard,
		RepoRoots: fl.repoRoots, ScanLimit: fl.scanLimit, Probe: probe, Logger: logger, TrustProxy: fl.trustProxy})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	hs := &http.Server{Addr: fl.addr, Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	if useTLS {
		cert, err := tls.LoadX509KeyPair(fl.tlsCert, fl.tlsKey)
		if err != nil {
			return serveUsage("loading --tls-cert/--tls-key: %v", err)
		}
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
				tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
				tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}}
	}
	ln, err := net.Listen("tcp", fl.addr)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	errc := make(chan error, 3)
	var redirect *http.Server
	if fl.redirectAddr != "" {
		rln, err := net.Listen("tcp", fl.redirectAddr)
		if err != nil {
			ln.Close()
			return &exitError{code: exitUsage, err: err}
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		redirect = &http.Server{Handler: server.RedirectHandler(port), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
		logger.Info("redirecting http to https", "addr", rln.Addr().String())
		go func() { errc <- redirect.Serve(rln) }()
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	logger.Info("serving", "url", scheme+"://"+ln.Addr().String()+"/", "db", st.Dialect())
	// A line on stdout for scripts (tests, benchmarks) to wait on.
	fmt.Fprintf(cmd.OutOrStdout(), "listening on %s://%s/\n", scheme, ln.Addr().String())
	go func() {
		if useTLS {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	if !fl.noWorker {
		go func() { _ = worker.Run(wctx) }()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return &exitError{code: exitUsage, err: err}
		}
	}
	wcancel()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	if redirect != nil {
		_ = redirect.Shutdown(sctx)
	}
	return nil
}

func createAdmin(ctx context.Context, cmd *cobra.Command, st *store.Store, name string) error {
	if len(name) > 150 || strings.TrimSpace(name) != name || name == "" {
		return serveUsage("--create-admin %q: a user name of 1 to 150 characters without surrounding spaces", name)
	}
	pw := os.Getenv("DJANGOGUARD_ADMIN_PASSWORD")
	if pw == "" {
		in := cmd.InOrStdin()
		if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fmt.Fprint(cmd.ErrOrStderr(), "Password: ")
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(cmd.ErrOrStderr())
			if err != nil {
				return serveUsage("reading the password: %v", err)
			}
			pw = string(b)
		} else {
			line, err := bufio.NewReader(io.LimitReader(in, server.MaxPasswordLen+2)).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return serveUsage("reading the password: %v", err)
			}
			pw = strings.TrimRight(line, "\r\n")
		}
	}
	hash, err := server.HashPassword(pw)
	if err != nil {
		return serveUsage("%v", err)
	}
	if _, err := st.CreateUser(ctx, name, hash, true); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "created admin %s\n", name)
	return nil
}
