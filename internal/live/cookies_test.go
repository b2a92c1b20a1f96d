package live

import (
	"net/http"
	"strings"
	"testing"
)

func TestParseSetCookie(t *testing.T) {
	cases := []struct {
		raw                     string
		ok                      bool
		name, samesite, domain  string
		secure, httponly, hasSS bool
	}{
		{"sessionid=abc; expires=Tue, 07 Dec 2027 10:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure", true, "sessionid", "lax", "", true, true, true},
		{"csrftoken=x; samesite=STRICT", true, "csrftoken", "strict", "", false, false, true},
		{"a=b; SameSite", true, "a", "", "", false, false, true},
		{"a=b; Domain=.Example.COM", true, "a", "", "example.com", false, false, false},
		{"=novalue", false, "", "", "", false, false, false},
		{"noequals", false, "", "", "", false, false, false},
	}
	for _, c := range cases {
		got, ok := ParseSetCookie(c.raw)
		if ok != c.ok {
			t.Errorf("%q: ok %v", c.raw, ok)
			continue
		}
		if !ok {
			continue
		}
		if got.Name != c.name || got.SameSite != c.samesite || got.Domain != c.domain || got.Secure != c.secure || got.HttpOnly != c.httponly || got.HasSameSite != c.hasSS {
			t.Errorf("%q: %+v", c.raw, got)
		}
	}
}

func TestInvalidSameSite(t *testing.T) {
	for raw, want := range map[string]bool{
		"a=b; SameSite=Lax":      false,
		"a=b; SameSite=none":     false,
		"a=b; SameSite = Strict": false,
		"a=b; SameSite=Loose":    true,
		"a=b; SameSite":          true,
		"a=b; SameSite=":         true,
		"a=b; SameSite= ":        true,
		"a=b":                    false,
	} {
		if got := hasInvalidSameSite(raw); got != want {
			t.Errorf("%q: %v, want %v", raw, got, want)
		}
	}
}

func TestJar(t *testing.T) {
	j := newJar()
	store := func(u string, cookies ...string) {
		j.store(resp(u, 200, http.Header{"Set-Cookie": cookies}, ""))
	}
	store("http://site.test/", "plain=1", "sec=1; Secure", "foreign=1; Domain=other.test", "parent=1; Domain=site.test")
	store("https://www.site.test/a/b", "sub=1; Domain=site.test", "plain=2")
	names := map[string]string{}
	for _, c := range j.Cookies() {
		names[c.Name+"@"+c.Domain+c.Path] = c.Value
	}
	want := map[string]string{"plain@site.test/": "1", "parent@site.test/": "1", "sub@site.test/a": "1", "plain@www.site.test/a": "2"}
	if len(names) != len(want) {
		t.Fatalf("jar: %v, want %v", names, want)
	}
	for k, v := range want {
		if names[k] != v {
			t.Errorf("%s = %q, want %q (jar %v)", k, names[k], v, names)
		}
	}
	store("https://site.test/", "__Host-ok=1; Secure; Path=/", "__Host-bad=1; Secure; Path=/; Domain=site.test",
		"__Host-nopath=1; Secure", "__Secure-bad=1")
	prefixed := map[string]bool{}
	for _, c := range j.Cookies() {
		if strings.HasPrefix(c.Name, "__") {
			prefixed[c.Name] = true
		}
	}
	if len(prefixed) != 1 || !prefixed["__Host-ok"] {
		t.Errorf("prefixed cookies kept: %v, want only __Host-ok", prefixed)
	}
	store("http://site.test/", "plain=3")
	store("http://site.test/", "parent=; Max-Age=0; Domain=site.test")
	for _, c := range j.Cookies() {
		if c.Name == "parent" {
			t.Error("Max-Age=0 did not delete the cookie")
		}
		if c.Name == "plain" && c.Domain == "site.test" && c.Value != "3" {
			t.Errorf("cookie not replaced: %+v", c)
		}
	}
	h := j.header(resp("http://site.test/", 200, nil, "").URL)
	if got := h.Get("Cookie"); got != "plain=3" { // __Host-ok is Secure: not sent over http
		t.Errorf("Cookie header for http://site.test/: %q", got)
	}
}
