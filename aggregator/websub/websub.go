// Package websub tells WebSub hubs (publish.hubs) when a topic's feeds
// change, so subscribers of a hub get new stories pushed instead of polling.
package websub

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Pinger collects changed topics and notifies every hub of their feed URLs,
// at most once per delay per topic, so a burst of ingests costs one ping.
// Its methods are safe for concurrent use.
type Pinger struct {
	client *http.Client
	log    *slog.Logger
	delay  time.Duration

	mu      sync.Mutex
	hubs    []string
	base    string // server.base_url
	pending map[string]bool
	kick    chan struct{}
}

// Formats are the extensions of the feeds a topic is published in.
var Formats = []string{"atom", "rss", "json"}

// New returns a Pinger for hubs announcing feeds under baseURL. A nil client
// means one with a 10-second timeout.
func New(hubs []string, baseURL string, client *http.Client, logger *slog.Logger) *Pinger {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Pinger{
		hubs: slices.Clone(hubs), base: strings.TrimRight(baseURL, "/"), client: client,
		log: logger.With("component", "websub"), delay: 2 * time.Second,
		pending: make(map[string]bool), kick: make(chan struct{}, 1),
	}
}

// SetConfig makes hubs the hubs to ping and baseURL the prefix of the feed
// URLs announced, from the next ping on: the feeds name the hubs of a
// reloaded configuration at once, and those hubs must hear of changes.
func (p *Pinger) SetConfig(hubs []string, baseURL string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hubs, p.base = slices.Clone(hubs), strings.TrimRight(baseURL, "/")
	if len(p.hubs) == 0 {
		clear(p.pending)
	}
}

// Changed marks topics as changed; Run pings the hubs soon after.
func (p *Pinger) Changed(topics ...string) {
	if len(topics) == 0 {
		return
	}
	p.mu.Lock()
	if len(p.hubs) == 0 {
		p.mu.Unlock()
		return
	}
	for _, t := range topics {
		p.pending[t] = true
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run sends pings until ctx is done; it returns nil then.
func (p *Pinger) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.kick:
		}
		// Gather what else changes meanwhile into the same ping.
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(p.delay):
		}
		p.mu.Lock()
		topics := make([]string, 0, len(p.pending))
		for t := range p.pending {
			topics = append(topics, t)
		}
		clear(p.pending)
		p.mu.Unlock()
		slices.Sort(topics)
		p.Ping(ctx, topics...)
	}
}

// Ping notifies every hub that the feeds of topics changed, following the
// WebSub convention of a form POST with hub.mode=publish and one hub.url per
// feed. Failures are logged, never fatal: hubs are best effort.
func (p *Pinger) Ping(ctx context.Context, topics ...string) {
	if len(topics) == 0 {
		return
	}
	p.mu.Lock()
	hubs, base := p.hubs, p.base
	p.mu.Unlock()
	form := url.Values{"hub.mode": {"publish"}}
	for _, t := range topics {
		for _, f := range Formats {
			form.Add("hub.url", FeedURL(base, t, f))
		}
	}
	body := form.Encode()
	for _, hub := range hubs {
		if err := p.post(ctx, hub, body); err != nil {
			p.log.WarnContext(ctx, "hub ping failed", "hub", hub, "topics", topics, "err", err)
			continue
		}
		p.log.DebugContext(ctx, "hub pinged", "hub", hub, "topics", topics)
	}
}

func (p *Pinger) post(ctx context.Context, hub, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("hub answered %s", resp.Status)
	}
	return nil
}

// FeedURL is the absolute URL of a topic's feed in a format.
func FeedURL(base, topic, format string) string {
	return strings.TrimRight(base, "/") + "/topics/" + url.PathEscape(topic) + "." + format
}
