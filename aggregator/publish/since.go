package publish

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// settingsBlob is the store's record of the settings the feeds were last
// rendered with: a digest of them (renderSettings) and when they took
// effect.
const settingsBlob = "publish-settings"

// renderSettings returns a digest of the settings that go into the feeds'
// bytes besides the stories: the base URL, the hubs, each topic, and each
// source's URL, name, priority and tags.
func renderSettings(cfg *aggregator.Config) ([]byte, error) {
	var set struct {
		BaseURL string
		Publish aggregator.PublishConfig
		Topics  []aggregator.TopicConfig
		Sources []aggregator.SourceLook
	}
	set.BaseURL, set.Publish, set.Topics, set.Sources = cfg.Server.BaseURL, cfg.Publish, cfg.Topics, cfg.SourceLooks()
	return aggregator.SettingsDigest("render settings", set)
}

// SettingsSince records in the store when the settings of cfg, those that
// go into the feeds' bytes, took effect: the time the store holds for them,
// or now when they differ from those it recorded last. A first page is
// then dated no earlier than that (Last-Modified), so that a client that
// revalidates by date, holding a feed from before a restart or a reload
// that changed it (a topic's title, a source's name), is not told that
// nothing changed because no story moved. The daemon calls it at start and
// at every reload, with the configuration it then serves.
func (p *Publisher) SettingsSince(ctx context.Context, cfg *aggregator.Config) error {
	digest, err := renderSettings(cfg)
	if err != nil {
		return err
	}
	var since settingsTime
	err = p.store.Update(ctx, func(tx aggregator.Tx) error {
		b, err := tx.Blob(settingsBlob)
		if err != nil {
			return err
		}
		if len(b) == len(digest)+8 && bytes.Equal(b[:len(digest)], digest) {
			since = settingsTime{at: time.Unix(int64(binary.BigEndian.Uint64(b[len(digest):])), 0).UTC()}
			if prev := p.settingsSince(); prev.first && prev.at.Equal(since.at) {
				// The same settings again in the process that recorded
				// them first: still no change.
				since.first = true
			}
			return nil
		}
		if len(b) == 0 {
			// The first record: no feed was served under other settings
			// (a fresh store, which a poll may have filled), so none is
			// dated by it; a topic without stories still is.
			since = settingsTime{at: p.clock().Truncate(time.Second).UTC(), first: true}
		} else {
			since = settingsTime{at: p.clock().Truncate(time.Second).UTC(), now: true}
		}
		return tx.PutBlob(settingsBlob, binary.BigEndian.AppendUint64(digest, uint64(since.at.Unix())))
	})
	if err != nil {
		return fmt.Errorf("recording the feeds' settings: %w", err)
	}
	p.since.Store(&since)
	return nil
}

// settingsTime is when the feeds' settings took effect; now is set when
// they took effect in this process, whose first documents may then carry
// the same second as other bytes served just before it.
type settingsTime struct {
	at  time.Time
	now bool
	// first is set when at is the settings' first record, in this
	// process: they never changed, and date only a page without stories.
	first bool
}

// settingsSince is what SettingsSince recorded, or the zero time.
func (p *Publisher) settingsSince() settingsTime {
	if t := p.since.Load(); t != nil {
		return *t
	}
	return settingsTime{}
}

// servedBlob prefixes the store's record of the document a topic feed
// served last (servedKey): its entity tag and its Last-Modified. After a
// restart, the date its stories give can be earlier than one served
// before (a story that left the topic took the newest date with it; one
// that came in was dated earlier by its source): the record keeps the
// same bytes' date, and has other bytes dated later, as the running
// daemon does with the document it served last (cached).
const servedBlob = "publish-served/"

func servedKey(topic string, f format) string { return servedBlob + topic + formatInfo[f].ext }

// served is a topic feed's document as served: the entity tag of its
// plain bytes, its Last-Modified, and whether other bytes were served with
// the same date.
type served struct {
	etag     string
	modified time.Time
	shared   bool
}

// lastServed returns the record of a topic feed's document served last,
// or ok false when there is none (a store that predates it, a feed never
// served) or it cannot be read.
func (p *Publisher) lastServed(ctx context.Context, topic string, f format) (sv served, ok bool) {
	err := p.store.View(ctx, func(tx aggregator.Tx) error {
		b, err := tx.Blob(servedKey(topic, f))
		if err != nil || len(b) < 9 {
			return err
		}
		sv = served{
			modified: time.Unix(int64(binary.BigEndian.Uint64(b)), 0).UTC(),
			shared:   b[8] == 1,
			etag:     string(b[9:]),
		}
		ok = true
		return nil
	})
	if err != nil {
		p.logger.WarnContext(ctx, "reading the date a feed was last served with", "topic", topic, "format", f.String(), "err", err)
		return served{}, false
	}
	return sv, ok
}

// servedRecords holds the records of documents served that are still to
// be written to the store. One goroutine at a time writes them, those
// that came in meanwhile in one transaction, so that a request never
// waits for the store's writes (the poller's among them).
type servedRecords struct {
	mu      sync.Mutex
	pending map[string][]byte // servedKey → record
	writing bool
	done    sync.WaitGroup
}

// recordServed has r, now the document of a topic feed served, recorded
// in the store. A failed write is logged: the feed is served all the
// same, and its date is only kept across a restart the less.
func (p *Publisher) recordServed(topic string, f format, r *rendered) {
	b := binary.BigEndian.AppendUint64(nil, uint64(r.modified.Unix()))
	if r.shared {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = append(b, r.plain.etag...)
	w := &p.served
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == nil {
		w.pending = map[string][]byte{}
	}
	w.pending[servedKey(topic, f)] = b
	if !w.writing {
		w.writing = true
		w.done.Add(1)
		go p.writeServed()
	}
}

// writeServed writes the pending records until none is left.
func (p *Publisher) writeServed() {
	w := &p.served
	defer w.done.Done()
	for {
		w.mu.Lock()
		batch := w.pending
		w.pending = nil
		if len(batch) == 0 {
			w.writing = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		err := p.store.Update(context.Background(), func(tx aggregator.Tx) error {
			for k, b := range batch {
				if err := tx.PutBlob(k, b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			p.logger.Warn("recording the dates feeds were served with", "feeds", len(batch), "err", err)
		}
	}
}

// Close waits until the dates of the feeds served are written to the
// store. The daemon calls it once the server has stopped, before it closes
// the store.
func (p *Publisher) Close() {
	p.served.done.Wait()
}
