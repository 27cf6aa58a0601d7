package ingest_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
)

// TestLongPostsUnderOneHeadlineReadOnce ingests a source's long posts
// under one headline, each of a few lines of its own before lines that
// differ from the other posts' in a word: every pair of them is compared
// over the whole of both texts (near.Containment), and each text must be
// read word by word once, not once for every post it is compared with, or
// a feed of such posts costs work that grows with the square of its posts.
// The work is measured as the bytes allocated: under a hundred for each
// byte of text when each text is read once, several hundred when it is
// read again for each pair.
func TestLongPostsUnderOneHeadlineReadOnce(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	s := src("http://127.0.0.1:44700/status.xml")
	word := func(i int) string {
		const syll = "bacedifogukalemirotunas"
		i %= 4096
		return syll[i%20:i%20+2] + syll[i/20%20:i/20%20+2] + syll[i/400%20:i/400%20+2]
	}
	t0 := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	var items []aggregator.Item
	text := 0
	for i := range 40 {
		var b strings.Builder
		for j := range 12 {
			k := 1000*i + 6*j
			fmt.Fprintf(&b, "<p>The %s of the %s said that the %s would be %s before the %s of the %s.</p>",
				word(k*31), word(k*37+1), word(k*41+2), word(k*43+3), word(k*47+4), word(k*53+5))
		}
		for j := range 200 {
			fmt.Fprintf(&b, "<p>The %s of the %s said that the %s would be %s before the %s of the %s in %s.</p>",
				word(j), word(j*7), word(j*13), word(j*17), word(j*19), word(j*23), word(i*211+j*29))
		}
		it := item(s, fmt.Sprint("status-", i), fmt.Sprintf("http://127.0.0.1:44700/status/%d", i),
			"Service update for the network today", b.String(), t0.Add(time.Duration(i)*time.Minute))
		text += len(it.Summary)
		items = append(items, it)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := apply(t, db, in, s, items...)
	runtime.ReadMemStats(&after)
	if res.Duplicates == 0 {
		t.Fatalf("Apply = %+v; want the posts compared as copies of each other", res)
	}
	perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(text)
	t.Logf("%.0f bytes allocated a byte of text, %+v", perByte, res)
	if perByte > 200 {
		t.Errorf("Apply of %d posts of %d bytes of text allocated %.0f bytes a byte of text; want at most 200, as each text is read once", len(items), text, perByte)
	}
}
