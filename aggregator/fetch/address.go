package fetch

import (
	"net/netip"
	"syscall"
)

// specialRange is a block of addresses that is not ordinary public unicast.
type specialRange struct {
	prefix netip.Prefix
	class  string
}

// specialRanges lists the IANA special-purpose blocks (RFC 6890 and its
// updates) that a feed fetcher has no business reaching by default. Blocks
// that embed an IPv4 address (IPv4-mapped, IPv4-translated, NAT64, 6to4,
// Teredo) are handled in ClassifyAddr by checking the embedded address.
var specialRanges = func() []specialRange {
	var rs []specialRange
	add := func(class string, prefixes ...string) {
		for _, p := range prefixes {
			rs = append(rs, specialRange{netip.MustParsePrefix(p), class})
		}
	}
	add("unspecified", "0.0.0.0/8", "::/128")
	add("loopback", "127.0.0.0/8", "::1/128")
	add("private", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
	add("link-local", "169.254.0.0/16", "fe80::/10")
	add("shared (carrier-grade NAT)", "100.64.0.0/10")
	add("protocol-assignment", "192.0.0.0/24")
	add("documentation", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
	add("benchmarking", "198.18.0.0/15", "2001:2::/48")
	add("multicast", "224.0.0.0/4", "ff00::/8")
	add("reserved", "240.0.0.0/4", "192.88.99.0/24", "::/96", "100::/64", "fec0::/10")
	add("local NAT64", "64:ff9b:1::/48")
	return rs
}()

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
	// translated is the IPv4-translated block of SIIT (RFC 2765): a
	// translator on the way hands ::ffff:0:10.0.0.5 to 10.0.0.5.
	translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	// teredo addresses (RFC 4380) hold the Teredo server's IPv4 address in
	// bits 32 to 63 and the client's, inverted, in the last 32 bits.
	teredo = netip.MustParsePrefix("2001::/32")
)

// ClassifyAddr returns the kind of a non-public address — "loopback",
// "private", "link-local", "unspecified", "multicast", "shared (carrier-grade
// NAT)", "documentation", "benchmarking", "reserved" and a few more — or ""
// for an ordinary public unicast address. An invalid address is "invalid".
// IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-translated
// ::ffff:0:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) take the class of the
// embedded address, so ::ffff:127.0.0.1 is "loopback"; a Teredo address
// (2001::/32) takes the class of its server's or its client's address,
// whichever is not public.
func ClassifyAddr(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid"
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64Prefix.Contains(ip), translated.Contains(ip):
			return ClassifyAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return ClassifyAddr(netip.AddrFrom4([4]byte(b[2:6])))
		case teredo.Contains(ip):
			if class := ClassifyAddr(netip.AddrFrom4([4]byte(b[4:8]))); class != "" {
				return class
			}
			return ClassifyAddr(netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}))
		}
	}
	if ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return "broadcast"
	}
	for _, r := range specialRanges {
		if r.prefix.Contains(ip) {
			return r.class
		}
	}
	return ""
}

// addressError is returned when the guard refuses an address.
type addressError struct {
	host  string // the host name asked for, when known and not the address itself
	addr  netip.Addr
	class string
}

func (e *addressError) Error() string {
	msg := "refusing to fetch " + e.class + " address " + e.addr.String()
	if e.host != "" && e.host != e.addr.String() {
		msg += " of " + e.host
	}
	return msg + " (set poll.allow_private or poll.allow_networks)"
}

func (e *addressError) Unwrap() error { return ErrForbiddenAddress }

// guard decides which resolved addresses may be dialled.
type guard struct {
	allowAll bool
	allow    []netip.Prefix
}

// check returns nil when ip may be dialled, else an error wrapping
// ErrForbiddenAddress.
func (g guard) check(ip netip.Addr) error {
	if g.allowAll {
		return nil
	}
	ip = ip.WithZone("").Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return nil
		}
	}
	if class := ClassifyAddr(ip); class != "" {
		return &addressError{addr: ip, class: class}
	}
	return nil
}

// control is a net.Dialer Control function: it runs after name resolution
// for each address the dialer tries, so every hop of every redirect and
// every answer of a rebinding DNS server is checked on the address really
// used.
func (g guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Fail closed: an address we cannot read is not one we can vouch for.
		return &addressError{class: "unparsable", host: address}
	}
	return g.check(ap.Addr())
}
