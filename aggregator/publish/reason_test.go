package publish

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/fetch"
)

// TestPublicReasonOfFetchErrors fetches from loopback origins that redirect
// the fetcher to private and loopback addresses and to host names of their
// choosing, and dials a port where nothing listens: the front page keeps
// each error's reason but shows no such address, and no host but the
// source's own, while the error itself, which the operator reads in
// status and the logs, names them all.
func TestPublicReasonOfFetchErrors(t *testing.T) {
	o := feedtest.NewOrigin(t)
	port := o.Host()[strings.LastIndex(o.Host(), ":")+1:]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	closedPort := closed[strings.LastIndex(closed, ":")+1:]
	o.Redirect("/to-private", "http://10.1.2.3/admin?token=S3CR3T", http.StatusFound)
	o.Redirect("/to-loopback", "http://127.0.0.2:"+port+"/admin", http.StatusFound)
	o.Redirect("/to-v6", "http://[::1]:"+port+"/admin", http.StatusFound)
	o.Redirect("/to-name", "http://localhost:"+port+"/admin", http.StatusFound) // 404 there
	o.Redirect("/to-closed", "http://"+closed+"/x", http.StatusFound)
	one := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

	// A source on 127.0.0.2 redirected to a name that resolves to loopback
	// addresses it may not reach: the refusal names the host again.
	ln2, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	other := httptest.NewUnstartedServer(http.RedirectHandler("http://localhost:"+port+"/internal", http.StatusFound))
	other.Listener = ln2
	other.Start()
	t.Cleanup(other.Close)
	two := []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}

	tests := []struct {
		name    string
		allow   []netip.Prefix
		url     string
		private []string // what the error says, the first of it for the operator, and the page must not
		public  string   // the reason as the page shows it
	}{
		{"redirect to a private address", one, o.URL("/to-private"), []string{"10.1.2.3", "S3CR3T"},
			"redirect to http://(hidden)/admin?token=xxxxx: refusing to fetch private address (hidden) (set poll.allow_private or poll.allow_networks)"},
		{"redirect to another loopback address", one, o.URL("/to-loopback"), []string{"127.0.0.2"},
			"redirect to http://(hidden)/admin: refusing to fetch loopback address (hidden) (set poll.allow_private or poll.allow_networks)"},
		{"redirect to IPv6 loopback", one, o.URL("/to-v6"), []string{"::1"},
			"redirect to http://(hidden)/admin: refusing to fetch loopback address (hidden) (set poll.allow_private or poll.allow_networks)"},
		{"redirect to a name", one, o.URL("/to-name"), []string{"localhost"},
			"http 404 not found from http://(hidden)/admin"},
		{"redirect to a name refused", two, other.URL + "/feed", []string{"localhost", "127.0.0.1", "::1"},
			"redirect to http://(hidden)/internal: refusing to fetch loopback address (hidden) of (hidden) (set poll.allow_private or poll.allow_networks)"},
		{"redirect to a closed port", one, o.URL("/to-closed"), []string{"127.0.0.1"},
			"redirect to http://(hidden):" + closedPort + "/x: dial tcp (hidden):" + closedPort + ": connect: connection refused"},
		{"dial failure", one, "http://" + closed + "/feed", []string{"127.0.0.1"},
			"requesting http://(hidden):" + closedPort + "/feed: dial tcp (hidden):" + closedPort + ": connect: connection refused"},
	}
	for _, tt := range tests {
		f := fetch.New(fetch.Options{AllowNetworks: tt.allow})
		_, err := f.Fetch(t.Context(), fetch.Request{URL: tt.url})
		f.CloseIdleConnections()
		if err == nil {
			t.Errorf("%s: Fetch(%s) succeeded; want an error", tt.name, tt.url)
			continue
		}
		if !strings.Contains(err.Error(), tt.private[0]) {
			t.Errorf("%s: error %q; want it to name %s for the operator", tt.name, err, tt.private[0])
		}
		got := publicReason(err.Error(), tt.url)
		if got != tt.public {
			t.Errorf("%s: publicReason(%q) = %q; want %q", tt.name, err, got, tt.public)
		}
		for _, p := range tt.private {
			if strings.Contains(got, p) {
				t.Errorf("%s: publicReason(%q) = %q, which names %s", tt.name, err, got, p)
			}
		}
	}
}

