package aggregator_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// configErrors returns the messages of the problems joined in err, checking
// that each is a *ConfigError.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]string, len(errs))
	for i, e := range errs {
		var ce *aggregator.ConfigError
		if !errors.As(e, &ce) {
			t.Errorf("problem %q is a %T, want *aggregator.ConfigError", e, e)
		}
		out[i] = e.Error()
	}
	return out
}

func loadAs(t *testing.T, path, name string) (*aggregator.Config, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return aggregator.Load(f, name)
}

func TestLoadGood(t *testing.T) {
	files, err := filepath.Glob("testdata/config/*.good.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no good configs in testdata/config: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg, err := aggregator.LoadFile(path)
			if err != nil {
				t.Fatalf("LoadFile(%q) error:\n%v", path, err)
			}
			if cfg.Path != path {
				t.Errorf("LoadFile(%q).Path = %q; want %q", path, cfg.Path, path)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("LoadFile(%q).Validate() = %v; want nil", path, err)
			}
			// What loads must compile into topics.
			if _, err := topic.Compile(cfg.Topics, cfg.Sources); err != nil {
				t.Errorf("topic.Compile(topics of %q) = %v; want nil", path, err)
			}
		})
	}
}

// badConfigs maps each testdata/config/*.bad.yaml, loaded as "config.yaml",
// to every problem Load must report, in order.
var badConfigs = map[string][]string{
	"syntax.bad.yaml": {
		// The mistake: " storage:" is indented by one space (YAML names
		// line 2, where the mapping it was reading began).
		"config.yaml:3: server: invalid YAML: did not find expected key",
	},
	"tabs.bad.yaml": {
		"config.yaml:2: sources: column 1: invalid YAML: found character that cannot start any token (the line is indented with a tab: YAML indents with spaces only)",
	},
	"multidoc.bad.yaml": {
		"config.yaml:3: more than one YAML document",
	},
	"unknown-key.bad.yaml": {
		`config.yaml:1: sever: unknown key (did you mean "server"?)`,
		"config.yaml:5: poll.retries: unknown key",
		`config.yaml:11: sources[3].nmae (source https://d.example.org/feed.xml): unknown key (did you mean "name"?)`,
		`config.yaml:17: topics[0].match.anny (topic "d"): unknown key (did you mean "any"?)`,
	},
	"duplicate-key.bad.yaml": {
		"config.yaml:4: poll.interval: duplicate key (first at line 2)",
	},
	"duration.bad.yaml": {
		"config.yaml:2: storage.retention: must not be negative",
		`config.yaml:4: poll.interval: invalid duration "30": give a unit, for example 30s`,
		`config.yaml:5: poll.timeout: invalid duration "30 seconds"`,
		"config.yaml:6: poll.max_backoff: expected a duration such as 90s, 15m or 72h, got a list",
		"config.yaml:8: dedup.window: must be positive",
		`config.yaml:11: sources[0].interval (source https://example.org/feed.xml): 30s is below poll.min_interval (1m0s)`,
		`config.yaml:11: sources[0].interval (source https://example.org/feed.xml): 30s must be longer than poll.timeout (30s)`,
	},
	"types.bad.yaml": {
		"config.yaml:2: server.listen: expected a string, got a list",
		`config.yaml:4: poll.concurrency: expected an integer, got "many"`,
		`config.yaml:5: poll.allow_private: expected true or false, got "maybe"`,
		`config.yaml:6: poll.max_bytes: expected an integer, got "10MiB"`,
		`config.yaml:8: dedup.near: expected true or false, got "sometimes"`,
		`config.yaml:9: dedup.threshold: expected a number, got "high"`,
		// No "unknown source" for topics[0]: the sources could not be read.
		`config.yaml:10: sources: expected a list, got "https://example.org/feed.xml"`,
	},
	"sources.bad.yaml": {
		`config.yaml:2: sources[0].url: not an absolute http(s) URL: "/feed.xml"`,
		`config.yaml:3: sources[1].url: not an absolute http(s) URL: "ftp://example.org/feed.xml"`,
		"config.yaml:4: sources[2].url: required",
		`config.yaml:7: sources[4].url: duplicate URL "https://EXAMPLE.org/feed.xml#top" (also sources[3])`,
		`config.yaml:8: sources[4].name: duplicate name "Example" (also sources[3])`,
		`config.yaml:10: sources[5].name: leading or trailing space in " Padded"`,
		`config.yaml:11: sources[5].tags[1] (source " Padded"): empty tag`,
	},
	"topics.bad.yaml": {
		`config.yaml:5: topics[0].id: invalid id "World": use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit`,
		`config.yaml:8: topics[1].id: invalid id "world.": must not end with '.'`,
		`config.yaml:11: topics[2].id: invalid id "world.rss": must not end with a feed extension (.rss, .atom, .json, .xml)`,
		`config.yaml:17: topics[4].id: duplicate id "ok" (also topics[3])`,
		`config.yaml:19: topics[4].sources[0] (topic "ok"): unknown source "Exmaple": name a configured source by its name or URL`,
		"config.yaml:20: topics[5].id: required",
		`config.yaml:22: topics[6].title (topic "untitled"): required`,
		`config.yaml:25: topics[7] (topic "empty"): no rules: give sources or match (only the topic "all" may take every story)`,
		`config.yaml:29: topics[8].limit (topic "limits"): must not be negative`,
		`config.yaml:30: topics[8].max_per_source (topic "limits"): must not be negative`,
		`config.yaml:32: topics[8].match.any[1] (topic "limits"): phrase "--": no letters or digits`,
		`config.yaml:33: topics[8].match.categories[0] (topic "limits"): empty category`,
		`config.yaml:34: topics[8].match.none[0] (topic "limits"): phrase "ec*": the prefix ec* is shorter than 3 characters`,
		`config.yaml:34: topics[8].match.none[1] (topic "limits"): phrase "econ*omy": a * must end a word, as in econom*`,
		`config.yaml:35: topics[8].match.at_least (topic "limits"): must not be negative`,
		`config.yaml:40: topics[9].match.at_least (topic "count"): counts the phrases of match.any, which has none`,
		`config.yaml:45: topics[10].match.at_least (topic "never"): 5 can never be met: match.any has 2 phrases, each counting at most twice (in a title)`,
		`config.yaml:48: topics[11].language (topic "lang"): invalid language "en_GB": give a BCP 47 tag, such as en, de or pt-BR`,
	},
	"query.bad.yaml": {
		`config.yaml:13: topics[1].match.query (topic "unbalanced"): column 26: expected ")" to close "(" at column 1`,
		`config.yaml:17: topics[2].match.query (topic "dangling"): column 11: expected a term after AND, got end of query`,
		`config.yaml:21: topics[3].match.query (topic "unterminated"): column 8: unterminated quote`,
		`config.yaml:25: topics[4].match.query (topic "blank"): empty query`,
		`config.yaml:29: topics[5].match.query (topic "never"): can never hold, whatever a story says: Taiwan AND (sport AND NOT sport)`,
		`config.yaml:33: topics[6].match.query (topic "always"): holds for every story, whatever it says: Taiwan OR NOT Taiwan`,
	},
	"backoff.bad.yaml": {
		"config.yaml:4: poll.max_backoff: 1h30m0s is below poll.min_interval (2h0m0s)",
	},
	"limits.bad.yaml": {
		"config.yaml:2: poll.interval: 30s is below poll.min_interval (1m0s)",
		"config.yaml:4: poll.timeout: 45s must be shorter than poll.interval (30s)",
		"config.yaml:5: poll.max_bytes: must be positive",
		"config.yaml:6: poll.max_items: must be at least 1",
		"config.yaml:7: poll.max_redirects: must not be negative",
		"config.yaml:8: poll.concurrency: must be at least 1",
		"config.yaml:9: poll.per_host: must be at least 1",
		"config.yaml:10: poll.max_backoff: must be positive",
		"config.yaml:11: poll.user_agent: must not be empty",
		"config.yaml:13: dedup.threshold: must be between 0 and 1, got 1.5",
		"config.yaml:15: server.max_connections: must be 0 (from the open-file limit) or positive, got -1",
	},
	"bomb.bad.yaml": {
		"config.yaml:5: sources[5].url: aliases and merge keys expand to more than 100000 values",
		// Decoding stops there, so the last sources lose their merged URL.
		"config.yaml:21: sources[6].url: required",
		"config.yaml:24: sources[7].url: required",
	},
	"storage.bad.yaml": {
		`config.yaml:2: storage.path: "~/tributary/tributary.db": a leading ~ is not expanded, it would be a folder named ~: give the whole path`,
	},
	"numbers.bad.yaml": {
		// A fraction is no count: it was cut to its whole part (1.5 bytes to 1).
		`config.yaml:2: poll.max_bytes: expected an integer, got "1.5"`,
		`config.yaml:3: poll.max_items: expected an integer, got "99.9"`,
		`config.yaml:4: poll.concurrency: expected an integer, got "0.5"`,
		`config.yaml:5: poll.per_host: expected an integer, got ".inf"`,
	},
	"quoted.bad.yaml": {
		`config.yaml:2: poll.per_host: expected an integer, got the quoted string "2": write it without quotes`,
		`config.yaml:3: poll.allow_private: expected true or false, got the quoted string "true": write it without quotes`,
		`config.yaml:4: poll.concurrency: expected an integer, got "many"`,
		`config.yaml:6: dedup.near: expected true or false, got the quoted string "true": write it without quotes`,
		`config.yaml:7: dedup.threshold: expected a number, got the quoted string "0.5": write it without quotes`,
	},
	"values.bad.yaml": {
		`config.yaml:2: server.listen: invalid address "localhost": want host:port`,
		`config.yaml:3: server.base_url: not an absolute http(s) URL: "/feeds"`,
		`config.yaml:4: server.metrics_allow[0]: invalid CIDR or address "10.0.0.0/33"`,
		`config.yaml:4: server.metrics_allow[1]: invalid CIDR or address "not-a-cidr"`,
		"config.yaml:6: storage.path: must not be empty",
		`config.yaml:8: poll.allow_networks[0]: invalid CIDR or address "192.168.1.300"`,
		`config.yaml:10: publish.hubs[0]: not an absolute http(s) URL: "pubsub.example.com"`,
		`config.yaml:11: publish.language: invalid language "english": give a BCP 47 tag, such as en, de or pt-BR`,
		`config.yaml:13: log.level: must be one of debug, info, warn, error, got "verbose"`,
		`config.yaml:14: log.format: must be one of text, json, got "xml"`,
	},
}

