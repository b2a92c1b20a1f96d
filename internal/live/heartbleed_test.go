package live

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"testing"
	"time"
)

// fakeOldServer speaks just enough TLS to finish its hello; on a heartbeat
// request it answers as a vulnerable OpenSSL would (16 KiB of "memory") or
// as a fixed one (an alert, or silence).
func fakeOldServer(t *testing.T, behaviour string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
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
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, _, err := readRecord(c); err != nil { // ClientHello
					return
				}
				// ServerHello (contents irrelevant to the client) split over
				// two records, then ServerHelloDone.
				hello := append([]byte{0x02, 0x00, 0x00, 0x26}, make([]byte, 0x26)...)
				_, _ = c.Write(append([]byte{recHandshake, 3, 2, 0, 10}, hello[:10]...))
				rest := append(hello[10:], 0x0e, 0, 0, 0)
				rec := []byte{recHandshake, 3, 2}
				rec = binary.BigEndian.AppendUint16(rec, uint16(len(rest)))
				_, _ = c.Write(append(rec, rest...))
				if _, _, err := readRecord(c); err != nil { // the heartbeat
					return
				}
				switch behaviour {
				case "vulnerable":
					leak := make([]byte, 3+16384)
					leak[0], leak[1], leak[2] = 0x02, 0x40, 0x00
					rec := []byte{recHeartbeat, 3, 2}
					rec = binary.BigEndian.AppendUint16(rec, uint16(len(leak)))
					_, _ = c.Write(append(rec, leak...))
				case "alert":
					_, _ = c.Write([]byte{recAlert, 3, 2, 0, 2, 2, 10})
				case "silent":
					_, _ = io.Copy(io.Discard, c)
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

func TestHeartbleed(t *testing.T) {
	for behaviour, want := range map[string]bool{"vulnerable": true, "alert": false, "silent": false} {
		t.Run(behaviour, func(t *testing.T) {
			addr := fakeOldServer(t, behaviour)
			got, err := checkHeartbleed(context.Background(), &net.Dialer{Timeout: 2 * time.Second}, addr, "site.test", tls.VersionTLS11)
			if err != nil || got != want {
				t.Fatalf("vulnerable %v (err %v), want %v", got, err, want)
			}
		})
	}
}

// TestHeartbleedRealTLS runs the check against Go's TLS stack, which has no
// heartbeat support: it must finish its hello and report no leak.
func TestHeartbleedRealTLS(t *testing.T) {
	pki := newPKIWith(t, certSpec{rsa: true, hosts: []string{"site.test"}, notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(48 * time.Hour)})
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.Cert}, MinVersion: tls.VersionTLS10})
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS12} {
		got, err := checkHeartbleed(context.Background(), &net.Dialer{Timeout: 3 * time.Second}, addr, "site.test", v)
		if err != nil || got {
			t.Errorf("version %x: vulnerable %v, err %v", v, got, err)
		}
	}
	if rep := scanLocal(t, addr, pki, "site.test"); rep.Heartbleed != "" {
		t.Errorf("heartbleed tested without --active: %q", rep.Heartbleed)
	}
	opts := DefaultOptions()
	opts.Active = true
	opts.Timeout = 5 * time.Second
	opts.ConnectTo = map[string]string{"site.test:443": addr}
	rep := scanTLS(context.Background(), &opts, &url.URL{Scheme: "https", Host: "site.test"})
	if rep.Heartbleed != "not vulnerable" {
		t.Errorf("scan: heartbleed %q", rep.Heartbleed)
	}
}

func TestHeartbleedRule(t *testing.T) {
	runRuleTable(t, TLSHeartbleed, []ruleCase{
		{"vulnerable", tlsResult(func(r *TLSReport) { r.Heartbleed = "vulnerable" }), 1, 0, "CVE-2014-0160"},
		{"fixed", tlsResult(func(r *TLSReport) { r.Heartbleed = "not vulnerable" }), 0, 0, ""},
	})
}
