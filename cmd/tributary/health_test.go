package main

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthWithoutDaemon runs `tributary health` where no daemon listens:
// it fails saying so, on stderr, with nothing on stdout.
func TestHealthWithoutDaemon(t *testing.T) {
	// An address that nothing listens on: one just given up.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	path := saveConfig(t, dir, fmt.Sprintf("server:\n  listen: %q\nstorage:\n  path: %q\n", addr, filepath.Join(dir, "t.db")))

	var out, errOut bytes.Buffer
	err = run(t.Context(), []string{"health", "-config", path}, &out, &errOut)
	if err == nil {
		t.Fatalf("health without a daemon = nil; want an error")
	}
	want := "no daemon answers at http://" + addr
	if !strings.Contains(err.Error(), want) {
		t.Errorf("health without a daemon = %q; want it to say %q", err, want)
	}
	if out.Len() != 0 {
		t.Errorf("health without a daemon wrote %q to stdout; want nothing", out.String())
	}
}
