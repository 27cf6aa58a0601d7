// Package store keeps Tributary's sources, items, stories and indexes in one
// bbolt file. *DB implements aggregator.Store; DB.Update hands the ingest
// code an aggregator.Tx so everything it reads and writes for one fetched
// feed commits atomically.
//
// Every commit is synced to disk before Update returns: a crash or kill
// loses no committed transaction and leaves a file that opens.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tributary-feeds/tributary/aggregator"
)

// ErrLocked is returned, wrapped, by Open when another process holds the
// file (bbolt allows one writing process per file). The command line then
// asks the running daemon instead.
var ErrLocked = errors.New("store file is locked by another process")

// DefaultTimeout is how long Open waits for the file lock when
// Options.Timeout is zero.
const DefaultTimeout = time.Second

// Options configures Open.
type Options struct {
	// ReadOnly opens the file with a shared lock, for reading only. The file
	// must exist and must have been created by a writable Open. Read-only
	// handles share the file with each other, not with a writer: either
	// side's Open fails with ErrLocked while the other holds it.
	ReadOnly bool
	// Timeout is how long to wait for the file lock before failing with
	// ErrLocked; zero or negative means DefaultTimeout.
	Timeout time.Duration
}

// DB is an open store. Its methods are safe for concurrent use: reads run
// in parallel, writes one at a time.
type DB struct {
	db    *bolt.DB
	path  string
	codec *itemCodec
	group group // Batch's group commit
	// filters are the write transactions' filters of the keys and bands
	// buckets (filter.go); bbolt's writer lock guards them.
	filters  bucketFilters
	writeMu  sync.Mutex   // held through each write transaction (updateCounts)
	commits  atomic.Int64 // write transactions committed since Open
	counters countCache   // counter increments not yet in the file (counts.go)
	features featureCache // features write transactions read, as committed (featcache.go); writeMu guards it
}

var _ aggregator.Store = (*DB)(nil)

