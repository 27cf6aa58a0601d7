package near

import (
	"errors"
	"fmt"
	"testing"
)

// TestLineCounts checks the bounded per-source line table: lines that
// recur keep their counts through fetches of lines seen once, the table
// never holds more than MaxLineCounts keys, old lines fade, and the table
// survives Encode and DecodeLineCounts.
func TestLineCounts(t *testing.T) {
	c, err := DecodeLineCounts(nil)
	if err != nil || c.Len() != 0 {
		t.Fatalf("DecodeLineCounts(nil) = %d keys, %v; want an empty table", c.Len(), err)
	}
	fresh := 0
	fetch := func(items int, chrome ...string) {
		var keys []string
		for range items {
			keys = append(keys, chrome...)
			for range 8 { // eight lines of article text, never seen again
				keys = append(keys, fmt.Sprintf("line %d", fresh))
				fresh++
			}
		}
		c.Add(keys)
		if c.Len() > MaxLineCounts {
			t.Fatalf("after a fetch: %d keys; want at most %d", c.Len(), MaxLineCounts)
		}
	}
	// A first fetch of 50 items, each with the source's footer.
	fetch(50, "footer")
	if got := c.Count("footer"); got != 50 {
		t.Errorf("Count(footer) after 50 items = %d; want 50", got)
	}
	// Then one item per fetch: the sponsor line printed in each of them
	// becomes chrome while the article lines around it come and go.
	for range 5 {
		fetch(1, "footer", "sponsor")
	}
	if got := c.Count("sponsor"); got != 5 {
		t.Errorf("Count(sponsor) after 5 fetches of one item = %d; want 5", got)
	}
	if got := c.Count("line 0"); got != 0 {
		t.Errorf("Count of a line seen once in the first fetch = %d; want it given up for newer lines", got)
	}

	b := c.Encode()
	d, err := DecodeLineCounts(b)
	if err != nil {
		t.Fatalf("DecodeLineCounts(Encode()): %v", err)
	}
	if d.Len() != c.Len() || d.Count("footer") != c.Count("footer") || d.fetches != c.fetches {
		t.Errorf("decoded table: %d keys, footer %d, %d fetches; want %d, %d, %d",
			d.Len(), d.Count("footer"), d.fetches, c.Len(), c.Count("footer"), c.fetches)
	}
	for k, e := range c.lines {
		if d.lines[k] != e {
			t.Errorf("decoded %q = %+v; want %+v", k, d.lines[k], e)
		}
	}
	if len(b) > 16*MaxLineCounts {
		t.Errorf("a full table takes %d bytes; want at most %d", len(b), 16*MaxLineCounts)
	}

	// A line the source stopped printing fades out; one it prints in every
	// item stays chrome.
	c = d
	for range 3 * lineAging {
		fetch(1, "footer")
	}
	if got := c.Count("sponsor"); got != 0 {
		t.Errorf("Count(sponsor) %d fetches after it was last seen = %d; want 0", 3*lineAging, got)
	}
	if got := c.Count("footer"); got < ChromeMin {
		t.Errorf("Count(footer), printed in every item = %d; want at least ChromeMin", got)
	}

	for _, bad := range [][]byte{{9}, {linesVersion, 1, 5, 3, 'a'}, b[:len(b)-1]} {
		if _, err := DecodeLineCounts(bad); !errors.Is(err, ErrBadFeatures) {
			t.Errorf("DecodeLineCounts(%x) = %v; want ErrBadFeatures", bad, err)
		}
	}
}
