package store

import (
	"context"
	"fmt"
	"strings"
)

// migration is one schema step. SQL is written once; {{ID}} and {{BLOB}}
// are replaced per database. Statements are separated by ";\n".
type migration struct {
	Version int
	Name    string
	SQL     string
}

// migrations are applied in order, each in its own transaction, and never
// edited once released: add a new one instead.
var migrations = []migration{
	{1, "initial schema", `
CREATE TABLE users (
	id {{ID}},
	username TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	is_admin INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE TABLE api_tokens (
	id {{ID}},
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE sites (
	id {{ID}},
	created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
	name TEXT NOT NULL,
	url TEXT NOT NULL UNIQUE,
	repo_path TEXT NOT NULL DEFAULT '',
	interval_sec BIGINT NOT NULL DEFAULT 0,
	next_scan_at BIGINT NOT NULL DEFAULT 0,
	webhook_url TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX sites_due ON sites (next_scan_at);
CREATE TABLE scans (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	requested_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
	reason TEXT NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	completions INTEGER NOT NULL DEFAULT 0,
	worker TEXT NOT NULL DEFAULT '',
	lease_until BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	started_at BIGINT NOT NULL DEFAULT 0,
	finished_at BIGINT NOT NULL DEFAULT 0,
	grade TEXT NOT NULL DEFAULT '',
	score INTEGER NOT NULL DEFAULT 0,
	findings INTEGER NOT NULL DEFAULT 0,
	max_severity INTEGER NOT NULL DEFAULT 0,
	probe_json TEXT NOT NULL DEFAULT '',
	static_json TEXT NOT NULL DEFAULT '',
	correlate_json TEXT NOT NULL DEFAULT '',
	error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scans_queue ON scans (status, id);
CREATE INDEX scans_site ON scans (site_id, id);
CREATE INDEX scans_requested ON scans (requested_by, created_at)`},
}

// SchemaVersion is the newest migration.
func SchemaVersion() int { return migrations[len(migrations)-1].Version }

func (s *Store) expand(sqlText string) string {
	r := strings.NewReplacer("{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{BLOB}}", "BLOB")
	if s.dialect == Postgres {
		r = strings.NewReplacer("{{ID}}", "BIGSERIAL PRIMARY KEY", "{{BLOB}}", "BYTEA")
	}
	return r.Replace(sqlText)
}

// migrate applies the migrations the database lacks. On PostgreSQL an
// advisory lock keeps several processes starting at once from racing.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	for _, m := range migrations {
		if err := s.apply(ctx, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	var newest int
	if err := s.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if newest > SchemaVersion() {
		return fmt.Errorf("the database schema is version %d, newer than this djangoguard knows (%d): upgrade djangoguard", newest, SchemaVersion())
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7364021)`); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = $1`), m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, stmt := range strings.Split(s.expand(m.SQL), ";\n") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w in %q", err, firstLine(stmt))
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`), m.Version, m.Name, s.nowMS()); err != nil {
		return err
	}
	return tx.Commit()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Migrations lists the applied migrations' versions (for tests and
// `serve --version`).
func (s *Store) Migrations(ctx context.Context) ([]int, error) {
	rows, err := s.query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
