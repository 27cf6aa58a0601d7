package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSourceCredentialsStayPrivate configures sources whose URLs carry a
// user name and password (a private feed behind basic authentication), or a
// token in their query: the fetches send them, and no published page, feed
// or list shows the password or the token, whether the source works,
// fails, has no name of its own or is a page whose feed fails.
func TestSourceCredentialsStayPrivate(t *testing.T) {
	o := newOrigin(t)
	o.Feed("/untitled.rss", "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title></title><link>http://reader:hunter2@site.test/</link>
<item><title>Harbour reopened after the storm</title><link>http://site.test/a</link><guid>a</guid></item></channel></rss>`))
	o.Status("/gone", http.StatusNotFound, "")
	o.HTML("/page", "/missing.rss") // its feed answers 404
	withCreds := func(path string) string {
		return strings.Replace(o.URL(path), "http://", "http://reader:hunter2@", 1)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\n  base_url: \"http://feeds.test\"\nstorage:\n  path: %q\n  retention: 0\npoll:\n  allow_private: true\n  interval: 2s\n  min_interval: 1s\n  timeout: 1s\nsources:\n  - url: %q\n  - url: %q\n  - url: %q\n    name: Pending\n    interval: 1h\n  - url: %q\n    name: Page\n  - url: %q\n",
		filepath.Join(dir, "t.db"), withCreds("/untitled.rss"), withCreds("/gone"), withCreds("/never.rss"), withCreds("/page"),
		o.URL("/gone")+"?token=hunter2&format=rss")
	path := saveConfig(t, dir, cfg)
	d := startDaemon(t, path)
	waitFor(t, "the sources fetched", 30*time.Second, func() bool {
		_, body := d.get(t, "/")
		return bytes.Count(body, []byte("http 404 not found from")) >= 3 && bytes.Contains(body, []byte("Harbour reopened"))
	})
	if got := o.RequestsTo("/untitled.rss"); len(got) == 0 || got[0].Header.Get("Authorization") == "" {
		t.Errorf("the fetch sent no credentials: %v", got)
	}
	for _, p := range []string{"/", "/topics/all", "/topics/all.rss", "/topics/all.atom", "/topics/all.json", "/opml"} {
		_, body := d.get(t, p)
		if bytes.Contains(body, []byte("hunter2")) {
			t.Errorf("GET %s shows the password:\n%s", p, body)
		}
	}
}

// TestFrontPageHidesInternalAddresses configures, with private addresses
// refused, a source whose origin redirects to a private address and one on
// a port where nothing listens: the public front page gives each source's
// state and reason without the addresses, and status, for the operator,
// gives the whole error.
func TestFrontPageHidesInternalAddresses(t *testing.T) {
	o := newOrigin(t)
	o.Redirect("/to-private", "http://10.1.2.3/admin", http.StatusFound)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	dir := t.TempDir()
	cfg := fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\nstorage:\n  path: %q\n  retention: 0\npoll:\n  allow_networks: [\"127.0.0.1/32\"]\n  timeout: 2s\nsources:\n  - url: %q\n    name: Redirected\n  - url: %q\n    name: Refused\n",
		filepath.Join(dir, "t.db"), o.URL("/to-private"), "http://"+closed+"/feed.xml")
	path := saveConfig(t, dir, cfg)
	d := startDaemon(t, path)
	var page []byte
	waitFor(t, "both sources failed", 30*time.Second, func() bool {
		_, page = d.get(t, "/")
		return bytes.Contains(page, []byte("refusing to fetch private address")) && bytes.Contains(page, []byte("connection refused"))
	})
	// The sources' own URLs are on the page, as their feed links; the
	// addresses their errors name are not.
	for _, secret := range []string{"10.1.2.3", "dial tcp 127.0.0.1"} {
		if bytes.Contains(page, []byte(secret)) {
			t.Errorf("GET / shows %s:\n%s", secret, page)
		}
	}
	for _, want := range []string{"redirect to http://(hidden)/admin: refusing to fetch private address (hidden)", "dial tcp (hidden):"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("GET / lacks %q:\n%s", want, page)
		}
	}
	// status asks the daemon, at the port it took.
	cli := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cli, []byte(strings.Replace(cfg, `listen: "127.0.0.1:0"`, `listen: "`+d.addr+`"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"status", "-config", cli}, &out, &errOut); err != nil {
		t.Fatalf("status: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"redirect to http://10.1.2.3/admin: refusing to fetch private address 10.1.2.3", "dial tcp " + closed} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status:\n%s\nwant the whole error, %q", out.String(), want)
		}
	}
}