func TestLoadBad(t *testing.T) {
	files, err := filepath.Glob("testdata/config/*.bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if _, ok := badConfigs[filepath.Base(path)]; !ok {
			t.Errorf("%s has no expected errors in badConfigs", path)
		}
	}
	for name, want := range badConfigs {
		t.Run(name, func(t *testing.T) {
			cfg, err := loadAs(t, filepath.Join("testdata/config", name), "config.yaml")
			if err == nil {
				t.Fatalf("Load(%s) = %+v, nil; want errors:\n%s", name, cfg, strings.Join(want, "\n"))
			}
			got := configErrors(t, err)
			if !slices.Equal(got, want) {
				t.Errorf("Load(%s) errors:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// The joined error prints one problem per line.
			if err.Error() != strings.Join(want, "\n") {
				t.Errorf("Load(%s).Error() = %q; want the problems one per line", name, err.Error())
			}
		})
	}
}

func TestLoadSyntaxErrorLines(t *testing.T) {
	// YAML gives these errors without a line, or with the line before the
	// problem; the user needs the line to edit.
	tests := []struct{ in, want string }{
		{"poll:\n  interval: 30m\n  user_agent: \"a\x01b\"\n",
			"config.yaml:3: poll: column 17: invalid YAML: control characters are not allowed (U+0001)"},
		{"poll:\n  interval: 30m\x00\n", "config.yaml:2: poll: column 16: invalid YAML: control characters are not allowed (U+0000)"},
		{"\xef\xbb\xbfpoll:\n  interval: 30m\n\ntopics:\n  - id: a\n    title: \"Caf\xe9\"\n",
			`config.yaml:6: topics[0] (topic "a"): column 16: invalid YAML: invalid trailing UTF-8 octet (byte 0xE9: the file must be UTF-8)`},
		{"poll:\n  interval: 30m\n\xff\n", "config.yaml:3: column 1: invalid YAML: invalid leading UTF-8 octet (byte 0xFF: the file must be UTF-8)"},
		{"poll: &p\n  interval: 30m\ndedup:\n  window: *pp\n", "config.yaml:4: dedup: column 11: invalid YAML: unknown anchor 'pp' referenced"},
		// A line indented with a tab names the key it is read under and
		// the tab's column.
		{"poll:\n\tinterval: 30m\n", "config.yaml:2: poll: column 1: invalid YAML: found character that cannot start any token (the line is indented with a tab: YAML indents with spaces only)"},
		// YAML names the line of the value before the tab.
		{"poll:\n  interval: 30m\n\t\n", "config.yaml:3: poll: column 1: invalid YAML: found a tab character that violates indentation (the line is indented with a tab: YAML indents with spaces only)"},
		{"poll:\n  user_agent: feeds\n\n \tbot\n", "config.yaml:4: poll: column 2: invalid YAML: found a tab character that violates indentation (the line is indented with a tab: YAML indents with spaces only)"},
		{"topics:\n  - id: a\n    title: A\n    match:\n      any:\n      - x\n\t  - y\n",
			`config.yaml:7: topics[0] (topic "a"): column 1: invalid YAML: found a tab character that violates indentation (the line is indented with a tab: YAML indents with spaces only)`},
	}
	for _, tt := range tests {
		_, err := aggregator.Load(strings.NewReader(tt.in), "config.yaml")
		if err == nil || err.Error() != tt.want {
			t.Errorf("Load(%q) error = %v; want %s", tt.in, err, tt.want)
		}
	}
}

// TestLoadUTF16WithoutBOM loads a config saved as UTF-16 without a byte
// order mark, which YAML reads as text full of NULs: the error says what
// the file is and what it must be.
func TestLoadUTF16WithoutBOM(t *testing.T) {
	text := "poll:\n  interval: 30m\nsources:\n  - url: \"https://example.org/feed.xml\"\n"
	want := "config.yaml: invalid YAML: control characters are not allowed " +
		"(the file looks like UTF-16 without a byte order mark: it must be UTF-8)"
	for _, order := range []string{"little-endian", "big-endian"} {
		var b []byte
		for _, r := range text {
			if order == "little-endian" {
				b = append(b, byte(r), 0)
			} else {
				b = append(b, 0, byte(r))
			}
		}
		_, err := aggregator.Load(strings.NewReader(string(b)), "config.yaml")
		if err == nil || err.Error() != want {
			t.Errorf("Load(UTF-16 %s) error = %v; want %s", order, err, want)
		}
	}
}

func TestLoadBaseURLQuery(t *testing.T) {
	for _, base := range []string{"http://feeds.example/?x=1", "http://feeds.example/news?", "https://feeds.example/#top", "http://feeds.example/news#"} {
		_, err := aggregator.Load(strings.NewReader("server:\n  base_url: \""+base+"\"\n"), "config.yaml")
		want := fmt.Sprintf("config.yaml:2: server.base_url: %q has a query or a fragment: give the URL the paths /topics/… follow", base)
		if err == nil || err.Error() != want {
			t.Errorf("Load(base_url: %q) error = %v; want %s", base, err, want)
		}
	}
	cfg, err := aggregator.Load(strings.NewReader("server:\n  base_url: \"https://feeds.example/news/\"\n"), "config.yaml")
	if err != nil || cfg.Server.BaseURL != "https://feeds.example/news" {
		t.Errorf("Load(base_url with a path) = %v, %v; want https://feeds.example/news", cfg, err)
	}
}

// TestLoadBaseURLInternational loads a base_url written with letters
// outside ASCII: every published link starts with it, and RSS, the Link
// header and readers' HTTP libraries want a URI, its host in its ASCII
// form and its path percent-encoded, its escapes kept.
func TestLoadBaseURLInternational(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://b\u00fccher.example:8080/stra\u00dfe/", "http://xn--bcher-kva.example:8080/stra%C3%9Fe"},
		{"https://\u4f8b\u3048.\u30c6\u30b9\u30c8", "https://xn--r8jz45g.xn--zckzah"},
		{"https://feeds.example/nachrichten/\u00fcbersicht", "https://feeds.example/nachrichten/%C3%BCbersicht"},
		{"https://feeds.example/already%20escaped", "https://feeds.example/already%20escaped"},
		{"http://[::1]:8080/stra\u00dfe", "http://[::1]:8080/stra%C3%9Fe"},
		{"http://[2001:db8::1]/\u00fcbersicht", "http://[2001:db8::1]/%C3%BCbersicht"},
		// The path's escapes stay as written, as in an ASCII one: %2F is
		// no "/", which would begin another segment.
		{"https://feeds.example/news%2Fsport/\u00fcbersicht", "https://feeds.example/news%2Fsport/%C3%BCbersicht"},
		{"http://b\u00fccher.example/a%2Fb/my stra\u00dfe", "http://xn--bcher-kva.example/a%2Fb/my%20stra%C3%9Fe"},
	}
	for _, tt := range tests {
		cfg, err := aggregator.Load(strings.NewReader("server:\n  base_url: \""+tt.in+"\"\n"), "config.yaml")
		if err != nil {
			t.Errorf("Load(base_url: %q): %v", tt.in, err)
			continue
		}
		if cfg.Server.BaseURL != tt.want {
			t.Errorf("Load(base_url: %q) = %q; want %q", tt.in, cfg.Server.BaseURL, tt.want)
		}
	}
	// One that is refused is quoted as written.
	base := "http://b\u00fccher.example/?x=1"
	_, err := aggregator.Load(strings.NewReader("server:\n  base_url: \""+base+"\"\n"), "config.yaml")
	want := fmt.Sprintf("config.yaml:2: server.base_url: %q has a query or a fragment: give the URL the paths /topics/… follow", base)
	if err == nil || err.Error() != want {
		t.Errorf("Load(base_url: %q) error = %v; want %s", base, err, want)
	}
}

