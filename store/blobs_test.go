package store

import (
	"bytes"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestBlobsAndDropCounts checks the pipeline's named blobs and dropping a
// counter namespace.
func TestBlobsAndDropCounts(t *testing.T) {
	d := mustOpen(t)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if b, err := tx.Blob("lines/a"); b != nil || err != nil {
			t.Errorf("Blob of a name never put = %q, %v; want nil, nil", b, err)
		}
		if err := tx.PutBlob("", []byte("x")); err == nil {
			t.Error("PutBlob with an empty name succeeded")
		}
		if err := tx.PutBlob("lines/a", []byte("table")); err != nil {
			return err
		}
		if err := tx.AddCounts("chrome/a", []string{"k1", "k2"}); err != nil {
			return err
		}
		if err := tx.AddCounts("chrome/b", []string{"k1"}); err != nil {
			return err
		}
		if err := tx.DropCounts("chrome/a"); err != nil {
			return err
		}
		return tx.DropCounts("chrome/never")
	})
	err := d.View(t.Context(), func(tx aggregator.Tx) error {
		if b, err := tx.Blob("lines/a"); !bytes.Equal(b, []byte("table")) || err != nil {
			t.Errorf("Blob(lines/a) = %q, %v; want table", b, err)
		}
		if n, _ := tx.Counts("chrome/a", []string{"k1", "k2"}); n[0] != 0 || n[1] != 0 {
			t.Errorf("dropped namespace counts %v; want zeros", n)
		}
		if n, _ := tx.Counts("chrome/b", []string{"k1"}); n[0] != 1 {
			t.Errorf("other namespace counts %v; want [1]", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFileWithoutBlobs opens a file written before the blobs bucket: read
// only it opens and has no blobs; a writable Open adds the bucket.
func TestFileWithoutBlobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(btx *bolt.Tx) error { return btx.DeleteBucket(bucketBlobs) }); err != nil {
		t.Fatal(err)
	}
	bdb.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only Open of a file without blobs: %v", err)
	}
	err = ro.View(t.Context(), func(tx aggregator.Tx) error {
		if b, err := tx.Blob("lines/a"); b != nil || err != nil {
			t.Errorf("Blob in a file without blobs = %q, %v; want nil, nil", b, err)
		}
		return nil
	})
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}
	rw := mustOpenPath(t, path)
	mustUpdate(t, rw, func(tx aggregator.Tx) error { return tx.PutBlob("lines/a", []byte("t")) })
}
