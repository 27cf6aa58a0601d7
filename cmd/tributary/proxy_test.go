package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// localAddress returns an address of this machine that is neither loopback
// nor link-local, or skips the test when it has none.
func localAddress(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("listing the interface addresses: %v", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no address but loopback")
	return ""
}

// TestCommandLineIgnoresProxy runs the commands that ask the running
// daemon (health, status) with a proxy in the environment, the daemon
// listening on an address of this machine that is not loopback, which Go
// would send through the proxy: they reach the daemon itself, and the
// proxy sees nothing.
func TestCommandLineIgnoresProxy(t *testing.T) {
	host := localAddress(t)
	var proxied atomic.Int64
	proxy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	go func() {
		for {
			c, err := proxy.Accept()
			if err != nil {
				return
			}
			proxied.Add(1)
			// A proxy that cannot reach anything.
			bufio.NewReader(c).ReadString('\n')
			fmt.Fprint(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			c.Close()
		}
	}()
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "http://"+proxy.Addr().String())
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	dir := t.TempDir()
	cfg := fmt.Sprintf("server:\n  listen: %q\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n",
		net.JoinHostPort(host, "0"), filepath.Join(dir, "t.db"))
	path := saveConfig(t, dir, cfg)
	d := startDaemon(t, path)
	// The command line finds the daemon at server.listen: give it the port
	// the daemon took.
	cli := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cli, []byte(strings.Replace(cfg, net.JoinHostPort(host, "0"), d.addr, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Each command runs in a process of its own, as it does for the
	// operator: net/http reads the proxy variables once per process.
	for _, command := range []string{"health", "status"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "TRIBUTARY_TEST_RUN="+command+"\x1f-config\x1f"+cli)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("tributary %s with a proxy set: %v\n%s", command, err, out)
		}
	}
	if n := proxied.Load(); n != 0 {
		t.Errorf("the proxy saw %d connections; want none", n)
	}
}
