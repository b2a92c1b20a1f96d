package live

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// CertInfo describes one certificate of the chain the server sent.
type CertInfo struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	DNSNames           []string  `json:"dns_names,omitempty"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	KeyAlgorithm       string    `json:"key_algorithm"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SelfSigned         bool      `json:"self_signed"`
}

// TLSReport is what the TLS scan learned about the https endpoint.
type TLSReport struct {
	// URL is the https origin scanned, as findings name it.
	URL  string `json:"url"`
	Host string `json:"host"`
	Addr string `json:"addr"`
	// Err is set when no handshake succeeded.
	Err string `json:"error,omitempty"`
	// Versions lists the protocol versions the server accepted.
	Versions []string `json:"versions"`
	// Tried lists every version tried, with the error of the refused ones.
	Tried map[string]string `json:"tried"`
	// Suites maps a version to the suite the server chose for it.
	Suites map[string]string `json:"suites,omitempty"`
	Chain  []CertInfo        `json:"chain,omitempty"`
	// VerifyErr is the chain verification error (roots: system plus --ca-cert).
	VerifyErr string `json:"verify_error,omitempty"`
	// HostnameErr is set when the leaf does not cover the host name.
	HostnameErr string `json:"hostname_error,omitempty"`
	// ThreeDES lists the versions on which the server accepted a 3DES suite.
	ThreeDES []string `json:"3des,omitempty"`
	// CBCOnly lists old versions (TLS 1.0, 1.1), where only CBC suites exist.
	CBCOnly []string `json:"cbc_only,omitempty"`
	// Heartbleed is "vulnerable", "not vulnerable", or why it was not
	// tested; "" without --active or when no TLS 1.0-1.2 handshake succeeded.
	Heartbleed string `json:"heartbleed,omitempty"`
	// Now is when the scan ran, for expiry.
	Now time.Time `json:"-"`
}

var tlsVersions = []struct {
	v    uint16
	name string
}{
	{tls.VersionTLS10, "TLS 1.0"},
	{tls.VersionTLS11, "TLS 1.1"},
	{tls.VersionTLS12, "TLS 1.2"},
	{tls.VersionTLS13, "TLS 1.3"},
}