// TestLoadBaseURLNotURI loads a base_url whose path holds bytes a URI
// cannot hold: every published link starts with it, and the feeds' self
// and next links, and the OPML list's, gave them raw (a space), where
// readers and validators want a URI. A base_url with a user name or
// password, which every feed would show its readers, is refused.
func TestLoadBaseURLNotURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://feeds.example/my feeds/", "http://feeds.example/my%20feeds"},
		{"http://feeds.example/a%20b c", "http://feeds.example/a%20b%20c"},
		{"https://feeds.example/{news}|x^y`z", "https://feeds.example/%7Bnews%7D%7Cx%5Ey%60z"},
		{"https://feeds.example/a[b]", "https://feeds.example/a[b]"},
		// The path's escapes stay as written: %2F is no "/".
		{"http://feeds.example/news%2Fsport/my feeds", "http://feeds.example/news%2Fsport/my%20feeds"},
	}
	for _, tt := range tests {
		cfg, err := aggregator.Load(strings.NewReader("server:\n  base_url: \""+tt.in+"\"\n"), "config.yaml")
		if err != nil {
			t.Errorf("Load(base_url: %q): %v", tt.in, err)
			continue
		}
		if cfg.Server.BaseURL != tt.want {
			t.Errorf("Load(base_url: %q) = %q; want %q", tt.in, cfg.Server.BaseURL, tt.want)
		}
	}
	for _, base := range []string{"http://user:secret@feeds.example/news", "https://token@feeds.example/"} {
		_, err := aggregator.Load(strings.NewReader("server:\n  base_url: \""+base+"\"\n"), "config.yaml")
		want := "config.yaml:2: server.base_url: holds a user name or password, which every published link would show its readers: give the URL without it"
		if err == nil || err.Error() != want {
			t.Errorf("Load(base_url: %q) error = %v; want %s", base, err, want)
		}
	}
}

