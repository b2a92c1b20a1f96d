package live

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Response is one HTTP response as the probe keeps it: headers, and at most
// Options.MaxBody bytes of the (decompressed) body.
type Response struct {
	Method string
	URL    *url.URL
	Status int
	Header http.Header
	Body   []byte
	// Truncated says the body was longer than the cap and was cut.
	Truncated bool
	// Verified is false when the response came over TLS without certificate
	// verification (after a certificate error was retried).
	Verified bool
	// TLS is the connection state of an https response.
	TLS *tls.ConnectionState
	// RequestHeader is what was sent.
	RequestHeader http.Header
}

// ContentType returns the media type of the response, lower-cased, without
// parameters; "" when the header is absent.
func (r *Response) ContentType() string {
	if r == nil {
		return ""
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// Joined returns all values of a header joined with ", ", as browsers and
// the Observatory's HTTP client see a repeated header.
func (r *Response) Joined(name string) (string, bool) {
	if r == nil {
		return "", false
	}
	vs := r.Header.Values(name)
	if len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ", "), true
}

// Hop is one response of a redirect chain.
type Hop struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// Session is one retrieval: a start URL, its redirect chain and the cookies
// set along it, as the Observatory's http and https sessions.
type Session struct {
	Start *url.URL
	// Hops lists every response of the chain in order, the final one last.
	Hops []Hop
	// Responses holds the response of every hop.
	Responses []*Response
	// Final is the last response, nil when the session failed.
	Final *Response
	// Verified is false when a certificate error forced a retry without
	// verification.
	Verified bool
	// CertErr is the certificate error that forced the retry.
	CertErr error
	// Jar holds every cookie set along the chain.
	Jar *Jar
	// Err says why the session has no final response.
	Err error
}

// ErrRedirectLoop, ErrTooManyRedirects and ErrBadRedirectScheme end a chain.
var (
	ErrRedirectLoop      = errors.New("redirect loop")
	ErrTooManyRedirects  = errors.New("too many redirects")
	ErrBadRedirectScheme = errors.New("redirect to a scheme other than http or https")
)

// fetcher makes requests for one probe. It holds no state shared with other
// probes.
type fetcher struct {
	opts       *Options
	host       string // the host the user named; only it gets --header values
	verified   *http.Client
	unverified *http.Client
	transports []*http.Transport
}

func newFetcher(opts *Options, host string) *fetcher {
	f := &fetcher{opts: opts, host: strings.ToLower(host)}
	f.verified = f.client(false)
	f.unverified = f.client(true)
	return f
}

func (f *fetcher) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	target := f.opts.mapAddr(addr)
	conn, err := f.opts.dialer(f.opts.Timeout).DialContext(ctx, network, target)
	if err != nil {
		if target != addr {
			return nil, fmt.Errorf("connect to %s (for %s): %w", target, addr, err)
		}
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	return conn, nil
}

func (f *fetcher) client(insecure bool) *http.Client {
	tlsConf := &tls.Config{
		RootCAs:            f.opts.RootCAs,
		InsecureSkipVerify: insecure, // #nosec G402 -- retry after a certificate error, as the Observatory does; marked unverified
		MinVersion:         tls.VersionTLS10,
	}
	tr := &http.Transport{
		DialContext:            f.dialContext,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    f.opts.Timeout,
		ResponseHeaderTimeout:  f.opts.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: f.opts.MaxHeaderBytes,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	f.transports = append(f.transports, tr)
	return &http.Client{
		Transport: tr,
		Timeout:   f.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func (f *fetcher) close() {
	for _, tr := range f.transports {
		tr.CloseIdleConnections()
	}
}

// request is one request to make.
type request struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   io.Reader
	// MaxBody overrides Options.MaxBody when smaller and not zero.
	MaxBody int64
}

// do makes one request, without following redirects, and reads a capped body.
func (f *fetcher) do(ctx context.Context, client *http.Client, r request) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL.String(), r.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, redactURL(r.URL), err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	// Credentials given with --header go only to the host the user named,
	// and over plain http only when asked.
	if strings.EqualFold(r.URL.Hostname(), f.host) && (r.URL.Scheme == "https" || f.opts.HeadersOverHTTP) {
		for k, vs := range f.opts.Headers {
			if strings.EqualFold(k, "Host") {
				continue
			}
			req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("%s %s: timeout: no answer within %s: %w", method, redactURL(r.URL), f.opts.Timeout, unwrapURLError(err))
		}
		return nil, fmt.Errorf("%s %s: %w", method, redactURL(r.URL), unwrapURLError(err))
	}
	defer resp.Body.Close()
	out := &Response{
		Method:        method,
		URL:           r.URL,
		Status:        resp.StatusCode,
		Header:        resp.Header,
		Verified:      client == f.verified || r.URL.Scheme != "https",
		TLS:           resp.TLS,
		RequestHeader: req.Header,
	}
	if method == http.MethodHead {
		return out, nil
	}
	limit := f.opts.MaxBody
	if r.MaxBody > 0 && r.MaxBody < limit {
		limit = r.MaxBody
	}
	body, truncated, err := readCapped(resp.Body, limit)
	out.Body, out.Truncated = body, truncated
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		return out, fmt.Errorf("%s %s: timeout: body not read within %s (%d bytes came): %w", method, redactURL(r.URL), f.opts.Timeout, len(body), unwrapURLError(err))
	}
	if err != nil {
		return out, fmt.Errorf("%s %s: reading body: %w", method, redactURL(r.URL), unwrapURLError(err))
	}
	return out, nil
}

// readCapped reads at most max bytes; truncated says there was more.
func readCapped(r io.Reader, max int64) ([]byte, bool, error) {
	buf, err := io.ReadAll(io.LimitReader(r, max+1))
	if int64(len(buf)) > max {
		return buf[:max], true, nil
	}
	return buf, false, err
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactURL drops userinfo from a URL for messages.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	return c.String()
}

// isCertError says whether err is a certificate verification failure.
func isCertError(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

var redirectStatus = map[int]bool{301: true, 302: true, 303: true, 307: true, 308: true}

// session retrieves start and follows redirects as the Observatory does,
// retrying without certificate verification after a certificate error.
func (f *fetcher) session(ctx context.Context, start *url.URL) *Session {
	s := &Session{Start: start, Verified: true, Jar: newJar()}
	f.chain(ctx, s, f.verified)
	if s.Err != nil && isCertError(s.Err) {
		s.CertErr = s.Err
		s.Verified = false
		s.Err = nil
		s.Hops, s.Responses, s.Final = nil, nil, nil
		f.chain(ctx, s, f.unverified)
	}
	return s
}

func (f *fetcher) chain(ctx context.Context, s *Session, client *http.Client) {
	cur := s.Start
	seen := map[string]bool{}
	for redirects := 0; ; redirects++ {
		seen[cur.String()] = true
		resp, err := f.do(ctx, client, request{URL: cur, Header: s.Jar.header(cur)})
		if resp == nil {
			s.Err = err
			return
		}
		s.Jar.store(resp)
		s.Hops = append(s.Hops, Hop{URL: cur.String(), Status: resp.Status})
		s.Responses = append(s.Responses, resp)
		if err != nil {
			// The body failed part way (timeout while reading): keep what came.
			s.Final = resp
			s.Err = err
			return
		}
		if !redirectStatus[resp.Status] {
			s.Final = resp
			return
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			s.Final = resp
			return
		}
		if redirects >= f.opts.MaxRedirects {
			s.Err = fmt.Errorf("%w: stopped after %d redirects at %s", ErrTooManyRedirects, redirects, redactURL(cur))
			return
		}
		next, perr := cur.Parse(loc)
		if perr != nil {
			s.Err = fmt.Errorf("redirect from %s: bad Location %q: %w", redactURL(cur), truncate(loc, 200), perr)
			return
		}
		if next.Scheme != "http" && next.Scheme != "https" {
			s.Err = fmt.Errorf("%w: %s redirects to %q", ErrBadRedirectScheme, redactURL(cur), truncate(next.Scheme, 40))
			return
		}
		next.Fragment = ""
		if seen[next.String()] {
			s.Err = fmt.Errorf("%w: %s redirects back to %s", ErrRedirectLoop, redactURL(cur), redactURL(next))
			return
		}
		cur = next
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
