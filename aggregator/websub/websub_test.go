package websub_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/websub"
)

// hub records the pings a WebSub hub receives.
type hub struct {
	mu    sync.Mutex
	pings []url.Values
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, "bad ping", http.StatusBadRequest)
		return
	}
	r.ParseForm()
	h.mu.Lock()
	h.pings = append(h.pings, r.PostForm)
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hub) got() []url.Values {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.pings)
}

func TestRunPingsOncePerBurst(t *testing.T) {
	h := &hub{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()

	p := websub.New([]string{down.URL, srv.URL}, "https://feeds.example/", nil, slog.New(slog.DiscardHandler))
	done := make(chan error)
	go func() { done <- p.Run(t.Context()) }()
	p.Changed("world")
	p.Changed("tech", "world")

	deadline := time.Now().Add(10 * time.Second)
	for len(h.got()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	pings := h.got()
	if len(pings) != 1 {
		t.Fatalf("hub got %d pings; want one for the burst", len(pings))
	}
	if mode := pings[0].Get("hub.mode"); mode != "publish" {
		t.Errorf("hub.mode = %q; want publish", mode)
	}
	want := []string{
		"https://feeds.example/topics/tech.atom", "https://feeds.example/topics/tech.rss", "https://feeds.example/topics/tech.json",
		"https://feeds.example/topics/world.atom", "https://feeds.example/topics/world.rss", "https://feeds.example/topics/world.json",
	}
	if got := pings[0]["hub.url"]; !slices.Equal(got, want) {
		t.Errorf("hub.url = %q; want %q", got, want)
	}
}

func TestNoHubsNoWork(t *testing.T) {
	p := websub.New(nil, "http://x", nil, nil)
	p.Changed("a") // must not block or queue anything
}

// TestSetConfig reloads a Pinger's hubs and base URL: the next ping goes
// to the new hubs only, announcing the feeds under the new base URL.
func TestSetConfig(t *testing.T) {
	old, added := &hub{}, &hub{}
	oldSrv, addedSrv := httptest.NewServer(old), httptest.NewServer(added)
	defer oldSrv.Close()
	defer addedSrv.Close()

	p := websub.New([]string{oldSrv.URL}, "http://old.example", nil, slog.New(slog.DiscardHandler))
	p.SetConfig([]string{addedSrv.URL}, "https://feeds.example/")
	p.Ping(t.Context(), "world")
	if n := len(old.got()); n != 0 {
		t.Errorf("the hub the reload removed got %d pings; want none", n)
	}
	pings := added.got()
	if len(pings) != 1 {
		t.Fatalf("the hub the reload added got %d pings; want 1", len(pings))
	}
	if got := pings[0]["hub.url"]; len(got) == 0 || got[0] != "https://feeds.example/topics/world.atom" {
		t.Errorf("hub.url = %q; want the feeds under the new base URL", got)
	}

	// A Pinger started without hubs takes changes once a reload gives it some.
	none := websub.New(nil, "https://feeds.example", nil, slog.New(slog.DiscardHandler))
	none.SetConfig([]string{addedSrv.URL}, "https://feeds.example")
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { done <- none.Run(ctx) }()
	none.Changed("tech")
	deadline := time.Now().Add(10 * time.Second)
	for len(added.got()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if n := len(added.got()); n != 2 {
		t.Errorf("after a reload gave hubs, the hub got %d pings in all; want 2", n)
	}
}