// TestLoadMisindentedLine gives files indented wrongly far below the list
// or mapping that holds the mistake, where YAML names the line that list
// began on: the error names the line of the mistake.
func TestLoadMisindentedLine(t *testing.T) {
	var sources strings.Builder
	sources.WriteString("sources:\n")
	for i := range 40 {
		fmt.Fprintf(&sources, "  - url: \"https://s%d.example/feed.xml\"\n    name: \"S%d\"\n", i, i)
	}
	tests := []struct{ in, want string }{
		{"poll:\n  interval: 30m\n  timeout: 5s\n  max_items: 5\n per_host: 2\n",
			"config.yaml:5: poll: invalid YAML: did not find expected key"},
		{"poll:\n  interval: 30m\n  timeout: 5s\n  - x\n", "config.yaml:4: poll: invalid YAML: did not find expected key"},
		{sources.String() + "     tags: [x]\n  - url: \"https://last.example/feed.xml\"\n",
			`config.yaml:82: sources[39].name (source "S39"): invalid YAML: did not find expected key`},
		{sources.String() + "   name: x\n", `config.yaml:82: sources[39] (source "S39"): invalid YAML: did not find expected '-' indicator`},
		{"topics:\n  - id: a\n    title: A\n    match: {any: [x]\n  - id: b\n",
			`config.yaml:4: topics[0] (topic "a"): invalid YAML: did not find expected ',' or '}'`},
	}
	for _, tt := range tests {
		_, err := aggregator.Load(strings.NewReader(tt.in), "config.yaml")
		if err == nil || err.Error() != tt.want {
			t.Errorf("Load(%q) error = %v; want %s", tt.in, err, tt.want)
		}
	}
}