func TestPublicReason(t *testing.T) {
	own := "https://feeds.example.org/rss?key=S3CR3T"
	tests := []struct{ in, want string }{
		{"http 404 not found from https://feeds.example.org/rss?key=S3CR3T", "http 404 not found from https://feeds.example.org/rss?key=xxxxx"},
		{"http 503 service unavailable from https://FEEDS.example.org./rss; retry after 2m0s", "http 503 service unavailable from https://FEEDS.example.org./rss; retry after 2m0s"},
		{"timeout after 30s reading body", "timeout after 30s reading body"},
		{"body larger than 10485760 bytes", "body larger than 10485760 bytes"},
		{"requesting https://feeds.example.org/rss: dial tcp 93.184.215.14:443: connect: connection refused",
			"requesting https://feeds.example.org/rss: dial tcp 93.184.215.14:443: connect: connection refused"},
		{"requesting https://feeds.example.org/rss: dial tcp: lookup feeds.example.org on 127.0.0.53:53: no such host",
			"requesting https://feeds.example.org/rss: dial tcp: lookup feeds.example.org on (hidden):53: no such host"},
		{"redirect to https://intranet.corp/a: dial tcp: lookup intranet.corp on 10.0.0.2:53: no such host",
			"redirect to https://(hidden)/a: dial tcp: lookup (hidden) on (hidden):53: no such host"},
		{"redirect to http://db.intranet.corp:8080/x: timeout after 10s connecting to db.intranet.corp:8080",
			"redirect to http://(hidden)/x: timeout after 10s connecting to (hidden):8080"},
		{"redirect to http://Intranet.Corp/x: refusing to fetch private address 192.168.1.20 of intranet.corp (set poll.allow_private or poll.allow_networks)",
			"redirect to http://(hidden)/x: refusing to fetch private address (hidden) of (hidden) (set poll.allow_private or poll.allow_networks)"},
		{"refusing to fetch link-local address 169.254.169.254 (set poll.allow_private or poll.allow_networks)",
			"refusing to fetch link-local address (hidden) (set poll.allow_private or poll.allow_networks)"},
		{"refusing to fetch private address fd00::5 of feeds.example.org", "refusing to fetch private address (hidden) of feeds.example.org"},
		{"dial tcp [fe80::1%eth0]:443: connect: refused", "dial tcp [(hidden)]:443: connect: refused"},
		{"refusing to fetch loopback address ::ffff:127.0.0.1", "refusing to fetch loopback address (hidden)"},
		{"http 404 not found from https://cdn.other.example/feed.xml", "http 404 not found from https://(hidden)/feed.xml"},
		{"feed https://other.example/f linked from the HTML page at https://feeds.example.org/: http 404 not found from https://other.example/f",
			"feed https://(hidden)/f linked from the HTML page at https://feeds.example.org/: http 404 not found from https://(hidden)/f"},
		// What only looks like an address or a host stays.
		{"xml: syntax error on line 10.1.2.3.4", "xml: syntax error on line 10.1.2.3.4"},
		{"stamp 09:00:00 and version 1.0", "stamp 09:00:00 and version 1.0"},
		{"parsing feed: internal error: runtime error: index out of range [3] with length 3",
			"parsing feed: internal error: runtime error: index out of range [3] with length 3"},
		{"redirect to http://corp/x: lookup corp: no such host; corporate corp.example", "redirect to http://(hidden)/x: lookup (hidden): no such host; corporate corp.example"},
		{"dial tcp 192.0.2.7:443: connect: connection refused", "dial tcp 192.0.2.7:443: connect: connection refused"},
		// A user name alone may be the token of a private feed: the page
		// leaves out user information, as it does in the source's link.
		{"requesting https://S3CR3T@feeds.example.org/rss: dial tcp 93.184.215.14:443: connect: connection refused",
			"requesting https://feeds.example.org/rss: dial tcp 93.184.215.14:443: connect: connection refused"},
		{"http 404 not found from https://reader:S3CR3T@feeds.example.org/rss?key=S3CR3T", "http 404 not found from https://feeds.example.org/rss?key=xxxxx"},
		{"redirect to http://S3CR3T@intranet.corp/x: lookup intranet.corp: no such host", "redirect to http://(hidden)/x: lookup (hidden): no such host"},
	}
	for _, tt := range tests {
		if got := publicReason(tt.in, own); got != tt.want {
			t.Errorf("publicReason(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestPublicReasonInternationalHosts reads the errors of a source on a
// host written in Unicode: the page keeps the source's own host however
// the error writes it (a URL's String percent-encodes it, a DNS lookup
// gives its ASCII form), and hides a host a redirect led to in every one
// of those forms.
func TestPublicReasonInternationalHosts(t *testing.T) {
	own := "http://b\u00fccher.example/feed"
	tests := []struct{ in, want string }{
		{"requesting http://b%C3%BCcher.example/feed: dial tcp: lookup xn--bcher-kva.example on 10.0.0.2:53: no such host",
			"requesting http://b%C3%BCcher.example/feed: dial tcp: lookup xn--bcher-kva.example on (hidden):53: no such host"},
		{"http 404 not found from http://B%C3%BCcher.example/feed", "http 404 not found from http://B%C3%BCcher.example/feed"},
		{"http 404 not found from http://xn--bcher-kva.example/feed", "http 404 not found from http://xn--bcher-kva.example/feed"},
		{"redirect to http://intran%C3%A9t.corp/a: dial tcp: lookup xn--intrant-gya.corp on 10.0.0.2:53: no such host",
			"redirect to http://(hidden)/a: dial tcp: lookup (hidden) on (hidden):53: no such host"},
		{"redirect to http://xn--intrant-gya.corp/a: refusing to fetch private address 10.1.2.3 of intran\u00e9t.corp",
			"redirect to http://(hidden)/a: refusing to fetch private address (hidden) of (hidden)"},
	}
	for _, tt := range tests {
		if got := publicReason(tt.in, own); got != tt.want {
			t.Errorf("publicReason(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	// The source configured by its ASCII name keeps it in either form.
	in := "requesting http://xn--bcher-kva.example/feed: dial tcp: lookup xn--bcher-kva.example on 10.0.0.2:53: no such host"
	want := "requesting http://xn--bcher-kva.example/feed: dial tcp: lookup xn--bcher-kva.example on (hidden):53: no such host"
	if got := publicReason(in, "http://xn--bcher-kva.example/feed"); got != want {
		t.Errorf("publicReason(%q) = %q; want %q", in, got, want)
	}
}