// allSuites are every TLS 1.0-1.2 suite Go's client implements, except RC4
// (Go's client cannot negotiate RC4, so RC4 is not tested).
func allSuites() []uint16 {
	var out []uint16
	for _, s := range tls.CipherSuites() {
		out = append(out, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		if strings.Contains(s.Name, "RC4") {
			continue
		}
		out = append(out, s.ID)
	}
	return out
}

func tripleDESSuites() []uint16 {
	var out []uint16
	for _, s := range tls.InsecureCipherSuites() {
		if strings.Contains(s.Name, "3DES") {
			out = append(out, s.ID)
		}
	}
	return out
}

// scanTLS handshakes with the https endpoint once per protocol version, and
// again with only 3DES suites, and inspects the certificate chain.
func scanTLS(ctx context.Context, opts *Options, httpsURL *url.URL) *TLSReport {
	host := httpsURL.Hostname()
	port := httpsURL.Port()
	if port == "" {
		port = "443"
	}
	addr := opts.mapAddr(net.JoinHostPort(host, port))
	origin := url.URL{Scheme: "https", Host: httpsURL.Host, Path: "/"}
	rep := &TLSReport{URL: origin.String(), Host: host, Addr: addr, Tried: map[string]string{}, Suites: map[string]string{}, Now: opts.Now()}
	var best *tls.ConnectionState
	for _, tv := range tlsVersions {
		cs, err := handshake(ctx, opts, addr, host, tv.v, allSuites())
		if err != nil {
			rep.Tried[tv.name] = shortErr(err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		rep.Tried[tv.name] = ""
		rep.Versions = append(rep.Versions, tv.name)
		rep.Suites[tv.name] = tls.CipherSuiteName(cs.CipherSuite)
		if tv.v <= tls.VersionTLS11 {
			rep.CBCOnly = append(rep.CBCOnly, tv.name)
		}
		best = cs
		if tv.v <= tls.VersionTLS12 {
			if _, err := handshake(ctx, opts, addr, host, tv.v, tripleDESSuites()); err == nil {
				rep.ThreeDES = append(rep.ThreeDES, tv.name)
			}
		}
	}
	// Heartbleed's check makes a vulnerable server leak memory (discarded
	// unread), so it is an --active check.
	if hv := heartbleedVersion(rep.Versions); opts.Active && hv != 0 && ctx.Err() == nil {
		vuln, err := checkHeartbleed(ctx, opts.dialer(opts.Timeout), addr, host, hv)
		switch {
		case vuln:
			rep.Heartbleed = "vulnerable"
		case err != nil:
			rep.Heartbleed = "not tested: " + shortErr(err)
		default:
			rep.Heartbleed = "not vulnerable"
		}
	}
	if best == nil {
		rep.Err = "no TLS handshake succeeded"
		for _, tv := range tlsVersions {
			if e := rep.Tried[tv.name]; e != "" {
				rep.Err += "; " + tv.name + ": " + e
				break
			}
		}
		return rep
	}
	certs := best.PeerCertificates
	for _, c := range certs {
		rep.Chain = append(rep.Chain, certInfo(c))
	}
	if len(certs) > 0 {
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		_, err := certs[0].Verify(x509.VerifyOptions{Roots: opts.RootCAs, Intermediates: inter, CurrentTime: rep.Now})
		if err != nil {
			rep.VerifyErr = err.Error()
		}
		if err := certs[0].VerifyHostname(host); err != nil {
			rep.HostnameErr = err.Error()
		}
	}
	return rep
}

func handshake(ctx context.Context, opts *Options, addr, host string, version uint16, suites []uint16) (*tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	d := &tls.Dialer{
		NetDialer: opts.dialer(opts.Timeout),
		Config: &tls.Config{
			ServerName:         host,
			InsecureSkipVerify: true, // #nosec G402 -- the chain is verified separately below, to report every problem
			MinVersion:         version,
			MaxVersion:         version,
			CipherSuites:       suites,
		},
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	cs := conn.(*tls.Conn).ConnectionState()
	return &cs, nil
}

func shortErr(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	s := err.Error()
	if i := strings.LastIndex(s, "tls: "); i >= 0 {
		s = s[i:]
	}
	return truncate(s, 160)
}

func certInfo(c *x509.Certificate) CertInfo {
	ci := CertInfo{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(), DNSNames: c.DNSNames,
		NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		SelfSigned:         c.Subject.String() == c.Issuer.String() && c.CheckSignatureFrom(c) == nil,
	}
	if len(ci.DNSNames) > 20 {
		ci.DNSNames = append(ci.DNSNames[:20:20], fmt.Sprintf("... %d more", len(c.DNSNames)-20))
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		ci.KeyAlgorithm, ci.KeyBits = "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		ci.KeyAlgorithm, ci.KeyBits = "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		ci.KeyAlgorithm, ci.KeyBits = "Ed25519", 256
	default:
		ci.KeyAlgorithm = c.PublicKeyAlgorithm.String()
	}
	return ci
}

// weakSignature says whether a signature algorithm is broken (MD5, SHA-1).
func weakSignature(alg string) bool {
	a := strings.ToUpper(alg)
	return strings.Contains(a, "MD5") || strings.Contains(a, "MD2") || strings.Contains(a, "SHA1")
}

// weakKey says whether a certificate key is too small.
func weakKey(ci CertInfo) bool {
	switch ci.KeyAlgorithm {
	case "RSA":
		return ci.KeyBits < 2048
	case "ECDSA":
		return ci.KeyBits < 256
	}
	return false
}

// heartbleedVersion is the highest accepted version a heartbeat can be
// sent over (TLS 1.3 has no heartbeat), 0 when none.
func heartbleedVersion(accepted []string) uint16 {
	v := uint16(0)
	for _, tv := range tlsVersions {
		for _, a := range accepted {
			if a == tv.name && tv.v <= tls.VersionTLS12 && tv.v > v {
				v = tv.v
			}
		}
	}
	return v
}
