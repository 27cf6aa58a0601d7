package parse

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// trackingParams are query parameters that identify a campaign, a click or a
// referrer rather than the resource itself. Keys are compared lower-cased.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "mc_cid": true, "mc_eid": true, "igshid": true, "yclid": true,
	"twclid": true, "ttclid": true, "li_fat_id": true, "srsltid": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true, "__hstc": true,
	"__hssc": true, "__hsfp": true, "hsctatracking": true, "mkt_tok": true,
	"ref_src": true, "ref_url": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "vero_conv": true, "wickedid": true, "rb_clickid": true,
	"s_cid": true, "ncid": true, "ocid": true, "cmpid": true, "cmp": true,
	"xtor": true, "ito": true, "smid": true, "sr_share": true, "spm": true,
	"guccounter": true, "guce_referrer": true, "guce_referrer_sig": true,
	"mbid": true,
	// A session that a site writes into its links where a cookie would
	// hold it (PHP, Java servlets, ColdFusion, osCommerce, Zen Cart): a
	// new one at every fetch made a new link of every item.
	"phpsessid": true, "jsessionid": true, "sessionid": true, "session_id": true,
	"sessid": true, "cfid": true, "cftoken": true, "oscsid": true, "zenid": true,
}

// sessionRecords are the session parameters whose names sites give their
// own records too: a conference's programme links each of its sessions as
// "program.php?sessionid=101", a parliament's pages each of its sittings.
// A number alone names such a record; a session a platform writes into a
// link is a string of letters and figures ("sessionid=9f2c41ab…").
var sessionRecords = map[string]bool{"sessionid": true, "session_id": true, "sessid": true}

// recordNumber reports whether a query parameter named as a session names
// a record of the site instead (sessionRecords): its value is a number.
func recordNumber(key, value string) bool {
	if k, err := url.QueryUnescape(key); err == nil {
		key = k
	}
	if !sessionRecords[strings.ToLower(strings.TrimSpace(key))] || value == "" {
		return false
	}
	for _, c := range value {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// trackingPrefixes are prefixes of tracking parameter families: Urchin
// (utm_), AT Internet (at_), Piwik/Matomo (pk_, mtm_), HubSpot (hsa_).
var trackingPrefixes = []string{"utm_", "at_", "pk_", "mtm_", "hsa_"}

func isTrackingParam(key string) bool {
	if k, err := url.QueryUnescape(key); err == nil {
		key = k
	}
	key = strings.ToLower(strings.TrimSpace(key))
	if trackingParams[key] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// CanonicalURL returns the form of an absolute http(s) URL used to decide
// whether two links name the same page: the scheme and host lower-cased, the
// default port, user information and fragment dropped, an empty path written
// "/", tracking parameters (utm_*, fbclid, gclid and similar) and session ids
// (";jsessionid=…" and ASP.NET's "/(S(…))" in the path, PHPSESSID and
// similar in the query) removed and the remaining query parameters sorted. It is idempotent. It returns "" for
// anything that is not an absolute http or https URL.
func CanonicalURL(raw string) string {
	c := canonicalURL(raw)
	// Odd inputs can normalise in more than one step; only a fixed point
	// is a canonical form, so that equal pages always compare equal.
	if c == "" || canonicalURL(c) != c {
		return ""
	}
	return c
}

func canonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimRight(host, ".")
	if host == "" || strings.ContainsAny(host, " %") {
		return ""
	}
	if !validPort(u) {
		return ""
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	out := url.URL{Scheme: scheme, Host: host, Path: dropPathSession(u.Path), RawPath: dropPathSession(u.RawPath)}
	out.Path, out.RawPath = dropCookieless(out.Path), dropCookieless(out.RawPath)
	if out.Path == "" {
		out.Path = "/"
		out.RawPath = ""
	}
	if u.RawQuery != "" {
		out.RawQuery = canonicalQuery(u.RawQuery)
	}
	return out.String()
}

// pathSession is the path parameter in which Java servlets write a
// session into a link when the reader takes no cookie: a site's feed
// written so gives each item a link of its own at every fetch
// ("/news/42;jsessionid=8F3A…").
const pathSession = ";jsessionid="

// dropPathSession returns path without its ";jsessionid=" parameters, in
// any letter case, each up to the next parameter or segment.
func dropPathSession(path string) string {
	for i := 0; i+len(pathSession) <= len(path); i++ {
		if path[i] != ';' || !strings.EqualFold(path[i:i+len(pathSession)], pathSession) {
			continue
		}
		end := len(path)
		if j := strings.IndexAny(path[i+1:], ";/"); j >= 0 {
			end = i + 1 + j
		}
		path = path[:i] + path[end:]
		i--
	}
	return path
}

// dropCookieless returns path without the segments in which ASP.NET
// writes a session, and the other values it would keep in cookies, when
// it runs without them: "/(S(lit3py55t21z5v55vlm25s55))/news/42.aspx" is
// "/news/42.aspx".
func dropCookieless(path string) string {
	if !strings.Contains(path, "/(") {
		return path
	}
	segs := strings.Split(path, "/")
	kept := segs[:0]
	for _, seg := range segs {
		if !cookieless(seg) {
			kept = append(kept, seg)
		}
	}
	return strings.Join(kept, "/")
}

// cookieless reports whether seg is a segment of ASP.NET's cookieless
// values: each a letter and its value in brackets, all in brackets
// ("(S(…))", "(A(…)S(…))").
func cookieless(seg string) bool {
	inner, ok := strings.CutPrefix(seg, "(")
	if !ok {
		return false
	}
	if inner, ok = strings.CutSuffix(inner, ")"); !ok || inner == "" {
		return false
	}
	for inner != "" {
		if len(inner) < 3 || !('A' <= inner[0] && inner[0] <= 'Z' || 'a' <= inner[0] && inner[0] <= 'z') || inner[1] != '(' {
			return false
		}
		end := strings.IndexByte(inner, ')')
		if end < 0 || strings.ContainsAny(inner[2:end], "()") {
			return false
		}
		inner = inner[end+1:]
	}
	return true
}

// canonicalQuery drops tracking and empty parameters from a raw query and
// sorts what is left, keeping each pair's original encoding.
func canonicalQuery(raw string) string {
	// A raw space would be trimmed away by the next call: encode it.
	parts := strings.Split(strings.ReplaceAll(raw, " ", "%20"), "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" || p == "=" {
			continue
		}
		key, value, _ := strings.Cut(p, "=")
		if isTrackingParam(key) && !recordNumber(key, value) {
			continue
		}
		kept = append(kept, p)
	}
	slices.Sort(kept)
	kept = slices.Compact(kept)
	return strings.Join(kept, "&")
}

// validPort reports whether u has no port or one a browser takes: a
// number up to 65535. A link to a port past it ("http://example.org:99999/"),
// which Go's URL parser accepts, is one browsers and readers drop as
// invalid.
func validPort(u *url.URL) bool {
	p := u.Port()
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}
