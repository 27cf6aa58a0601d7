package fetch

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestUncompressedBodyLabelledCompressed serves feeds whose
// Content-Encoding says gzip or deflate over a body that is not so
// compressed: a feed as it is (a server that sets the header without
// compressing, a proxy that decompressed the body and left the header),
// gzip labelled deflate, and an empty body. Each is read as it is, as feed
// readers read it, where the fetch failed with "gzip: invalid header" or
// "flate: corrupt input" at every poll; an empty body comes back empty,
// for the poller to say so. Text that is no document, and an error page so
// labelled, are told apart: the one still fails, the other's title is read.
func TestUncompressedBodyLabelledCompressed(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(rssBody))
	zw.Close()
	const jsonFeed = "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n  \"title\": \"T\",\n  \"items\": []\n}\n"
	const atom = "\ufeff\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title></feed>\n"
	o := feedtest.NewOrigin(t)
	serve := func(path, coding string, status int, body []byte) {
		o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", coding)
			if status == http.StatusServiceUnavailable {
				w.Header().Set("Content-Type", "text/html")
			}
			w.WriteHeader(status)
			w.Write(body)
		})
	}
	serve("/plain-gzip", "gzip", 200, []byte(rssBody))
	serve("/plain-gzip-gzip", "gzip, gzip", 200, []byte(rssBody))
	serve("/plain-deflate", "deflate", 200, []byte(rssBody))
	serve("/json-deflate", "deflate", 200, []byte(jsonFeed))
	serve("/atom-gzip", "x-gzip", 200, []byte(atom))
	serve("/gzip-as-deflate", "deflate", 200, gz.Bytes())
	// The blank lines a script's included files leave before the feed.
	blanks := strings.Repeat("\n", 80) + rssBody
	serve("/blank-lines-gzip", "gzip", 200, []byte(blanks))
	serve("/empty-gzip", "gzip", 200, nil)
	serve("/empty-deflate", "deflate", 200, nil)
	serve("/text-gzip", "gzip", 200, []byte("hello, this is no feed\n"))
	serve("/page-gzip", "gzip", http.StatusServiceUnavailable, []byte("<!DOCTYPE html><html><head><title>Down for maintenance</title></head></html>"))
	f := newFetcher(t, Options{})
	for _, tt := range []struct{ path, want string }{
		{"/plain-gzip", rssBody},
		{"/plain-gzip-gzip", rssBody},
		{"/plain-deflate", rssBody},
		{"/json-deflate", jsonFeed},
		{"/atom-gzip", atom},
		{"/gzip-as-deflate", rssBody},
		{"/blank-lines-gzip", blanks},
		{"/empty-gzip", ""},
		{"/empty-deflate", ""},
	} {
		res, err := f.Fetch(t.Context(), Request{URL: o.URL(tt.path)})
		if err != nil || string(res.Body) != tt.want {
			t.Errorf("Fetch(%s) = %q, %v; want %q", tt.path, res.Body, err, tt.want)
		}
	}
	if res, err := f.Fetch(t.Context(), Request{URL: o.URL("/text-gzip")}); err == nil {
		t.Errorf("Fetch(/text-gzip) = %q; want an error: text that is no document is not read past its label", res.Body)
	}
	var se *StatusError
	if _, err := f.Fetch(t.Context(), Request{URL: o.URL("/page-gzip")}); !errors.As(err, &se) || se.Says != "Down for maintenance" {
		t.Errorf("Fetch(/page-gzip) error = %v; want a 503 that says \"Down for maintenance\"", err)
	}
}

// TestUncompressed checks which first bytes of a body labelled compressed
// read as a document's text.
func TestUncompressed(t *testing.T) {
	for _, tt := range []struct {
		head string
		want bool
	}{
		{`<?xml version="1.0"?>`, true},
		{"\ufeff  <rss version=\"2.0\">", true},
		{"<feed xmlns=\"http://www.w3.org/2005/Atom\">", true},
		{"<rdf:RDF\n", true},
		{"<!DOCTYPE html>", true},
		{"<!doctype html>", true},
		{"<!-- generated -->", true},
		{"{\"version\": \"https://jsonfeed.org/version/1.1\"", true},
		{"{ \n \"title\" : \"x\"", true},
		{"\x1f\x8b\x08\x00", false},
		{"\x78\x9c\xcb\x48", false},
		{"<a", false},
		{"<ab>", false},
		{"{\"", false},
		{"{x", false},
		{"hello", false},
		{"", false},
	} {
		if got := uncompressed([]byte(tt.head)); got != tt.want {
			t.Errorf("uncompressed(%q) = %v; want %v", tt.head, got, tt.want)
		}
	}
}
