package live

import (
	"net/http"
	"strings"
	"testing"
)

func TestParseResolveAndConnectTo(t *testing.T) {
	o := DefaultOptions()
	o.Resolve, o.ConnectTo = map[string]string{}, map[string]string{}
	for _, spec := range []string{"site.test:443:127.0.0.2", "v6.test:80:[::1]"} {
		if err := ParseResolve(o.Resolve, spec); err != nil {
			t.Fatal(err)
		}
	}
	if err := ParseConnectTo(o.ConnectTo, "Alias.test:443:site.test:8443"); err != nil {
		t.Fatal(err)
	}
	_ = ParseResolve(o.Resolve, "site.test:8443:127.0.0.3")
	for in, want := range map[string]string{
		"site.test:443":  "127.0.0.2:443",
		"SITE.test:443":  "127.0.0.2:443",
		"site.test:80":   "site.test:80",
		"v6.test:80":     "[::1]:80",
		"alias.test:443": "127.0.0.3:8443", // --connect-to, then --resolve of the new address
	} {
		if got := o.mapAddr(in); got != want {
			t.Errorf("mapAddr(%s) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"site.test:443", "site.test:x:127.0.0.1", "site.test:443:example.com", ":443:127.0.0.1"} {
		if err := ParseResolve(map[string]string{}, bad); err == nil {
			t.Errorf("--resolve %q accepted", bad)
		}
	}
	for _, bad := range []string{"a:1:b", "a:1:b:x", ":1:b:2"} {
		if err := ParseConnectTo(map[string]string{}, bad); err == nil {
			t.Errorf("--connect-to %q accepted", bad)
		}
	}
}

func TestParseHeader(t *testing.T) {
	h := http.Header{}
	if err := ParseHeader(h, "Authorization:  Bearer x "); err != nil || h.Get("Authorization") != "Bearer x" {
		t.Fatalf("%v %v", err, h)
	}
	for _, bad := range []string{"no colon", ": empty name", "Bad Name: x", "X: a\r\nInjected: b"} {
		if err := ParseHeader(http.Header{}, bad); err == nil {
			t.Errorf("--header %q accepted", bad)
		}
	}
}

func TestNormaliseTargetAndStartURLs(t *testing.T) {
	for in, want := range map[string][2]string{
		"www.example.com":              {"http://www.example.com/", "https://www.example.com/"},
		"https://example.com/app/?q=1": {"http://example.com/app/?q=1", "https://example.com/app/?q=1"},
		"https://example.com:8443/":    {"http://example.com/", "https://example.com:8443/"},
		"http://example.com:8080/x":    {"http://example.com:8080/x", "https://example.com/x"},
		"https://[::1]:8443/":          {"http://[::1]/", "https://[::1]:8443/"},
	} {
		u, err := NormaliseTarget(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		h, s := startURLs(u)
		if h.String() != want[0] || s.String() != want[1] {
			t.Errorf("%s: %s %s, want %v", in, h, s, want)
		}
	}
	for _, bad := range []string{"", "ftp://example.com/", "https://", "http://%zz/"} {
		if _, err := NormaliseTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReadTargets(t *testing.T) {
	got, err := ReadTargets(strings.NewReader("# comment\n\nexample.com\n  https://a.example.org/x  \n"))
	if err != nil || len(got) != 2 || got[1] != "https://a.example.org/x" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ReadTargets(strings.NewReader("ok.example\nftp://bad/\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
}

func TestPreloadList(t *testing.T) {
	for _, file := range []string{"chromium_sample.json", "observatory_map.json"} {
		l, err := LoadPreloadList("testdata/preload/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Preloaded("example.com") || !l.Preloaded("a.b.example.com") {
			t.Errorf("%s: example.com with subdomains not preloaded", file)
		}
	}
	l, _ := LoadPreloadList("testdata/preload/chromium_sample.json")
	for host, want := range map[string]bool{"exact.example.org": true, "sub.exact.example.org": false, "pinned.example.net": false, "other.test": false} {
		if l.Preloaded(host) != want {
			t.Errorf("%s: preloaded %v, want %v", host, !want, want)
		}
	}
	var none *PreloadList
	if none.Preloaded("example.com") || none.Len() != 0 {
		t.Error("a nil list preloads nothing")
	}
	if _, err := ParsePreloadList([]byte("[1,2]")); err == nil {
		t.Error("an array is not a preload list")
	}
}
