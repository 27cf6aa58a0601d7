package poller_test

import (
	"net/http"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// TestUnreadSourcesNamedApart polls sources of one host, none named in the
// config and none ever read: each is named by its host, path and query, so
// that the operator's status table tells them apart, those of one path
// that differ in their query too, where two sections of one feed read
// alike; no name carries the value of a credential in the query.
func TestUnreadSourcesNamedApart(t *testing.T) {
	o := feedtest.NewOrigin(t)
	for _, path := range []string{"/world.rss", "/sport.rss", "/rss"} {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		})
	}
	world, sport := o.URL("/world.rss")+"?key=s3cret", o.URL("/sport.rss")
	section := func(s string) string { return o.URL("/rss") + "?section=" + s + "&access_token=s3cret" }
	cfg := config(t, "", world, sport, section("world"), section("sport"))
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
	if want := host + "/world.rss?key=xxxxx"; a != want {
		t.Errorf("unread source named %q; want %q (host, path and query, the key hidden)", a, want)
	}
	if want := host + "/sport.rss"; b != want {
		t.Errorf("unread source named %q; want %q", b, want)
	}
	for _, s := range []string{"world", "sport"} {
		if got, want := state(t, db, section(s)).Name, host+"/rss?section="+s+"&access_token=xxxxx"; got != want {
			t.Errorf("unread source named %q; want %q", got, want)
		}
	}
}
