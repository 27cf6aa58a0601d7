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
	needReader(t, err, "xmllint", "libxml2-utils")
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

// needReader skips the test when err says a reader it runs is missing (what,
// in words), or fails it under CI=true, where .ci/run has installed the
// Debian packages debs.
func needReader(t *testing.T, err error, what, debs string) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s missing (%v); install Debian's %s", what, err, debs)
	}
	t.Skipf("%s missing (%v); Debian's %s", what, err, debs)
}
