package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/djangoguard/djangoguard/internal/correlate"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/scan"
	"github.com/djangoguard/djangoguard/internal/store"
)

// ScanFunc scans one site. An error marks the scan failed.
type ScanFunc func(ctx context.Context, site *store.Site) (store.Result, error)

// Scanner is the real ScanFunc: a live probe pinned to addresses the guard
// allows, the static scan of the site's repository when it has one, and
// the correlation of the two.
type Scanner struct {
	Guard    *Guard
	Probe    live.Options
	Registry *rules.Registry
	Version  string
}

// Scan implements ScanFunc.
func (sc *Scanner) Scan(ctx context.Context, site *store.Site) (store.Result, error) {
	var out store.Result
	u, err := live.NormaliseTarget(site.URL)
	if err != nil {
		return out, err
	}
	opts := sc.Probe
	opts.Resolve = maps.Clone(opts.Resolve)
	if opts.Resolve == nil {
		opts.Resolve = map[string]string{}
	}
	opts.ConnectTo = maps.Clone(opts.ConnectTo)
	opts.Active = false // never intrusive from the dashboard
	// Every connection the probe makes is checked when it is made, after
	// name resolution: a redirect to another host, or a name that resolves
	// to an internal address by the time the probe connects, is refused
	// before a byte is sent.
	opts.Control = sc.Guard.DialControl
	// Resolve once, check, and pin the answer for every port the probe
	// uses, as curl --resolve: the probe connects to the address checked
	// here, so DNS rebinding between check and connect cannot redirect it.
	addrs, err := sc.Guard.Resolve(ctx, u.Hostname())
	if err != nil {
		return out, err
	}
	pin := addrs[0]
	for _, a := range addrs {
		if a.Is4() {
			pin = a
			break
		}
	}
	ports := []string{"80", "443"}
	if p := u.Port(); p != "" {
		ports = append(ports, p)
	}
	for _, p := range ports {
		opts.Resolve[net.JoinHostPort(u.Hostname(), p)] = pin.String()
	}
	liveRules := sc.Registry.OfKind(rules.Live)
	res, perr := live.Probe(ctx, site.URL, opts)
	var findings []rules.Finding
	if res != nil && perr == nil {
		findings, err = live.RunRules(ctx, res, liveRules)
		if err != nil {
			return out, fmt.Errorf("live rules: %w", err)
		}
	}
	if err := sc.checkRedirects(ctx, u.Hostname(), res); err != nil {
		return out, err
	}
	rep := live.NewReport(site.URL, res, findings, perr)
	if rep.Failed() {
		return out, fmt.Errorf("probe failed: %v", perr)
	}
	out.Grade, out.Score = rep.Grade, rep.Score
	var buf bytes.Buffer
	if err := live.WriteJSON(&buf, []*live.Report{rep}); err != nil {
		return out, err
	}
	out.ProbeJSON = append([]byte(nil), buf.Bytes()...)
	all := append([]rules.Finding(nil), findings...)

	if site.RepoPath != "" {
		doc, corr, err := sc.static(ctx, site.RepoPath, rep)
		if err != nil {
			return out, err
		}
		buf.Reset()
		if err := report.WriteJSON(&buf, doc, false); err != nil {
			return out, err
		}
		out.StaticJSON = append([]byte(nil), buf.Bytes()...)
		if out.CorrelateJSON, err = json.Marshal(corr); err != nil {
			return out, err
		}
		all = append(all, doc.Findings...)
		all = append(all, corr...)
	}
	out.Findings = len(all)
	for _, f := range all {
		out.MaxSeverity = max(out.MaxSeverity, int(f.Severity))
	}
	return out, nil
}

