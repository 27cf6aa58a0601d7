package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
)

func TestSamePictures(t *testing.T) {
	const img = `<p><img src="https://img.example/a/pier.jpg?v=1712345678&amp;w=800" alt="The pier"></p><p>The pier reopened.</p>`
	tests := []struct {
		b    string
		want bool
	}{
		{`<p><img src="https://img.example/a/pier.jpg?v=1712349999&amp;w=800" alt="The pier"></p><p>The pier reopened.</p>`, true},
		{`<p><img src="https://img.example/a/pier.jpg?w=800&amp;v=1712349999&amp;_=1" alt="The pier"></p><p>The pier reopened.</p>`, true},
		{`<p><img src="https://img.example/a/pier.jpg?w=800" alt="The pier"></p><p>The pier reopened.</p>`, true},
		{`<p><img src="https://img.example/a/pier.jpg?v=1712349999&amp;w=1200" alt="The pier"></p><p>The pier reopened.</p>`, false},
		{`<p><img src="https://img.example/a/pier-2.jpg?v=1712349999&amp;w=800" alt="The pier"></p><p>The pier reopened.</p>`, false},
		{`<p><img src="https://cdn.example/a/pier.jpg?v=1712349999&amp;w=800" alt="The pier"></p><p>The pier reopened.</p>`, false},
		{`<p><img src="https://img.example/a/pier.jpg?v=1712349999&amp;w=800" alt="The new pier"></p><p>The pier reopened.</p>`, false},
		{`<p><img src="https://img.example/a/pier.jpg?v=1712349999&amp;w=800" alt="The pier"></p><p>The pier reopened today.</p>`, false},
		{`<p><img src="https://img.example/a/pier.jpg?v=1712349999&amp;w=800" alt="The pier"><img src="https://img.example/a/gull.jpg"></p><p>The pier reopened.</p>`, false},
		{`<p><a href="https://img.example/a/pier.jpg?v=1712349999&amp;w=800" rel="nofollow">The pier</a></p><p>The pier reopened.</p>`, false},
	}
	for _, tt := range tests {
		if got := samePictures(img, tt.b); got != tt.want {
			t.Errorf("samePictures(%q, %q) = %v; want %v", img, tt.b, got, tt.want)
		}
	}
	// A link to a picture's file is a picture's URL; a link to a page is
	// not, whatever its query.
	const linked = `<a href="https://img.example/big/pier.png?cb=1" rel="nofollow noopener noreferrer">Full size</a> <a href="https://news.example/pier?v=1" rel="nofollow noopener noreferrer">Story</a>`
	for b, want := range map[string]bool{
		`<a href="https://img.example/big/pier.png?cb=2" rel="nofollow noopener noreferrer">Full size</a> <a href="https://news.example/pier?v=1" rel="nofollow noopener noreferrer">Story</a>`: true,
		`<a href="https://img.example/big/pier.png?cb=1" rel="nofollow noopener noreferrer">Full size</a> <a href="https://news.example/pier?v=2" rel="nofollow noopener noreferrer">Story</a>`: false,
	} {
		if got := samePictures(linked, b); got != want {
			t.Errorf("samePictures(%q, %q) = %v; want %v", linked, b, got, want)
		}
	}
}

// FuzzSamePictures holds samePictures to being symmetric, as "unchanged"
// must not depend on which version is stored, and to finding any HTML
// with a picture the same as itself.
func FuzzSamePictures(f *testing.F) {
	f.Add(`<img src="https://img.example/a.jpg?v=1&amp;w=8">x`, `<img src="https://img.example/a.jpg?w=8&amp;v=2">x`)
	f.Add(`<a href="https://img.example/b.png?cb=1" rel="nofollow">b</a>`, `<a href="https://img.example/b.png" rel="nofollow">b</a>`)
	f.Add(`<img src="x" alt="="/><img src="?t=1">`, `<img src="x" alt="="/><img src="?_=2">`)
	f.Fuzz(func(t *testing.T, a, b string) {
		if ab, ba := samePictures(a, b), samePictures(b, a); ab != ba {
			t.Errorf("samePictures(%q, %q) = %v, but %v the other way", a, b, ab, ba)
		}
		if len(pictureURLs(a)) > 0 && !samePictures(a, a) {
			t.Errorf("samePictures(%q, itself) = false", a)
		}
	})
}

// TestOtherPicturesGrowsWithPictures checks that otherPictures reads each
// picture's URL of two galleries once, not once for every picture of the
// other: twice the pictures cost about twice the work, where comparing
// every pair of them cost four times as much.
func TestOtherPicturesGrowsWithPictures(t *testing.T) {
	gallery := func(slug, title string, n int) aggregator.Item {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `<img src="https://p.test/%s/%d.jpg?v=%d">`, slug, i, i)
		}
		b.WriteString("<p>Photographs: Pictures Agency.</p>")
		return aggregator.Item{SourceID: "s", Title: title, Summary: b.String()}
	}
	allocs := func(n int) float64 {
		a := gallery("a", "Lindmoor Theatre Awards: the arrivals – in pictures", n)
		b := gallery("w", "Lindmoor Theatre Awards: the winners – in pictures", n)
		if !otherPictures(a, b) {
			t.Fatalf("otherPictures of two galleries of %d pictures each = false; want true", n)
		}
		return testing.AllocsPerRun(5, func() { otherPictures(a, b) })
	}
	small, large := allocs(40), allocs(80)
	if large > 3*small {
		t.Errorf("otherPictures made %.0f allocations for 80 pictures a gallery, %.0f for 40; want fewer than three times as many", large, small)
	}
}
