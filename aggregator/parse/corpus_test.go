package parse

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// corpusDir is the shared feed corpus, read in place.
const corpusDir = "../../../shared/corpus/feeds"

func requireCorpus(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s missing in CI: %v", dir, err)
		}
		t.Skipf("corpus %s not present: %v", dir, err)
	}
}

// headerLine reads the Content-Type that a feedparser test file says it is
// served with.
var headerLine = regexp.MustCompile(`(?im)^Header:\s*Content-type:\s*(.+?)\s*$`)

// TestCorpusSweep parses every document of the shared corpus: none may
// panic or take long, and whatever comes out must be valid UTF-8, safe
// HTML, with absolute links and consistent ids.
func TestCorpusSweep(t *testing.T) {
	requireCorpus(t, corpusDir)
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasSuffix(path, ".md") && !strings.HasSuffix(path, "LICENSE") && !strings.HasSuffix(path, "COMMIT") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 1000 {
		t.Fatalf("corpus has %d files; want the full corpus", len(files))
	}
	var parsed, items, htmlPages, failed int
	start := time.Now()
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ct := ""
		if m := headerLine.FindSubmatch(head(b, 2048)); m != nil {
			ct = string(m[1])
		}
		t0 := time.Now()
		f, err := parseNoPanic(t, path, b, ct)
		if d := time.Since(t0); d > 5*time.Second {
			t.Logf("%s: parse took %v", path, d) // a slow spell of the machine, or a document to profile
		}
		switch {
		case errors.Is(err, ErrHTMLPage):
			htmlPages++
		case err != nil:
			failed++
			if testing.Verbose() {
				t.Logf("%s: %v", path, err)
			}
		default:
			parsed++
			items += len(f.Items)
			checkFeed(t, path, f)
		}
	}
	t.Logf("%d files in %v: %d parsed (%d items), %d html pages, %d errors", len(files), time.Since(start), parsed, items, htmlPages, failed)
	if parsed < len(files)*8/10 {
		t.Errorf("only %d of %d corpus files parsed", parsed, len(files))
	}
}

func parseNoPanic(t *testing.T, path string, b []byte, ct string) (f *Feed, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", path, r)
			err = errors.New("panic")
		}
	}()
	return Parse(b, ct, "https://corpus.example/"+filepath.Base(path), "corpus", testNow, Options{})
}

// TestCorpusEncodings checks the text of the feedparser encoding cases that
// state what their title or content must be.
func TestCorpusEncodings(t *testing.T) {
	dir := filepath.Join(corpusDir, "feedparser", "encoding")
	requireCorpus(t, dir)
	tests := []struct {
		file, contentType, want string
	}{
		{"utf-16le-bom.xml", "", ""},
		{"utf-16be.xml", "", ""},
		{"utf-16le-autodetect.xml", "", ""},
		{"utf-32be-bom.xml", "", ""},
		{"utf-32le-autodetect.xml", "", ""},
		{"utf-8-bom.xml", "", ""},
		{"demoronize-1.xml", "", "don’t"},
		{"demoronize-2.xml", "", ""},
		{"http_i18n.xml", "application/xml", "Iñtërnâtiônàlizætiøn"},
		{"big5.xml", "", ""},
		{"euc-kr.xml", "", ""},
		{"bozo_bogus_encoding.xml", "", ""},
		{"http_text_xml_charset_overrides_encoding.xml", "text/xml;charset = us-ascii", ""},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(b, tt.contentType, "https://corpus.example/", "c", testNow, Options{})
		if err != nil {
			t.Errorf("Parse(%s) error: %v", tt.file, err)
			continue
		}
		checkFeed(t, tt.file, f)
		if tt.want == "" {
			continue
		}
		var all bytes.Buffer
		all.WriteString(f.Title)
		for _, it := range f.Items {
			all.WriteString(" " + it.Title + " " + it.Summary + " " + it.Content)
		}
		if !strings.Contains(all.String(), tt.want) {
			t.Errorf("Parse(%s): text %q lacks %q", tt.file, all.String(), tt.want)
		}
	}
}
