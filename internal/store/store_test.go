package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/store"
	"github.com/djangoguard/djangoguard/internal/store/storetest"
)

// clock is a settable clock for lease tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func open(t *testing.T, dsn string, clk *clock) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dbs(t *testing.T) map[string]string {
	m := map[string]string{"sqlite": filepath.Join(t.TempDir(), "sub", "dg.db")}
	if !testing.Short() {
		m["postgres"] = storetest.Postgres(t)
	}
	return m
}

func TestStore(t *testing.T) {
	for name, dsn := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			s := open(t, dsn, clk)
			// Opening again applies no migration twice.
			s2 := open(t, dsn, clk)
			vs, err := s2.Migrations(ctx)
			if err != nil || len(vs) != store.SchemaVersion() {
				t.Fatalf("migrations = %v, %v", vs, err)
			}

			uid, err := s.CreateUser(ctx, "admin", "hash", true)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateUser(ctx, "admin", "x", false); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate user: %v", err)
			}
			if err := s.CreateSession(ctx, "h1", uid, "csrf", time.Hour); err != nil {
				t.Fatal(err)
			}
			sess, err := s.SessionByHash(ctx, "h1")
			if err != nil || sess.User.Username != "admin" || sess.CSRF != "csrf" {
				t.Fatalf("session = %+v, %v", sess, err)
			}
			clk.Add(2 * time.Hour)
			if _, err := s.SessionByHash(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("expired session: %v", err)
			}
			if _, err := s.CreateToken(ctx, uid, "ci", "th"); err != nil {
				t.Fatal(err)
			}
			if u, err := s.TokenUser(ctx, "th"); err != nil || u.ID != uid {
				t.Fatalf("token user = %v, %v", u, err)
			}
			if _, err := s.TokenUser(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown token: %v", err)
			}

			site, err := s.CreateSite(ctx, uid, store.NewSite{Name: "a", URL: "https://a.example/", Interval: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateSite(ctx, uid, store.NewSite{Name: "b", URL: "https://a.example/"}); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate site: %v", err)
			}
			id1, created, err := s.Enqueue(ctx, site, uid, "manual")
			if err != nil || !created {
				t.Fatal(err, created)
			}
			id2, created, err := s.Enqueue(ctx, site, uid, "manual")
			if err != nil || created || id2 != id1 {
				t.Fatalf("second enqueue = %d %v %v, want the pending %d", id2, created, err, id1)
			}

			const lease = time.Minute
			j1, err := s.Claim(ctx, "w1", lease, 3)
			if err != nil || j1 == nil || j1.ScanID != id1 || j1.Attempt != 1 {
				t.Fatalf("claim = %+v, %v", j1, err)
			}
			if j, err := s.Claim(ctx, "w2", lease, 3); err != nil || j != nil {
				t.Fatalf("nothing else to claim, got %+v, %v", j, err)
			}
			// w1 dies; after the lease w2 takes the scan over.
			clk.Add(2 * lease)
			j2, err := s.Claim(ctx, "w2", lease, 3)
			if err != nil || j2 == nil || j2.ScanID != id1 || j2.Attempt != 2 {
				t.Fatalf("reclaim = %+v, %v", j2, err)
			}
			if err := s.Extend(ctx, j1, lease); !errors.Is(err, store.ErrLeaseLost) {
				t.Fatalf("old worker extend: %v", err)
			}
			if err := s.Complete(ctx, j1, store.Result{Grade: "F"}); !errors.Is(err, store.ErrLeaseLost) {
				t.Fatalf("old worker complete: %v", err)
			}
			if err := s.Complete(ctx, j2, store.Result{Grade: "A+", Score: 110, ProbeJSON: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
			if err := s.Complete(ctx, j2, store.Result{Grade: "B"}); !errors.Is(err, store.ErrLeaseLost) {
				t.Fatalf("second complete: %v", err)
			}
			sc, err := s.Scan(ctx, id1)
			if err != nil || sc.Status != store.StatusDone || sc.Grade != "A+" || sc.Completions != 1 || string(sc.ProbeJSON) != "{}" {
				t.Fatalf("scan = %+v, %v", sc, err)
			}

			// A released scan goes back to the queue without using an attempt.
			idR, _, _ := s.Enqueue(ctx, site, uid, "api")
			jr, err := s.Claim(ctx, "w1", lease, 3)
			if err != nil || jr == nil || jr.ScanID != idR {
				t.Fatalf("claim for release: %+v %v", jr, err)
			}
			if err := s.Release(ctx, jr); err != nil {
				t.Fatal(err)
			}
			jr2, err := s.Claim(ctx, "w2", lease, 3)
			if err != nil || jr2 == nil || jr2.ScanID != idR || jr2.Attempt != 1 {
				t.Fatalf("claim after release: %+v %v", jr2, err)
			}
			if err := s.Complete(ctx, jr2, store.Result{Grade: "A"}); err != nil {
				t.Fatal(err)
			}
			// A failing scan is retried, then given up.
			id3, _, _ := s.Enqueue(ctx, site, uid, "api")
			for attempt := 1; attempt <= 2; attempt++ {
				j, err := s.Claim(ctx, "w1", lease, 2)
				if err != nil || j == nil || j.ScanID != id3 {
					t.Fatalf("attempt %d: %+v %v", attempt, j, err)
				}
				if err := s.Fail(ctx, j, "boom", true, 2); err != nil {
					t.Fatal(err)
				}
			}
			if sc, _ := s.Scan(ctx, id3); sc.Status != store.StatusFailed || sc.Error != "boom" {
				t.Fatalf("failed scan = %+v", sc)
			}

			sites, err := s.Sites(ctx)
			if err != nil || len(sites) != 1 || sites[0].Latest == nil || sites[0].Latest.Grade != "A" {
				t.Fatalf("sites = %+v, %v", sites, err)
			}
			if n, err := s.ScansRequestedSince(ctx, uid, clk.Now().Add(-time.Hour)); err != nil || n != 3 {
				t.Fatalf("requested = %d, %v", n, err)
			}
			// The site is due after its interval; two schedulers queue it once.
			clk.Add(2 * time.Hour)
			var wg sync.WaitGroup
			var total atomic.Int64
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := s.EnqueueDue(ctx)
					if err != nil {
						t.Error(err)
					}
					total.Add(int64(n))
				}()
			}
			wg.Wait()
			if total.Load() != 1 {
				t.Fatalf("due scans queued %d times", total.Load())
			}
			if err := s.DeleteSite(ctx, site); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Scan(ctx, id1); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("scans of a deleted site: %v", err)
			}
		})
	}
}

