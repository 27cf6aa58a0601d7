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

// RetagIfChanged re-decides every stored story when the settings
// that decide a story's face, topics and tags differ from those the store
// recorded when it last did — the configuration was edited while the daemon
// was stopped, or a reload changed them — and then records the current
// ones. It returns how many stories it looked at: none when nothing
// changed.
//
// A call made while another is in progress (a reload during the retagging
// that a start began) returns at once with none, and the call in progress
// looks again under the configuration of then once it is done: two passes
// at once would leave each story as the one that came to it last decided,
// and the store recording the rules of the one that finished last.
func (p *Poller) RetagIfChanged(ctx context.Context) (int, error) {
	p.mu.Lock()
	if p.retagging {
		p.retagAgain = true
		p.mu.Unlock()
		return 0, nil
	}
	p.retagging = true
	p.mu.Unlock()
	total := 0
	for {
		p.mu.Lock()
		pl := p.pl
		p.retagAgain = false
		p.mu.Unlock()
		n, err := p.retagIfChanged(ctx, pl)
		total += n
		p.mu.Lock()
		again := p.retagAgain && err == nil
		if !again {
			p.retagging, p.retagAgain = false, false
		}
		p.mu.Unlock()
		if !again {
			return total, err
		}
	}
}

// retagIfChanged re-decides every stored story under the configuration of
// pl when its settings differ from those the store recorded, then records
// them.
func (p *Poller) retagIfChanged(ctx context.Context, pl *pipeline) (int, error) {
	want, err := storyRules(pl.cfg)
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
	n, err := p.retag(ctx, pl)
	if err != nil {
		return n, err
	}
	err = p.st.Update(ctx, func(tx aggregator.Tx) error { return tx.PutBlob(storyRulesBlob, want) })
	if err != nil {
		return n, fmt.Errorf("recording the story rules: %w", err)
	}
	return n, nil
}
