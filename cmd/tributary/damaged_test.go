package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/store"
)

// damage writes records into the store at path beside what is there
// (fill), then points the children of one of its branch pages at a page
// past the end of the file, as a disk error or a bad copy would: the first
// one whose damage leaves the store opening and unreadable(db) failing
// with the store's ErrDamaged.
func damage(t *testing.T, path string, fill func(aggregator.Tx) error, unreadable func(*store.DB) error) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(t.Context(), fill); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ps := bdb.Info().PageSize
	bdb.Close()
	const branchPage = 0x01
	for p := 2; (p+1)*ps <= len(raw); p++ {
		if binary.LittleEndian.Uint16(raw[p*ps+8:]) != branchPage {
			continue
		}
		buf := append([]byte(nil), raw...)
		pg := buf[p*ps:]
		for i := range int(binary.LittleEndian.Uint16(pg[10:])) {
			binary.LittleEndian.PutUint64(pg[16+i*16+8:], 1<<62)
		}
		if err := os.WriteFile(path, buf, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(path, store.Options{ReadOnly: true})
		if err != nil {
			continue
		}
		err = unreadable(db)
		db.Close()
		if errors.Is(err, store.ErrDamaged) {
			return
		}
	}
	t.Fatal("no damaged copy of the store opens and fails as asked")
}

// damageSources damages the store at path so that its source states
// cannot be read.
func damageSources(t *testing.T, path string) {
	t.Helper()
	fill := func(tx aggregator.Tx) error {
		for i := range 300 {
			u := fmt.Sprintf("https://gone%d.example/feed.rss", i)
			st := aggregator.SourceState{ID: aggregator.SourceID(u), ConfigURL: u, URL: u, Name: strings.Repeat("n", 200)}
			if err := tx.PutSource(st); err != nil {
				return err
			}
		}
		return nil
	}
	damage(t, path, fill, func(db *store.DB) error {
		_, err := db.Sources(t.Context())
		return err
	})
}

// damageStories damages the store at path so that its source states can
// be read and its stories cannot.
func damageStories(t *testing.T, path string) {
	t.Helper()
	fill := func(tx aggregator.Tx) error {
		at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
		for i := range 300 {
			id := fmt.Sprintf("%024x", i+1)
			st := aggregator.Story{ID: id, Time: at, Updated: at, Face: id, Topics: []string{aggregator.AllTopic},
				Members: []aggregator.Member{{Item: id, Source: strings.Repeat("s", 16), Time: at, Match: aggregator.Match{Reason: aggregator.ReasonNew}}}}
			if err := tx.PutStory(st); err != nil {
				return err
			}
		}
		return nil
	}
	damage(t, path, fill, func(db *store.DB) error {
		if _, err := db.Sources(t.Context()); err != nil {
			return nil // not the damage asked for
		}
		_, err := db.StoryIDs(t.Context())
		return err
	})
}

// TestDamagedStoreFailsFirst runs poll and serve on a store whose source
// states a damaged page makes unreadable, and poll on one whose stories
// it makes unreadable, with a config edited since the last run (a topic's
// rule, the retention), so that the stories are to be retagged and pruned.
// Each fails at once, with the store's error, before it writes to the
// file, asks a source or serves: poll retagged and pruned the stories,
// then failed every source, or fetched every source and stored what they
// brought into the damaged file, and serve logged serving and stopped
// before the error.
func TestDamagedStoreFailsFirst(t *testing.T) {
	for _, tt := range []struct {
		cmd, damaged string
		damage       func(*testing.T, string)
	}{
		{"poll", "sources", damageSources},
		{"serve", "sources", damageSources},
		{"poll", "stories", damageStories},
	} {
		cmd := tt.cmd
		t.Run(cmd+"/"+tt.damaged, func(t *testing.T) {
			o := newOrigin(t)
			path := writeConfig(t, o, "  - id: extra\n    title: Extra\n    match:\n      any: [harbour]\n")
			var out, errOut bytes.Buffer
			if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
				t.Fatalf("first poll: %v\n%s%s", err, out.String(), errOut.String())
			}
			dbPath := filepath.Join(filepath.Dir(path), "data", "tributary.db")
			tt.damage(t, dbPath)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(strings.Replace(string(b), "any: [harbour]", "any: [ledger]", 1), "retention: 0", "retention: 1h", 1)
			saveConfig(t, filepath.Dir(path), edited)
			before, err := os.ReadFile(dbPath)
			if err != nil {
				t.Fatal(err)
			}
			asked := len(o.Requests())

			out.Reset()
			errOut.Reset()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			listenMu.Lock()
			err = run(ctx, []string{cmd, "-config", path}, &out, &errOut)
			listenMu.Unlock()
			if !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), dbPath) {
				t.Errorf("%s on a damaged store = %v; want the damaged store's error, naming the file", cmd, err)
			}
			for _, msg := range []string{"retagged", "pruned", "serving", "stopped"} {
				if strings.Contains(errOut.String(), msg) {
					t.Errorf("%s on a damaged store logged %q before failing:\n%s", cmd, msg, errOut.String())
				}
			}
			if out.Len() > 0 {
				t.Errorf("%s on a damaged store printed:\n%s\nwant nothing but the error", cmd, out.String())
			}
			if n := len(o.Requests()) - asked; n > 0 {
				t.Errorf("%s on a damaged store asked the sources %d times; want none", cmd, n)
			}
			after, err := os.ReadFile(dbPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("%s on a damaged store wrote to it; want the file left as it was", cmd)
			}
		})
	}
}
