package fetch

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

func TestClassifyAddr(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"93.184.216.34", ""},
		{"2606:4700:4700::1111", ""},
		{"2001:4860:4860::8888", ""},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.0.0.5", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"172.32.0.1", ""},
		{"192.168.1.1", "private"},
		{"fd12:3456::1", "private"},
		{"fc00::1", "private"},
		{"::ffff:10.1.2.3", "private"},
		{"169.254.169.254", "link-local"},
		{"169.254.0.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"100.64.0.1", "shared (carrier-grade NAT)"},
		{"100.127.255.255", "shared (carrier-grade NAT)"},
		{"100.128.0.1", ""},
		{"192.0.0.8", "protocol-assignment"},
		{"192.0.2.10", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"2001:db8::1", "documentation"},
		{"198.18.0.1", "benchmarking"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "broadcast"},
		{"64:ff9b::7f00:1", "loopback"},      // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", "link-local"}, // NAT64 of 169.254.169.254
		{"64:ff9b::808:808", ""},             // NAT64 of 8.8.8.8
		{"2002:c0a8:0101::1", "private"},     // 6to4 of 192.168.1.1
		{"2002:0808:0808::1", ""},            // 6to4 of 8.8.8.8
		{"64:ff9b:1::1", "local NAT64"},
		{"::ffff:0:7f00:1", "loopback"},                        // IPv4-translated 127.0.0.1
		{"::ffff:0:a00:5", "private"},                          // IPv4-translated 10.0.0.5
		{"::ffff:0:808:808", ""},                               // IPv4-translated 8.8.8.8
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"},   // Teredo, client 127.0.0.1
		{"2001:0:4136:e378:8000:63bf:f5ff:fffa", "private"},    // Teredo, client 10.0.0.5
		{"2001:0:4136:e378:8000:63bf:5601:1656", "link-local"}, // Teredo, client 169.254.233.169
		{"2001:0:c0a8:101:8000:63bf:f7f7:f7f7", "private"},     // Teredo, server 192.168.1.1
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", ""},           // Teredo, client 8.8.8.8
		{"2001:4860::1", ""},                                   // beyond Teredo
		{"fec0::1", "reserved"},
	}
	for _, tt := range tests {
		got := ClassifyAddr(netip.MustParseAddr(tt.in))
		if got != tt.want {
			t.Errorf("ClassifyAddr(%s) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := ClassifyAddr(netip.Addr{}); got != "invalid" {
		t.Errorf("ClassifyAddr(zero Addr) = %q; want invalid", got)
	}
}

func TestGuard(t *testing.T) {
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		g       guard
		addr    string
		allowed bool
	}{
		{guard{}, "8.8.8.8:443", true},
		{guard{}, "127.0.0.1:80", false},
		{guard{}, "[::1]:80", false},
		{guard{}, "169.254.169.254:80", false},
		{guard{}, "[::ffff:169.254.169.254]:80", false},
		{guard{allowAll: true}, "127.0.0.1:80", true},
		{guard{allowAll: true}, "169.254.169.254:80", true},
		{guard{allow: allow}, "127.0.0.1:80", true},
		{guard{allow: allow}, "[::ffff:127.0.0.2]:80", true},
		{guard{allow: allow}, "[fd00::5]:80", true},
		{guard{allow: allow}, "10.0.0.1:80", false},
		{guard{allow: allow}, "[::1]:80", false},
		{guard{allow: allow}, "not-an-address", false},
	}
	for _, tt := range tests {
		err := tt.g.control("tcp", tt.addr, nil)
		if got := err == nil; got != tt.allowed {
			t.Errorf("guard%+v.control(%q) = %v; want allowed %v", tt.g, tt.addr, err, tt.allowed)
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("guard%+v.control(%q) = %v; want an error wrapping ErrForbiddenAddress", tt.g, tt.addr, err)
		}
	}
	err := guard{}.control("tcp", "10.0.0.5:443", nil)
	if want := "refusing to fetch private address 10.0.0.5 (set poll.allow_private or poll.allow_networks)"; err == nil || err.Error() != want {
		t.Errorf("guard{}.control(10.0.0.5:443) = %v; want %q", err, want)
	}
}

func TestOptionsFrom(t *testing.T) {
	opts, err := OptionsFrom(aggregator.PollConfig{
		Timeout:       5 * time.Second,
		MaxBytes:      1000,
		AllowNetworks: []string{"10.1.2.3/8", "192.168.5.5", " fd00::/8 "},
		MaxBackoff:    6 * time.Hour,
	})
	if err != nil {
		t.Fatalf("OptionsFrom: %v", err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.5.5/32"),
		netip.MustParsePrefix("fd00::/8"),
	}
	if len(opts.AllowNetworks) != len(want) {
		t.Fatalf("OptionsFrom: AllowNetworks = %v; want %v", opts.AllowNetworks, want)
	}
	for i := range want {
		if opts.AllowNetworks[i] != want[i] {
			t.Errorf("OptionsFrom: AllowNetworks[%d] = %v; want %v", i, opts.AllowNetworks[i], want[i])
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Timeout", opts.Timeout, 5 * time.Second},
		{"ConnectTimeout", opts.ConnectTimeout, 5 * time.Second}, // clamped to Timeout
		{"TLSTimeout", opts.TLSTimeout, 5 * time.Second},
		{"HeaderTimeout", opts.HeaderTimeout, 5 * time.Second},
		{"MaxBytes", opts.MaxBytes, int64(1000)},
		{"MaxRedirects", opts.MaxRedirects, -1}, // max_redirects: 0 follows none
		{"PerHost", opts.PerHost, DefaultPerHost},
		{"UserAgent", opts.UserAgent, DefaultUserAgent},
		{"AllowPrivate", opts.AllowPrivate, false},
		{"MaxRetryAfter", opts.MaxRetryAfter, 6 * time.Hour}, // poll.max_backoff
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("OptionsFrom: %s = %v; want %v", c.name, c.got, c.want)
		}
	}

	if opts, _ := OptionsFrom(aggregator.DefaultConfig().Poll); opts.MaxRedirects != DefaultMaxRedirects {
		t.Errorf("OptionsFrom(the default poll section): MaxRedirects = %d; want %d", opts.MaxRedirects, DefaultMaxRedirects)
	}

	for _, bad := range []string{"10.0.0.0/33", "example.org", "10.0.0/8", ""} {
		_, err := OptionsFrom(aggregator.PollConfig{AllowNetworks: []string{"127.0.0.0/8", bad}})
		if err == nil || !strings.HasPrefix(err.Error(), "poll.allow_networks[1]: ") {
			t.Errorf("OptionsFrom(allow_networks [127.0.0.0/8 %q]) = %v; want an error naming poll.allow_networks[1]", bad, err)
		}
	}
}
