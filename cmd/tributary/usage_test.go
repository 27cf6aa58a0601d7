package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageAligned reads tributary -h: every command's summary starts in
// the same column, those with long arguments (explain, topics test) too.
func TestUsageAligned(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, &out, &errOut); err != nil {
		t.Fatalf("tributary -h: %v", err)
	}
	text := out.String() + errOut.String()
	col := -1
	for _, c := range commands {
		var line string
		for l := range strings.SplitSeq(text, "\n") {
			if strings.HasPrefix(l, "  "+c.name+" ") {
				line = l
				break
			}
		}
		at := strings.Index(line, c.summary)
		if at < 0 {
			t.Fatalf("usage has no line for %s with its summary:\n%s", c.name, text)
		}
		if col < 0 {
			col = at
		} else if at != col {
			t.Errorf("summary of %s starts at column %d, others at %d:\n%s", c.name, at, col, text)
		}
	}
}

// TestCommandUsageLine reads every command's -h: its first line names the
// command, -config and its arguments, and ends there, without a trailing
// space after a command that takes none.
func TestCommandUsageLine(t *testing.T) {
	for _, c := range commands {
		if c.ownFlags {
			continue
		}
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{c.name, "-h"}, &out, &errOut); err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("tributary %s -h: %v", c.name, err)
		}
		first, _, _ := strings.Cut(out.String()+errOut.String(), "\n")
		want := strings.TrimSpace("Usage: tributary " + c.name + " [-config FILE] " + c.args)
		if first != want {
			t.Errorf("tributary %s -h: first line %q, want %q", c.name, first, want)
		}
	}
}

// TestHelpOnStdout asks every command for its -h, which goes to stdout
// as tributary -h does, and gives a bad flag, whose usage goes to stderr.
func TestHelpOnStdout(t *testing.T) {
	for _, c := range commands {
		var out, errOut bytes.Buffer
		err := run(t.Context(), []string{c.name, "-h"}, &out, &errOut)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("tributary %s -h: %v", c.name, err)
		}
		if !strings.HasPrefix(out.String(), "Usage: tributary "+c.name) || errOut.Len() != 0 {
			t.Errorf("tributary %s -h: stdout %q, stderr %q; want the usage on stdout alone", c.name, out.String(), errOut.String())
		}

		out.Reset()
		errOut.Reset()
		err = run(t.Context(), []string{c.name, "-no-such-flag"}, &out, &errOut)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage {
			t.Errorf("tributary %s -no-such-flag = %v; want exit status 2", c.name, err)
		}
		if out.Len() != 0 || !strings.Contains(errOut.String(), "Usage: tributary "+c.name) {
			t.Errorf("tributary %s -no-such-flag: stdout %q, stderr %q; want the usage on stderr alone", c.name, out.String(), errOut.String())
		}
		// main prints the error; the usage above it does not say it again.
		if strings.Contains(errOut.String(), "-no-such-flag") || !strings.Contains(err.Error(), "flag provided but not defined: -no-such-flag") {
			t.Errorf("tributary %s -no-such-flag: stderr %q, error %v; want the error once, in the error alone", c.name, errOut.String(), err)
		}
	}
}

// TestFlagBeforeCommand gives -config before the command: bad usage, whose
// error says where flags go rather than that "-config" is no command.
func TestFlagBeforeCommand(t *testing.T) {
	for _, args := range [][]string{{"-config", "other.yaml", "check"}, {"--config=other.yaml", "check"}} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, &out, &errOut)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "-config goes after the command") {
			t.Errorf("tributary %q = %v; want exit status 2 saying that -config goes after the command", args, err)
		}
		if out.Len() != 0 {
			t.Errorf("tributary %q wrote %q to stdout; want nothing", args, out.String())
		}
	}
}

