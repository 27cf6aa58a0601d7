package ops

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Allowed reports whether the client of r has an address in one of the
// prefixes. An empty list allows only clients on the server's own machine:
// a loopback address, or the very address the connection came in on (the
// command line reaching a daemon that listens on one interface), and only
// when the request's Host names this machine (see LocalHost): a web page
// whose own name an attacker rebound to 127.0.0.1 reaches the daemon from
// loopback, but under its own name. What these endpoints hand out — the
// whole store among it — is for the operator, not for everyone who can
// reach the port. Forwarding headers are not trusted.
func Allowed(prefixes []netip.Prefix, names []string, r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	if len(prefixes) == 0 {
		return (addr.IsLoopback() || addr.WithZone("") == localAddr(r)) && LocalHost(r.Host, names)
	}
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// LocalHost reports whether host, a request's Host header, names this
// machine: an IP address, "localhost" or a name under ".localhost", or one
// of names, in any case and with any port.
func LocalHost(host string, names []string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	host = strings.ToLower(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	for _, n := range names {
		if n != "" && strings.EqualFold(strings.TrimSuffix(n, "."), host) {
			return true
		}
	}
	return false
}

// ServerNames returns the host names that server.listen and
// server.base_url give the daemon, which a request's Host may name it by.
func ServerNames(srv aggregator.ServerConfig) []string {
	var names []string
	if h, _, err := net.SplitHostPort(srv.Listen); err == nil && h != "" {
		names = append(names, h)
	}
	if u, err := url.Parse(srv.BaseURL); err == nil && u.Hostname() != "" {
		names = append(names, u.Hostname())
	}
	return names
}

// localAddr is the server's address of r's connection, or the zero Addr
// when unknown.
func localAddr(r *http.Request) netip.Addr {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap().WithZone("")
}

// AllowFrom serves h only to the clients that Allowed lets through, with
// the server settings srv returns at each request (so a config reload
// takes effect): its server.metrics_allow and its names. Others get 403,
// with Cache-Control: no-store, as every answer of Handler: a refusal is
// of one client, which no shared cache may give to another.
func AllowFrom(srv func() aggregator.ServerConfig, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := srv()
		allow, err := ParsePrefixes(s.MetricsAllow)
		if err != nil || !Allowed(allow, ServerNames(s), r) {
			w.Header()["Cache-Control"] = noStore
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ParsePrefixes parses CIDRs (a bare address counts as a single host).
func ParsePrefixes(cidrs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			a, aerr := netip.ParseAddr(c)
			if aerr != nil {
				return nil, fmt.Errorf("%q: not a CIDR or address", c)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Recover turns a panic in h into a logged error and a plain 500, so no
// panic reaches a client or stops the server.
func Recover(logger *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			logger.ErrorContext(r.Context(), "handler panic", "path", r.URL.Path, "panic", fmt.Sprint(v),
				"stack", string(debug.Stack()))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}()
		h.ServeHTTP(w, r)
	})
}

// bodyGrace is how long a request may take to send a body that no
// endpoint reads, and bodyKept how much of it is read, before the
// connection is closed after the answer rather than wait for the rest.
const (
	bodyGrace = time.Second
	bodyKept  = 64 << 10
)

// IgnoreBody serves h, which reads no request body, to requests that send
// one anyway (a GET may carry one) at little cost. The server would read
// what is left of it before it answers, up to 256 KiB, to reuse the
// connection: a chunked body never finished held the answer and the
// connection for the whole read timeout. A body that comes within a
// second and is no larger than 64 KiB is read and dropped, and the
// connection kept; any other is not waited for, and the connection is
// closed after the answer, which h gives as to any other request.
func IgnoreBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody && dropBody(w, r) {
			// The server cancels a request's context when a read of its
			// connection fails, as the read of a body that did not come
			// in time does: h would see the client as gone and answer
			// nothing (an empty 200) or fail. Nothing more is read from
			// the connection, so no later read can tell that the
			// client went away either.
			r = r.WithContext(context.WithoutCancel(r.Context()))
		}
		h.ServeHTTP(w, r)
	})
}

// dropBody reads and drops r's body, or, when it is large, slow, or waits
// to be asked for (Expect: 100-continue), has the connection closed after
// the answer without reading it. It reports whether a read of the body
// failed.
func dropBody(w http.ResponseWriter, r *http.Request) (failed bool) {
	rc := http.NewResponseController(w)
	if !strings.EqualFold(strings.TrimSpace(r.Header.Get("Expect")), "100-continue") {
		deadline := rc.SetReadDeadline(time.Now().Add(bodyGrace))
		_, err := io.CopyN(io.Discard, r.Body, bodyKept+1)
		if err == io.EOF {
			if deadline == nil {
				// The server sets the next request's deadlines itself.
				rc.SetReadDeadline(time.Time{}) //nolint:errcheck // set above, so supported
			}
			return false
		}
		failed = err != nil
	}
	w.Header().Set("Connection", "close")
	// What the server reads of the body once the handler is done then
	// fails at once.
	rc.SetReadDeadline(time.Unix(1, 0)) //nolint:errcheck // unsupported: the body is in memory
	return failed
}
