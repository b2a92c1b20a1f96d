package live

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Cookie is a Set-Cookie header as the probe reads it. SameSite keeps the
// raw attribute so that a missing attribute ("") and an invalid one differ.
type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"-"`
	Domain   string `json:"domain,omitempty"`
	Path     string `json:"path,omitempty"`
	Secure   bool   `json:"secure"`
	HttpOnly bool   `json:"httponly"`
	// SameSite is the lower-cased attribute value: "lax", "strict", "none",
	// "" when absent, or the invalid value as given.
	SameSite    string `json:"samesite,omitempty"`
	HasSameSite bool   `json:"-"`
	MaxAge      *int   `json:"-"`
	// SetOn is the URL of the response that set it.
	SetOn string `json:"set_on"`
	Raw   string `json:"-"`
}

// ValidSameSite says whether the SameSite attribute is lax, strict or none.
func (c *Cookie) ValidSameSite() bool {
	switch c.SameSite {
	case "lax", "strict", "none":
		return true
	}
	return false
}

// ParseSetCookie parses one Set-Cookie header value. It returns false when
// the header has no cookie name (browsers ignore such headers).
func ParseSetCookie(raw string) (Cookie, bool) {
	if len(raw) > 8192 {
		raw = raw[:8192]
	}
	parts := strings.Split(raw, ";")
	nv := strings.TrimSpace(parts[0])
	eq := strings.IndexByte(nv, '=')
	if eq <= 0 {
		return Cookie{}, false
	}
	c := Cookie{Name: strings.TrimSpace(nv[:eq]), Value: strings.TrimSpace(nv[eq+1:]), Raw: raw}
	if c.Name == "" {
		return Cookie{}, false
	}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		key, val, _ := strings.Cut(p, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "secure":
			c.Secure = true
		case "httponly":
			c.HttpOnly = true
		case "samesite":
			c.HasSameSite = true
			c.SameSite = strings.ToLower(val)
		case "domain":
			c.Domain = strings.ToLower(strings.TrimPrefix(val, "."))
		case "path":
			c.Path = val
		case "max-age":
			if n, err := strconv.Atoi(val); err == nil {
				c.MaxAge = &n
			}
		}
	}
	return c, true
}

// hasInvalidSameSite reports a SameSite attribute that is empty or not one
// of lax, strict, none, read from the raw header as the Observatory does.
func hasInvalidSameSite(raw string) bool {
	for _, p := range strings.Split(strings.TrimSpace(raw), ";") {
		key, val, hasEq := strings.Cut(strings.TrimSpace(p), "=")
		if strings.ToLower(strings.TrimSpace(key)) != "samesite" {
			continue
		}
		// The Observatory splits on "=" and reads the second piece only.
		if i := strings.IndexByte(val, '='); i >= 0 {
			val = val[:i]
		}
		if !hasEq || val == "" {
			return true
		}
		switch strings.ToLower(strings.TrimSpace(val)) {
		case "lax", "strict", "none":
		default:
			return true
		}
	}
	return false
}

// Jar keeps the cookies set along one redirect chain, keyed by name, domain
// and path; a later cookie replaces an earlier one.
type Jar struct {
	cookies []Cookie
}

func newJar() *Jar { return &Jar{} }

// maxJarCookies bounds the jar against a server sending thousands of cookies.
const maxJarCookies = 500

func (j *Jar) store(resp *Response) {
	for _, raw := range resp.Header.Values("Set-Cookie") {
		c, ok := ParseSetCookie(raw)
		if !ok {
			continue
		}
		// A Secure cookie set over plain http is rejected, as browsers and
		// the Observatory's cookie jar do.
		if c.Secure && resp.URL.Scheme != "https" {
			continue
		}
		// Cookie prefixes (RFC 6265bis): a cookie breaking its prefix's
		// rules is dropped, as browsers and the Observatory's jar do.
		if strings.HasPrefix(c.Name, "__Secure-") && !c.Secure {
			continue
		}
		if strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Domain != "" || c.Path != "/") {
			continue
		}
		host := strings.ToLower(resp.URL.Hostname())
		if c.Domain == "" {
			c.Domain = host
		} else if host != c.Domain && !strings.HasSuffix(host, "."+c.Domain) {
			continue // a cookie for another site is rejected
		}
		if c.Path == "" || !strings.HasPrefix(c.Path, "/") {
			c.Path = defaultPath(resp.URL.Path)
		}
		c.SetOn = redactURL(resp.URL)
		replaced := false
		for i := range j.cookies {
			o := &j.cookies[i]
			if o.Name == c.Name && o.Domain == c.Domain && o.Path == c.Path {
				j.cookies = append(j.cookies[:i], j.cookies[i+1:]...)
				replaced = true
				break
			}
		}
		if c.MaxAge != nil && *c.MaxAge <= 0 {
			continue // deletion
		}
		if !replaced && len(j.cookies) >= maxJarCookies {
			continue
		}
		j.cookies = append(j.cookies, c)
	}
}

func defaultPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/"
	}
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// Cookies returns the cookies in the jar, in the order they were set.
func (j *Jar) Cookies() []Cookie {
	if j == nil {
		return nil
	}
	return append([]Cookie(nil), j.cookies...)
}

// header returns the Cookie header to send to u.
func (j *Jar) header(u *url.URL) http.Header {
	host := strings.ToLower(u.Hostname())
	var pairs []string
	for _, c := range j.cookies {
		if c.Secure && u.Scheme != "https" {
			continue
		}
		if host != c.Domain && !strings.HasSuffix(host, "."+c.Domain) {
			continue
		}
		p := u.Path
		if p == "" {
			p = "/"
		}
		if !strings.HasPrefix(p, c.Path) {
			continue
		}
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	if len(pairs) == 0 {
		return nil
	}
	return http.Header{"Cookie": {strings.Join(pairs, "; ")}}
}
