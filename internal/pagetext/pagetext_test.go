package pagetext

import (
	"strings"
	"testing"
)

func TestTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<!DOCTYPE html><html><head><TITLE>Just a moment...</TITLE></head><body>x</body></html>`, "Just a moment..."},
		{"<title>\n  Sign in &amp; \u202econtinue\x07 </title>", "Sign in & continue"},
		{`<html><body><title>In the body</title></body></html>`, ""},
		{`<html><head><title>Cut before its end`, ""},
		{`{"message":"no page"}`, ""},
		{"<title>" + strings.Repeat("word ", 40) + "</title>", strings.TrimSpace(strings.Repeat("word ", 20)) + " …"},
	}
	for _, tt := range tests {
		if got := Title([]byte(tt.in), 100); got != tt.want {
			t.Errorf("Title(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"  rate \t limit\r\nexceeded ", 100, "rate limit exceeded"},
		{"\x1b[31mred\x1b[0m \u2067text\u2069", 100, "[31mred[0m text"},
		{"bad \xff byte", 100, "bad byte"},
		{"one two three", 9, "one two …"},
		{"onetwothree", 5, "onetw …"},
		{"é" + strings.Repeat("é", 10), 5, "éé …"},
	}
	for _, tt := range tests {
		if got := Line(tt.in, tt.max); got != tt.want {
			t.Errorf("Line(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
