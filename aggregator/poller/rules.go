package poller

import (
	"bytes"
	"context"
	"fmt"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/topic/query"
)

// storyRulesBlob is the store's record of the settings its stories' faces,
// topics and tags were last decided under (storyRules).
const storyRulesBlob = "story-rules"

// storyRules returns a digest of the settings that decide a story's face,
// topics and tags: each topic's id, sources and match rules, each source's
// URL, name, priority and tags, and the version of phrase matching, so that
// a new version's matching reaches the stories stored before it. A topic's
// title or feed length are not among them.
func storyRules(cfg *aggregator.Config) ([]byte, error) {
	type topic struct {
		ID      string
		Sources []string
		Match   aggregator.MatchConfig
	}
	var rules struct {
		Topics   []topic
		Sources  []aggregator.SourceLook
		Matching int `json:",omitempty"` // omitted before there were versions
	}
	rules.Matching = query.Version
	for _, t := range cfg.Topics {
		rules.Topics = append(rules.Topics, topic{t.ID, t.Sources, t.Match})
	}
	rules.Sources = cfg.SourceLooks()
	return aggregator.SettingsDigest("story rules", rules)
}

// RetagIfChanged re-decides every stored story (Retag) when the settings
// that decide a story's face, topics and tags differ from those the store
// recorded when it last did — the configuration was edited while the daemon
// was stopped, or a reload changed them — and then records the current
// ones. It returns how many stories it looked at: none when nothing
// changed.
func (p *Poller) RetagIfChanged(ctx context.Context) (int, error) {
	p.mu.Lock()
	want, err := storyRules(p.pl.cfg)
	p.mu.Unlock()
	if err != nil {
		return 0, err
	}
	var have []byte
	err = p.st.View(ctx, func(tx aggregator.Tx) (err error) {
		have, err = tx.Blob(storyRulesBlob)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("reading the story rules: %w", err)
	}
	if bytes.Equal(have, want) {
		return 0, nil
	}
	n, err := p.Retag(ctx)
	if err != nil {
		return n, err
	}
	err = p.st.Update(ctx, func(tx aggregator.Tx) error { return tx.PutBlob(storyRulesBlob, want) })
	if err != nil {
		return n, fmt.Errorf("recording the story rules: %w", err)
	}
	return n, nil
}
