package fetch

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Defaults used for zero fields of Options.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultTLSTimeout     = 10 * time.Second
	DefaultHeaderTimeout  = 20 * time.Second
	DefaultMaxBytes       = 10 << 20
	DefaultMaxRedirects   = 5
	DefaultPerHost        = 2
	DefaultUserAgent      = "Tributary/1.0 (+https://github.com/tributary-feeds/tributary)"
)

// Options configures a Fetcher. Zero fields take the Default values above;
// ConnectTimeout, TLSTimeout and HeaderTimeout are never longer than Timeout.
type Options struct {
	// Timeout bounds the whole request: connecting, waiting for the answer
	// and reading the body. A server that trickles bytes is cut here.
	Timeout time.Duration
	// ConnectTimeout bounds the TCP connect (DNS resolution included).
	ConnectTimeout time.Duration
	// TLSTimeout bounds the TLS handshake.
	TLSTimeout time.Duration
	// HeaderTimeout bounds the wait for the response headers once the
	// request is written.
	HeaderTimeout time.Duration
	// MaxBytes caps the body after decompression.
	MaxBytes int64
	// MaxRedirects caps the redirects followed; a negative value follows
	// none.
	MaxRedirects int
	// UserAgent is sent with every request.
	UserAgent string
	// AllowPrivate lets the Fetcher connect to loopback, private,
	// link-local and other non-public addresses.
	AllowPrivate bool
	// AllowNetworks lists networks that may be fetched even when
	// AllowPrivate is false.
	AllowNetworks []netip.Prefix
	// PerHost caps the requests in flight to one host name; a negative
	// value sets no cap.
	PerHost int
	// MaxRetryAfter caps the wait a Retry-After asks for (StatusError's
	// RetryAfter), so that one header from a broken or hostile server
	// cannot silence a source for long; zero, or more than a year, caps it
	// at a year.
	MaxRetryAfter time.Duration
}

// OptionsFrom builds Options from the poll section of the configuration. It
// returns an error naming the key when an allow_networks entry is neither a
// CIDR prefix nor a single address. The section's max_redirects of 0
// follows none: the configuration's default is filled in when it is loaded
// (aggregator.DefaultConfig).
func OptionsFrom(cfg aggregator.PollConfig) (Options, error) {
	opts := Options{
		Timeout:      cfg.Timeout,
		MaxBytes:     cfg.MaxBytes,
		MaxRedirects: cfg.MaxRedirects,
		UserAgent:    cfg.UserAgent,
		AllowPrivate: cfg.AllowPrivate,
		PerHost:      cfg.PerHost,
		// A server-requested wait is capped as the failure backoff is.
		MaxRetryAfter: cfg.MaxBackoff,
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = -1 // none; Options' zero stands for the default
	}
	for i, s := range cfg.AllowNetworks {
		p, err := ParseNetwork(s)
		if err != nil {
			return Options{}, fmt.Errorf("poll.allow_networks[%d]: %w", i, err)
		}
		opts.AllowNetworks = append(opts.AllowNetworks, p)
	}
	return opts.withDefaults(), nil
}

// ParseNetwork parses a CIDR prefix such as "10.0.0.0/8" or "fd00::/8", or a
// single address such as "192.168.1.20", which stands for itself alone. The
// prefix is masked, so "10.1.2.3/8" means 10.0.0.0/8.
func ParseNetwork(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR network: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR network or an address: %w", s, err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// withDefaults returns o with zero fields set to the defaults and the phase
// timeouts clamped to the whole-request timeout.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.TLSTimeout <= 0 {
		o.TLSTimeout = DefaultTLSTimeout
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = DefaultHeaderTimeout
	}
	o.ConnectTimeout = min(o.ConnectTimeout, o.Timeout)
	o.TLSTimeout = min(o.TLSTimeout, o.Timeout)
	o.HeaderTimeout = min(o.HeaderTimeout, o.Timeout)
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.PerHost == 0 {
		o.PerHost = DefaultPerHost
	}
	if o.MaxRetryAfter <= 0 || o.MaxRetryAfter > maxRetryAfter {
		o.MaxRetryAfter = maxRetryAfter
	}
	o.AllowNetworks = append([]netip.Prefix(nil), o.AllowNetworks...)
	return o
}
