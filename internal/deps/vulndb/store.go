package vulndb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// CacheFile is the name of the updated database in the cache directory.
const CacheFile = "pypi.vulndb"

// DefaultCacheDir returns <user cache dir>/djangoguard/vulndb, honouring
// $DJANGOGUARD_CACHE_DIR when set.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("DJANGOGUARD_CACHE_DIR"); d != "" {
		return filepath.Join(d, "vulndb"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory: %w", err)
	}
	return filepath.Join(d, "djangoguard", "vulndb"), nil
}

// Store finds the database to use: the newer of the embedded copy and the
// one `db update` left in Dir. It loads it once, on first use, and is safe
// for concurrent use.
type Store struct {
	// Dir is the cache directory; empty means the embedded database only.
	Dir string

	once sync.Once
	db   *DB
	note string
	err  error
}

// NewStore returns a store reading the cache in dir.
func NewStore(dir string) *Store { return &Store{Dir: dir} }

// DB returns the database, loading it on the first call. note explains
// the choice (for example that a damaged cache was ignored).
func (s *Store) DB() (*DB, error) {
	s.once.Do(func() { s.db, s.note, s.err = s.load() })
	return s.db, s.err
}

// Note says which database was chosen and why, after DB has been called.
func (s *Store) Note() string {
	s.DB()
	return s.note
}

func (s *Store) load() (*DB, string, error) {
	emb, embErr := Embedded()
	if s.Dir == "" {
		if embErr != nil {
			return nil, "", embErr
		}
		return emb, "using the embedded database (as of " + emb.Meta().AsOf + ")", nil
	}
	path := filepath.Join(s.Dir, CacheFile)
	cached, cacheErr := readDBFile(path)
	switch {
	case cacheErr != nil && errors.Is(cacheErr, fs.ErrNotExist):
		if embErr != nil {
			return nil, "", embErr
		}
		return emb, "using the embedded database (as of " + emb.Meta().AsOf + "); run `djangoguard db update` for a newer one", nil
	case cacheErr != nil:
		if embErr != nil {
			return nil, "", fmt.Errorf("%w; and the cached database: %v", embErr, cacheErr)
		}
		return emb, fmt.Sprintf("ignoring the cached database (%v); using the embedded one (as of %s)", cacheErr, emb.Meta().AsOf), nil
	case embErr != nil || Newer(cached.Meta(), emb.Meta()):
		return cached, fmt.Sprintf("using the updated database %s (as of %s)", path, cached.Meta().AsOf), nil
	default:
		return emb, fmt.Sprintf("using the embedded database (as of %s), newer than the cached one (as of %s)", emb.Meta().AsOf, cached.Meta().AsOf), nil
	}
}

func readDBFile(path string) (*DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxCompressed {
		return nil, fmt.Errorf("%s: %d bytes is over the %d byte limit", path, st.Size(), maxCompressed)
	}
	b := make([]byte, st.Size())
	if _, err := readFull(f, b); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return Decode(b, path)
}

// Install writes a database file into dir atomically: it is written to a
// temporary file in the same directory, synced, checked by decoding it,
// and renamed over the previous one. On any error the previous database
// is left as it was.
func Install(ctx context.Context, dir string, db []byte) error {
	if _, err := Decode(db, "new database"); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".pypi.vulndb.*.tmp")
	if err != nil {
		return fmt.Errorf("creating a temporary file in %s: %w", dir, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(db); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, CacheFile)); err != nil {
		return fmt.Errorf("replacing the cached database: %w", err)
	}
	ok = true
	return nil
}

// Newer reports whether a database described by a is newer than one
// described by b: a later AsOf, or the same AsOf and a later first source
// (the vulnerability feed rather than the Django archive).
func Newer(a, b Meta) bool {
	if a.AsOf != b.AsOf {
		return a.AsOf > b.AsOf
	}
	if len(a.Sources) > 0 && len(b.Sources) > 0 {
		return a.Sources[0].Date > b.Sources[0].Date
	}
	return false
}
