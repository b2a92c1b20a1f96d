package live

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/djangoguard/djangoguard/internal/rules"
)

// Outcome is the result of probing one URL of a batch.
type Outcome struct {
	Target   string
	Result   *Result
	Findings []rules.Finding
	Err      error
}

// ProbeMany probes targets with at most concurrency probes at a time and
// returns the outcomes in the order of targets. progress, when not nil, is
// called after each probe ends (from several goroutines, never at once).
func ProbeMany(ctx context.Context, targets []string, opts Options, rs []*rules.Rule, concurrency int, progress func(done, total int)) []Outcome {
	if concurrency < 1 {
		concurrency = 1
	}
	out := make([]Outcome, len(targets))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = Outcome{Target: t, Err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			res, err := Probe(ctx, t, opts)
			o := Outcome{Target: t, Result: res, Err: err}
			if err == nil {
				o.Findings, o.Err = RunRules(ctx, res, rs)
			}
			out[i] = o
			if progress != nil {
				mu.Lock()
				done++
				progress(done, len(targets))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// maxTargets bounds a URL file.
const maxTargets = 100000

// ReadTargets reads one URL per line; blank lines and lines starting with
// "#" are skipped.
func ReadTargets(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if _, err := NormaliseTarget(t); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(out) >= maxTargets {
			return nil, fmt.Errorf("more than %d URLs", maxTargets)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}