// checkRedirects refuses a probe whose redirect chains left the site's host
// for a host the guard does not allow. The dial check (Options.Control)
// already kept the probe from connecting there; refusing the whole result
// makes the refusal the scan's error rather than a failed hop.
func (sc *Scanner) checkRedirects(ctx context.Context, host string, res *live.Result) error {
	if res == nil {
		return nil
	}
	seen := map[string]bool{strings.ToLower(host): true}
	for _, s := range []*live.Session{res.HTTP, res.HTTPS} {
		if s == nil {
			continue
		}
		for _, h := range s.Hops {
			u, err := url.Parse(h.URL)
			if err != nil {
				continue
			}
			hh := strings.ToLower(u.Hostname())
			if hh == "" || seen[hh] {
				continue
			}
			seen[hh] = true
			if _, err := sc.Guard.Resolve(ctx, hh); err != nil {
				return fmt.Errorf("the site redirects to %s, which is refused (%v); the probe's result is discarded", hh, err)
			}
		}
	}
	return nil
}

func (sc *Scanner) static(ctx context.Context, root string, probe *live.Report) (*report.Document, []rules.Finding, error) {
	res, err := scan.Run(ctx, root, scan.Options{Registry: sc.Registry})
	if err != nil {
		return nil, nil, fmt.Errorf("static scan of %s: %w", root, err)
	}
	errs := make([]report.Error, len(res.Errors))
	for i, e := range res.Errors {
		errs[i] = report.Error{RuleID: e.RuleID, Path: e.Path, Message: e.Message}
	}
	doc := report.NewDocument(sc.Version, res.Root, sc.Registry, res.Findings, nil, errs, res.Files, res.Duration)
	settings, err := correlate.LoadSettings(ctx, root)
	if err != nil {
		return nil, nil, err
	}
	corr, err := correlate.Run(ctx, &correlate.Input{Scan: doc, Probe: probe, Settings: settings}, sc.Registry.OfKind(rules.Correlation))
	if err != nil {
		return nil, nil, fmt.Errorf("correlation: %w", err)
	}
	return doc, corr, nil
}

// Worker takes scans from the queue and runs them.
type Worker struct {
	Store *store.Store
	Scan  ScanFunc
	// ID names the worker in the queue (host name and process ID).
	ID string
	// Lease is how long a claim lasts without renewal (default 2 minutes);
	// a worker that dies loses its scans to others after it.
	Lease time.Duration
	// Poll is the pause when the queue is empty (default 1 second).
	Poll time.Duration
	// Concurrency is the scans run at once (default 2).
	Concurrency int
	// MaxAttempts is how often a scan whose worker died is tried (default 3).
	MaxAttempts int
	// Schedule makes this worker queue the sites' scheduled scans too.
	Schedule bool
	Webhook  *Notifier
	Logger   *slog.Logger
}

