package live

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// seedLines adds each line of a fixture file as a seed.
func seedLines(f *testing.F, name string) {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "headers", name))
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f.Add(sc.Text())
	}
}

// seedFiles adds the content of each file matching pattern as a seed.
func seedFiles(f *testing.F, pattern string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s", pattern)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseCSP(f *testing.F) {
	seedLines(f, "csp.txt")
	f.Fuzz(func(t *testing.T, header string) {
		policies := splitPolicies([]string{header})
		csp, err := ParseCSP(policies)
		if err != nil {
			return
		}
		for d, set := range csp {
			if d != strings.ToLower(d) {
				t.Fatalf("directive %q not lower-cased", d)
			}
			if len(set) == 0 {
				t.Fatalf("directive %q has no sources", d)
			}
		}
		// Whatever the policy, the test returns one of its result codes.
		in := site(hdr(htmlCT), "")
		in.HTTPS.Final.Header.Set("Content-Security-Policy", header)
		code, _ := testCSP(in)
		if _, ok := outcomes[code]; !ok || !strings.HasPrefix(code, "csp-") {
			t.Fatalf("unknown result %q", code)
		}
	})
}

func FuzzParseHSTS(f *testing.F) {
	seedLines(f, "hsts.txt")
	f.Fuzz(func(t *testing.T, header string) {
		h, err := ParseHSTS(header)
		if err != nil {
			return
		}
		if strings.Contains(truncateRaw(header, 1024), ",") {
			t.Fatalf("header with a comma accepted: %q", header)
		}
		if !h.MaxAgeNaN && h.MaxAge > 1<<60 {
			t.Fatalf("max-age overflow: %d", h.MaxAge)
		}
	})
}

func FuzzParseSetCookie(f *testing.F) {
	seedLines(f, "setcookie.txt")
	f.Fuzz(func(t *testing.T, raw string) {
		c, ok := ParseSetCookie(raw)
		_ = hasInvalidSameSite(raw)
		if !ok {
			return
		}
		if c.Name == "" || strings.Contains(c.Name, "=") {
			t.Fatalf("bad name %q from %q", c.Name, raw)
		}
		if c.SameSite != strings.ToLower(c.SameSite) {
			t.Fatalf("SameSite not lower-cased: %q", c.SameSite)
		}
		// The jar accepts any parsed cookie without panicking.
		j := newJar()
		j.store(resp("https://site.test/a/b", 200, http.Header{"Set-Cookie": {raw}}, ""))
		_ = j.header(resp("https://site.test/a/b", 200, nil, "").URL)
	})
}

func FuzzParseSFToken(f *testing.F) {
	seedLines(f, "sftoken.txt")
	f.Fuzz(func(t *testing.T, s string) {
		tok, ok := ParseSFToken(s)
		if !ok {
			return
		}
		if tok == "" || !strings.HasPrefix(strings.Trim(s, " "), tok) {
			t.Fatalf("token %q not a prefix of %q", tok, s)
		}
	})
}

func FuzzParseSecurityTxt(f *testing.F) {
	seedFiles(f, "securitytxt/*.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		st := ParseSecurityTxt(b)
		if st.ExpiresCount > 0 && st.ExpiresErr == nil && st.Expires.IsZero() {
			t.Fatal("Expires parsed to the zero time without an error")
		}
		for _, c := range st.Contacts {
			if c == "" {
				t.Fatal("empty contact")
			}
		}
	})
}

func FuzzParseHTML(f *testing.F) {
	seedFiles(f, "django/*.html")
	f.Add([]byte(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'"><meta name=referrer content=no-referrer><script src=//x.org/a.js integrity=x></script><form action=http://x><input type=password></form>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := ParseHTML(b)
		if len(p.Resources) > maxResources {
			t.Fatalf("%d resources kept", len(p.Resources))
		}
		in := site(hdr(htmlCT), string(b))
		tests := RunObservatory(in)
		if len(tests) != 12 {
			t.Fatalf("%d tests", len(tests))
		}
		for _, tr := range tests {
			if _, ok := outcomes[tr.Result]; !ok {
				t.Fatalf("%s: unknown result %q", tr.Name, tr.Result)
			}
		}
	})
}

// FuzzObservatoryHeaders feeds arbitrary header blocks to all 12 tests.
func FuzzObservatoryHeaders(f *testing.F) {
	f.Add("Content-Security-Policy: default-src 'none'\nX-Frame-Options: DENY\nSet-Cookie: sessionid=1; Secure; HttpOnly; SameSite=Lax")
	f.Add("Strict-Transport-Security: max-age=1\nCross-Origin-Opener-Policy: same-origin\nCross-Origin-Opener-Policy: x")
	f.Add("Referrer-Policy: ,,,\nCross-Origin-Resource-Policy: same-site\nContent-Type: application/json")
	f.Fuzz(func(t *testing.T, block string) {
		h := http.Header{}
		for _, line := range strings.Split(block, "\n") {
			k, v, ok := strings.Cut(line, ":")
			k = strings.TrimSpace(k)
			if !ok || k == "" || !utf8.ValidString(k) {
				continue
			}
			h.Add(k, strings.TrimSpace(v))
		}
		in := site(h, "<p>x</p>")
		in.CORS = resp("https://site.test/", 200, h, "")
		in.CORSOrigin = observatoryOrigin
		tests := RunObservatory(in)
		score, grade := Score(tests)
		if score < 0 || grade == "" {
			t.Fatalf("score %d grade %q", score, grade)
		}
		for _, tr := range tests {
			o, ok := outcomes[tr.Result]
			if !ok || o.mod != tr.ScoreModifier || o.pass != tr.Pass {
				t.Fatalf("%s: %+v", tr.Name, tr)
			}
		}
	})
}

func FuzzParsePreloadList(f *testing.F) {
	seedFiles(f, "preload/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParsePreloadList(b)
		if err != nil {
			return
		}
		_ = l.Preloaded("a.b.example.com")
	})
}

func FuzzPermissiveCrossDomain(f *testing.F) {
	seedFiles(f, "crossdomain/*.xml")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = permissiveCrossDomain(b)
	})
}

// FuzzHeartbleedServer feeds arbitrary server bytes to the Heartbleed
// check: it must end, without panicking, within its timeout.
func FuzzHeartbleedServer(f *testing.F) {
	done := []byte{recHandshake, 3, 2, 0, 4, 0x0e, 0, 0, 0}
	f.Add(append(append([]byte(nil), done...), recHeartbeat, 3, 2, 0x40, 0x03, 2, 0x40, 0))
	f.Add(append(append([]byte(nil), done...), recAlert, 3, 2, 0, 2, 2, 10))
	f.Add([]byte{recHandshake, 3, 2, 0xff, 0xff})
	f.Add([]byte{recHandshake, 3, 2, 0, 4, 0x0e, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, server []byte) {
		c, s := net.Pipe()
		go func() { _, _ = io.Copy(io.Discard, s) }()
		go func() { _, _ = s.Write(server); _ = s.Close() }()
		defer c.Close()
		_, _ = heartbleedOver(context.Background(), c, 200*time.Millisecond, "site.test", 0x0302)
	})
}
