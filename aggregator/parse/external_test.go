package parse

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"
)

// TestExternalEntitiesNotRead parses feeds that declare external entities
// (a file, a URL on loopback), an external DTD and parameter entities, and
// use them in titles and attributes: no file is read, no connection is
// made (a listener counts them), and each reference is left as written.
func TestExternalEntitiesNotRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	at := "http://" + ln.Addr().String()
	item := `<item><title>Tide &x; tables</title><link>https://gazette.example/tide</link>` +
		`<enclosure url="https://gazette.example/&x;.mp3" type="audio/mpeg" length="1"/></item></channel></rss>`
	docs := map[string]string{
		"file entity":       `<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>T</title>` + item,
		"url entity":        `<!DOCTYPE rss [<!ENTITY x SYSTEM "` + at + `/x">]><rss version="2.0"><channel><title>T</title>` + item,
		"public entity":     `<!DOCTYPE rss [<!ENTITY x PUBLIC "-//Gazette//x" "` + at + `/p">]><rss version="2.0"><channel><title>T</title>` + item,
		"external DTD":      `<!DOCTYPE rss SYSTEM "` + at + `/rss.dtd"><rss version="2.0"><channel><title>T</title>` + item,
		"parameter entity":  `<!DOCTYPE rss [<!ENTITY % p SYSTEM "` + at + `/p.dtd"> %p;]><rss version="2.0"><channel><title>T</title>` + item,
		"parameter defines": `<!DOCTYPE rss [<!ENTITY % d "<!ENTITY x 'declared'>"> %d;]><rss version="2.0"><channel><title>T</title>` + item,
	}
	for name, doc := range docs {
		f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "s", testNow, Options{})
		if err != nil {
			t.Errorf("%s: Parse error %v", name, err)
			continue
		}
		if len(f.Items) != 1 || f.Items[0].Title != "Tide &x; tables" || strings.Contains(f.Items[0].Title, "root") {
			t.Errorf("%s: items %+v; want one titled \"Tide &x; tables\", its reference as written", name, f.Items)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("parsing made %d connections to the entities' and DTDs' URLs; want none", n)
	}
}
