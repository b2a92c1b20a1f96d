package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
	"testing"
	"time"

	"github.com/djangoguard/djangoguard/internal/catalog"
	"github.com/djangoguard/djangoguard/internal/live"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/store"
)

// testPKI is a throw-away CA and a certificate for localhost/127.0.0.1.
type testPKI struct {
	pool     *x509.CertPool
	cert     tls.Certificate
	caPEM    []byte
	certFile string
	keyFile  string
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "djangoguard test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(200 * 24 * time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	p := &testPKI{pool: x509.NewCertPool(), caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})}
	p.pool.AddCert(ca)
	if p.cert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p.certFile, p.keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(p.certFile, certPEM, 0o600)
	os.WriteFile(p.keyFile, keyPEM, 0o600)
	return p
}

// serveTLS serves h over https on 127.0.0.1 with the redirect listener on
// another port, and returns both addresses.
func serveTLS(t testing.TB, h http.Handler, pki *testPKI) (httpsAddr, httpAddr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pki.cert}},
		ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	// The redirect names the default https port: the probe maps it back
	// to the test port (as curl --connect-to).
	rs := &http.Server{Handler: RedirectHandler("443"), ReadHeaderTimeout: 5 * time.Second}
	go hs.ServeTLS(ln, "", "")
	go rs.Serve(rln)
	t.Cleanup(func() { hs.Close(); rs.Close() })
	return ln.Addr().String(), rln.Addr().String()
}

// TestServerEarnsAPlus probes the dashboard itself, served with TLS and
// its http redirect listener: A+ and no finding at medium or above.
func TestServerEarnsAPlus(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := catalog.Registry()
	srv, err := New(Config{Store: st, Registry: reg, Version: "test", TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	pki := newTestPKI(t)
	httpsAddr, httpAddr := serveTLS(t, srv, pki)
	opts := live.DefaultOptions()
	opts.RootCAs = pki.pool
	opts.ConnectTo = map[string]string{"localhost:443": httpsAddr, "localhost:80": httpAddr}
	opts.Timeout, opts.Deadline = 5*time.Second, 60*time.Second
	res, err := live.Probe(ctx, "https://localhost/", opts)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := live.RunRules(ctx, res, reg.OfKind(rules.Live))
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range res.Tests {
		if !tr.Pass {
			t.Errorf("Observatory test %s: %s", tr.Name, tr.Result)
		}
	}
	if res.Grade != "A+" {
		t.Errorf("grade %s (score %d), want A+", res.Grade, res.Score)
	}
	for _, f := range fs {
		if f.Severity >= rules.Medium {
			t.Errorf("finding %s [%s]: %s", f.RuleID, f.Severity, f.Message)
		} else {
			t.Logf("low finding %s [%s]: %s", f.RuleID, f.Severity, f.Message)
		}
	}
	t.Logf("grade %s, score %d, %d findings", res.Grade, res.Score, len(fs))
}