// Open opens the store at path, creating the file and its folder if missing
// (unless opts.ReadOnly), and every bucket. It fails with an error wrapping
// ErrLocked when another process holds the file, and refuses, leaving it as
// it is, a folder, a file written by a newer schema version, not made by
// this package, missing a bucket or cut short, and, read-only, an empty file.
func Open(path string, opts Options) (*DB, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if fi, err := os.Stat(path); err == nil {
		// bbolt's own words for these are "invalid database" and, read-only,
		// a failed write to the file.
		switch {
		case fi.IsDir():
			return nil, fmt.Errorf("store %s: is a folder, not a store file", path)
		case fi.Size() == 0 && opts.ReadOnly:
			return nil, fmt.Errorf("store %s: the file is empty: no store was written to it", path)
		}
	}
	created := false
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("store %s: creating folder: %w", path, err)
		}
		fi, err := os.Stat(path)
		created = errors.Is(err, os.ErrNotExist)
		if err == nil && fi.Size() > 0 {
			// A writable open reads the free list at once, wherever the
			// file says it is: check the file's length before.
			ro, err := openBolt(path, timeout, true)
			if err != nil {
				return nil, err
			}
			err = checkLength(ro)
			ro.Close()
			if err != nil {
				return nil, fmt.Errorf("store %s: %w", path, err)
			}
		}
	}
	bdb, err := openBolt(path, timeout, opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	bdb.AllocSize = growStep
	if opts.ReadOnly {
		err = checkLength(bdb)
		if err == nil {
			err = guard(path, func() error { return bdb.View(checkSchema) })
		}
	} else {
		// A file that needs nothing is not written: a commit writes a free
		// list too, which on a damaged file could land on pages in use.
		var ready bool
		err = guard(path, func() error {
			return bdb.View(func(btx *bolt.Tx) error { ready = initialized(btx); return nil })
		})
		if err == nil && !ready {
			err = guard(path, func() error { return bdb.Update(initBuckets) })
		}
	}
	var codec *itemCodec
	if err == nil {
		err = guard(path, func() error {
			return bdb.View(func(btx *bolt.Tx) (err error) {
				codec, err = loadCodec(btx)
				return err
			})
		})
	}
	if err == nil && created {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		bdb.Close()
		if errors.Is(err, ErrDamaged) {
			return nil, err // guard named the file already
		}
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return &DB{db: bdb, path: path, codec: codec}, nil
}

// openBolt opens the bbolt file, waiting up to timeout for its lock.
func openBolt(path string, timeout time.Duration, readOnly bool) (*bolt.DB, error) {
	for tries := 1; ; tries++ {
		bdb, replaced, err := openBoltOnce(path, timeout, readOnly)
		if err != nil || !replaced || tries == maxReplaced {
			return bdb, err
		}
		// While this open waited for the lock, another file took the
		// store's place (compact puts its copy there before it lets the
		// old file go): the file locked is no longer the store, and writes
		// into it would be lost. Open the one at path now.
		bdb.Close()
	}
}

// maxReplaced is how many times openBolt opens the file at path again when
// another took its place while it waited for the lock.
const maxReplaced = 8

// openBoltOnce opens the bbolt file, waiting up to timeout for its lock, and
// reports whether path names another file than the one it locked by then.
func openBoltOnce(path string, timeout time.Duration, readOnly bool) (_ *bolt.DB, replaced bool, _ error) {
	// bbolt opens the file through OpenFile once while it opens, and again
	// later for some copies: the first is the file it locks.
	var (
		locked *os.File
		opened atomic.Bool
	)
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		if !opened.Load() {
			locked = f
		}
		return f, err
	}
	// NoSync, NoGrowSync and NoFreelistSync stay false: every commit is
	// durable when Update returns.
	var bdb *bolt.DB
	err := guard(path, func() (err error) {
		bdb, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly, OpenFile: openFile})
		return err
	})
	opened.Store(true)
	if err == nil && locked != nil {
		at, serr := os.Stat(path)
		fi, ferr := locked.Stat()
		replaced = serr == nil && ferr == nil && !os.SameFile(at, fi)
	}
	if errors.Is(err, ErrDamaged) {
		return nil, false, err
	}
	if err != nil {
		if errors.Is(err, berrors.ErrInvalid) {
			return nil, false, fmt.Errorf("store %s: not a tributary store (not a bbolt file, or its first pages are damaged): %w", path, err)
		}
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, false, fmt.Errorf("store %s: %w (waited %v: %w)", path, ErrLocked, timeout, err)
		}
		return nil, false, fmt.Errorf("store %s: %w", path, err)
	}
	return bdb, replaced, nil
}

// checkLength refuses a file shorter than the pages its meta page counts,
// as a copy cut short is: bbolt opens such a file, and the first read of a
// page past its end would kill the process with SIGBUS.
func checkLength(bdb *bolt.DB) error {
	fi, err := os.Stat(bdb.Path())
	if err != nil {
		return err
	}
	return bdb.View(func(btx *bolt.Tx) error {
		if need := btx.Size(); fi.Size() < need {
			return fmt.Errorf("damaged store: the file is cut short: %d bytes, where its pages take %d", fi.Size(), need)
		}
		return nil
	})
}

// growStep is how much bbolt grows the file past what it needs once the
// file is larger than that: bbolt's default of 16 MiB is more than a small
// store holds (over a kilobyte per item of a 10,000-item store), while each
// step costs only a truncate and an fsync.
const growStep = 4 << 20

// Generation changes whenever a write transaction commits: it is the id
// bbolt gave the last one, kept in the file, so it only grows.
func (d *DB) Generation() uint64 {
	var id int
	d.view(func(btx *bolt.Tx) error { //nolint:errcheck // a closed store is generation 0
		id = btx.ID()
		return nil
	})
	return uint64(id)
}

