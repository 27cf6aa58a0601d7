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
