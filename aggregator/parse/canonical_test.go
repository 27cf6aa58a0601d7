package parse

import "testing"

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?a=1&b=2"},
		{"HTTP://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443", "https://example.com/"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"https://example.com/a?utm_source=rss&utm_medium=feed&id=3", "https://example.com/a?id=3"},
		{"https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&igshid=7&yclid=8&_ga=9&ref_src=twsrc", "https://example.com/a"},
		{"https://example.com/a?UTM_Source=x&Id=1", "https://example.com/a?Id=1"},
		{"https://example.com/a?at_medium=RSS&at_campaign=KARANGA", "https://example.com/a"},
		{"https://example.com/a?", "https://example.com/a"},
		{"https://example.com/a?&&x=1&", "https://example.com/a?x=1"},
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"https://example.com./a", "https://example.com/a"},
		{"https://[::1]:443/a", "https://[::1]/a"},
		{"https://example.com/caf%C3%A9?q=a%20b", "https://example.com/caf%C3%A9?q=a%20b"},
		{"  https://example.com/trim  ", "https://example.com/trim"},
		{"https://example.com/a?x=1&x=1", "https://example.com/a?x=1"},
		// Sessions written into links: in a Java servlet's path parameter,
		// in any case, and in PHP's and other platforms' query parameters.
		{"https://example.com/news/42;jsessionid=8F3A61C0E2?id=3", "https://example.com/news/42?id=3"},
		{"https://example.com/a;JSESSIONID=x.node1/b;v=1", "https://example.com/a/b;v=1"},
		{"https://example.com/;jsessionid=x", "https://example.com/"},
		{"https://example.com/a?PHPSESSID=5d1f&id=3&sid=9", "https://example.com/a?id=3&sid=9"},
		{"https://example.com/a?CFID=1&CFTOKEN=2&osCsid=3&zenid=4", "https://example.com/a"},
		// A session's number in a conference's programme names the session.
		{"https://example.com/program.php?sessionid=101", "https://example.com/program.php?sessionid=101"},
		{"https://example.com/agenda?session_id=7&day=2", "https://example.com/agenda?day=2&session_id=7"},
		{"https://example.com/a?sessionid=9f2c41ab77e0&id=3", "https://example.com/a?id=3"},
		{"https://example.com/(S(lit3py55t21z5v55vlm25s55))/news/42.aspx", "https://example.com/news/42.aspx"},
		{"https://example.com/shop/(A(Y1x)S(4mw2))/item.aspx?id=3", "https://example.com/shop/item.aspx?id=3"},
		{"https://example.com/(S(x))", "https://example.com/"},
		{"https://example.com/(draft)/a", "https://example.com/(draft)/a"},
		{"https://example.com/(S)/a", "https://example.com/(S)/a"},
		{"https://example.com/wiki/Mercury_(planet)", "https://example.com/wiki/Mercury_(planet)"},
		{"ftp://example.com/a", ""},
		{"javascript:alert(1)", ""},
		{"mailto:a@example.com", ""},
		{"/relative/path", ""},
		{"//example.com/a", ""},
		{"", ""},
		{"https://", ""},
		{"http://exa mple.com/", ""},
	}
	for _, tt := range tests {
		got := CanonicalURL(tt.in)
		if got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if again := CanonicalURL(got); again != got {
			t.Errorf("CanonicalURL(CanonicalURL(%q)) = %q; want %q", tt.in, again, got)
		}
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://Example.COM/Path?b=2&a=1#frag",
		"http://example.com:80/a?utm_source=x&id=1",
		"https://[::1]:443/a%2Fb?q=a+b",
		"https://example.com/caf%C3%A9?x=%zz",
		"https://news.example/a/story.amp.html?AMP=1&outputType=AMP#x",
		"https://news.example/%61mp/2024/story?outputType=%61mp",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CanonicalURL(s)
		if again := CanonicalURL(c); again != c {
			t.Fatalf("CanonicalURL(%q) = %q, but CanonicalURL(%q) = %q", s, c, c, again)
		}
		// The quick test before MobilePages passes over no link that
		// names a page.
		if pages := mobilePages(c); pages != nil && !mentionsMobile(c) {
			t.Fatalf("mentionsMobile(%q) is false, but the link names %q", c, pages)
		}
	})
}
