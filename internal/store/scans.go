package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Scan states.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Scan is one scan of a site: a queue entry and, once done, its result.
type Scan struct {
	ID          int64     `json:"id"`
	SiteID      int64     `json:"site_id"`
	Reason      string    `json:"reason"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	Completions int       `json:"-"`
	Worker      string    `json:"worker,omitempty"`
	Created     time.Time `json:"created"`
	Started     time.Time `json:"started,omitzero"`
	Finished    time.Time `json:"finished,omitzero"`
	Grade       string    `json:"grade,omitempty"`
	Score       int       `json:"score"`
	Findings    int       `json:"findings"`
	MaxSeverity int       `json:"-"`
	Error       string    `json:"error,omitempty"`
	// The stored reports, filled only by Scan (not by lists).
	ProbeJSON     []byte `json:"-"`
	StaticJSON    []byte `json:"-"`
	CorrelateJSON []byte `json:"-"`
}

// Result is what a worker records when a scan is done.
type Result struct {
	Grade         string
	Score         int
	Findings      int
	MaxSeverity   int
	ProbeJSON     []byte
	StaticJSON    []byte
	CorrelateJSON []byte
}

// Enqueue queues a scan of a site unless one is already queued or running,
// in which case it returns that scan's ID and false.
func (s *Store) Enqueue(ctx context.Context, siteID, by int64, reason string) (int64, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("queueing scan: %w", err)
	}
	defer tx.Rollback()
	if s.dialect == Postgres {
		// Serialise enqueues of one site so two do not both see "none pending".
		if _, err := tx.ExecContext(ctx, `SELECT id FROM sites WHERE id = $1 FOR UPDATE`, siteID); err != nil {
			return 0, false, fmt.Errorf("queueing scan: %w", err)
		}
	}
	var existing int64
	err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM scans WHERE site_id = $1 AND status IN ('queued', 'running') ORDER BY id LIMIT 1`), siteID).Scan(&existing)
	if err == nil {
		return existing, false, tx.Commit()
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("queueing scan: %w", err)
	}
	var id int64
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO scans (site_id, requested_by, reason, status, created_at) VALUES ($1, $2, $3, 'queued', $4) RETURNING id`),
		siteID, nullID(by), reason, s.nowMS()).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("queueing scan of site %d: %w", siteID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("queueing scan: %w", err)
	}
	return id, true, nil
}

// Job is a claimed scan.
type Job struct {
	ScanID  int64
	SiteID  int64
	Attempt int
	Worker  string
}

// Claim takes the oldest queued scan, or a running one whose lease has run
// out (its worker died), for worker until now+lease. It returns nil when
// there is nothing to do. Scans that already had maxAttempts are marked
// failed instead of being claimed again.
func (s *Store) Claim(ctx context.Context, worker string, lease time.Duration, maxAttempts int) (*Job, error) {
	now := s.nowMS()
	if _, err := s.exec(ctx, `UPDATE scans SET status = 'failed', finished_at = $1, error = 'abandoned: the worker stopped answering on every attempt'
		WHERE status = 'running' AND lease_until < $1 AND attempts >= $2`, now, maxAttempts); err != nil {
		return nil, fmt.Errorf("failing abandoned scans: %w", err)
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var j Job
	err := s.queryRow(ctx, `UPDATE scans SET status = 'running', worker = $1, attempts = attempts + 1, lease_until = $2, started_at = $3
		WHERE id = (SELECT id FROM scans WHERE (status = 'queued' OR (status = 'running' AND lease_until < $3)) AND attempts < $4
			ORDER BY id LIMIT 1`+lock+`)
		RETURNING id, site_id, attempts`, worker, now+lease.Milliseconds(), now, maxAttempts).Scan(&j.ScanID, &j.SiteID, &j.Attempt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claiming a scan: %w", err)
	}
	j.Worker = worker
	return &j, nil
}

// Extend renews a job's lease; ErrLeaseLost when another worker took it.
func (s *Store) Extend(ctx context.Context, j *Job, lease time.Duration) error {
	res, err := s.exec(ctx, `UPDATE scans SET lease_until = $1 WHERE id = $2 AND worker = $3 AND attempts = $4 AND status = 'running'`,
		s.nowMS()+lease.Milliseconds(), j.ScanID, j.Worker, j.Attempt)
	if err != nil {
		return fmt.Errorf("renewing lease of scan %d: %w", j.ScanID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Complete records a finished scan in one statement, only while the job
// still holds its lease: a worker that lost it gets ErrLeaseLost and its
// result is dropped, so a scan is recorded exactly once.
func (s *Store) Complete(ctx context.Context, j *Job, r Result) error {
	res, err := s.exec(ctx, `UPDATE scans SET status = 'done', completions = completions + 1, finished_at = $1, grade = $2, score = $3,
		findings = $4, max_severity = $5, probe_json = $6, static_json = $7, correlate_json = $8, error = ''
		WHERE id = $9 AND worker = $10 AND attempts = $11 AND status = 'running'`,
		s.nowMS(), r.Grade, r.Score, r.Findings, r.MaxSeverity, string(r.ProbeJSON), string(r.StaticJSON), string(r.CorrelateJSON),
		j.ScanID, j.Worker, j.Attempt)
	if err != nil {
		return fmt.Errorf("recording scan %d: %w", j.ScanID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Fail records a failed attempt: the scan is queued again when retry is set
// and attempts remain, else marked failed with msg.
func (s *Store) Fail(ctx context.Context, j *Job, msg string, retry bool, maxAttempts int) error {
	status := StatusFailed
	if retry && j.Attempt < maxAttempts {
		status = StatusQueued
	}
	res, err := s.exec(ctx, `UPDATE scans SET status = $1, finished_at = $2, error = $3, lease_until = 0
		WHERE id = $4 AND worker = $5 AND attempts = $6 AND status = 'running'`,
		status, s.nowMS(), truncate(msg, 2000), j.ScanID, j.Worker, j.Attempt)
	if err != nil {
		return fmt.Errorf("recording failure of scan %d: %w", j.ScanID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Release hands a claimed scan back to the queue without using up an
// attempt (a worker shutting down cleanly).
func (s *Store) Release(ctx context.Context, j *Job) error {
	res, err := s.exec(ctx, `UPDATE scans SET status = 'queued', attempts = attempts - 1, lease_until = 0, worker = ''
		WHERE id = $1 AND worker = $2 AND attempts = $3 AND status = 'running'`, j.ScanID, j.Worker, j.Attempt)
	if err != nil {
		return fmt.Errorf("releasing scan %d: %w", j.ScanID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

const scanCols = `id, site_id, reason, status, attempts, completions, worker, created_at, started_at, finished_at, grade, score, findings, max_severity, error`

func scanScan(row interface{ Scan(...any) error }, extra ...any) (*Scan, error) {
	var sc Scan
	var c, st, f int64
	dst := append([]any{&sc.ID, &sc.SiteID, &sc.Reason, &sc.Status, &sc.Attempts, &sc.Completions, &sc.Worker, &c, &st, &f,
		&sc.Grade, &sc.Score, &sc.Findings, &sc.MaxSeverity, &sc.Error}, extra...)
	if err := row.Scan(dst...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	sc.Created, sc.Started, sc.Finished = msToTime(c), msToTime(st), msToTime(f)
	return &sc, nil
}

func (s *Store) scanMeta(ctx context.Context, id int64) (*Scan, error) {
	sc, err := scanScan(s.queryRow(ctx, `SELECT `+scanCols+` FROM scans WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("scan %d: %w", id, err)
	}
	return sc, nil
}