// TestLoadUnclosedQuote gives files with a quoted value that is not closed
// on its line, after many sources: YAML reads on to the next quote and
// fails there, and the error names the line where the quote opens.
func TestLoadUnclosedQuote(t *testing.T) {
	var sources strings.Builder
	sources.WriteString("sources:\n")
	for i := range 40 {
		fmt.Fprintf(&sources, "  - url: \"https://s%d.example/feed.xml\"\n    name: \"S%d\"\n", i, i)
	}
	tests := []struct{ in, want string }{
		{sources.String() + "  - url: \"https://broken.example/feed.xml\n    name: \"Broken\"\n",
			"config.yaml:82: sources: invalid YAML: did not find expected key (the \" opened on this line is closed only on line 83)"},
		{sources.String() + "  - url: \"https://broken.example/feed.xml\n    name: Broken\n  - url: \"https://last.example/feed.xml\"\n",
			"config.yaml:82: sources: invalid YAML: did not find expected key (the \" opened on this line is closed only on line 84)"},
		{"poll:\n  user_agent: \"feeds \\\"bot\\\"\n  timeout: \"5s\"\n",
			"config.yaml:2: poll: invalid YAML: did not find expected key (the \" opened on this line is closed only on line 3)"},
		// A value quoted over two lines, closed: the mistake below is its own.
		{"poll:\n  user_agent: \"feeds\n    bot\"\n  timeout: \"5s\" x\n",
			"config.yaml:4: poll: invalid YAML: did not find expected key"},
	}
	for _, tt := range tests {
		_, err := aggregator.Load(strings.NewReader(tt.in), "config.yaml")
		if err == nil || err.Error() != tt.want {
			t.Errorf("Load(%q) error = %v; want %s", tt.in, err, tt.want)
		}
	}
}

