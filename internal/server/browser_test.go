package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// artifactsDir is where screenshots go: $DJANGOGUARD_ARTIFACTS, or the
// repository's testdata/artifacts/ (ignored by git).
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("DJANGOGUARD_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "testdata", "artifacts")
	}
	dir = filepath.Join(dir, "serve")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser drives Debian's chromium, headless: log in, add a local
// site, scan it, see the grade and findings, scan again and see the
// history chart and the diff, export HTML. Screenshots are kept.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is required under CI: %v (apt-get install chromium)", err)
		}
		t.Skipf("chromium not installed: %v", err)
	}
	e := newEnv(t, envOpts{allow: []string{"127.0.0.1"}, worker: true})
	art := artifactsDir(t)

	// Chromium's helper processes can still be writing into the profile
	// for a moment after the browser is gone, which makes t.TempDir's
	// cleanup fail the test; remove it ourselves, retrying for a while.
	profile, perr := os.MkdirTemp("", "djangoguard-chromium-")
	if perr != nil {
		t.Fatal(perr)
	}
	t.Cleanup(func() {
		var err error
		for i := 0; i < 50; i++ {
			if err = os.RemoveAll(profile); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("leaving the browser profile %s: %v", profile, err)
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 1400),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	// The CDP client is older than the browser: drop its complaints about
	// event fields it does not know.
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(func(string, ...any) {}))
	defer cancel()
	// Bounds a hang of the whole browser session; not a speed check.
	ctx, tcancel := context.WithTimeout(ctx, 3*time.Minute)
	defer tcancel()

	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(art, name+".png"), buf, 0o644)
		})
	}
	var grade, headerBG, findings string
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.http.URL+"/"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		shot("01-login"),
		chromedp.SendKeys(`#username`, "admin", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "correct horse battery", chromedp.ByQuery),
		chromedp.Click(`#login`, chromedp.ByQuery),
		chromedp.WaitVisible(`#add-site`, chromedp.ByQuery),
		// The nonce'd stylesheet applies under the strict CSP.
		chromedp.Evaluate(`getComputedStyle(document.querySelector("header")).backgroundColor`, &headerBG),
		chromedp.SendKeys(`#site-url`, e.site.URL+"/", chromedp.ByQuery),
		chromedp.SendKeys(`#site-name`, "Local shop", chromedp.ByQuery),
		shot("02-add-site"),
		chromedp.Click(`#add-site-submit`, chromedp.ByQuery),
		// The page polls (nonce'd script) and reloads when the scan is done.
		chromedp.WaitVisible(`#grade`, chromedp.ByQuery),
		chromedp.Text(`#grade`, &grade, chromedp.ByQuery),
		chromedp.Text(`#findings`, &findings, chromedp.ByQuery),
		shot("03-first-scan"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if headerBG != "rgb(38, 50, 56)" {
		t.Errorf("header background %q: the page style was blocked", headerBG)
	}
	if grade == "" || !strings.Contains(findings, "Fix:") {
		t.Fatalf("grade %q, findings %q", grade, findings)
	}

	e.site.weak.Store(true)
	var points int
	var diffText, exported string
	err = chromedp.Run(ctx,
		chromedp.Click(`#scan-now`, chromedp.ByQuery),
		waitJS(`document.querySelectorAll("#history circle").length >= 2 && !document.getElementById("pending")`),
		chromedp.Evaluate(`document.querySelectorAll("#history circle").length`, &points),
		shot("04-history"),
		chromedp.Submit(`#diff-form`, chromedp.ByQuery),
		chromedp.WaitVisible(`#grade-change`, chromedp.ByQuery),
		chromedp.Text(`main`, &diffText, chromedp.ByQuery),
		shot("05-diff"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if points != 2 {
		t.Errorf("history chart has %d points, want 2", points)
	}
	if !strings.Contains(diffText, "content-security-policy") || !strings.Contains(diffText, "New findings") {
		t.Errorf("diff page: %q", diffText)
	}
	// Export the latest scan as HTML from the site page's link.
	err = chromedp.Run(ctx,
		chromedp.Navigate(e.http.URL+"/sites/1"),
		chromedp.WaitVisible(`#export-html`, chromedp.ByQuery),
		chromedp.Evaluate(`fetch(document.getElementById("export-html").href, {credentials: "same-origin"}).then(r => r.text())`, &exported,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(exported, "<!DOCTYPE html>") || !strings.Contains(exported, "Grade history") {
		t.Fatalf("exported HTML: %.300q", exported)
	}
	if err := os.WriteFile(filepath.Join(art, "06-export.html"), []byte(exported), 0o644); err != nil {
		t.Fatal(err)
	}
	// Open the overview and the export in the browser too, for screenshots.
	err = chromedp.Run(ctx,
		chromedp.Navigate(e.http.URL+"/"),
		chromedp.WaitVisible(`#sites`, chromedp.ByQuery),
		shot("07-overview"),
		chromedp.Navigate("file://"+mustAbs(t, filepath.Join(art, "06-export.html"))),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		shot("08-export"),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", art)
}

// waitJS polls a JavaScript condition, riding over the page reloads the
// dashboard makes while a scan runs.
func waitJS(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ok bool
			// A reload can swallow an evaluation: bound each one.
			ectx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := chromedp.Evaluate(expr, &ok).Do(ectx)
			cancel()
			if err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