// Scan returns one scan with its stored reports.
func (s *Store) Scan(ctx context.Context, id int64) (*Scan, error) {
	var probe, static, corr string
	sc, err := scanScan(s.queryRow(ctx, `SELECT `+scanCols+`, probe_json, static_json, correlate_json FROM scans WHERE id = $1`, id), &probe, &static, &corr)
	if err != nil {
		return nil, fmt.Errorf("scan %d: %w", id, err)
	}
	sc.ProbeJSON, sc.StaticJSON, sc.CorrelateJSON = []byte(probe), []byte(static), []byte(corr)
	return sc, nil
}

// LatestScan returns a site's newest finished scan with its reports.
func (s *Store) LatestScan(ctx context.Context, siteID int64) (*Scan, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM scans WHERE site_id = $1 AND status = 'done' ORDER BY id DESC LIMIT 1`, siteID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("latest scan of site %d: %w", siteID, err)
	}
	return s.Scan(ctx, id)
}

// PreviousDone returns the newest finished scan of the site older than
// scanID, or ErrNotFound.
func (s *Store) PreviousDone(ctx context.Context, siteID, scanID int64) (*Scan, error) {
	sc, err := scanScan(s.queryRow(ctx, `SELECT `+scanCols+` FROM scans WHERE site_id = $1 AND status = 'done' AND id < $2 ORDER BY id DESC LIMIT 1`, siteID, scanID))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("previous scan of site %d: %w", siteID, err)
	}
	return sc, err
}

// Scans lists a site's scans, newest first, at most limit.
func (s *Store) Scans(ctx context.Context, siteID int64, limit int) ([]*Scan, error) {
	rows, err := s.query(ctx, `SELECT `+scanCols+` FROM scans WHERE site_id = $1 ORDER BY id DESC LIMIT $2`, siteID, limit)
	if err != nil {
		return nil, fmt.Errorf("listing scans: %w", err)
	}
	defer rows.Close()
	out := []*Scan{}
	for rows.Next() {
		sc, err := scanScan(rows)
		if err != nil {
			return nil, fmt.Errorf("listing scans: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// ScansRequestedSince counts the scans a user asked for since t (the
// per-user rate limit).
func (s *Store) ScansRequestedSince(ctx context.Context, userID int64, t time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM scans WHERE requested_by = $1 AND created_at >= $2`, userID, t.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting scans: %w", err)
	}
	return n, nil
}

// QueueStats counts scans by status.
func (s *Store) QueueStats(ctx context.Context) (map[string]int, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM scans GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("counting scans: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// EnqueueDue queues a scan of every site whose scheduled time has come and
// moves its next time on by its interval. The update is conditional on the
// old next time, so two schedulers running at once queue each site once.
func (s *Store) EnqueueDue(ctx context.Context) (int, error) {
	now := s.nowMS()
	rows, err := s.query(ctx, `SELECT id, interval_sec, next_scan_at FROM sites WHERE interval_sec > 0 AND next_scan_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("finding due sites: %w", err)
	}
	type due struct{ id, iv, next int64 }
	var ds []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.iv, &d.next); err != nil {
			rows.Close()
			return 0, err
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		res, err := s.exec(ctx, `UPDATE sites SET next_scan_at = $1 WHERE id = $2 AND next_scan_at = $3`, now+d.iv*1000, d.id, d.next)
		if err != nil {
			return n, fmt.Errorf("scheduling site %d: %w", d.id, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue // another scheduler took it
		}
		if _, _, err := s.Enqueue(ctx, d.id, 0, "schedule"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
