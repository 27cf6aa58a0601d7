package publish_test

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// TestXMLLint reads every XML document the publisher serves with libxml2's
// xmllint, whose parser is strict where readers' are lenient: the topics'
// RSS and Atom feeds with the fixture's stories, the hostile story and the
// edge stories, an older page of a feed, and the OPML list must each be
// well-formed, with not even a warning.
func TestXMLLint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("xmllint missing (%v); install Debian's libxml2-utils", err)
		}
		t.Skipf("xmllint missing (%v); Debian's libxml2-utils", err)
	}
	f := newFixture(t)
	putHostileStory(t, f)
	putEdgeStories(t, f)
	paths := []string{"/opml"}
	for _, topic := range []string{"all", "world", "paged", "empty"} {
		paths = append(paths, "/topics/"+topic+".rss", "/topics/"+topic+".atom")
	}
	_, paged := f.get(t, "/topics/paged.atom")
	doc := checkAtom(t, "paged.atom", paged)
	for _, l := range doc.Links {
		if l.Rel == "next" {
			paths = append(paths, l.Href[len(testBase):])
		}
	}
	if len(paths) != 10 {
		t.Fatalf("paged.atom links %v; want a next page", doc.Links)
	}
	for _, path := range paths {
		_, body := f.get(t, path)
		cmd := exec.CommandContext(t.Context(), xmllint, "--noout", "--nonet", "-")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("xmllint %s: %v\n%s", path, err, out)
		}
	}
}
