package ops

import (
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/store"
)

// smallBuffers accepts connections whose send buffer is a few kilobytes,
// so that a client that stops reading stops a large answer at once.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096) //nolint:errcheck // a hint
	}
	return c, err
}

// TestStreamGivesUpOnAStalledClient checks that /api/backup and
// /api/export, which may take longer than the server's write timeout, end
// when their client stops reading: a backup holds a read transaction of
// the store while it runs, which keeps the store from reusing freed pages
// and from growing its map, so a client that never reads would stop
// every write for good.
func TestStreamGivesUpOnAStalledClient(t *testing.T) {
	defer func(d time.Duration) { streamIdle = d }(streamIdle)
	streamIdle = 50 * time.Millisecond

	db, err := store.Open(filepath.Join(t.TempDir(), "agg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Some megabytes, more than the sockets between the two ends hold.
	err = db.Update(t.Context(), func(tx aggregator.Tx) error {
		rnd := rand.New(rand.NewPCG(1, 2))
		for i := range 16 {
			text := make([]byte, 256<<10)
			for j := range text {
				text[j] = 'a' + byte(rnd.IntN(26))
			}
			it := aggregator.Item{ID: aggregator.ItemID("src", strconv.Itoa(i)), SourceID: "src", Content: string(text)}
			if err := tx.PutItem(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &aggregator.Config{}
	h := Handler(func() *aggregator.Config { return cfg }, db)
	done := make(chan string, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- r.URL.Path }()
		defer func() { recover() }() //nolint:errcheck // a stream cut short aborts its handler
		h.ServeHTTP(w, r)
	}))
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	defer srv.Close()

	for _, path := range []string{"/api/backup", "/api/export"} {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetReadBuffer(4096) //nolint:errcheck // a hint
		if _, err := c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		// The client reads nothing, and keeps its connection open.
		select {
		case got := <-done:
			if got != path {
				t.Errorf("handler of %s ended; want %s", got, path)
			}
		case <-time.After(time.Minute):
			t.Errorf("GET %s: the handler still writes to a client that stopped reading", path)
		}
		c.Close()
	}
}
