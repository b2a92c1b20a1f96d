// Package store keeps the dashboard's state: users, sessions, API tokens,
// sites and scans. It runs on SQLite (modernc.org/sqlite, WAL) or on
// PostgreSQL (pgx), applies versioned schema migrations when it opens, and
// doubles as the scan queue: scans are rows claimed by workers under a lease
// (FOR UPDATE SKIP LOCKED on PostgreSQL), so a scan whose worker died is
// claimed again once its lease runs out and is recorded only once.
//
// Times are stored as Unix milliseconds (BIGINT) so both databases compare
// them the same way.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the database behind a Store.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// ErrLeaseLost is returned when a worker reports on a scan it no longer
// holds (its lease ran out and another worker claimed it).
var ErrLeaseLost = errors.New("scan lease lost")

// ErrConflict is returned when a unique value (user name, site URL) exists.
var ErrConflict = errors.New("already exists")

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
}

// Options tune Open.
type Options struct {
	// Now is the clock (tests fix it); nil means time.Now.
	Now func() time.Time
}

// IsPostgres says whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// DefaultPath is the SQLite file used when no --db is given:
// $XDG_DATA_HOME/djangoguard/serve.db (or the platform's equivalent).
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the data directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "djangoguard", "serve.db"), nil
}

// Open opens (creating when needed) the database named by dsn: a
// postgres:// URL or a SQLite file path, then migrates its schema.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	s := &Store{now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if IsPostgres(dsn) {
		s.dialect = Postgres
		s.db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		s.db.SetMaxOpenConns(16)
	} else {
		if dsn == "" {
			return nil, errors.New("no database path")
		}
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, fmt.Errorf("creating the database directory: %w", err)
		}
		s.dialect = SQLite
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(15000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		s.db, err = sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("opening SQLite %s: %w", dsn, err)
		}
		s.db.SetMaxOpenConns(8)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connecting to the %s database: %w", s.dialect, redactErr(err, dsn))
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// redactErr keeps a PostgreSQL password out of error messages.
func redactErr(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	if p, ok := u.User.Password(); ok && p != "" && strings.Contains(err.Error(), p) {
		return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
	}
	return err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect says which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the handle for tests and benchmarks.
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) nowMS() int64 { return s.now().UnixMilli() }

// q rewrites $1-style placeholders for SQLite (?1); PostgreSQL takes them
// as written. Queries in this package never contain a literal '$'.
func (s *Store) q(query string) string {
	if s.dialect == Postgres {
		return query
	}
	return strings.ReplaceAll(query, "$", "?")
}

func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.q(query), args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.q(query), args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.q(query), args...)
}

// isUnique says whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505")
}

func msToTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
