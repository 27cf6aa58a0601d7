package publish

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
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
			return nil
		}
		since = settingsTime{at: p.clock().Truncate(time.Second).UTC(), now: true}
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
}

// settingsSince is what SettingsSince recorded, or the zero time.
func (p *Publisher) settingsSince() settingsTime {
	if t := p.since.Load(); t != nil {
		return *t
	}
	return settingsTime{}
}

// servedBlob prefixes the store's record of a topic feed's document last
// dated at a change that moved no story's Updated (servedKey): its entity
// tag and the Last-Modified it was served with. After a restart the date
// the stories give can be earlier than that (a story left the topic; one
// that comes in now was dated before then by its source): the record
// keeps such a document's date, and gives different bytes a later one, as
// the running daemon does with the document it serves (cached).
const servedBlob = "publish-served/"

func servedKey(topic string, f format) string { return servedBlob + topic + formatInfo[f].ext }

// served is a topic feed's document as last served: the entity tag of its
// plain bytes, its Last-Modified, and whether other bytes were served with
// the same date.
type served struct {
	etag     string
	modified time.Time
	shared   bool
}

// lastServed returns the record of a topic feed's document that
// recordServed kept, or ok false when there is none (a store that predates
// it, a feed never dated so) or it cannot be read.
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

// recordServed keeps r as the topic feed's document last served, dated at
// a change its stories do not show. A failed write is logged: the feed is
// served all the same.
func (p *Publisher) recordServed(ctx context.Context, topic string, f format, r *rendered) {
	b := binary.BigEndian.AppendUint64(nil, uint64(r.modified.Unix()))
	if r.shared {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = append(b, r.plain.etag...)
	err := p.store.Update(context.WithoutCancel(ctx), func(tx aggregator.Tx) error {
		return tx.PutBlob(servedKey(topic, f), b)
	})
	if err != nil {
		p.logger.WarnContext(ctx, "recording the date a feed was served with", "topic", topic, "format", f.String(), "err", err)
	}
}
