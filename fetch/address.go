package fetch

import (
	"fmt"
	"net/netip"
	"slices"
	"syscall"
)

// specialPrefixes are ranges that are not public unicast addresses beyond
// what netip.Addr's own predicates (loopback, private, link-local,
// multicast, unspecified) cover: "this network", shared address space
// (carrier-grade NAT), IETF protocol assignments, benchmarking, reserved
// and broadcast, the documentation ranges, and IPv6's discard and
// documentation prefixes.
var specialPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// nat64 is the well-known NAT64 prefix (RFC 6052): its last 32 bits are an
// IPv4 address, which is checked in turn.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// isPublic reports whether addr is a public unicast address: one a
// hostile page must not be able to point us away from.
func isPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	if nat64.Contains(addr) {
		b := addr.As16()
		return isPublic(netip.AddrFrom4([4]byte(b[12:16])))
	}
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsUnspecified() ||
		addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() {
		return false
	}
	for _, p := range specialPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// addressGuard is the net.Dialer Control hook: it runs on every resolved
// address just before connect, so neither a redirect nor a DNS answer that
// changes between checks (rebinding) can reach a refused address.
type addressGuard struct {
	allowPrivate bool
	allow        []netip.AddrPort
}

func (g addressGuard) control(network, address string, _ syscall.RawConn) error {
	if g.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read dial address %q", ErrPrivateAddress, address)
	}
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	if isPublic(ap.Addr()) || slices.Contains(g.allow, ap) {
		return nil
	}
	return ErrPrivateAddress // the dialer's error names the address
}
