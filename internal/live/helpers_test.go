package live

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// testPKI is a certificate authority made for one test, and a server
// certificate it issued.
type testPKI struct {
	CAPEM    []byte
	Pool     *x509.CertPool
	Cert     tls.Certificate
	CertPEM  []byte
	KeyPEM   []byte
	CAFile   string
	CertFile string
	KeyFile  string
}

type certSpec struct {
	rsa       bool // an RSA 2048 key instead of ECDSA P-256
	hosts     []string
	notBefore time.Time
	notAfter  time.Time
}

// newPKI generates a CA and a certificate for hosts, valid for a year.
func newPKI(t testing.TB, hosts ...string) *testPKI {
	return newPKIWith(t, certSpec{hosts: hosts, notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(365 * 24 * time.Hour)})
}

func newPKIWith(t testing.TB, spec certSpec) *testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "djangoguard test CA"},
		NotBefore:             time.Now().Add(-24 * time.Hour),
		NotAfter:              time.Now().Add(2 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	var key crypto.Signer
	if spec.rsa {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: spec.hosts[0]},
		NotBefore:    spec.notBefore,
		NotAfter:     spec.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if spec.rsa {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	for _, h := range spec.hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		Pool:    x509.NewCertPool(),
	}
	p.Pool.AddCert(caCert)
	p.Cert, err = tls.X509KeyPair(p.CertPEM, p.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p.CAFile, p.CertFile, p.KeyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for f, b := range map[string][]byte{p.CAFile: p.CAPEM, p.CertFile: p.CertPEM, p.KeyFile: p.KeyPEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// localSite runs an http and an https server on 127.0.0.1 and returns
// options that reach them as site.test:80 and site.test:443.
type localSite struct {
	HTTPAddr, HTTPSAddr string
	Opts                Options
}

func startSite(t testing.TB, pki *testPKI, httpH, httpsH http.Handler) *localSite {
	t.Helper()
	ls := &localSite{}
	serve := func(h http.Handler, tlsConf *tls.Config) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: h, TLSConfig: tlsConf, ReadHeaderTimeout: 5 * time.Second,
			ErrorLog: log.New(io.Discard, "", 0)} // the TLS scan's refused handshakes are expected
		go func() {
			if tlsConf != nil {
				_ = srv.ServeTLS(l, "", "")
			} else {
				_ = srv.Serve(l)
			}
		}()
		t.Cleanup(func() { _ = srv.Close() })
		return l.Addr().String()
	}
	opts := DefaultOptions()
	opts.ConnectTo = map[string]string{}
	if httpH != nil {
		ls.HTTPAddr = serve(httpH, nil)
		opts.ConnectTo["site.test:80"] = ls.HTTPAddr
	} else {
		opts.ConnectTo["site.test:80"] = closedAddr(t)
	}
	if httpsH != nil {
		ls.HTTPSAddr = serve(httpsH, &tls.Config{Certificates: []tls.Certificate{pki.Cert}, MinVersion: tls.VersionTLS12})
		opts.ConnectTo["site.test:443"] = ls.HTTPSAddr
	} else {
		opts.ConnectTo["site.test:443"] = closedAddr(t)
	}
	opts.RootCAs = pki.Pool
	opts.Timeout = 5 * time.Second
	opts.Deadline = 30 * time.Second
	ls.Opts = opts
	return ls
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

// redirectToHTTPS is the plain-http side of a correctly set up site.
var redirectToHTTPS = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "https://site.test"+r.URL.RequestURI(), http.StatusMovedPermanently)
})

// page serves a fixed page with headers at "/", 404 elsewhere.
func page(headers http.Header, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range headers {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if r.URL.Path != "/" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("not found"))
			return
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		_, _ = w.Write([]byte(body))
	})
}
