package ingest

import "testing"

func TestIDPages(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://github.test/o/r/commit/5f6a7b8c9d0e", "https://github.test/o/r/commit/0a1b2c3d4e5f", true},
		{"https://git.test/o/r/compare/9e8d7c6b5a...0a1b2c3d4e", "https://git.test/o/r/compare/0a1b2c3d4e...5f6a7b8c9d", true},
		{"https://forum.test/t/tide-table/812/4", "https://forum.test/t/tide-table/812/3", false}, // one digit: a place in the topic
		{"https://forum.test/t/812/posts/55012", "https://forum.test/t/812/posts/55013", true},
		{"https://WWW.Forum.test/p/55012", "https://www.forum.test/p/55013", true},
		// Words name a page, not an id.
		{"https://food-agency.test/news/draft-3141", "https://food-agency.test/news/greyholm-gouda-recall", false},
		{"https://site.test/news/facade", "https://site.test/news/decade", false},
		// Two segments, another host, another query, one page.
		{"https://site.test/a/123/b/456", "https://site.test/a/124/b/457", false},
		{"https://a.test/p/55012", "https://b.test/p/55013", false},
		{"https://site.test/p/55012?lang=en", "https://site.test/p/55013?lang=de", false},
		{"https://site.test/p/55012", "https://site.test/p/55012", false},
		// Two figures with a point are a version, not an id.
		{"https://site.test/releases/2.4.3", "https://site.test/releases/2.4.4", false},
	}
	for _, tt := range tests {
		if got := idPages(tt.a, tt.b); got != tt.want {
			t.Errorf("idPages(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
