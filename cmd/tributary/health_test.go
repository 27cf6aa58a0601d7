package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	// Nothing holds the store: no daemon runs that started at another
	// server.listen, and the error does not say one does.
	if strings.Contains(err.Error(), "listens at the server.listen it started with") {
		t.Errorf("health without a daemon = %q; want no word on a daemon that listens elsewhere", err)
	}
	if out.Len() != 0 {
		t.Errorf("health without a daemon wrote %q to stdout; want nothing", out.String())
	}
}

// TestHealthWithBrokenConfig asks a running daemon's health through a
// config file edited since with a mistake: the daemon, which runs the
// config it loaded, is healthy, and health says so (exit 0), with a word
// on stderr that the file does not load.
func TestHealthWithBrokenConfig(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startHealthy(t, path)
	cli := cliConfig(t, path, d.addr)
	breakConfig(t, cli)
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"check", "-config", cli}, &out, &errOut); err == nil {
		t.Fatalf("check of the edited config = nil; want its mistake")
	}

	out.Reset()
	err := run(t.Context(), []string{"health", "-config", cli}, &out, &errOut)
	if err != nil || !strings.HasPrefix(out.String(), "200 OK ") {
		t.Errorf("health with a broken config file = %v, %q; want exit 0 and the daemon's 200", err, out.String())
	}
	if !strings.Contains(errOut.String(), cli+" does not load") {
		t.Errorf("health with a broken config file wrote %q to stderr; want a word that the file does not load", errOut.String())
	}
}

// TestDaemonCommandsWithBrokenConfig runs status, export, verify and
// health through a config file edited with a mistake since the daemon
// loaded it: they ask the daemon at the file's server.listen, with a word
// on stderr; where no daemon answers, they fail with the file's mistake
// and say so.
func TestDaemonCommandsWithBrokenConfig(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startHealthy(t, path)
	cli := cliConfig(t, path, d.addr)
	breakConfig(t, cli)
	// An address that nothing listens on: one just given up.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := l.Addr().String()
	l.Close()
	nobody := cliConfig(t, path, gone)
	breakConfig(t, nobody)

	for _, cmd := range []struct{ name, want string }{
		{"status", "SOURCE"},
		{"export", ""},
		{"verify", "sound"},
		{"health", "200 OK"},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), []string{cmd.name, "-config", cli}, &out, &errOut)
		if err != nil || !strings.Contains(out.String(), cmd.want) {
			t.Errorf("%s with a broken config file = %v, %q; want exit 0 and the daemon's answer", cmd.name, err, out.String())
		}
		if !strings.Contains(errOut.String(), cli+" does not load") {
			t.Errorf("%s with a broken config file wrote %q to stderr; want a word that the file does not load", cmd.name, errOut.String())
		}

		out.Reset()
		errOut.Reset()
		err = run(t.Context(), []string{cmd.name, "-config", nobody}, &out, &errOut)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "titel") ||
			!strings.Contains(err.Error(), "no daemon answers at http://"+gone) {
			t.Errorf("%s with a broken config file and no daemon = %v; want exit 2, the file's mistake and that no daemon answers", cmd.name, err)
		}
	}
}

// startHealthy starts the daemon on the config at path and waits until its
// /healthz answers 200.
func startHealthy(t *testing.T, path string) *daemon {
	t.Helper()
	d := startDaemon(t, path)
	waitFor(t, "the daemon healthy", 10*time.Second, func() bool {
		resp, _ := d.get(t, "/healthz")
		return resp.StatusCode == http.StatusOK
	})
	return d
}

// breakConfig appends a topic with a misspelt key to the config file at
// path, a mistake that check, a reload and every command find.
func breakConfig(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("  - id: broken\n    titel: x\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestListenOf reads server.listen from config files that do not load: a
// key given twice, as when a section the file already has is appended at
// its end, or a line indented with a tab in another section, leaves
// server.listen as readable as an unknown key does.
func TestListenOf(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       string
		ok         bool
	}{
		{"valid", "server:\n  listen: \"127.0.0.1:9000\"\n", "127.0.0.1:9000", true},
		{"unknown key", "server:\n  listen: \"127.0.0.1:9000\"\npoll:\n  intervall: 5m\n", "127.0.0.1:9000", true},
		{"section given twice", "server:\n  listen: \"127.0.0.1:9000\"\npoll:\n  interval: 30m\npoll:\n  per_host: 3\n", "127.0.0.1:9000", true},
		{"server given twice", "server:\n  listen: \"127.0.0.1:9000\"\nserver:\n  max_connections: 3\n", "127.0.0.1:9000", true},
		{"key given twice in a source", "server:\n  listen: \"127.0.0.1:9000\"\nsources:\n  - url: http://a.example/\n    url: http://b.example/\n", "127.0.0.1:9000", true},
		{"listen through an alias", "x: &l \"127.0.0.1:9000\"\nserver:\n  listen: *l\n", "127.0.0.1:9000", true},
		{"no server", "poll:\n  interval: 30m\n", "127.0.0.1:8080", true},
		{"empty server", "server:\npoll:\n  interval: 30m\n", "127.0.0.1:8080", true},
		{"empty file", "", "127.0.0.1:8080", true},
		{"a list", "- server\n", "", false},
		{"server a scalar", "server: 5\n", "", false},
		{"listen a list", "server:\n  listen: [a]\n", "", false},
		{"a tab in the server section", "server:\n\tlisten: x\n", "", false},
		{"a tab elsewhere", "# Tributary\nserver:\n  listen: \"127.0.0.1:9000\" # here\n\n  # the feeds' links\n  base_url: \"http://feeds.example\"\npoll:\n\tinterval: 30m\n", "127.0.0.1:9000", true},
		{"a tab before the server section", "poll:\n\tinterval: 30m\nserver: {listen: \"127.0.0.1:9000\"}\n", "127.0.0.1:9000", true},
		{"a tab and no server section", "poll:\n\tinterval: 30m\n", "127.0.0.1:8080", true},
		// As a Windows editor may save it.
		{"a byte order mark and a tab elsewhere", "\ufeffserver:\n  listen: \"127.0.0.1:9000\"\npoll:\n\tinterval: 30m\n", "127.0.0.1:9000", true},
		{"a byte order mark and CRLF", "\ufeffserver:\r\n  listen: \"127.0.0.1:9000\"\r\npoll:\r\n\tinterval: 30m\r\n", "127.0.0.1:9000", true},
		{"a server section of other mistakes", "server:\n  listen: [\n", "", false},
	} {
		path := saveConfig(t, t.TempDir(), tt.text)
		got, ok := listenOf(path)
		if got != tt.want || ok != tt.ok {
			t.Errorf("listenOf(%s: %q) = %q, %v; want %q, %v", tt.name, tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

// TestHealthWithDuplicateKey asks a running daemon's health through a
// config file to which a section it already has was appended: the file
// does not load, but its server.listen still names the daemon.
func TestHealthWithDuplicateKey(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startHealthy(t, path)
	cli := cliConfig(t, path, d.addr)
	f, err := os.OpenFile(cli, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("poll:\n  per_host: 3\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = run(t.Context(), []string{"health", "-config", cli}, &out, &errOut)
	if err != nil || !strings.HasPrefix(out.String(), "200 OK ") {
		t.Errorf("health with a section given twice = %v, %q; want exit 0 and the daemon's 200", err, out.String())
	}
	if !strings.Contains(errOut.String(), cli+" does not load") {
		t.Errorf("health with a section given twice wrote %q to stderr; want a word that the file does not load", errOut.String())
	}
}