// TestMissingConfigSaysWhere runs check and serve where their config file
// is not: the error, bad usage, says where the path came from and how to
// name another, as a new operator run from another folder, or one with a
// $TRIBUTARY_CONFIG set long ago, needs; of a path -config gave, it says
// what is missing alone.
func TestMissingConfigSaysWhere(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, c := range []struct {
		env       string
		args      []string
		want, not string
	}{
		{"", []string{"check"}, "without -config FILE or $TRIBUTARY_CONFIG, config.yaml in the working directory is read", ""},
		{"", []string{"serve"}, "without -config FILE or $TRIBUTARY_CONFIG, config.yaml in the working directory is read", ""},
		{filepath.Join(dir, "gone.yaml"), []string{"check"}, "$TRIBUTARY_CONFIG names it: name the config file there, or with -config FILE", "working directory"},
		{"", []string{"check", "-config", "elsewhere.yaml"}, "open elsewhere.yaml: no such file", "TRIBUTARY_CONFIG"},
		{filepath.Join(dir, "gone.yaml"), []string{"check", "-config", "elsewhere.yaml"}, "open elsewhere.yaml: no such file", "TRIBUTARY_CONFIG"},
	} {
		t.Setenv("TRIBUTARY_CONFIG", c.env)
		var out, errOut bytes.Buffer
		err := run(t.Context(), c.args, &out, &errOut)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage {
			t.Fatalf("tributary %q, $TRIBUTARY_CONFIG %q, with no config file = %v; want exit status 2", c.args, c.env, err)
		}
		if !strings.Contains(err.Error(), "no such file") || !strings.Contains(err.Error(), c.want) || c.not != "" && strings.Contains(err.Error(), c.not) {
			t.Errorf("tributary %q, $TRIBUTARY_CONFIG %q, with no config file: %v; want %q, not %q", c.args, c.env, err, c.want, c.not)
		}
	}
}

// TestServeOnABusyAddress starts serve where another program listens, as
// the shipped port 8080 often is taken: it stops, saying which keys to set;
// server.base_url among them where it names the same port, and not where
// it names a reverse proxy's.
func TestServeOnABusyAddress(t *testing.T) {
	// Another web server, as on port 8080 often.
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	var err error
	for _, c := range []struct {
		baseURL string
		base    bool // the error names server.base_url
	}{
		{"", true},
		{"http://" + addr, true},
		{"https://feeds.example", false},
		{"http://feeds.example:8443/news", false},
	} {
		dir := t.TempDir()
		server := fmt.Sprintf("server:\n  listen: %q\n", addr)
		if c.baseURL != "" {
			server += fmt.Sprintf("  base_url: %q\n", c.baseURL)
		}
		path := saveConfig(t, dir, server+fmt.Sprintf("storage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n",
			filepath.Join(dir, "data", "tributary.db")))
		var out, errOut bytes.Buffer
		err = run(t.Context(), []string{"serve", "-config", path}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "another program listens there: set server.listen in "+path+" to a free address") ||
			strings.Contains(err.Error(), "server.base_url") != c.base {
			t.Errorf("serve, base_url %q, on an address another program listens at = %v; want the address in use, server.listen to set, and server.base_url named: %v",
				c.baseURL, err, c.base)
		}
	}
}

// TestServeWhereAnotherDaemonListens starts serve at the address of a
// daemon that runs on another store, as a second config copied from the
// first one does: the error says that a tributary daemon listens there,
// not some other program.
func TestServeWhereAnotherDaemonListens(t *testing.T) {
	dir := t.TempDir()
	first := saveConfig(t, dir, fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n",
		filepath.Join(dir, "data", "first.db")))
	d := startDaemon(t, first)
	other := t.TempDir()
	path := saveConfig(t, other, fmt.Sprintf("server:\n  listen: %q\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n",
		d.addr, filepath.Join(other, "data", "second.db")))
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"serve", "-config", path}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "a tributary daemon on another store listens there") ||
		!strings.Contains(err.Error(), "set server.listen in "+path) {
		t.Errorf("serve at the address of a daemon on another store = %v; want that a tributary daemon listens there, and server.listen to set", err)
	}
}
