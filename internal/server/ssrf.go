package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// Resolver looks host names up; net.DefaultResolver is one. Tests use a
// fake that maps names to private addresses.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard keeps scans and webhooks away from internal addresses: loopback,
// private, link-local (the cloud metadata service 169.254.169.254 among
// them), CGNAT, unspecified, multicast and reserved ranges are refused
// unless a prefix in Allow covers them.
type Guard struct {
	Allow    []netip.Prefix
	Resolver Resolver
}

// ErrBlockedAddress is wrapped by every refusal.
var ErrBlockedAddress = errors.New("address not allowed")

var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
		"224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
		"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Allowed says whether the guard lets a connection to a reach.
func (g *Guard) Allowed(a netip.Addr) error {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return nil
		}
	}
	if !a.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrBlockedAddress)
	}
	if a.Is6() && !a.Is4In6() {
		// 6to4 and Teredo embed IPv4 addresses: judge the embedded one too.
		b := a.As16()
		if b[0] == 0x20 && b[1] == 0x02 {
			if err := g.Allowed(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); err != nil {
				return err
			}
		}
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			what := "a private or reserved address"
			switch {
			case a.IsLoopback():
				what = "a loopback address"
			case a == netip.MustParseAddr("169.254.169.254") || a == netip.MustParseAddr("fd00:ec2::254"):
				what = "the cloud metadata service"
			case a.IsLinkLocalUnicast():
				what = "a link-local address"
			case a.IsPrivate():
				what = "a private address"
			}
			return fmt.Errorf("%w: %s is %s (allow it with --allow-target %s)", ErrBlockedAddress, a, what, p)
		}
	}
	return nil
}

// Resolve looks host up and returns its addresses when every one is
// allowed; an IP literal is judged as it is.
func (g *Guard) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if a, err := netip.ParseAddr(host); err == nil {
		if err := g.Allowed(a); err != nil {
			return nil, err
		}
		return []netip.Addr{a.Unmap()}, nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolving %s: no address", host)
	}
	for _, a := range addrs {
		if err := g.Allowed(a); err != nil {
			return nil, fmt.Errorf("%s resolves to %w", host, err)
		}
	}
	return addrs, nil
}

// DialControl is a net.Dialer Control function that refuses connections
// to disallowed addresses. It runs after name resolution, on the address
// actually dialled, so a name that resolves to a public address when
// checked and to a private one when connecting (DNS rebinding) fails.
func (g *Guard) DialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrBlockedAddress, address)
	}
	return g.Allowed(ap.Addr())
}

// ParseAllow reads --allow-target values: a CIDR prefix or one address.
func ParseAllow(specs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range specs {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if p, err := netip.ParsePrefix(part); err == nil {
				out = append(out, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("--allow-target %q: want an address or a CIDR prefix", part)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out, nil
}
