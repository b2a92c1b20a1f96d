package live

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options configures a probe. The zero value is not ready: use
// DefaultOptions and change what you need.
type Options struct {
	// Timeout bounds each request (connect, TLS, headers and body).
	Timeout time.Duration
	// Deadline bounds the whole probe of one URL.
	Deadline time.Duration
	// MaxRedirects is how many redirects a chain follows (the Observatory: 10).
	MaxRedirects int
	UserAgent    string
	// Headers are sent with every https request to the host named in the
	// URL, and never to any other host.
	Headers http.Header
	// HeadersOverHTTP also sends Headers over plain http (to the named host
	// only), as the Observatory's sendHeadersOverHttp.
	HeadersOverHTTP bool
	// Resolve maps "host:port" to an IP address, as curl --resolve.
	Resolve map[string]string
	// ConnectTo maps "host:port" to another "host:port", as curl --connect-to.
	ConnectTo map[string]string
	// RootCAs verifies certificates; nil means the system roots.
	RootCAs *x509.CertPool
	// Preload is the HSTS preload list; nil when none was given.
	Preload *PreloadList
	// MaxBody caps the bytes read from each body, after decompression.
	MaxBody int64
	// MaxHeaderBytes caps the size of response headers.
	MaxHeaderBytes int64
	// SkipTLS skips the TLS protocol and cipher scan.
	SkipTLS bool
	// Active enables the intrusive checks: login throttling and database
	// and cache ports.
	Active bool
	// LoginAttempts is how many failed logins the throttling check makes.
	LoginAttempts int
	// ServicePorts are the ports --active tries to connect to.
	ServicePorts []int
	// Now returns the current time (tests fix it).
	Now func() time.Time
	// Control, when set, runs for every connection the probe makes, after
	// name resolution and before the connection is made (as
	// net.Dialer.Control); an error refuses the connection. The dashboard
	// sets it to refuse internal addresses, so that a redirect to another
	// host or a name that now resolves elsewhere cannot reach them.
	Control func(network, address string, c syscall.RawConn) error
}

// dialer returns a net.Dialer with the given timeout and the probe's
// connection check.
func (o *Options) dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, Control: o.Control}
}

// DefaultServicePorts are PostgreSQL, MySQL, Redis, Memcached and MongoDB.
var DefaultServicePorts = []int{5432, 3306, 6379, 11211, 27017}

// DefaultOptions returns the options the command line starts from.
func DefaultOptions() Options {
	return Options{
		Timeout:        10 * time.Second,
		Deadline:       90 * time.Second,
		MaxRedirects:   10,
		UserAgent:      "djangoguard-probe/1 (+https://github.com/djangoguard/djangoguard)",
		MaxBody:        2 << 20,
		MaxHeaderBytes: 64 << 10,
		LoginAttempts:  10,
		ServicePorts:   append([]int(nil), DefaultServicePorts...),
		Now:            time.Now,
	}
}

func (o *Options) normalise() {
	d := DefaultOptions()
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.Deadline <= 0 {
		o.Deadline = d.Deadline
	}
	if o.MaxRedirects < 0 {
		o.MaxRedirects = 0
	}
	if o.UserAgent == "" {
		o.UserAgent = d.UserAgent
	}
	if o.MaxBody <= 0 {
		o.MaxBody = d.MaxBody
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if o.LoginAttempts <= 0 {
		o.LoginAttempts = d.LoginAttempts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// mapAddr applies --connect-to then --resolve to a dial address.
func (o *Options) mapAddr(addr string) string {
	key := strings.ToLower(addr)
	if to, ok := o.ConnectTo[key]; ok {
		addr = to
		key = strings.ToLower(to)
	}
	if ip, ok := o.Resolve[key]; ok {
		_, port, err := net.SplitHostPort(addr)
		if err == nil {
			return net.JoinHostPort(ip, port)
		}
	}
	return addr
}

// ParseResolve parses curl's --resolve HOST:PORT:ADDR into the map.
func ParseResolve(m map[string]string, spec string) error {
	host, rest, ok1 := strings.Cut(spec, ":")
	port, addr, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || host == "" || addr == "" {
		return fmt.Errorf("--resolve %q: want HOST:PORT:ADDR", spec)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("--resolve %q: bad port %q", spec, port)
	}
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if net.ParseIP(addr) == nil {
		return fmt.Errorf("--resolve %q: %q is not an IP address", spec, addr)
	}
	m[strings.ToLower(net.JoinHostPort(host, port))] = addr
	return nil
}

// ParseConnectTo parses curl's --connect-to HOST1:PORT1:HOST2:PORT2.
func ParseConnectTo(m map[string]string, spec string) error {
	parts := strings.Split(spec, ":")
	if len(parts) != 4 || parts[0] == "" || parts[2] == "" {
		return fmt.Errorf("--connect-to %q: want HOST1:PORT1:HOST2:PORT2", spec)
	}
	for _, p := range []string{parts[1], parts[3]} {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return fmt.Errorf("--connect-to %q: bad port %q", spec, p)
		}
	}
	m[strings.ToLower(net.JoinHostPort(parts[0], parts[1]))] = net.JoinHostPort(parts[2], parts[3])
	return nil
}

// ParseHeader parses "Name: value" for --header.
func ParseHeader(h http.Header, spec string) error {
	name, value, ok := strings.Cut(spec, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("--header %q: want \"Name: value\"", spec)
	}
	h.Add(name, strings.TrimSpace(value))
	return nil
}

// LoadCACert builds a pool of the system roots plus the PEM certificates in
// path.
func LoadCACert(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ca-cert: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("--ca-cert %s: no PEM certificate found", path)
	}
	return pool, nil
}
