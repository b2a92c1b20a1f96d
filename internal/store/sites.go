package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Site is a deployment the dashboard tracks.
type Site struct {
	ID       int64         `json:"id"`
	Name     string        `json:"name"`
	URL      string        `json:"url"`
	RepoPath string        `json:"repo_path,omitempty"`
	Interval time.Duration `json:"-"`
	// IntervalMinutes is Interval for the JSON API; 0: no scheduled scans.
	IntervalMinutes int64     `json:"interval_minutes"`
	NextScan        time.Time `json:"next_scan,omitzero"`
	WebhookURL      string    `json:"webhook_url,omitempty"`
	Created         time.Time `json:"created"`
	// Latest is the newest finished scan, nil when there is none.
	Latest *Scan `json:"latest,omitempty"`
}

// NewSite is what CreateSite and UpdateSite take.
type NewSite struct {
	Name, URL, RepoPath, WebhookURL string
	Interval                        time.Duration
}

// CreateSite adds a site; ErrConflict when its URL is already tracked.
func (s *Store) CreateSite(ctx context.Context, by int64, ns NewSite) (int64, error) {
	now := s.nowMS()
	next := int64(0)
	if ns.Interval > 0 {
		next = now + ns.Interval.Milliseconds()
	}
	var id int64
	err := s.queryRow(ctx, `INSERT INTO sites (created_by, name, url, repo_path, interval_sec, next_scan_at, webhook_url, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		nullID(by), ns.Name, ns.URL, ns.RepoPath, int64(ns.Interval/time.Second), next, ns.WebhookURL, now).Scan(&id)
	if isUnique(err) {
		return 0, fmt.Errorf("site %s: %w", ns.URL, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("creating site: %w", err)
	}
	return id, nil
}

// UpdateSite changes a site's settings (its URL included).
func (s *Store) UpdateSite(ctx context.Context, id int64, ns NewSite) error {
	next := int64(0)
	if ns.Interval > 0 {
		next = s.nowMS() + ns.Interval.Milliseconds()
	}
	res, err := s.exec(ctx, `UPDATE sites SET name = $1, url = $2, repo_path = $3, interval_sec = $4, next_scan_at = $5, webhook_url = $6 WHERE id = $7`,
		ns.Name, ns.URL, ns.RepoPath, int64(ns.Interval/time.Second), next, ns.WebhookURL, id)
	if isUnique(err) {
		return fmt.Errorf("site %s: %w", ns.URL, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("updating site: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSite removes a site and its scans.
func (s *Store) DeleteSite(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM sites WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("deleting site: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const siteCols = `s.id, s.name, s.url, s.repo_path, s.interval_sec, s.next_scan_at, s.webhook_url, s.created_at`

func scanSite(row interface{ Scan(...any) error }, extra ...any) (*Site, error) {
	var st Site
	var iv, next, created int64
	dst := append([]any{&st.ID, &st.Name, &st.URL, &st.RepoPath, &iv, &next, &st.WebhookURL, &created}, extra...)
	if err := row.Scan(dst...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	st.Interval = time.Duration(iv) * time.Second
	st.IntervalMinutes = iv / 60
	st.NextScan, st.Created = msToTime(next), msToTime(created)
	return &st, nil
}

// Site returns one site with its latest finished scan.
func (s *Store) Site(ctx context.Context, id int64) (*Site, error) {
	st, err := scanSite(s.queryRow(ctx, `SELECT `+siteCols+` FROM sites s WHERE s.id = $1`, id))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("site %d: %w", id, ErrNotFound)
		}
		return nil, fmt.Errorf("reading site %d: %w", id, err)
	}
	latest, err := s.LatestScan(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	st.Latest = latest
	return st, nil
}

// Sites lists every site with its latest finished scan.
func (s *Store) Sites(ctx context.Context) ([]*Site, error) {
	rows, err := s.query(ctx, `SELECT `+siteCols+`, COALESCE(l.id, 0) FROM sites s
		LEFT JOIN scans l ON l.id = (SELECT MAX(id) FROM scans x WHERE x.site_id = s.id AND x.status = 'done')
		ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("listing sites: %w", err)
	}
	var out []*Site
	var latestIDs []int64
	for rows.Next() {
		var lid int64
		st, err := scanSite(rows, &lid)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing sites: %w", err)
		}
		out = append(out, st)
		latestIDs = append(latestIDs, lid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, lid := range latestIDs {
		if lid == 0 {
			continue
		}
		sc, err := s.scanMeta(ctx, lid)
		if err != nil {
			return nil, err
		}
		out[i].Latest = sc
	}
	return out, nil
}
