package poller_test

import (
	"net/http"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// TestUnreadSourcesNamedApart polls two sources of one host, neither named
// in the config and neither ever read: each is named by its host and path,
// so that the operator's status table tells them apart, and neither name
// carries the query (which may hold a token).
func TestUnreadSourcesNamedApart(t *testing.T) {
	o := feedtest.NewOrigin(t)
	for _, path := range []string{"/world.rss", "/sport.rss"} {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		})
	}
	world, sport := o.URL("/world.rss")+"?key=s3cret", o.URL("/sport.rss")
	cfg := config(t, "", world, sport)
	db := mustOpen(t)
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	p, err := poller.New(cfg, tags, db, poller.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	p.PollAll(t.Context(), nil)
	a, b := state(t, db, world).Name, state(t, db, sport).Name
	if a == b {
		t.Fatalf("two unread sources of one host are both named %q", a)
	}
	host := o.Host()
	if want := host + "/world.rss"; a != want {
		t.Errorf("unread source named %q; want %q (host and path, no query)", a, want)
	}
	if want := host + "/sport.rss"; b != want {
		t.Errorf("unread source named %q; want %q", b, want)
	}
}
