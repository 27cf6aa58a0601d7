package fetch

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

func TestHostKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://bücher.example/a", "xn--bcher-kva.example"},
		{"http://xn--bcher-kva.example/b", "xn--bcher-kva.example"},
		{"http://b%C3%BCcher.example/c", "xn--bcher-kva.example"},
		{"https://BÜCHER.Example.:443/d", "xn--bcher-kva.example"},
		{"http://XN--BCHER-KVA.EXAMPLE:8080/e", "xn--bcher-kva.example"},
		{"https://News.Example.COM./feed", "news.example.com"},
		{"http://news.example.com:80/feed", "news.example.com"},
		{"http://My_Host.example/feed", "my_host.example"},
		{"http://127.0.0.1:8080/feed", "127.0.0.1"},
		{"http://[::ffff:127.0.0.1]:8080/feed", "127.0.0.1"},
		{"http://[0:0::1]/feed", "::1"},
		{"http://[::ABCD]/feed", "::abcd"},
		{"http://%zz/", ""},
	}
	for _, tt := range tests {
		if got := HostKey(tt.in); got != tt.want {
			t.Errorf("HostKey(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestPerHostSpellings fetches one server under two spellings of its host
// with PerHost 1: the second fetch waits for the first, as it does under
// one spelling.
func TestPerHostSpellings(t *testing.T) {
	o := feedtest.NewOrigin(t)
	arrived, release := make(chan string, 2), make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the origin closes, which waits for its handlers
	handler := func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.URL.Path
		<-release
		io.WriteString(w, rssBody)
	}
	o.Handle("/a", handler)
	o.Handle("/b", handler)
	f := newFetcher(t, Options{PerHost: 1, Timeout: 10 * time.Second})
	port := o.Host()[strings.LastIndexByte(o.Host(), ':'):]
	urls := []string{"http://127.0.0.1" + port + "/a", "http://[::ffff:127.0.0.1]" + port + "/b"}
	done := make(chan error, 2)
	fetch := func(u string) {
		_, err := f.Fetch(t.Context(), Request{URL: u})
		done <- err
	}
	go fetch(urls[0])
	<-arrived
	go fetch(urls[1])
	// The second fetch must come to wait for the first one's slot, not to
	// the server.
	deadline := time.Now().Add(10 * time.Second)
	for waiting := false; !waiting; {
		select {
		case p := <-arrived:
			t.Fatalf("%s reached the server while %s was in flight; want it to wait (PerHost 1)", p, urls[0])
		default:
		}
		f.hosts.mu.Lock()
		s := f.hosts.hosts["127.0.0.1"]
		waiting = s != nil && s.refs == 2
		f.hosts.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("the fetch of %s never waited for the host of %s", urls[1], urls[0])
		}
		time.Sleep(time.Millisecond)
	}
	free()
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("Fetch: %v", err)
		}
	}
	if got := o.MaxInFlight(); got != 1 {
		t.Errorf("origin saw at most %d requests at once; want 1 (PerHost)", got)
	}
}
