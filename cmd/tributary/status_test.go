package main

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatusShowsWholeError polls a source whose server refuses the
// connection, at a long URL: status shows the error to its end, where the
// refusal is named.
func TestStatusShowsWholeError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	dir := t.TempDir()
	url := fmt.Sprintf("http://%s/news/world/europe/a-long-path-as-many-sites-give-their-feeds/feed.xml", addr)
	cfg := fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\nstorage:\n  path: %q\npoll:\n  allow_private: true\nsources:\n  - url: %q\n    name: \"Refusing\"\n",
		filepath.Join(dir, "data", "tributary.db"), url)
	path := saveConfig(t, dir, cfg)
	var out, errOut bytes.Buffer
	// Its one source failing, poll exits 1 (see TestPollExitStatus).
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "no source could be fetched") {
		t.Fatalf("poll: %v; want no source could be fetched\n%s", err, errOut.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"status", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("status: %v", err)
	}
	line := ""
	for l := range strings.Lines(out.String()) {
		if strings.HasPrefix(l, "Refusing") {
			line = l
		}
	}
	if !strings.Contains(line, url) || !strings.Contains(line, "connection refused") {
		t.Errorf("status line of the failing source:\n%s\nwant its whole error, with the URL and \"connection refused\"", line)
	}
}
