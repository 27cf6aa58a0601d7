package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestVerify checks a store while the daemon holds it (the daemon checks
// it), then with the daemon stopped, and a backup given as a file: each is
// sound. A copy of the store missing a time index entry is damaged: verify
// names the problem and exits 1.
func TestVerify(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	cfg, err := aggregator.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, path)
	waitFor(t, "stories stored", 15*time.Second, func() bool {
		_, body := d.get(t, "/topics/all.json")
		return bytes.Count(body, []byte("urn:tributary:story:")) >= 5
	})
	cli := cliConfig(t, path, d.addr)

	verify := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(t.Context(), append([]string{"verify", "-config", cli}, args...), &out, &errOut)
		return out.String(), err
	}
	out, err := verify()
	if err != nil || !strings.Contains(out, "sound") || !strings.Contains(out, "checked by the running daemon") {
		t.Fatalf("verify while serving = %v, %q; want the daemon to find the store sound", err, out)
	}
	t.Logf("verify while serving: %s", out)
	backup := filepath.Join(t.TempDir(), "copy.db")
	var bout, berr bytes.Buffer
	if err := run(t.Context(), []string{"backup", "-config", cli, backup}, &bout, &berr); err != nil {
		t.Fatalf("backup: %v\n%s", err, berr.String())
	}
	if out, err := verify(backup); err != nil || !strings.Contains(out, backup+": sound") {
		t.Errorf("verify %s = %v, %q; want it sound", backup, err, out)
	}
	out, err = verify(cfg.Storage.Path)
	if err == nil || !strings.Contains(err.Error(), "locked") || !strings.Contains(err.Error(), "-config") {
		t.Errorf("verify of the file the daemon holds = %v, %q; want it refused, saying how to have the daemon check it", err, out)
	}

	d.stop()
	if err := <-d.done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	d.done <- nil // for the cleanup
	if out, err := verify(); err != nil || !strings.Contains(out, cfg.Storage.Path+": sound") || strings.Contains(out, "daemon") {
		t.Errorf("verify with the daemon stopped = %v, %q; want the store sound, checked here", err, out)
	}

	// The backup, missing a story's time index entry.
	bdb, err := bolt.Open(backup, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var story string
	err = bdb.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket([]byte("time"))
		k, _ := b.Cursor().First()
		story = string(k[8:])
		return b.Delete(k)
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err = verify(backup)
	t.Logf("verify of a damaged copy: %v\n%s", err, out)
	var ee *exitError
	if err == nil || errors.As(err, &ee) || !strings.Contains(err.Error(), "damaged: 1 problem") {
		t.Errorf("verify of a damaged copy = %v; want exit 1 saying it is damaged", err)
	}
	if !strings.Contains(out, "story "+story+": not in the time index") {
		t.Errorf("verify of a damaged copy printed %q; want the story missing from the time index named", out)
	}
}
