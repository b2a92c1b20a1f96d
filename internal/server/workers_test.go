package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/store"
	"github.com/djangoguard/djangoguard/internal/store/storetest"
)

// TestMain lets the test binary run as a scan worker process
// (DJANGOGUARD_TEST_WORKER=<dsn>), so tests can kill -9 a real worker.
func TestMain(m *testing.M) {
	if dsn := os.Getenv("DJANGOGUARD_TEST_WORKER"); dsn != "" {
		os.Exit(workerMain(dsn, os.Getenv("DJANGOGUARD_TEST_WORKER_ID")))
	}
	os.Exit(m.Run())
}

func workerMain(dsn, id string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer st.Close()
	allow, _ := ParseAllow([]string{"127.0.0.1"})
	guard := &Guard{Allow: allow}
	probe := live.DefaultOptions()
	probe.SkipTLS, probe.Timeout, probe.Deadline = true, 5*time.Second, 60*time.Second
	sc := &Scanner{Guard: guard, Probe: probe, Registry: catalog.Registry(), Version: "test"}
	lease, _ := time.ParseDuration(os.Getenv("DJANGOGUARD_TEST_LEASE"))
	conc, _ := strconv.Atoi(os.Getenv("DJANGOGUARD_TEST_CONCURRENCY"))
	w := &Worker{Store: st, Scan: sc.Scan, ID: id, Lease: lease, Poll: 50 * time.Millisecond, Concurrency: conc}
	fmt.Println("worker ready")
	_ = w.Run(ctx)
	return 0
}

// slowSite answers every path after a pause, so a scan lasts long enough
// to be killed in the middle.
func slowSite(t testing.TB, pause time.Duration) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(pause):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>t</title></head><body>ok</body></html>")
	}))
	t.Cleanup(s.Close)
	return s
}

type workerProc struct {
	cmd *exec.Cmd
}

func startWorker(t testing.TB, dsn, id string, lease time.Duration, conc int) *workerProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DJANGOGUARD_TEST_WORKER="+dsn, "DJANGOGUARD_TEST_WORKER_ID="+id,
		"DJANGOGUARD_TEST_LEASE="+lease.String(), "DJANGOGUARD_TEST_CONCURRENCY="+strconv.Itoa(conc))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &workerProc{cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	return p
}

// queueSites adds n sites spread over the servers and queues a scan of each.
func queueSites(t testing.TB, st *store.Store, servers []*httptest.Server, n int) []int64 {
	ctx := context.Background()
	uid, err := st.CreateUser(ctx, fmt.Sprintf("bench%d", time.Now().UnixNano()), "x", false)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 0, n)
	for i := range n {
		site, err := st.CreateSite(ctx, uid, store.NewSite{Name: strconv.Itoa(i), URL: fmt.Sprintf("%s/site/%d/%d", servers[i%len(servers)].URL, time.Now().UnixNano(), i)})
		if err != nil {
			t.Fatal(err)
		}
		id, _, err := st.Enqueue(ctx, site, uid, "api")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func waitDrained(t testing.TB, st *store.Store, limit time.Duration) map[string]int {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		q, err := st.QueueStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if q[store.StatusQueued] == 0 && q[store.StatusRunning] == 0 {
			return q
		}
		if ctx.Err() != nil {
			t.Fatalf("queue not drained: %v", q)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPostgresWorkers: two worker processes share 200 queued scans through
// PostgreSQL; one is killed with SIGKILL in the middle of a scan. Every
// scan is recorded done exactly once and the killed worker's scans are
// retried by the other.
func TestPostgresWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and worker processes")
	}
	testWorkersKill(t, storetest.Postgres(t), 200)
}

// TestSQLiteWorkers: the same with two processes sharing a SQLite file.
func TestSQLiteWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	testWorkersKill(t, filepath.Join(t.TempDir(), "serve.db"), 60)
}

