package fetch

import (
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// HostKey returns the name that the host of the URL raw counts under for
// Options.PerHost, and for whatever else a caller keeps per host, so that
// every way of writing one host is one host: an international name in its
// IDNA ASCII form (bücher.example, b%C3%BCcher.example and
// XN--BCHER-KVA.example are xn--bcher-kva.example), in lower case, without
// a final dot, and an IP address in its canonical form ([0:0::1] is ::1,
// [::ffff:127.0.0.1] is 127.0.0.1, the address it connects to).
// The port is no part of it. It returns "" when raw does not parse.
func HostKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return hostKey(u)
}

// hostKey is HostKey of a parsed URL.
func hostKey(u *url.URL) string { return HostNameKey(u.Hostname()) }

// HostNameKey is HostKey of a URL whose host name, without brackets or
// port, is host.
func HostNameKey(host string) string {
	host = strings.TrimSuffix(host, ".")
	if addr, err := netip.ParseAddr(host); err == nil {
		return addr.Unmap().String()
	}
	// The lookup profile maps letters to lower case, as a resolver does.
	if ascii, err := idna.Lookup.ToASCII(host); err == nil {
		return ascii
	}
	// A name IDNA refuses (an underscore in it, say) is looked up as
	// written.
	return strings.ToLower(host)
}
