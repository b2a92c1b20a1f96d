package live

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Heartbleed (CVE-2014-0160): OpenSSL 1.0.1 to 1.0.1f answered a TLS
// heartbeat request with as many bytes as the request claimed to carry,
// reading past the real payload into server memory. The check sends a
// ClientHello offering the heartbeat extension, waits for ServerHelloDone,
// then sends a heartbeat request that claims 16 KiB of payload and carries
// none. A heartbeat response longer than the 3-byte header proves the leak.
// Pony Checkup made the same check.

const (
	recHandshake = 0x16
	recAlert     = 0x15
	recHeartbeat = 0x18
	hsServerDone = 0x0e
)

// heartbleedSuites are widely supported TLS 1.0-1.2 suites, so that an old
// server picks one and finishes its side of the handshake.
var heartbleedSuites = []uint16{
	0xc02f, 0xc02b, 0xc030, 0xc02c, 0xc013, 0xc009, 0xc014, 0xc00a,
	0x009c, 0x009d, 0x002f, 0x0035, 0x000a, 0x0033, 0x0039, 0x0016,
}

// clientHelloWithHeartbeat builds a ClientHello record for version (TLS 1.0
// to 1.2) offering the heartbeat extension.
func clientHelloWithHeartbeat(version uint16, host string) []byte {
	var body []byte
	body = binary.BigEndian.AppendUint16(body, version)
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	body = append(body, random...)
	body = append(body, 0) // no session id
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(heartbleedSuites)))
	for _, s := range heartbleedSuites {
		body = binary.BigEndian.AppendUint16(body, s)
	}
	body = append(body, 1, 0) // null compression
	var ext []byte
	ext = append(ext, 0x00, 0x0f, 0x00, 0x01, 0x01) // heartbeat, peer_allowed_to_send
	if host != "" && net.ParseIP(host) == nil && len(host) < 256 {
		n := len(host)
		ext = append(ext, 0x00, 0x00)
		ext = binary.BigEndian.AppendUint16(ext, uint16(n+5))
		ext = binary.BigEndian.AppendUint16(ext, uint16(n+3))
		ext = append(ext, 0)
		ext = binary.BigEndian.AppendUint16(ext, uint16(n))
		ext = append(ext, host...)
	}
	ext = append(ext, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00)                                     // ec_point_formats: uncompressed
	ext = append(ext, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19) // secp256r1, secp384r1, secp521r1
	ext = append(ext, 0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0c,                                     // signature_algorithms
		0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x02, 0x01, 0x04, 0x03, 0x05, 0x03)
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)

	hs := []byte{0x01, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{recHandshake, 0x03, 0x01}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(hs)))
	return append(rec, hs...)
}

// errNoServerDone means the handshake never reached ServerHelloDone.
var errNoServerDone = errors.New("server did not complete its hello")

// maxHandshakeBytes bounds what is read before ServerHelloDone.
const maxHandshakeBytes = 256 << 10

// checkHeartbleed reports whether the server at addr leaks memory through
// heartbeats, connecting with d and waiting at most d.Timeout for each
// step. A server that refuses the hello is not vulnerable (err nil).
func checkHeartbleed(ctx context.Context, d *net.Dialer, addr, host string, version uint16) (bool, error) {
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	return heartbleedOver(ctx, conn, d.Timeout, host, version)
}

// heartbleedOver runs the check over an open connection.
func heartbleedOver(ctx context.Context, conn net.Conn, timeout time.Duration, host string, version uint16) (bool, error) {
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	if _, err := conn.Write(clientHelloWithHeartbeat(version, host)); err != nil {
		return false, fmt.Errorf("send hello: %w", err)
	}
	// Read handshake records until ServerHelloDone.
	var hs []byte
	read := 0
	done := false
	for !done {
		typ, body, err := readRecord(conn)
		if err != nil {
			return false, fmt.Errorf("%w: %v", errNoServerDone, err)
		}
		read += len(body)
		if read > maxHandshakeBytes {
			return false, fmt.Errorf("%w: more than %d bytes", errNoServerDone, maxHandshakeBytes)
		}
		switch typ {
		case recAlert:
			return false, nil // hello refused: nothing to test
		case recHandshake:
			hs = append(hs, body...)
			for len(hs) >= 4 {
				n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
				if len(hs) < 4+n {
					break
				}
				if hs[0] == hsServerDone {
					done = true
				}
				hs = hs[4+n:]
			}
		}
	}
	// A heartbeat request claiming 16 KiB of payload, carrying none.
	hb := []byte{recHeartbeat, byte(version >> 8), byte(version), 0x00, 0x03, 0x01, 0x40, 0x00}
	if _, err := conn.Write(hb); err != nil {
		return false, nil // the server closed: not vulnerable
	}
	wait := time.Now().Add(min(timeout, 3*time.Second))
	if wait.Before(deadline) {
		_ = conn.SetDeadline(wait)
	}
	for i := 0; i < 16; i++ {
		typ, body, err := readRecordHeaderOnly(conn)
		if err != nil {
			return false, nil // silence, EOF or timeout: no leak
		}
		switch typ {
		case recHeartbeat:
			return body > 3, nil
		case recAlert:
			return false, nil
		}
	}
	return false, nil
}

// readRecord reads one TLS record (at most 18 KiB of body).
func readRecord(r io.Reader) (byte, []byte, error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint16(h[3:]))
	if n > 18<<10 {
		return 0, nil, fmt.Errorf("record of %d bytes", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return h[0], body, nil
}

// readRecordHeaderOnly reads a record header and discards up to 64 KiB of
// its body; it returns the type and the announced length.
func readRecordHeaderOnly(r io.Reader) (byte, int, error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, 0, err
	}
	n := int(binary.BigEndian.Uint16(h[3:]))
	if h[0] != recHeartbeat {
		if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
			return 0, 0, err
		}
	}
	return h[0], n, nil
}
