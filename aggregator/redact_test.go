package aggregator

import (
	"net/url"
	"strings"
	"testing"
)

func TestSecretParam(t *testing.T) {
	secret := []string{
		"token", "TOKEN", "access_token", "accessToken", "feed_token", "private_token", "X-Amz-Security-Token",
		"key", "Key", "apikey", "api_key", "apiKey", "API-KEY", "x-api-key", "appkey", "app_key", "access_key", "key2",
		"secret", "client_secret", "clientSecret",
		"password", "passwd", "pass", "pwd", "pw", "os_password", "userPassword",
		"auth", "auth_token", "oauth_signature", "authorization",
		"sig", "signature", "Signature", "X-Amz-Signature", "X-Goog-Signature", "X-Amz-Credential", "sign",
		"session", "sessionid", "session_id", "sessionId", "JSESSIONID", "PHPSESSID", "sid",
		"jwt", "otp", "hmac",
	}
	harmless := []string{
		"format", "feed", "cat", "page", "paged", "tag", "q", "lang", "hl", "ceid", "type", "id", "sort",
		"author", "authors", "authuser", "keyword", "keywords", "monkey", "passage", "design", "sigma",
		"user", "username", "os_username", "category", "post_type", "output", "", "format=rss",
	}
	for _, name := range secret {
		if !SecretParam(name) {
			t.Errorf("SecretParam(%q) = false; want true", name)
		}
	}
	for _, name := range harmless {
		if SecretParam(name) {
			t.Errorf("SecretParam(%q) = true; want false", name)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/feed?token=SECRET", "https://example.org/feed?token=xxxxx"},
		{"https://example.org/feed?apikey=S1&format=rss", "https://example.org/feed?apikey=xxxxx&format=rss"},
		{"https://example.org/feed?format=rss&Api_Key=S1", "https://example.org/feed?format=rss&Api_Key=xxxxx"},
		{"https://example.org/?feed=rss2&cat=5&page=2", "https://example.org/?feed=rss2&cat=5&page=2"},
		{"https://example.org/?keyword=key&author=pass", "https://example.org/?keyword=key&author=pass"},
		{"https://example.org/f?access%5Ftoken=S1", "https://example.org/f?access%5Ftoken=xxxxx"},
		{"https://example.org/f?token=", "https://example.org/f?token="},
		{"https://example.org/f?token", "https://example.org/f?token"},
		{"https://example.org/f?a=1;sig=S1;b=2&c=3", "https://example.org/f?a=1;sig=xxxxx&c=3"},
		{"https://example.org/f?token=S1;S2&c=3", "https://example.org/f?token=xxxxx&c=3"},
		{"https://example.org/f?key;=S1&c=3", "https://example.org/f?key;=xxxxx&c=3"},
		{"https://example.org/f?a;token=S1&c=3", "https://example.org/f?a;token=xxxxx&c=3"},
		{"https://example.org/f#access_token=S1&state=2", "https://example.org/f#access_token=xxxxx&state=2"},
		{"https://example.org/f#section-2", "https://example.org/f#section-2"},
		{"https://reader:hunter2@example.org/f", "https://reader:xxxxx@example.org/f"},
		{"https://reader@example.org/f", "https://reader@example.org/f"},
		{"https://reader:hunter2@example.org/f?sid=S1", "https://reader:xxxxx@example.org/f?sid=xxxxx"},
		{"https://reader:p@ss@example.org", "https://reader:xxxxx@example.org"},
		{"https://example.org/a@b:c/feed", "https://example.org/a@b:c/feed"},
		{"https://s3.example/f.xml?X-Amz-Credential=AK%2F1&X-Amz-Signature=abc&X-Amz-Expires=60",
			"https://s3.example/f.xml?X-Amz-Credential=xxxxx&X-Amz-Signature=xxxxx&X-Amz-Expires=60"},
		{"not a url", "not a url"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	// A password reads as URL.Redacted gives it.
	u, _ := url.Parse("https://reader:hunter2@example.org/f")
	if got := RedactURL(u.String()); got != u.Redacted() {
		t.Errorf("RedactURL(%q) = %q; want %q, as URL.Redacted", u, got, u.Redacted())
	}
}

func TestURLName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://news.example/feed.xml", "news.example/feed.xml"},
		{"https://news.example/", "news.example"},
		{"https://alice:S3CR3T@private.example:8443/feed/?token=S3CR3T&format=rss#x", "private.example:8443/feed?token=xxxxx&format=rss"},
		// Feeds of one path told apart by their query.
		{"https://news.example/rss?section=world", "news.example/rss?section=world"},
		{"https://news.example/rss?section=sport", "news.example/rss?section=sport"},
		{"https://news.example/rss?section=sport&api_key=S3CR3T;sig=S3CR3T", "news.example/rss?section=sport&api_key=xxxxx"},
		{"https://news.example/rss?", "news.example/rss"},
		{"https://S3CR3T@private.example/members.rss", "private.example/members.rss"},
		{"not a url?token=S3CR3T", "not a url?token=xxxxx"},
	}
	for _, tt := range tests {
		if got := URLName(tt.in); got != tt.want {
			t.Errorf("URLName(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http 404 not found from https://example.org/feed?token=S1", "http 404 not found from https://example.org/feed?token=xxxxx"},
		{"parsing HTTPS://example.org/f?key=S1: not a feed", "parsing HTTPS://example.org/f?key=xxxxx: not a feed"},
		{`redirect from http://a.example/?sig=S1 to unsupported url "ftp://b.example/?sig=S2"`,
			`redirect from http://a.example/?sig=xxxxx to unsupported url "ftp://b.example/?sig=S2"`},
		{`to "https://b.example/?secret=S2"`, `to "https://b.example/?secret=xxxxx"`},
		{"feed https://u:pw@a.example/f.xml linked from https://a.example/?token=S1.", "feed https://u:xxxxx@a.example/f.xml linked from https://a.example/?token=xxxxx."},
		{"no url here", "no url here"},
		{"http://", "http://"},
	}
	for _, tt := range tests {
		if got := RedactURLs(tt.in); got != tt.want {
			t.Errorf("RedactURLs(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzRedactURL checks that redacting is idempotent and that a credential's
// value never survives it.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"https://example.org/feed?token=SECRET&format=rss", "https://u:p@h/?a=1;sig=x#k=v", "http://h/?%zz=1&key=%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		once := RedactURL(raw)
		if twice := RedactURL(once); twice != once {
			t.Errorf("RedactURL(%q) = %q, then %q; want the same", raw, once, twice)
		}
		_, query, _ := strings.Cut(strings.SplitN(once, "#", 2)[0], "?")
		for part := range strings.SplitSeq(query, "&") {
			k, v, ok := strings.Cut(part, "=")
			if ok && SecretParam(unescapeParam(k)) && v != "" && v != Redacted {
				t.Errorf("RedactURL(%q) = %q keeps %s=%s", raw, once, k, v)
			}
		}
	})
}
