package live

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"slices"
	"testing"
	"time"
)

// tlsServer accepts TLS connections with conf and completes handshakes.
func tlsServer(t *testing.T, conf *tls.Config) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", conf)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_ = c.(*tls.Conn).Handshake()
				buf := make([]byte, 1)
				_, _ = c.Read(buf)
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

func scanLocal(t *testing.T, addr string, pki *testPKI, host string) *TLSReport {
	t.Helper()
	opts := DefaultOptions()
	opts.Timeout = 5 * time.Second
	opts.ConnectTo = map[string]string{host + ":443": addr}
	opts.RootCAs = pki.Pool
	return scanTLS(context.Background(), &opts, &url.URL{Scheme: "https", Host: host})
}

func TestTLSScanOldProtocolsAnd3DES(t *testing.T) {
	pki := newPKIWith(t, certSpec{rsa: true, hosts: []string{"site.test"}, notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(100 * 24 * time.Hour)})
	suites := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.Cert}, MinVersion: tls.VersionTLS10, CipherSuites: suites})
	rep := scanLocal(t, addr, pki, "site.test")
	if rep.Err != "" {
		t.Fatal(rep.Err)
	}
	for _, v := range []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"} {
		if !slices.Contains(rep.Versions, v) {
			t.Errorf("%s not detected: %+v", v, rep.Tried)
		}
	}
	if !slices.Equal(rep.CBCOnly, []string{"TLS 1.0", "TLS 1.1"}) {
		t.Errorf("CBC-only versions: %v", rep.CBCOnly)
	}
	if !slices.Contains(rep.ThreeDES, "TLS 1.2") {
		t.Errorf("3DES not detected: %v", rep.ThreeDES)
	}
	if rep.VerifyErr != "" || rep.HostnameErr != "" {
		t.Errorf("chain from the test CA should verify: %s %s", rep.VerifyErr, rep.HostnameErr)
	}
	if c := rep.Chain[0]; c.KeyAlgorithm != "RSA" || c.KeyBits != 2048 {
		t.Errorf("key: %s %d", c.KeyAlgorithm, c.KeyBits)
	}
}

func TestTLSScanModern(t *testing.T) {
	pki := newPKI(t, "site.test")
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.Cert}, MinVersion: tls.VersionTLS12})
	rep := scanLocal(t, addr, pki, "site.test")
	if !slices.Equal(rep.Versions, []string{"TLS 1.2", "TLS 1.3"}) || len(rep.CBCOnly) != 0 || len(rep.ThreeDES) != 0 {
		t.Fatalf("modern server: %+v", rep)
	}
}

func TestTLSScanCertificateProblems(t *testing.T) {
	expired := newPKIWith(t, certSpec{hosts: []string{"site.test"}, notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-time.Hour)})
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{expired.Cert}})
	rep := scanLocal(t, addr, expired, "site.test")
	if rep.VerifyErr == "" {
		t.Error("expired certificate verified")
	}
	r := baseResult(nil)
	r.TLS = rep
	if fs := runRule(t, TLSCertificateExpiry, r); len(fs) != 1 || fs[0].Message[:18] != "certificate expire" {
		t.Errorf("expiry finding: %+v", fs)
	}

	other := newPKI(t, "other.test")
	addr = tlsServer(t, &tls.Config{Certificates: []tls.Certificate{other.Cert}})
	rep = scanLocal(t, addr, other, "site.test")
	if rep.HostnameErr == "" {
		t.Errorf("hostname mismatch not detected: %+v", rep)
	}
	stranger := newPKI(t, "site.test")
	addr = tlsServer(t, &tls.Config{Certificates: []tls.Certificate{stranger.Cert}})
	rep = scanLocal(t, addr, other, "site.test") // trusts other's CA only
	if rep.VerifyErr == "" {
		t.Errorf("untrusted CA not detected: %+v", rep)
	}
}

func TestTLSScanNothingListening(t *testing.T) {
	pki := newPKI(t, "site.test")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	rep := scanLocal(t, addr, pki, "site.test")
	if rep.Err == "" || len(rep.Versions) != 0 {
		t.Fatalf("want an error: %+v", rep)
	}
}