func testWorkersKill(t *testing.T, dsn string, n int) {
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	servers := []*httptest.Server{slowSite(t, 20*time.Millisecond), slowSite(t, 20*time.Millisecond)}
	ids := queueSites(t, st, servers, n)

	const lease = 3 * time.Second
	a := startWorker(t, dsn, "A", lease, 4)
	startWorker(t, dsn, "B", lease, 4)

	// Kill A while it holds scans, once it has done some.
	var inFlight []int64
	doneByA := 0
	deadline := time.Now().Add(2 * time.Minute)
	for len(inFlight) == 0 || doneByA < 10 {
		if time.Now().After(deadline) {
			t.Fatal("worker A never claimed a scan")
		}
		rows, err := st.DB().QueryContext(ctx, `SELECT id FROM scans WHERE status = 'running' AND worker LIKE 'A/%'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			inFlight = append(inFlight, id)
		}
		rows.Close()
		if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM scans WHERE status = 'done' AND worker LIKE 'A/%'`).Scan(&doneByA); err != nil {
			t.Fatal(err)
		}
		if len(inFlight) == 0 || doneByA < 10 {
			inFlight = inFlight[:0]
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()
	// What A held when it died is frozen now.
	rows, err := st.DB().QueryContext(ctx, `SELECT id FROM scans WHERE status = 'running' AND worker LIKE 'A/%'`)
	if err != nil {
		t.Fatal(err)
	}
	var orphaned []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		orphaned = append(orphaned, id)
	}
	rows.Close()
	t.Logf("killed worker A holding scans %v", orphaned)

	q := waitDrained(t, st, 5*time.Minute)
	if q[store.StatusDone] != len(ids) || q[store.StatusFailed] != 0 {
		t.Fatalf("queue after the run: %v, want %d done", q, len(ids))
	}
	var bad int
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM scans WHERE completions <> 1 OR grade = '' OR probe_json = ''`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d scans not recorded exactly once with a result", bad)
	}
	// A scan A held at its death was either retried by B, or (when A died
	// with its final write already sent) recorded by that write: never both.
	retried := 0
	for _, id := range orphaned {
		sc, err := st.Scan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case sc.Attempts >= 2 && sc.Worker[:1] == "B":
			retried++
		case sc.Attempts == 1 && sc.Worker[:1] == "A":
			t.Logf("scan %d: A's last write landed as it died", id)
		default:
			t.Errorf("orphaned scan %d: attempts %d worker %s", id, sc.Attempts, sc.Worker)
		}
	}
	if retried == 0 {
		t.Errorf("none of the scans A held when killed (%v) was retried", orphaned)
	}
	var byA, byB int
	st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM scans WHERE worker LIKE 'A/%'`).Scan(&byA)
	st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM scans WHERE worker LIKE 'B/%'`).Scan(&byB)
	t.Logf("scans recorded by A: %d, by B: %d", byA, byB)
}

// BenchmarkWorkers reports scans per minute of 1 and 2 worker processes
// (4 scans at once each) draining 300 queued scans of local sites through
// PostgreSQL. Run with bench/serve-bench.sh.
func BenchmarkWorkers(b *testing.B) {
	dsn := os.Getenv("DJANGOGUARD_BENCH_PG")
	if dsn == "" {
		dsn = storetest.Postgres(b)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	servers := []*httptest.Server{slowSite(b, 0), slowSite(b, 0)}
	const n = 300
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				// Workers start first and idle, so their start-up is not timed.
				var procs []*workerProc
				for w := range workers {
					procs = append(procs, startWorker(b, dsn, fmt.Sprintf("bench%d-%d", workers, w), time.Minute, 4))
				}
				time.Sleep(time.Second)
				b.StartTimer()
				start := time.Now()
				queueSites(b, st, servers, n)
				waitDrained(b, st, 10*time.Minute)
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(n)/elapsed.Minutes(), "scans/min")
				for _, p := range procs {
					_ = p.cmd.Process.Signal(syscall.SIGTERM)
					_ = p.cmd.Wait()
				}
			}
		})
	}
}
