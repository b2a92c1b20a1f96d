package live

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ActiveReport is what the --active checks learned.
type ActiveReport struct {
	// LoginURL is the form the throttling check used ("" when none was found).
	LoginURL string `json:"login_url,omitempty"`
	// Attempts is how many failed logins were sent, Statuses their answers.
	Attempts int   `json:"attempts"`
	Statuses []int `json:"statuses,omitempty"`
	// Throttled says the site answered 429, locked the account out or asked
	// for a captcha; ThrottledBy says which.
	Throttled   bool   `json:"throttled"`
	ThrottledBy string `json:"throttled_by,omitempty"`
	LoginErr    string `json:"login_error,omitempty"`
	// OpenPorts lists the database and cache ports that accepted a TCP
	// connection on the site's address; Addr is that address.
	Addr       string `json:"addr,omitempty"`
	OpenPorts  []int  `json:"open_ports,omitempty"`
	PortsTried []int  `json:"ports_tried,omitempty"`
}

var lockoutWords = []string{"too many", "locked", "lockout", "try again later", "temporarily blocked", "captcha", "recaptcha", "hcaptcha", "cf-turnstile", "rate limit"}

// active runs the intrusive checks: failed logins against the admin or a
// login form with a made-up user, and connect-only probes of service ports.
func (f *fetcher) active(ctx context.Context, res *Result, client *http.Client) *ActiveReport {
	rep := &ActiveReport{}
	login := res.Admin
	if login == nil || !ParseHTML(login.Body).HasAdminLogin {
		login = nil
		for _, p := range res.Logins {
			if p.Response != nil && p.Response.Status == 200 && len(ParseHTML(p.Response.Body).PasswordForms) > 0 {
				login = p.Response
				break
			}
		}
	}
	if login != nil {
		f.throttle(ctx, rep, login, client)
	} else {
		rep.LoginErr = "no login form found at /admin/, /accounts/login/ or /login/"
	}
	addr, err := f.opts.hostAddr(ctx, res.Base)
	if err != nil {
		res.errorf("--active port checks: %v", err)
		return rep
	}
	rep.Addr = addr
	for _, port := range f.opts.ServicePorts {
		if ctx.Err() != nil {
			break
		}
		rep.PortsTried = append(rep.PortsTried, port)
		conn, err := f.opts.dialer(min(f.opts.Timeout, 3*time.Second)).DialContext(ctx, "tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err == nil {
			conn.Close()
			rep.OpenPorts = append(rep.OpenPorts, port)
		}
	}
	return rep
}

// loginFields finds the username and password field names of the first
// form with a password input, and its hidden inputs.
func loginFields(body []byte) (action, user, pass string, hidden url.Values) {
	hidden = url.Values{}
	p := ParseHTML(body)
	if len(p.PasswordForms) > 0 {
		action = p.PasswordForms[0]
	}
	user, pass = "username", "password"
	// A second, small pass for names: the tokenizer data is already bounded.
	for _, in := range inputs(body) {
		switch {
		case strings.EqualFold(in.typ, "password"):
			pass = in.name
		case strings.EqualFold(in.typ, "hidden") && in.name != "":
			hidden.Set(in.name, in.value)
		case (in.typ == "" || strings.EqualFold(in.typ, "text") || strings.EqualFold(in.typ, "email")) && in.name != "" && (strings.Contains(strings.ToLower(in.name), "user") || strings.Contains(strings.ToLower(in.name), "login") || strings.Contains(strings.ToLower(in.name), "mail")):
			user = in.name
		}
	}
	return
}

func (f *fetcher) throttle(ctx context.Context, rep *ActiveReport, login *Response, client *http.Client) {
	rep.LoginURL = redactURL(login.URL)
	user := "djangoguard-probe-" + randomToken()
	for i := 0; i < f.opts.LoginAttempts && ctx.Err() == nil; i++ {
		// Fetch the form each time for a fresh CSRF token and cookie.
		jar := newJar()
		page, err := f.do(ctx, client, request{URL: login.URL})
		if page == nil {
			rep.LoginErr = err.Error()
			return
		}
		jar.store(page)
		action, userField, passField, form := loginFields(page.Body)
		target := login.URL
		if action != "" {
			if u, err := login.URL.Parse(action); err == nil && strings.EqualFold(u.Hostname(), login.URL.Hostname()) {
				target = u
			}
		}
		form.Set(userField, user)
		form.Set(passField, "not-the-password-"+randomToken())
		h := jar.header(target)
		if h == nil {
			h = http.Header{}
		}
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		h.Set("Referer", login.URL.String())
		h.Set("Origin", login.URL.Scheme+"://"+login.URL.Host)
		resp, err := f.do(ctx, client, request{Method: http.MethodPost, URL: target, Header: h, Body: strings.NewReader(form.Encode())})
		rep.Attempts++
		if resp == nil {
			rep.LoginErr = err.Error()
			return
		}
		rep.Statuses = append(rep.Statuses, resp.Status)
		if resp.Status == http.StatusTooManyRequests {
			rep.Throttled, rep.ThrottledBy = true, fmt.Sprintf("HTTP 429 after %d attempts", i+1)
			return
		}
		low := bytes.ToLower(resp.Body)
		for _, w := range lockoutWords {
			if bytes.Contains(low, []byte(w)) {
				rep.Throttled, rep.ThrottledBy = true, fmt.Sprintf("%q in the answer to attempt %d", w, i+1)
				return
			}
		}
		if resp.Status == http.StatusForbidden && i > 0 && rep.Statuses[0] != http.StatusForbidden {
			rep.Throttled, rep.ThrottledBy = true, fmt.Sprintf("HTTP 403 from attempt %d", i+1)
			return
		}
	}
}

type htmlInput struct{ typ, name, value string }

func inputs(body []byte) []htmlInput {
	var out []htmlInput
	for _, tag := range findTags(body, "input", 200) {
		out = append(out, htmlInput{typ: tag["type"], name: tag["name"], value: tag["value"]})
	}
	return out
}
