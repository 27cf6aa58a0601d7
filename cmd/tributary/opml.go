package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
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
	// The stored states know each source's title, site and new address;
	// a running daemon, which holds the store, tells them.
	var states []aggregator.SourceState
	err = withReadStore(ctx, cfg, func(db *store.DB) error {
		var err error
		states, err = db.Sources(ctx)
		return err
	}, func(body io.Reader) error {
		var rows []ops.SourceRow
		if err := json.NewDecoder(body).Decode(&rows); err != nil {
			return err
		}
		// The daemon hands URLs out with their credentials as "xxxxx":
		// the file's own URLs stand for them again, so that each source
		// is found by the URL it is configured at (BindSources). Where
		// such a source moved, its new address came with them as
		// "xxxxx" too, which no reader can fetch: it is listed at the
		// configured URL, which leads there.
		plain := make(map[string]string, len(cfg.Sources))
		for _, src := range cfg.Sources {
			plain[aggregator.RedactURL(src.URL)] = src.URL
		}
		for _, r := range rows {
			s := r.SourceState
			if u, ok := plain[s.ConfigURL]; ok {
				if s.URL == s.ConfigURL || strings.Contains(s.URL, aggregator.Redacted) {
					s.URL = u
				}
				s.ConfigURL = u
			}
			states = append(states, s)
		}
		return nil
	}, "/api/status", "opml")
	switch {
	case errors.Is(err, fs.ErrNotExist): // nothing fetched yet
	case errors.Is(err, store.ErrLocked):
		// The store is held, by a daemon this command could not ask: the
		// configuration alone still makes a list.
		fmt.Fprintf(e.stderr, "tributary: %v: listing the configured sources without their stored titles and sites\n", err)
		states = nil
	case err != nil:
		return err
	}
	return ops.WriteSourcesOPML(e.stdout, cfg, states, time.Now())
}