// TestClaimConcurrent has eight workers drain 100 scans: each is claimed and
// completed exactly once.
func TestClaimConcurrent(t *testing.T) {
	for name, dsn := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t, dsn, &clock{t: time.Now()})
			uid, _ := s.CreateUser(ctx, "u", "h", false)
			const n = 100
			for i := range n {
				site, err := s.CreateSite(ctx, uid, store.NewSite{Name: "s", URL: "https://s" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".example/"})
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := s.Enqueue(ctx, site, uid, "api"); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			seen := map[int64]int{}
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						j, err := s.Claim(ctx, "w"+string(rune('0'+w)), time.Minute, 3)
						if err != nil {
							t.Error(err)
							return
						}
						if j == nil {
							return
						}
						if err := s.Complete(ctx, j, store.Result{Grade: "B"}); err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						seen[j.ScanID]++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(seen) != n {
				t.Fatalf("%d scans done, want %d", len(seen), n)
			}
			for id, c := range seen {
				if c != 1 {
					t.Errorf("scan %d done %d times", id, c)
				}
			}
		})
	}
}

// TestNewerSchemaRefused: a database migrated by a newer djangoguard is not
// opened by an older one.
func TestNewerSchemaRefused(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "dg.db")
	clk := &clock{t: time.Now()}
	s := open(t, dsn, clk)
	if _, err := s.DB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := store.Open(context.Background(), dsn, store.Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open = %v, want a newer-schema error", err)
	}
}

// TestHistorySurvivesRestart: what one process recorded, the next reads.
func TestHistorySurvivesRestart(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "dg.db")
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	site, _ := s.CreateSite(ctx, 0, store.NewSite{Name: "a", URL: "https://a.example/"})
	id, _, _ := s.Enqueue(ctx, site, 0, "api")
	j, _ := s.Claim(ctx, "w", time.Minute, 3)
	if err := s.Complete(ctx, j, store.Result{Grade: "B", Score: 70, ProbeJSON: []byte(`{"x":1}`)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := open(t, dsn, &clock{t: time.Now()})
	sc, err := s2.Scan(ctx, id)
	if err != nil || sc.Grade != "B" || string(sc.ProbeJSON) != `{"x":1}` {
		t.Fatalf("after restart: %+v %v", sc, err)
	}
}
