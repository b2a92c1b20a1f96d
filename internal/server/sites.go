package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/store"
)

// inputError is a problem with what the user sent (HTTP 400).
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func badInput(format string, args ...any) error { return &inputError{fmt.Sprintf(format, args...)} }

// SiteInput is what the API and the form accept for a site.
type SiteInput struct {
	Name            string `json:"name"`
	URL             string `json:"url"`
	RepoPath        string `json:"repo_path"`
	IntervalMinutes int64  `json:"interval_minutes"`
	WebhookURL      string `json:"webhook_url"`
}

// Bounds of a site's fields.
const (
	maxURLLen         = 2048
	maxNameLen        = 100
	minIntervalMinute = 5
	maxIntervalMinute = 60 * 24 * 31
)

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }) >= 0
}

// checkSite validates a site and resolves its host through the guard, so a
// user learns at once that an internal target is refused.
func (s *Server) checkSite(ctx context.Context, in SiteInput) (store.NewSite, error) {
	var ns store.NewSite
	in.URL = strings.TrimSpace(in.URL)
	if in.URL == "" {
		return ns, badInput("url is required")
	}
	if len(in.URL) > maxURLLen || hasControl(in.URL) {
		return ns, badInput("url must be at most %d characters, without control characters", maxURLLen)
	}
	u, err := live.NormaliseTarget(in.URL)
	if err != nil {
		return ns, badInput("url: %v", err)
	}
	if u.User != nil {
		return ns, badInput("url must not contain a user name or password")
	}
	if _, err := s.cfg.Guard.Resolve(ctx, u.Hostname()); err != nil {
		return ns, badInput("url: %v", err)
	}
	ns.URL = u.String()
	ns.Name = strings.TrimSpace(in.Name)
	if ns.Name == "" {
		ns.Name = u.Host
	}
	if len(ns.Name) > maxNameLen || hasControl(ns.Name) {
		return ns, badInput("name must be at most %d characters, without control characters", maxNameLen)
	}
	if in.IntervalMinutes != 0 && (in.IntervalMinutes < minIntervalMinute || in.IntervalMinutes > maxIntervalMinute) {
		return ns, badInput("interval_minutes must be 0 (no scheduled scans) or between %d and %d", minIntervalMinute, maxIntervalMinute)
	}
	ns.Interval = time.Duration(in.IntervalMinutes) * time.Minute
	if in.WebhookURL = strings.TrimSpace(in.WebhookURL); in.WebhookURL != "" {
		if len(in.WebhookURL) > maxURLLen || hasControl(in.WebhookURL) {
			return ns, badInput("webhook_url too long or with control characters")
		}
		w, err := url.Parse(in.WebhookURL)
		if err != nil || (w.Scheme != "https" && w.Scheme != "http") || w.Hostname() == "" || w.User != nil {
			return ns, badInput("webhook_url must be an http or https URL without credentials")
		}
		if _, err := s.cfg.Guard.Resolve(ctx, w.Hostname()); err != nil {
			return ns, badInput("webhook_url: %v", err)
		}
		ns.WebhookURL = w.String()
	}
	if in.RepoPath = strings.TrimSpace(in.RepoPath); in.RepoPath != "" {
		p, err := s.checkRepo(in.RepoPath)
		if err != nil {
			return ns, err
		}
		ns.RepoPath = p
	}
	return ns, nil
}

// checkRepo allows a repository path only inside a --repo-root, after
// resolving symbolic links, so dashboard users cannot read the server's
// other files through the static scan.
func (s *Server) checkRepo(p string) (string, error) {
	if len(s.cfg.RepoRoots) == 0 {
		return "", badInput("repo_path: this server allows no repository paths (start it with --repo-root DIR)")
	}
	if !filepath.IsAbs(p) || hasControl(p) {
		return "", badInput("repo_path must be an absolute path")
	}
	real, err := filepath.EvalSymlinks(filepath.Clean(p))
	if err != nil {
		return "", badInput("repo_path %s: no such directory", p)
	}
	st, err := os.Stat(real)
	if err != nil || !st.IsDir() {
		return "", badInput("repo_path %s is not a directory", p)
	}
	for _, root := range s.cfg.RepoRoots {
		rr, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(rr, real); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return real, nil
		}
	}
	return "", badInput("repo_path %s is outside the allowed repository roots", p)
}

// queueScan applies the per-user rate limit and queues a scan.
func (s *Server) queueScan(ctx context.Context, user *store.User, siteID int64, reason string) (int64, bool, error) {
	if _, err := s.cfg.Store.Site(ctx, siteID); err != nil {
		return 0, false, err
	}
	n, err := s.cfg.Store.ScansRequestedSince(ctx, user.ID, s.cfg.Now().Add(-s.cfg.ScanWindow))
	if err != nil {
		return 0, false, err
	}
	if n >= s.cfg.ScanLimit {
		return 0, false, errRateLimited
	}
	return s.cfg.Store.Enqueue(ctx, siteID, user.ID, reason)
}

var errRateLimited = errors.New("scan rate limit reached: try again later")
