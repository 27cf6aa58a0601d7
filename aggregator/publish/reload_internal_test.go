package publish

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// emptyStore is a store with no sources and no stories.
type emptyStore struct{ aggregator.Store }

func (emptyStore) View(context.Context, func(aggregator.Tx) error) error   { return nil }
func (emptyStore) Update(context.Context, func(aggregator.Tx) error) error { return nil }

func (emptyStore) Sources(context.Context) ([]aggregator.SourceState, error) { return nil, nil }

func (emptyStore) TopicStories(context.Context, string, time.Time, func(aggregator.Story, []aggregator.Item) bool) error {
	return nil
}

// TestReloadDuringRender has a render of the old configuration finish
// while a reload copies the old documents: the copy is what the first
// render after the reload compares with, never a document to serve.
func TestReloadDuringRender(t *testing.T) {
	topics := []aggregator.TopicConfig{{ID: aggregator.AllTopic, Title: "Old title"}}
	p := New(&aggregator.Config{}, emptyStore{}, topics, nil, nil)
	h := p.Handler(nil)
	get := func() []byte {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/topics/all.atom", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /topics/all.atom = %d", rec.Code)
		}
		return rec.Body.Bytes()
	}
	get()
	// A Changed on the old topics lands after the reload read their
	// generation, and a request still on them renders the old title at the
	// new generation before the reload copies the documents.
	tc := p.state.Load().byID[aggregator.AllTopic]
	fc := &tc.formats[formatAtom]
	late := *fc.cur.Load()
	late.gen = tc.gen.Load() + 1
	fc.cur.Store(&late)

	topics[0].Title = "New title"
	p.SetConfig(&aggregator.Config{}, topics)
	if body := get(); !bytes.Contains(body, []byte("New title")) {
		t.Errorf("after the reload, all.atom still has the old title:\n%s", body)
	}
}
