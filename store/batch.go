package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// DefaultMaxBatch is how many Batch calls one transaction holds at most
// until SetMaxBatch says otherwise.
const DefaultMaxBatch = 8

// group is the store's group commit. A Batch call that finds no
// transaction of the group running starts one for itself; calls that
// arrive while it runs wait, and the next transaction takes them all
// (up to max). Under load every commit, and its fsync, serves as many
// fetched feeds as arrived while the one before ran; an idle store
// commits a lone call at once.
type group struct {
	mu      sync.Mutex
	queue   []*call
	leading bool // a goroutine is running the group's transactions
	max     int  // calls per transaction; 0 means DefaultMaxBatch
}

type call struct {
	fn   func(aggregator.Tx) error
	done chan error
}

// errSolo tells a Batch caller that its fn failed inside a shared
// transaction, which was rolled back, and must run again alone.
var errSolo = errors.New("store: batch call failed; run it alone")

// Batch runs fn in a write transaction that concurrent Batch calls may
// share (group commit), so that one commit and one fsync serve several
// fetched feeds. fn may run more than once — alone, when the shared
// transaction failed — so it must depend only on what it reads through tx
// and on values it does not change.
func (d *DB) Batch(ctx context.Context, fn func(aggregator.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &call{fn: fn, done: make(chan error, 1)}
	g := &d.group
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		d.lead()
	}
	err := <-c.done
	if errors.Is(err, errSolo) {
		return d.Update(context.WithoutCancel(ctx), fn)
	}
	var p *panicked
	if errors.As(err, &p) {
		panic(p.v) // fn's panic, raised again in its caller's goroutine
	}
	return err
}

// lead runs one transaction for the calls waiting, then hands the group
// to a new goroutine if more arrived meanwhile, so that its own caller
// returns as soon as its call is committed.
func (d *DB) lead() {
	g := &d.group
	g.mu.Lock()
	limit := g.max
	if limit <= 0 {
		limit = DefaultMaxBatch
	}
	n := min(len(g.queue), limit)
	calls := slices.Clone(g.queue[:n])
	g.queue = slices.Delete(g.queue, 0, n)
	g.mu.Unlock()

	d.runBatch(calls)

	g.mu.Lock()
	more := len(g.queue) > 0
	g.leading = more
	g.mu.Unlock()
	if more {
		go d.lead()
	}
}

// runBatch commits calls in one transaction. A call that fails is taken
// out, told to run alone, and the transaction runs again without it.
func (d *DB) runBatch(calls []*call) {
	for len(calls) > 0 {
		failed := -1
		var ferr error
		err := d.update(func(btx *bolt.Tx) error {
			for i, c := range calls {
				if ferr = d.safely(func() error { return d.run(btx, c.fn) }); ferr != nil {
					failed = i
					return ferr
				}
			}
			return nil
		})
		var p *panicked
		if failed >= 0 && (len(calls) > 1 || errors.As(ferr, &p)) {
			if p == nil {
				ferr = errSolo
			}
			calls[failed].done <- ferr
			calls = slices.Delete(calls, failed, failed+1)
			continue
		}
		if err == nil {
			d.maybeTrain()
		}
		for _, c := range calls {
			c.done <- err
		}
		return
	}
}

// safely calls fn, turning a panic into a *panicked error, so that one
// call's panic reaches that call's caller and not the goroutine running
// the group; a panic bbolt raised reading a damaged page becomes an error
// wrapping ErrDamaged, as under guard.
func (d *DB) safely(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if raisedInBolt() {
				err = damaged(d.path, v)
				return
			}
			err = &panicked{v: v}
		}
	}()
	return fn()
}

type panicked struct{ v any }

func (p *panicked) Error() string { return fmt.Sprintf("panic in a store transaction: %v", p.v) }

// SetMaxBatch sets how many Batch calls one transaction may hold; the
// poller sets it to its number of feeds in flight. n ≤ 0 restores
// DefaultMaxBatch.
func (d *DB) SetMaxBatch(n int) {
	d.group.mu.Lock()
	d.group.max = max(n, 0)
	d.group.mu.Unlock()
}