func (w *Worker) defaults() {
	if w.Lease <= 0 {
		w.Lease = 2 * time.Minute
	}
	if w.Poll <= 0 {
		w.Poll = time.Second
	}
	if w.Concurrency <= 0 {
		w.Concurrency = 2
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 3
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run works until ctx is cancelled.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	var wg sync.WaitGroup
	for i := range w.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, w.ID+"/"+strconv.Itoa(i))
		}()
	}
	if w.Schedule {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(15 * time.Second)
			defer t.Stop()
			for {
				if n, err := w.Store.EnqueueDue(ctx); err != nil && ctx.Err() == nil {
					w.Logger.Error("scheduling scans", "err", err)
				} else if n > 0 {
					w.Logger.Info("scheduled scans queued", "count", n)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

func (w *Worker) loop(ctx context.Context, id string) {
	for ctx.Err() == nil {
		job, err := w.Store.Claim(ctx, id, w.Lease, w.MaxAttempts)
		if err != nil {
			if ctx.Err() == nil {
				w.Logger.Error("claiming a scan", "err", err)
			}
			sleep(ctx, w.Poll)
			continue
		}
		if job == nil {
			sleep(ctx, w.Poll)
			continue
		}
		w.process(ctx, job)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// process runs one job under a renewed lease. If the lease is lost the scan
// is abandoned and its result dropped.
func (w *Worker) process(ctx context.Context, job *store.Job) {
	log := w.Logger.With("scan", job.ScanID, "site", job.SiteID, "attempt", job.Attempt, "worker", job.Worker)
	scanCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(w.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := w.Store.Extend(context.WithoutCancel(ctx), job, w.Lease); err != nil {
					log.Warn("lease lost; abandoning the scan", "err", err)
					cancel()
					return
				}
			}
		}
	}()
	defer close(done)
	site, err := w.Store.Site(scanCtx, job.SiteID)
	if err != nil {
		log.Error("reading the site", "err", err)
		_ = w.Store.Fail(context.WithoutCancel(ctx), job, err.Error(), !errors.Is(err, store.ErrNotFound), w.MaxAttempts)
		return
	}
	res, err := w.Scan(scanCtx, site)
	if ctx.Err() != nil {
		// Shutting down: hand the scan back so another worker runs it now.
		if err := w.Store.Release(context.WithoutCancel(ctx), job); err != nil {
			log.Warn("releasing the scan", "err", err)
		}
		return
	}
	if err != nil {
		log.Info("scan failed", "err", err)
		if ferr := w.Store.Fail(context.WithoutCancel(ctx), job, err.Error(), false, w.MaxAttempts); ferr != nil {
			log.Warn("recording the failure", "err", ferr)
		}
		return
	}
	if err := w.Store.Complete(context.WithoutCancel(ctx), job, res); err != nil {
		log.Warn("recording the scan", "err", err)
		return
	}
	log.Info("scan done", "grade", res.Grade, "score", res.Score)
	if w.Webhook != nil && site.WebhookURL != "" {
		prev, err := w.Store.PreviousDone(ctx, site.ID, job.ScanID)
		if err == nil && prev.Grade != "" && res.Grade != "" && report.GradeRank(res.Grade) > report.GradeRank(prev.Grade) {
			if err := w.Webhook.GradeDropped(ctx, site, prev, job.ScanID, res); err != nil {
				log.Warn("webhook", "err", err)
			}
		}
	}
}

// Notifier posts webhook events through the guard.
type Notifier struct {
	Client *http.Client
	// BaseURL is the dashboard's public address, for links in events.
	BaseURL string
}

// NewNotifier makes a notifier whose connections the guard checks when
// they are made (after DNS resolution), that follows no redirect and uses
// no proxy.
func NewNotifier(g *Guard, baseURL string) *Notifier {
	d := &net.Dialer{Timeout: 5 * time.Second, Control: g.DialControl}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: nil, TLSHandshakeTimeout: 5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second, MaxIdleConns: 4, IdleConnTimeout: 30 * time.Second}
	return &Notifier{BaseURL: baseURL, Client: &http.Client{Transport: tr, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// GradeEvent is the webhook's JSON body.
type GradeEvent struct {
	Event         string `json:"event"`
	SiteID        int64  `json:"site_id"`
	Site          string `json:"site"`
	URL           string `json:"url"`
	PreviousGrade string `json:"previous_grade"`
	PreviousScore int    `json:"previous_score"`
	Grade         string `json:"grade"`
	Score         int    `json:"score"`
	ScanID        int64  `json:"scan_id"`
	ScanURL       string `json:"scan_url,omitempty"`
}

// GradeDropped posts a grade_dropped event.
func (n *Notifier) GradeDropped(ctx context.Context, site *store.Site, prev *store.Scan, scanID int64, res store.Result) error {
	ev := GradeEvent{Event: "grade_dropped", SiteID: site.ID, Site: site.Name, URL: site.URL, PreviousGrade: prev.Grade,
		PreviousScore: prev.Score, Grade: res.Grade, Score: res.Score, ScanID: scanID}
	if n.BaseURL != "" {
		ev.ScanURL, _ = url.JoinPath(n.BaseURL, "scans", strconv.FormatInt(scanID, 10))
	}
	body, _ := json.Marshal(ev)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, site.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "djangoguard-serve")
	resp, err := n.Client.Do(req)
	if err != nil {
		return fmt.Errorf("posting to the webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
