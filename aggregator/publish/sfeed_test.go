package publish_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sfeedEntry is one line sfeed prints, its nine fields (sfeed(5)), the
// content unescaped.
type sfeedEntry struct {
	timestamp, title, link, content, contentType, id, author, enclosure, category string
}

// sfeed returns a function that pipes a feed document to sfeed, the
// suckless feed reader's own parser, and returns the entries it printed,
// or skips the test when sfeed is missing (Debian's sfeed; .ci/run
// installs it, and under CI=true its absence fails the test).
func sfeed(t *testing.T) func(name string, doc []byte) []sfeedEntry {
	t.Helper()
	bin, err := exec.LookPath("sfeed")
	needReader(t, err, "sfeed", "sfeed")
	return func(name string, doc []byte) []sfeedEntry {
		t.Helper()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(t.Context(), bin)
		cmd.Stdin = bytes.NewReader(doc)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Fatalf("sfeed < %s: %v\n%s", name, err, stderr.String())
		}
		var entries []sfeedEntry
		for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			f := strings.Split(line, "\t")
			if len(f) != 9 {
				t.Fatalf("sfeed < %s: line %q has %d fields; want 9", name, line, len(f))
			}
			entries = append(entries, sfeedEntry{f[0], f[1], f[2], sfeedUnescape(f[3]), f[4], f[5], f[6], f[7], f[8]})
		}
		return entries
	}
}

// sfeedUnescape undoes sfeed's escapes of the content field: "\t", "\n"
// and "\\".
func sfeedUnescape(s string) string {
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n", `\\`, `\`).Replace(s)
}

// TestSfeed has sfeed, the suckless feed reader's parser, read the topic
// world's RSS and Atom feeds, fetched over HTTP, with the fixture's
// stories, the edge stories and the rich story. Each line it prints must
// say exactly what the stored items say: the date in Unix seconds, title,
// link, HTML, id, first author, first media file and categories. It must
// also read the feeds of the topic all with the hostile story, each of
// whose fields holds what XML forbids or HTML runs, with that story first,
// and an episode without a link next. sfeed reads no JSON Feed.
func TestSfeed(t *testing.T) {
	read := sfeed(t)
	f, want, h, hostile := worldAndHostile(t)
	episode := putLinklessEpisode(t, h)
	for _, name := range []string{"all.rss", "all.atom"} {
		_, doc := h.get(t, "/topics/"+name)
		got := read(name, doc)
		if len(got) < 2 || got[0].id != hostile || got[0].link != "https://evil.example/a?b=1&c=%3C2%3E" {
			t.Errorf("%s: sfeed read %d entries, the first %+v; want %q first, at its item's link, escaped", name, len(got), got[:min(len(got), 1)], hostile)
			continue
		}
		// sfeed shows no link for an entry without one, and the media
		// file as its enclosure.
		if e := got[1]; e.id != episode || e.link != "" || e.enclosure != "https://cdn.alpha.example/ep13.mp3" {
			t.Errorf("%s: entry 1 %q at %q with enclosure %q; want the episode %q without a link", name, e.id, e.link, e.enclosure, episode)
		}
	}
	for _, format := range []string{"rss", "atom"} {
		name := "world." + format
		_, doc := f.get(t, "/topics/"+name)
		got := read(name, doc)
		if len(got) != len(want) {
			t.Fatalf("%s: sfeed read %d entries; want %d", name, len(got), len(want))
		}
		for i, w := range want {
			e := got[i]
			where := fmt.Sprintf("%s entry %d (%s)", name, i, w.title)
			published, err := time.Parse(time.RFC3339, w.published)
			if err != nil {
				t.Fatal(err)
			}
			// sfeed dates an Atom entry by its published date, ahead of
			// its updated date; it gives the first author's name alone,
			// the first media file's URL alone and the categories
			// joined by "|".
			wantTitle := w.title
			if format == "rss" {
				// RSS gives titles without tags.
				wantTitle = asRSSText(wantTitle)
			}
			var wantEnc string
			if len(w.enclosures) > 0 {
				wantEnc, _, _ = strings.Cut(w.enclosures[0], " ")
			}
			wantTimestamp := strconv.FormatInt(published.Unix(), 10)
			if e.timestamp != wantTimestamp || e.title != wantTitle || e.link != w.link || e.id != w.id {
				t.Errorf("%s: timestamp %s title %q link %q id %q; want %s %q %q %q",
					where, e.timestamp, e.title, e.link, e.id, wantTimestamp, wantTitle, w.link, w.id)
			}
			if e.author != names(w.authors)[0] || e.enclosure != wantEnc || e.category != strings.Join(w.categories, "|") {
				t.Errorf("%s: author %q, enclosure %q, category %q; want %q, %q, %q",
					where, e.author, e.enclosure, e.category, names(w.authors)[0], wantEnc, strings.Join(w.categories, "|"))
			}
			if e.contentType != "html" || !sameHTML(t, e.content, w.content) {
				t.Errorf("%s: content (%s) %q; want (html) %q", where, e.contentType, e.content, w.content)
			}
		}
	}
}