// TestLoadOPMLFeedErrors loads a config whose OPML files list a feed with
// a bad URL and one the config lists already: each error names the opml
// entry and the file and feed, not a sources[N] the config does not have.
func TestLoadOPMLFeedErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("reader.opml", `<opml version="2.0"><body><outline text="Old gopher" xmlUrl="gopher://old.example/feed"/>`+
		`<outline text="Fine" xmlUrl="https://fine.example/feed.xml"/></body></opml>`)
	write("again.opml", `<opml version="2.0"><body><outline text="Again" xmlUrl="https://EXAMPLE.org/feed.xml"/></body></opml>`)
	path := write("config.yaml", "sources:\n  - url: \"https://example.org/feed.xml\"\nopml:\n  - reader.opml\n  - again.opml\n")
	_, err := aggregator.LoadFile(path)
	if err == nil {
		t.Fatal("LoadFile = nil error; want the OPML feeds' errors")
	}
	want := []string{
		path + `:4: opml[0]: reader.opml: feed "Old gopher": not an absolute http(s) URL: "gopher://old.example/feed"`,
		path + `:5: opml[1]: again.opml: feed "Again": duplicate URL "https://EXAMPLE.org/feed.xml" (also sources[0])`,
	}
	if got := configErrors(t, err); !slices.Equal(got, want) {
		t.Errorf("LoadFile errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadWholeNumbers(t *testing.T) {
	cfg, err := aggregator.LoadFile("testdata/config/numbers.good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Poll.MaxBytes != 10_000_000 || cfg.Poll.Concurrency != 4 {
		t.Errorf("LoadFile(numbers.good.yaml): poll.max_bytes = %d, poll.concurrency = %d; want 10000000 and 4",
			cfg.Poll.MaxBytes, cfg.Poll.Concurrency)
	}
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := aggregator.Load(strings.NewReader(""), "empty.yaml")
	if err != nil {
		t.Fatalf("Load(empty) error: %v", err)
	}
	tests := []struct {
		key       string
		got, want any
	}{
		{"Path", cfg.Path, "empty.yaml"},
		{"server.listen", cfg.Server.Listen, "127.0.0.1:8080"},
		{"server.base_url", cfg.Server.BaseURL, "http://127.0.0.1:8080"},
		{"storage.path", cfg.Storage.Path, "data/tributary.db"},
		{"storage.retention", cfg.Storage.Retention, 720 * time.Hour},
		{"poll.interval", cfg.Poll.Interval, 30 * time.Minute},
		{"poll.min_interval", cfg.Poll.MinInterval, time.Minute},
		{"poll.max_backoff", cfg.Poll.MaxBackoff, 24 * time.Hour},
		{"poll.timeout", cfg.Poll.Timeout, 30 * time.Second},
		{"poll.max_bytes", cfg.Poll.MaxBytes, int64(10485760)},
		{"poll.max_items", cfg.Poll.MaxItems, 500},
		{"poll.max_redirects", cfg.Poll.MaxRedirects, 5},
		{"poll.concurrency", cfg.Poll.Concurrency, 8},
		{"poll.per_host", cfg.Poll.PerHost, 2},
		{"poll.user_agent", cfg.Poll.UserAgent, "Tributary/1.0 (+https://github.com/tributary-feeds/tributary)"},
		{"poll.allow_private", cfg.Poll.AllowPrivate, false},
		{"dedup.window", cfg.Dedup.Window, 72 * time.Hour},
		{"dedup.near", cfg.Dedup.NearEnabled(), true},
		{"log.level", cfg.Log.Level, "info"},
		{"log.format", cfg.Log.Format, "text"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Load(empty): %s = %v; want %v", tt.key, tt.got, tt.want)
		}
	}
}

func TestLoadFull(t *testing.T) {
	cfg, err := aggregator.LoadFile("testdata/config/full.good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key       string
		got, want any
	}{
		{"server.base_url", cfg.Server.BaseURL, "https://news.example.net/tributary"}, // trailing slash trimmed
		{"server.max_connections", cfg.Server.MaxConnections, 500},
		{"storage.retention", cfg.Storage.Retention, time.Duration(0)},
		{"poll.interval", cfg.Poll.Interval, 15 * time.Minute},
		{"poll.allow_private", cfg.Poll.AllowPrivate, true},
		{"dedup.near", cfg.Dedup.NearEnabled(), false},
		{"dedup.threshold", cfg.Dedup.Threshold, 0.85},
		{"log.format", cfg.Log.Format, "json"},
		{"sources[0].interval", cfg.Sources[0].Interval, 5 * time.Minute},
		{"sources[1].interval (from poll.interval)", cfg.Sources[1].Interval, 15 * time.Minute},
		{"sources[0].priority", cfg.Sources[0].Priority, 10},
		{"sources[0].tags", strings.Join(cfg.Sources[0].Tags, ","), "world,news"},
		{"topics[0].limit", cfg.Topics[0].Limit, 100},
		{"topics[2].limit (default)", cfg.Topics[2].Limit, 50},
		{"topics[1].max_per_source", cfg.Topics[1].MaxPerSource, 5},
		{"topics[2].match.query", strings.TrimSpace(cfg.Topics[2].Match.Query), `("Xi Jinping" OR Beijing) AND (Taiwan OR "national security") NOT sport`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("LoadFile(full.good.yaml): %s = %v; want %v", tt.key, tt.got, tt.want)
		}
	}
}

func TestLoadAnchors(t *testing.T) {
	cfg, err := aggregator.LoadFile("testdata/config/anchors.good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	asia := cfg.Sources[1]
	if asia.URL != "https://wire.example.org/asia/rss" || asia.Name != "Wire Asia" || asia.Interval != 10*time.Minute || len(asia.Tags) != 2 {
		t.Errorf("merged source = %+v; want the anchor's interval and tags with its own URL and name", asia)
	}
	if got := cfg.Sources[2].Tags; !slices.Equal(got, []string{"wire", "world"}) {
		t.Errorf("aliased tags = %q; want [wire world]", got)
	}
}

func TestLoadBaseURLDerived(t *testing.T) {
	tests := []struct{ listen, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{":9000", "http://localhost:9000"},
		{"0.0.0.0:80", "http://localhost:80"},
		{"[::]:8080", "http://localhost:8080"},
		{"[::1]:8080", "http://[::1]:8080"},
		{"feeds.internal:8080", "http://feeds.internal:8080"},
	}
	for _, tt := range tests {
		cfg, err := aggregator.Load(strings.NewReader("server:\n  listen: \""+tt.listen+"\"\n"), "config.yaml")
		if err != nil {
			t.Errorf("Load(listen %q) error: %v", tt.listen, err)
			continue
		}
		if cfg.Server.BaseURL != tt.want {
			t.Errorf("Load(listen %q): base_url = %q; want %q", tt.listen, cfg.Server.BaseURL, tt.want)
		}
	}
}

func TestLoadFileFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := aggregator.LoadFile(dir)
	if want := "reading config " + dir + ": is a folder, not a file"; err == nil || err.Error() != want {
		t.Errorf("LoadFile(a folder) = %v; want %s", err, want)
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := aggregator.LoadFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile(missing) = %v; want an error wrapping fs.ErrNotExist", err)
	}
}

func TestConfigErrorString(t *testing.T) {
	tests := []struct {
		in   aggregator.ConfigError
		want string
	}{
		{aggregator.ConfigError{File: "config.yaml", Line: 14, Key: "poll.timeout", Msg: `invalid duration "30 seconds"`}, `config.yaml:14: poll.timeout: invalid duration "30 seconds"`},
		{aggregator.ConfigError{File: "config.yaml", Line: 3, Msg: "invalid YAML: x"}, "config.yaml:3: invalid YAML: x"},
		{aggregator.ConfigError{File: "config.yaml", Key: "poll.timeout", Msg: "must be positive"}, "config.yaml: poll.timeout: must be positive"},
		{aggregator.ConfigError{Key: "poll.timeout", Msg: "must be positive"}, "poll.timeout: must be positive"},
		{aggregator.ConfigError{File: "config.yaml", Line: 9, Key: "topics[0].limit", Of: `topic "asia"`, Msg: "must not be negative"}, `config.yaml:9: topics[0].limit (topic "asia"): must not be negative`},
	}
	for _, tt := range tests {
		if got := tt.in.Error(); got != tt.want {
			t.Errorf("(%+v).Error() = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateInCode(t *testing.T) {
	cfg := aggregator.DefaultConfig()
	cfg.Path = "built"
	cfg.Sources = []aggregator.SourceConfig{{URL: "https://example.org/feed.xml", Name: "Example"}}
	cfg.Topics = []aggregator.TopicConfig{{ID: "x", Title: "X", Sources: []string{"Example"}}}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate(valid) = %v; want nil", err)
	}
	cfg.Poll.Timeout = time.Hour
	cfg.Topics[0].Sources = []string{"Missing"}
	got := configErrors(t, cfg.Validate())
	want := []string{
		"built: poll.timeout: 1h0m0s must be shorter than poll.interval (30m0s)",
		`built: topics[0].sources[0] (topic "x"): unknown source "Missing": name a configured source by its name or URL`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Validate() errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestShippedConfig checks the repository's config.yaml, when there is one.
func TestShippedConfig(t *testing.T) {
	const path = "../config.yaml"
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		t.Skip("no config.yaml at the repository root")
	}
	cfg, err := aggregator.LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile(%s):\n%v", path, err)
	}
	if _, err := topic.Compile(cfg.Topics, cfg.Sources); err != nil {
		t.Errorf("topic.Compile(topics of %s) = %v", path, err)
	}
}

// FuzzLoad checks that no input panics, that every problem is a
// *ConfigError, and that what loads also validates and compiles.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/config/*.yaml")
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := aggregator.Load(strings.NewReader(string(b)), "fuzz.yaml")
		if err != nil {
			var ce *aggregator.ConfigError
			if !errors.As(err, &ce) {
				if strings.HasPrefix(err.Error(), "reading config") {
					return
				}
				t.Fatalf("Load error %q holds no *ConfigError", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Load succeeded but Validate() = %v", err)
		}
		if _, err := topic.Compile(cfg.Topics, cfg.Sources); err != nil {
			t.Fatalf("Load succeeded but topic.Compile = %v", err)
		}
	})
}

// TestLoadNetworkAddresses checks that poll.allow_networks and
// server.metrics_allow take a single address, which stands for itself
// alone, as well as a CIDR prefix, as the fetcher and the server read
// them; an address with a zone is refused.
func TestLoadNetworkAddresses(t *testing.T) {
	good := "server:\n  metrics_allow: [\"10.1.2.3\", \"::1\"]\npoll:\n  allow_networks: [\"192.168.1.20\", \"fd00::1\", \"10.20.0.0/16\"]\n"
	if _, err := aggregator.Load(strings.NewReader(good), "config.yaml"); err != nil {
		t.Errorf("Load of single addresses: %v; want them taken", err)
	}
	bad := "poll:\n  allow_networks: [\"fe80::1%eth0\"]\n"
	_, err := aggregator.Load(strings.NewReader(bad), "config.yaml")
	if want := `config.yaml:2: poll.allow_networks[0]: invalid CIDR or address "fe80::1%eth0"`; err == nil || err.Error() != want {
		t.Errorf("Load of an address with a zone: %v; want %s", err, want)
	}
}

// TestWarningLines checks that a warning names the line of its key, as an
// error does, and none for a configuration built in code.
func TestWarningLines(t *testing.T) {
	cfg, err := aggregator.Load(strings.NewReader("# polling\npoll:\n  interval: 2h\n\n  max_backoff: 90m\n"), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := "w.yaml:5: warning: poll.max_backoff: 1h30m0s is shorter than poll.interval (2h0m0s): a failing source is asked again sooner than a sound one"
	if w := cfg.Warnings(); len(w) != 1 || w[0].Warning() != want {
		t.Errorf("Warnings() = %v; want one: %s", w, want)
	}
	built := aggregator.DefaultConfig()
	built.Poll.Interval, built.Poll.MaxBackoff = 2*time.Hour, 90*time.Minute
	if w := built.Warnings(); len(w) != 1 || w[0].Line != 0 || !strings.HasPrefix(w[0].Warning(), "warning: poll.max_backoff: ") {
		t.Errorf("Warnings() of a config built in code = %v; want one without a place", w)
	}
}
