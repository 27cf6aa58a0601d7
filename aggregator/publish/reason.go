package publish

import (
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/fetch"
)

// hidden stands on the front page for an address or a host that a source's
// error names and the public must not read.
const hidden = "(hidden)"

// ipLiteral matches what may be an IPv6 address (with a zone) or an IPv4
// address; publicReason parses each match before it acts on it.
var ipLiteral = regexp.MustCompile(`(?i)(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4})(?:%[0-9a-z_.-]+)?|\d{1,3}(?:\.\d{1,3}){3}`)

// publicReason returns msg, the error a source recorded, as the public front
// page shows it. The reason stays; what the error may tell of the
// operator's networks goes: every loopback, private, link-local or other
// non-public IP address (a hostile source may redirect the fetcher there to
// map them, and a dial error names the address a host resolved to), and
// every host of a URL in msg that is not the source's own, wherever msg
// names it (a host learned from a redirect, such as intranet.corp, is named
// again as the host resolved or dialled). Each reads "(hidden)". The
// credentials of the URLs msg quotes read "xxxxx". own lists the source's
// URLs. A URL's user name and password are left out. The operator's views
// (status, /api/status, the logs) keep the whole error.
func publicReason(msg string, own ...string) string {
	msg = aggregator.RedactURLs(msg)
	mine := map[string]bool{}
	for _, u := range own {
		if h := urlHostname(u); h != "" {
			mine[hostKey(h)] = true
		}
	}
	var foreign []string
	msg = aggregator.ReplaceURLs(msg, func(u string) string {
		start := strings.Index(u, "://") + 3
		end := len(u)
		if i := strings.IndexAny(u[start:], "/?#"); i >= 0 {
			end = start + i
		}
		// The page shows a URL without its user information, as it shows
		// the source's own: a user name alone may be a private feed's
		// token, which RedactURLs keeps.
		if at := strings.LastIndexByte(u[start:end], '@'); at >= 0 {
			u, end = u[:start]+u[start+at+1:], end-at-1
		}
		h := hostOf(u[start:end])
		if h == "" || mine[hostKey(h)] {
			return u
		}
		for _, name := range hostNames(h) {
			if !slices.Contains(foreign, name) {
				foreign = append(foreign, name)
			}
		}
		return u[:start] + hidden + u[end:]
	})
	// Longer names first, so that a.intranet.corp goes whole before
	// intranet.corp.
	slices.SortFunc(foreign, func(a, b string) int { return len(b) - len(a) })
	for _, h := range foreign {
		msg = replaceHost(msg, h)
	}
	return hideAddresses(msg)
}

// hideAddresses replaces every IP address in msg that fetch.ClassifyAddr
// does not call public (but for the documentation blocks), standing alone,
// by "(hidden)".
func hideAddresses(msg string) string {
	var b strings.Builder
	last := 0
	for _, m := range ipLiteral.FindAllStringIndex(msg, -1) {
		start, end := m[0], m[1]
		if start > 0 && (nameByte(msg[start-1]) || msg[start-1] == '.' || msg[start-1] == ':') ||
			end < len(msg) && (nameByte(msg[end]) || msg[end] == '.' && end+1 < len(msg) && nameByte(msg[end+1])) {
			continue // part of something longer
		}
		addr, err := netip.ParseAddr(msg[start:end])
		if err != nil {
			continue
		}
		// The documentation blocks stand for public addresses in examples
		// and are no one's network.
		if class := fetch.ClassifyAddr(addr); class == "" || class == "documentation" {
			continue
		}
		b.WriteString(msg[last:start])
		b.WriteString(hidden)
		last = end
	}
	if last == 0 {
		return msg
	}
	b.WriteString(msg[last:])
	return b.String()
}

// urlHostname returns the host of raw, lower-case and without a final dot,
// or "".
func urlHostname(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// hostNames returns the ways an error may write host, a host of a URL as
// hostOf gives it, in lower case: as it stands, and for an international
// name also percent-decoded (a URL's String writes bücher.example as
// b%C3%BCcher.example) and in its IDNA ASCII form (xn--bcher-kva.example),
// which is the name a DNS lookup and its error give.
func hostNames(host string) []string {
	names := []string{host}
	add := func(n string) {
		if n = strings.ToLower(n); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if dec, err := url.PathUnescape(host); err == nil {
		add(dec)
		host = dec
	}
	if ascii, err := idna.Lookup.ToASCII(host); err == nil {
		add(ascii)
		if uni, err := idna.Lookup.ToUnicode(ascii); err == nil {
			add(uni)
		}
	}
	return names
}

// hostKey returns the one name that stands for host in every way an error
// may write it (hostNames): host percent-decoded, keyed as the fetcher
// counts hosts (fetch.HostNameKey: its IDNA ASCII form in lower case).
func hostKey(host string) string {
	if dec, err := url.PathUnescape(host); err == nil {
		host = dec
	}
	return fetch.HostNameKey(host)
}

// hostOf returns the host of a URL's authority, lower-case and without a
// final dot or the brackets of an IPv6 address.
func hostOf(authority string) string {
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = authority[at+1:]
	}
	if strings.HasPrefix(authority, "[") {
		if end := strings.IndexByte(authority, ']'); end > 0 {
			return strings.ToLower(authority[1:end])
		}
		return ""
	}
	if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		authority = authority[:i]
	}
	return strings.TrimSuffix(strings.ToLower(authority), ".")
}

// replaceHost replaces host, in any case, wherever msg names it as a whole
// name: not as part of a longer name or word.
func replaceHost(msg, host string) string {
	lower := asciiLower(msg) // the same length as msg, so indexes hold
	var b strings.Builder
	last := 0
	for i := 0; ; {
		j := strings.Index(lower[i:], host)
		if j < 0 {
			break
		}
		j += i
		end := j + len(host)
		before := j == 0 || !nameByte(msg[j-1]) && msg[j-1] != '.'
		after := end == len(msg) || !nameByte(msg[end]) && !(msg[end] == '.' && end+1 < len(msg) && nameByte(msg[end+1]))
		if before && after {
			b.WriteString(msg[last:j])
			b.WriteString(hidden)
			last = end
		}
		i = end
	}
	if last == 0 {
		return msg
	}
	b.WriteString(msg[last:])
	return b.String()
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