// syncDir makes a new file's directory entry durable: bbolt syncs the
// file's contents, but after a power loss a file created just before could
// otherwise be missing from its folder.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}

// Close releases the file. Transactions in progress finish first.
func (d *DB) Close() error {
	werr := d.writeCounts()
	d.codec.close()
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("closing store %s: %w", d.path, err)
	}
	if werr != nil {
		return fmt.Errorf("closing store %s: counters: %w", d.path, werr)
	}
	return nil
}

// Path returns the file's path as given to Open.
func (d *DB) Path() string { return d.path }

// Size returns the file's size in bytes.
func (d *DB) Size() (int64, error) {
	fi, err := os.Stat(d.path)
	if err != nil {
		return 0, fmt.Errorf("store size: %w", err)
	}
	return fi.Size(), nil
}

// Update runs fn in one write transaction, committed (and synced) when fn
// returns nil and rolled back when it returns an error, which Update
// returns. The Tx must not be used after fn returns.
func (d *DB) Update(ctx context.Context, fn func(aggregator.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := d.update(func(btx *bolt.Tx) error { return d.run(btx, fn) })
	if err == nil {
		d.maybeTrain()
	}
	return err
}

// update runs fn in a bbolt write transaction and counts the commit. The
// counter increments waiting in memory go into the file with it when they
// are due (counts.go).
func (d *DB) update(fn func(*bolt.Tx) error) error {
	return d.updateCounts(fn, false)
}

// updateCounts is update that, with force, puts the waiting counter
// increments into the file whether or not they are due.
func (d *DB) updateCounts(fn func(*bolt.Tx) error, force bool) error {
	// bbolt releases its writer lock before a commit returns: writeMu keeps
	// the next write transaction from starting until this one's counter
	// increments have joined the pending ones.
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	c := &d.counters
	c.cur = &staging{}
	defer func() { c.cur = nil }()
	committed := false
	d.features.begin()
	defer func() { d.features.end(committed) }()
	d.filters.begin()
	defer func() { d.filters.end(committed) }()
	err := guard(d.path, func() error {
		return d.db.Update(func(btx *bolt.Tx) error {
			if err := fn(btx); err != nil {
				return err
			}
			if force || c.due() {
				return c.write(btx.Bucket(bucketCounts))
			}
			return nil
		})
	})
	if err == nil {
		c.committed()
		d.commits.Add(1)
		committed = true
	}
	return err
}

// writeCounts puts every counter increment committed so far into the file.
func (d *DB) writeCounts() error {
	if d.db.IsReadOnly() || !d.counters.hasPending() {
		return nil
	}
	return d.updateCounts(func(*bolt.Tx) error { return nil }, true)
}

// Written is what the store's write transactions have written since it was
// opened: every commit writes each page it changed anew (bbolt copies on
// write), so a commit's cost is in the pages its writes fall on, not in the
// bytes of the records it adds.
type Written struct {
	Commits int64 // write transactions committed
	Pages   int64 // pages written, the freelist's among them (a record spilling over several pages counts each)
	Bytes   int64 // bytes of those pages
}

// Written returns what the store has written since it was opened.
func (d *DB) Written() Written {
	ts := d.db.Stats().TxStats
	return Written{Commits: d.commits.Load(), Pages: ts.GetPageCount(), Bytes: ts.GetPageAlloc()}
}

// View runs fn in one read transaction: a consistent snapshot. The Tx's
// write methods fail. The Tx must not be used after fn returns.
func (d *DB) View(ctx context.Context, fn func(aggregator.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.view(func(btx *bolt.Tx) error { return d.run(btx, fn) })
}

// run calls fn with a Tx over btx and, in a write transaction, then writes
// what the Tx holds back until the end (tx.flush).
func (d *DB) run(btx *bolt.Tx, fn func(aggregator.Tx) error) error {
	t := d.newTx(btx)
	if err := fn(t); err != nil {
		return err
	}
	if btx.Writable() {
		return t.flush()
	}
	return nil
}

// Backup writes a consistent copy of the whole file to w, as of the moment
// it starts, while writers carry on, and returns the bytes written. The
// copy opens with Open. It first puts the counter increments waiting in
// memory into the file, so that the copy holds them; when the file takes
// no write (a full disk), the copy is made without them, as a crash would
// lose them: a backup is most wanted then, and needs no write.
func (d *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := d.writeCounts(); err != nil {
		slog.Default().Warn("backup without the latest counter increments: the store takes no write",
			"path", d.path, "err", err)
	}
	var n int64
	err := d.view(func(btx *bolt.Tx) error {
		var err error
		n, err = btx.WriteTo(&ctxWriter{ctx: ctx, w: w})
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup of %s: %w", d.path, err)
	}
	return n, nil
}

// ctxWriter stops a long copy when its context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// compactTxSize is how many bytes Compact copies per transaction.
const compactTxSize = 64 << 20

// Compact writes the store's records into a new file at dstPath, without the
// free pages a long-lived file accumulates. dstPath must not exist; on
// failure the partial file is removed. The store stays open and usable;
// writes that commit while Compact runs may be missing from the copy.
func (d *DB) Compact(ctx context.Context, dstPath string) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := os.Stat(dstPath); err == nil {
		return fmt.Errorf("compact to %s: file exists", dstPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("compact to %s: %w", dstPath, err)
	}
	if err := os.MkdirAll(filepath.Dir(dstPath), 0o750); err != nil {
		return fmt.Errorf("compact to %s: %w", dstPath, err)
	}
	// The copy holds every counter increment committed before it began.
	if err := d.writeCounts(); err != nil {
		return fmt.Errorf("compact to %s: counters: %w", dstPath, err)
	}
	dst, err := bolt.Open(dstPath, 0o600, &bolt.Options{Timeout: DefaultTimeout})
	if err != nil {
		return fmt.Errorf("compact to %s: %w", dstPath, err)
	}
	var used int64 // the copy's pages in use: bbolt grows a file in steps of up to 16 MiB
	defer func() {
		if cerr := dst.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("compact to %s: %w", dstPath, cerr)
		}
		if err == nil && used > 0 {
			err = trimFile(dstPath, used)
		}
		if err == nil {
			err = syncDir(filepath.Dir(dstPath))
		}
		if err != nil {
			os.Remove(dstPath)
		}
	}()
	if err := guard(d.path, func() error { return bolt.Compact(dst, d.db, compactTxSize) }); err != nil {
		return fmt.Errorf("compact to %s: %w", dstPath, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return dst.View(func(btx *bolt.Tx) error {
		used = btx.Size()
		return nil
	})
}

// trimFile cuts a closed bbolt file to the size its pages use, dropping
// the room bbolt grew it by in advance, and syncs it.
func trimFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("compact to %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("compact to %s: %w", path, err)
	}
	if fi.Size() <= size {
		return nil
	}
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("compact to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("compact to %s: %w", path, err)
	}
	return f.Close()
}

// Stats counts records, for metrics and status.
type Stats struct {
	Sources int
	Stories int
	Items   int
	Keys    int // distinct dedup keys
	Bands   int // distinct near-duplicate bands
}

// Stats counts the records in the store. It walks the buckets' pages, so it
// takes time in proportion to the file's size.
func (d *DB) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	var s Stats
	err := d.view(func(btx *bolt.Tx) error {
		s.Sources = btx.Bucket(bucketSources).Stats().KeyN
		s.Stories = btx.Bucket(bucketStories).Stats().KeyN
		for _, b := range d.newTx(btx).recordBuckets() {
			s.Items += b.Stats().KeyN
		}
		s.Keys = btx.Bucket(bucketKeys).Stats().KeyN
		s.Bands = btx.Bucket(bucketBands).Stats().KeyN
		return nil
	})
	return s, err
}
