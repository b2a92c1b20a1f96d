package python

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The differential test compares Dump(Parse(file)) with CPython 3.11's
// ast.dump(ast.parse(file)) on every .py file of the Python 3.11 standard
// library and of Debian's python3-django package.
//
//	DJANGOGUARD_PYTHON    reference interpreter (default /usr/bin/python3)
//	DJANGOGUARD_PYDUMP    a JSON-lines file written earlier by
//	                      testdata/pydump.py, used instead of running Python
//	DJANGOGUARD_CORPUS    extra directories to walk, separated by ':'
//	DJANGOGUARD_CORPUS_ONLY  set to walk only DJANGOGUARD_CORPUS

const stdlibDir = "/usr/lib/python3.11"
const djangoDir = "/usr/lib/python3/dist-packages/django"

type pyDump struct {
	Path      string  `json:"path"`
	Dump      *string `json:"dump"`
	DumpAttrs *string `json:"dump_attrs"`
	Error     *string `json:"error"`
}

func corpusFiles(t testing.TB) []string {
	var files []string
	walk := func(root string, skipSite bool) {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if skipSite && (d.Name() == "site-packages" || d.Name() == "dist-packages") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".py") {
				return nil
			}
			if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
	}
	if os.Getenv("DJANGOGUARD_CORPUS_ONLY") == "" {
		walk(stdlibDir, true)
		walk(djangoDir, false)
	}
	if extra := os.Getenv("DJANGOGUARD_CORPUS"); extra != "" {
		for _, dir := range strings.Split(extra, ":") {
			walk(dir, false)
		}
	}
	sort.Strings(files)
	return files
}

func referenceDumps(t testing.TB, files []string) map[string]*pyDump {
	var data []byte
	if cache := os.Getenv("DJANGOGUARD_PYDUMP"); cache != "" {
		b, err := os.ReadFile(cache)
		if err != nil {
			t.Fatal(err)
		}
		data = b
	} else {
		py := os.Getenv("DJANGOGUARD_PYTHON")
		if py == "" {
			py = "/usr/bin/python3"
		}
		if _, err := os.Stat(py); err != nil {
			t.Skipf("no reference interpreter %s", py)
		}
		cmd := exec.Command(py, "testdata/pydump.py")
		cmd.Stdin = strings.NewReader(strings.Join(files, "\n") + "\n")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("reference dumper: %v\n%s", err, stderr.String())
		}
		data = out
	}
	refs := map[string]*pyDump{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var d pyDump
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		refs[d.Path] = &d
	}
	return refs
}

func readKnownMismatches(t testing.TB) map[string]bool {
	known := map[string]bool{}
	b, err := os.ReadFile("testdata/known-mismatches.txt")
	if err != nil {
		return known
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			known[line] = true
		}
	}
	return known
}

func TestDifferentialCPython(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test skipped in -short mode")
	}
	files := corpusFiles(t)
	if len(files) == 0 {
		t.Skip("no corpus")
	}
	refs := referenceDumps(t, files)
	type result struct {
		path                     string
		same, sameAttrs          bool
		weRejected, theyRejected bool
		ourErr                   string
		ourErrLine               int
		ourErrMsg                string
		detail                   string
	}
	results := make([]result, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				path := files[i]
				r := result{path: path}
				ref := refs[path]
				src, err := os.ReadFile(path)
				if err != nil || ref == nil {
					r.detail = "missing reference"
					results[i] = r
					continue
				}
				mod, errs := Parse(path, src)
				r.weRejected = len(errs) > 0
				r.theyRejected = ref.Error != nil
				if r.weRejected {
					r.ourErr = errs[0].Error()
					r.ourErrLine = errs[0].Line
					r.ourErrMsg = errs[0].Msg
				}
				if !r.weRejected && !r.theyRejected {
					r.same = Dump(mod, false) == *ref.Dump
					r.sameAttrs = Dump(mod, true) == *ref.DumpAttrs
				}
				results[i] = r
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	known := readKnownMismatches(t)
	var parsedByCPython, identical, identicalAttrs, rejectedBoth, wrongAccept, wrongReject, mismatched int
	var failures, newFailures []string
	sameFirstError := 0
	for _, r := range results {
		switch {
		case r.theyRejected && r.weRejected:
			rejectedBoth++
			// CPython's error, as written by pydump.py: "Kind:line:offset: msg"
			if e := *refs[r.path].Error; true {
				parts := strings.SplitN(e, ":", 4)
				if len(parts) == 4 && parts[1] == strconv.Itoa(r.ourErrLine) && strings.TrimSpace(parts[3]) == r.ourErrMsg {
					sameFirstError++
				} else if os.Getenv("DJANGOGUARD_DIFF_ERRORS") != "" {
					t.Logf("error differs: %s\n   ours:   %d: %s\n   theirs: %s", r.path, r.ourErrLine, r.ourErrMsg, e)
				}
			}
			continue
		case r.theyRejected:
			wrongAccept++
			failures = append(failures, r.path+" (accepted, CPython rejects)")
		case r.weRejected:
			parsedByCPython++
			wrongReject++
			failures = append(failures, r.path+" (rejected: "+r.ourErr+")")
		default:
			parsedByCPython++
			if r.same {
				identical++
			}
			if r.sameAttrs {
				identicalAttrs++
			}
			if !r.same || !r.sameAttrs {
				mismatched++
				failures = append(failures, r.path+" (dump differs)")
			}
		}
		if !(r.same && r.sameAttrs) && !(r.theyRejected && r.weRejected) && !known[r.path] {
			newFailures = append(newFailures, r.path)
		}
	}
	t.Logf("differential: %d files; CPython parses %d, rejects %d", len(files), parsedByCPython, len(files)-parsedByCPython)
	t.Logf("differential: identical dump %d/%d, identical dump with attributes %d/%d", identical, parsedByCPython, identicalAttrs, parsedByCPython)
	t.Logf("differential: of the files both reject, same first error line and message: %d/%d", sameFirstError, rejectedBoth)
	t.Logf("differential: rejected by both %d, accepted only by us %d, rejected only by us %d, dumps differ %d", rejectedBoth, wrongAccept, wrongReject, mismatched)
	if os.Getenv("DJANGOGUARD_DIFF_VERBOSE") != "" {
		for _, f := range failures {
			t.Log(f)
		}
	}
	if len(newFailures) > 0 {
		max := len(newFailures)
		if max > 40 {
			max = 40
		}
		t.Errorf("%d files differ from CPython and are not in testdata/known-mismatches.txt, e.g.:\n%s", len(newFailures), strings.Join(newFailures[:max], "\n"))
	}
}
