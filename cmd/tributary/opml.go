package main

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/store"
)

// cmdOPML prints every configured source as OPML 2.0. Where the store can be
// read, sources that moved are listed at their new address.
func cmdOPML(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("opml takes no arguments")
	}
	cfg, _, err := loadConfig(e)
	if err != nil {
		return err
	}
	var states []aggregator.SourceState
	db, err := store.Open(cfg.Storage.Path, store.Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if err == nil {
		states, err = db.Sources(ctx)
		db.Close()
		if err != nil {
			return err
		}
	} else if !errors.Is(err, store.ErrLocked) && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return ops.WriteSourcesOPML(e.stdout, cfg, states, time.Now())
}
