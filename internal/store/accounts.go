package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is a dashboard account.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Admin        bool
	Created      time.Time
}

// CreateUser adds an account; ErrConflict when the name is taken.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, admin bool) (int64, error) {
	a := 0
	if admin {
		a = 1
	}
	var id int64
	err := s.queryRow(ctx, `INSERT INTO users (username, password_hash, is_admin, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		username, passwordHash, a, s.nowMS()).Scan(&id)
	if isUnique(err) {
		return 0, fmt.Errorf("user %q: %w", username, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("creating user: %w", err)
	}
	return id, nil
}

// SetPassword replaces a user's password hash and ends their sessions.
func (s *Store) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	if _, err := s.exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, userID); err != nil {
		return fmt.Errorf("setting password: %w", err)
	}
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("ending sessions: %w", err)
	}
	return nil
}

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var admin int
	var created int64
	if err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &admin, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	u.Admin = admin != 0
	u.Created = msToTime(created)
	return &u, nil
}

const userCols = `u.id, u.username, u.password_hash, u.is_admin, u.created_at`

// UserByName finds an account by name.
func (s *Store) UserByName(ctx context.Context, username string) (*User, error) {
	return scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.username = $1`, username))
}

// UserCount counts accounts.
func (s *Store) UserCount(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// Session is a logged-in browser.
type Session struct {
	User    *User
	CSRF    string
	Expires time.Time
}

// CreateSession stores a session under the hash of its cookie value.
func (s *Store) CreateSession(ctx context.Context, idHash string, userID int64, csrf string, ttl time.Duration) error {
	now := s.nowMS()
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now); err != nil {
		return fmt.Errorf("expiring sessions: %w", err)
	}
	_, err := s.exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		idHash, userID, csrf, now, now+ttl.Milliseconds())
	if err != nil {
		return fmt.Errorf("creating session: %w", err)
	}
	return nil
}

// SessionByHash returns a live session; ErrNotFound when it does not exist
// or has expired.
func (s *Store) SessionByHash(ctx context.Context, idHash string) (*Session, error) {
	row := s.queryRow(ctx, `SELECT `+userCols+`, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND s.expires_at > $2`, idHash, s.nowMS())
	var u User
	var admin int
	var created, expires int64
	var sess Session
	if err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &admin, &created, &sess.CSRF, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("reading session: %w", err)
	}
	u.Admin, u.Created = admin != 0, msToTime(created)
	sess.User, sess.Expires = &u, msToTime(expires)
	return &sess, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return err
}

// Token is an API token's metadata (never its secret).
type Token struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used"`
}

// CreateToken stores an API token by the hash of its secret.
func (s *Store) CreateToken(ctx context.Context, userID int64, name, tokenHash string) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		userID, name, tokenHash, s.nowMS()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("creating token: %w", err)
	}
	return id, nil
}

// TokenUser returns the owner of a token and marks it used.
func (s *Store) TokenUser(ctx context.Context, tokenHash string) (*User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, tokenHash))
	if err != nil {
		return nil, err
	}
	if _, err := s.exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2`, s.nowMS(), tokenHash); err != nil {
		return nil, fmt.Errorf("marking token used: %w", err)
	}
	return u, nil
}

// Tokens lists a user's tokens.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.query(ctx, `SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var c, l int64
		if err := rows.Scan(&t.ID, &t.Name, &c, &l); err != nil {
			return nil, err
		}
		t.Created, t.LastUsed = msToTime(c), msToTime(l)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteToken revokes one of a user's tokens.
func (s *Store) DeleteToken(ctx context.Context, userID, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("deleting token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
