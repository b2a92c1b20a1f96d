package live

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

func containsFold(b []byte, s string) bool {
	return bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s)))
}

func looksHTML(b []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(b[:min(len(b), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype")) || bytes.HasPrefix(head, []byte("<html")) ||
		bytes.Contains(head, []byte("<head")) || bytes.Contains(head, []byte("<body"))
}

var gitHeadRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(ref: refs/[^\s]+|[0-9a-f]{40}|[0-9a-f]{64})\s*$`) })

func looksGitHead(b []byte, _ string) bool {
	return gitHeadRE().Match(bytes.TrimSpace(b[:min(len(b), 512)]))
}

var envLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=`) })

func looksEnv(b []byte, _ string) bool {
	if looksHTML(b) {
		return false
	}
	lines, hits := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(b[:min(len(b), 64<<10)]))
	for sc.Scan() && lines < 200 {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines++
		if envLineRE().MatchString(l) {
			hits++
		}
	}
	return hits > 0 && hits*2 >= lines
}

var pyRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^(import [A-Za-z_]|from [A-Za-z_.]+ import |def [A-Za-z_]+\(|[A-Z_]{3,}\s*=|#!/usr/bin/env python)`)
})

func looksPython(b []byte, _ string) bool {
	return !looksHTML(b) && pyRE().Match(b[:min(len(b), 64<<10)])
}

func looksSwap(b []byte, _ string) bool { return bytes.HasPrefix(b, []byte("b0VIM ")) }

var reqLineRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\-\[\],]*\s*(==|>=|<=|~=|!=|>|<|@)`)
})

func looksRequirements(b []byte, _ string) bool {
	if looksHTML(b) {
		return false
	}
	lines, hits := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(b[:min(len(b), 64<<10)]))
	for sc.Scan() && lines < 500 {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "-") {
			continue
		}
		lines++
		if reqLineRE().MatchString(l) || strings.EqualFold(l, "django") {
			hits++
		}
	}
	return hits > 0 && hits*2 >= lines
}

func looksSQLDump(b []byte, _ string) bool {
	head := b[:min(len(b), 8<<10)]
	return !looksHTML(b) && (containsFold(head, "CREATE TABLE") || containsFold(head, "INSERT INTO") || bytes.Contains(head, []byte("-- MySQL dump")) || bytes.Contains(head, []byte("PostgreSQL database dump")))
}

func sortProbes(ps []PathProbe) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
}

// debugMarker is in both of Django's technical pages (404 and 500) in every
// version: the sentence around it changed (Django 3.2 uses a curly
// apostrophe), the <code> element did not.
const debugMarker = "<code>DEBUG = True</code>"

// isTechnical404 says whether a response is Django's DEBUG 404 page.
func isTechnical404(r *Response) bool {
	return r != nil && r.Status == 404 && bytes.Contains(r.Body, []byte(debugMarker))
}

// isTechnical500 says whether a response is Django's DEBUG error page with
// a traceback (shown for 500s and for DisallowedHost's 400).
func isTechnical500(r *Response) bool {
	if r == nil || r.Status < 400 || !bytes.Contains(r.Body, []byte(debugMarker)) {
		return false
	}
	return bytes.Contains(r.Body, []byte(`id="traceback"`)) || bytes.Contains(r.Body, []byte("Exception Type:")) ||
		bytes.Contains(r.Body, []byte("Traceback"))
}

// SecurityTxt is a parsed RFC 9116 security.txt.
type SecurityTxt struct {
	Contacts []string
	Expires  time.Time
	// ExpiresRaw is the Expires value as written; ExpiresErr says why it
	// could not be read.
	ExpiresRaw string
	ExpiresErr error
	// ExpiresCount counts Expires fields (RFC 9116: exactly one).
	ExpiresCount int
	Signed       bool
	Fields       int
}

// ParseSecurityTxt parses an RFC 9116 file: "Field: value" lines, comments
// starting with "#", an optional OpenPGP cleartext signature around it.
func ParseSecurityTxt(b []byte) SecurityTxt {
	var st SecurityTxt
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	text := string(b)
	if strings.HasPrefix(strings.TrimSpace(text), "-----BEGIN PGP SIGNED MESSAGE-----") {
		st.Signed = true
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if st.Signed && strings.HasPrefix(line, "-----BEGIN PGP SIGNATURE-----") {
			break
		}
		line = strings.TrimPrefix(line, "- ") // dash-escaped lines in a signed message
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, " \t") || name == "" {
			continue
		}
		value = strings.TrimSpace(value)
		st.Fields++
		switch strings.ToLower(name) {
		case "contact":
			if value != "" && len(st.Contacts) < 50 {
				st.Contacts = append(st.Contacts, truncate(value, 200))
			}
		case "expires":
			st.ExpiresCount++
			if st.ExpiresCount == 1 {
				st.ExpiresRaw = truncate(value, 100)
				t, err := time.Parse(time.RFC3339, value)
				if err != nil {
					st.ExpiresErr = fmt.Errorf("the Expires value %q is not an RFC 3339 date-time", truncate(value, 60))
				} else {
					st.Expires = t
				}
			}
		}
	}
	return st
}

// permissiveCrossDomain says whether a Flash crossdomain.xml or Silverlight
// clientaccesspolicy.xml lets any domain in.
func permissiveCrossDomain(b []byte) (bool, error) {
	dec := xml.NewDecoder(bytes.NewReader(b[:min(len(b), 256<<10)]))
	dec.Strict = false
	for n := 0; n < 100000; n++ {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return false, nil
			}
			return false, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range se.Attr {
			switch {
			case se.Name.Local == "allow-access-from" && a.Name.Local == "domain" && strings.TrimSpace(a.Value) == "*":
				return true, nil
			case se.Name.Local == "domain" && a.Name.Local == "uri" && (strings.TrimSpace(a.Value) == "*" || strings.TrimSpace(a.Value) == "http://*" || strings.TrimSpace(a.Value) == "https://*"):
				return true, nil
			}
		}
	}
	return false, nil
}

var versionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[0-9]+\.[0-9]+`) })

// hasVersion says whether a banner such as Server names a version.
func hasVersion(banner string) bool { return versionRE().MatchString(banner) }
