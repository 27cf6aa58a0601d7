package store

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestUpgradeKilled kills a process at random moments while its writable
// Open upgrades a file of format version 3 (a links index of 20,000
// entries to delete, owned lists of ownedV1, the version to mark): each
// time the file is either as it was or wholly upgraded, never between, and
// the next Open upgrades it if need be, with every item in its story and
// every index in order.
func TestUpgradeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	dir := t.TempDir()
	orig := filepath.Join(dir, "v3.db")
	d, err := Open(orig, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for b := range 40 {
		mustUpdate(t, d, func(tx aggregator.Tx) error { return writeBatch(tx, b) })
	}
	want := exported(t, d)
	d.Close()
	bdb, err := bolt.Open(orig, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(btx *bolt.Tx) error {
		if err := downgradeOwned(t, btx, nil); err != nil {
			return err
		}
		links, err := btx.CreateBucket([]byte("links"))
		if err != nil {
			return err
		}
		for i := range 20000 {
			if err := links.Put(fmt.Appendf(nil, "https://s%d.example/a/%d\x00item-%d", i%5, i, i), nil); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, 3))
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	var upgradeTook time.Duration // how long a child takes to open the file, upgraded
	for round := range 10 {
		path := filepath.Join(dir, fmt.Sprintf("round%d.db", round))
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		cmd, stdin, out := child(t, "hold", path)
		if round == 0 {
			// Not killed: it measures how long the kills have to land in.
			if !out.Scan() || out.Text() != "ready" {
				t.Fatalf("child did not open the store: %q, %v", out.Text(), out.Err())
			}
			upgradeTook = time.Since(start)
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("child: %v", err)
			}
		} else {
			time.Sleep(time.Duration(r.Int64N(int64(upgradeTook) + 1)))
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait() //nolint:errcheck // killed, or done before the kill
		}
		version, links := upgradeState(t, path)
		t.Logf("round %d: version %d, links index %v after the kill (none in round 0; an open takes %v)", round, version, links, upgradeTook.Round(time.Millisecond))
		if version == 3 != links {
			t.Errorf("round %d: version %d with a links index %v; want version 3 with it or %d without", round, version, links, schemaVersion)
		}
		d := mustOpenPath(t, path)
		if got := exported(t, d); !reflect.DeepEqual(got, want) {
			t.Errorf("round %d: after the kill, the store holds %d items in their stories; want %d as before", round, len(got), len(want))
		}
		checkConsistent(t, d)
		d.Close()
		if version, links := upgradeState(t, path); version != schemaVersion || links {
			t.Errorf("round %d: the open after the kill left version %d, links index %v; want %d without", round, version, links, schemaVersion)
		}
	}
}

// upgradeState reads the format version of the store at path and whether it
// still holds a links index.
func upgradeState(t *testing.T, path string) (version uint32, links bool) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	bdb.View(func(btx *bolt.Tx) error { //nolint:errcheck // returns nil
		version = binary.BigEndian.Uint32(btx.Bucket(bucketMeta).Get(keySchema))
		links = btx.Bucket([]byte("links")) != nil
		return nil
	})
	return version, links
}
