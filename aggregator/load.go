package aggregator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tributary-feeds/tributary/aggregator/topic/query"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/idna"
	"golang.org/x/text/language"
)

// Defaults for keys absent from config.yaml.
const (
	DefaultListen       = "127.0.0.1:8080"
	DefaultStoragePath  = "data/tributary.db"
	DefaultRetention    = 720 * time.Hour
	DefaultInterval     = 30 * time.Minute
	DefaultMinInterval  = time.Minute
	DefaultMaxBackoff   = 24 * time.Hour
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBytes     = 10 << 20
	DefaultMaxItems     = 500
	DefaultMaxRedirects = 5
	DefaultConcurrency  = 8
	DefaultPerHost      = 2
	DefaultUserAgent    = "Tributary/1.0 (+https://github.com/tributary-feeds/tributary)"
	DefaultDedupWindow  = 72 * time.Hour
	DefaultLogLevel     = "info"
	DefaultLogFormat    = "text"
	DefaultTopicLimit   = 50
)

// ConfigError is one problem in a configuration file. Load and LoadFile
// return every problem they find, each a ConfigError, joined with
// errors.Join; a caller may print them one per line.
type ConfigError struct {
	File string // the name the file was loaded as
	Line int    // 1-based; 0 when the problem has no single place in the file
	Key  string // the key's path, for example "sources[3].url"; "" for syntax errors
	// Of names the topic or source the key belongs to, when the file gives
	// it one, for example `topic "china-us"`: a list index alone is hard
	// to find in a long file.
	Of  string
	Msg string
}

// Error returns the problem as "file:line: key: message", leaving out the
// parts that are unknown.
func (e *ConfigError) Error() string { return e.format("") }

// Warning returns e as a warning: "file:line: warning: key: message",
// leaving out the parts that are unknown.
func (e *ConfigError) Warning() string { return e.format("warning: ") }

// format writes e with kind between the place and the key.
func (e *ConfigError) format(kind string) string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	b.WriteString(kind)
	if e.Key != "" {
		b.WriteString(e.Key)
		if e.Of != "" {
			fmt.Fprintf(&b, " (%s)", e.Of)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// DefaultConfig returns the configuration used for every key config.yaml
// leaves out. Derived defaults (server.base_url, a source's interval) are
// filled in by Load, once the keys they derive from are known.
func DefaultConfig() *Config {
	return &Config{
		Server:  ServerConfig{Listen: DefaultListen},
		Storage: StorageConfig{Path: DefaultStoragePath, Retention: DefaultRetention},
		Poll: PollConfig{
			Interval:     DefaultInterval,
			MinInterval:  DefaultMinInterval,
			MaxBackoff:   DefaultMaxBackoff,
			Timeout:      DefaultTimeout,
			MaxBytes:     DefaultMaxBytes,
			MaxItems:     DefaultMaxItems,
			MaxRedirects: DefaultMaxRedirects,
			Concurrency:  DefaultConcurrency,
			PerHost:      DefaultPerHost,
			UserAgent:    DefaultUserAgent,
		},
		Dedup: DedupConfig{Window: DefaultDedupWindow},
		Log:   LogConfig{Level: DefaultLogLevel, Format: DefaultLogFormat},
	}
}

// LoadFile reads and validates the configuration file at path; see Load.
// Config.Path is set to path.
func LoadFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		// Opened, a folder fails only at the read, as "read PATH: is a
		// directory" after the path once already.
		return nil, fmt.Errorf("reading config %s: is a folder, not a file", path)
	}
	return Load(f, path)
}

// Load reads a YAML configuration from r, fills in defaults and validates
// it. name names the source in errors and becomes Config.Path.
//
// Every problem is reported, not only the first: the error is an
// errors.Join of *ConfigError values, each naming the file, the line and
// the key, for example
//
//	config.yaml:14: poll.timeout: invalid duration "30 seconds"
//	config.yaml:22: sources[3].nmae: unknown key
//
// List indexes in keys count from 0. Unknown and duplicate keys are errors.
func Load(r io.Reader, name string) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", name, err)
	}
	cfg := DefaultConfig()
	cfg.Path = name
	d := &decoder{file: name, lines: make(map[string]int), failed: make(map[string]bool)}

	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, d.syntaxError(err, data)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, errors.Join(&ConfigError{File: name, Line: extra.Line, Msg: "more than one YAML document"})
	} else if !errors.Is(err, io.EOF) {
		return nil, d.syntaxError(err, data)
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		d.decode(doc.Content[0], reflect.ValueOf(cfg).Elem(), "")
	}

	var fromOPML map[int]int
	if len(cfg.OPML) > 0 {
		var err error
		if fromOPML, err = cfg.addOPMLSources(filepath.Dir(name)); err != nil {
			d.errs = append(d.errs, &ConfigError{File: name, Line: d.lines["opml"], Key: "opml", Msg: err.Error()})
		}
	}
	v := &validator{cfg: cfg, d: d, fromOPML: fromOPML}
	v.validate()
	fillDerived(cfg)

	errs := append(d.errs, v.errs...)
	if len(errs) > 0 {
		for _, e := range errs {
			e.Of = cfg.owner(e.Key)
		}
		sort.SliceStable(errs, func(i, j int) bool {
			li, lj := errs[i].Line, errs[j].Line
			if li == 0 || lj == 0 {
				return li != 0 && lj == 0
			}
			return li < lj
		})
		joined := make([]error, len(errs))
		for i, e := range errs {
			joined[i] = e
		}
		return nil, errors.Join(joined...)
	}
	cfg.lines = d.lines
	return cfg, nil
}

// checkLanguage accepts "" and a well-formed BCP 47 language tag, the
// form RSS, Atom and JSON Feed give a feed's language in.
func checkLanguage(tag string) error {
	if tag == "" {
		return nil
	}
	if _, err := language.Parse(tag); err != nil || strings.TrimSpace(tag) != tag || strings.Contains(tag, "_") {
		return fmt.Errorf("invalid language %q: give a BCP 47 tag, such as en, de or pt-BR", tag)
	}
	return nil
}

// owner names the topic or source that key, a path such as
// "topics[2].match.query", belongs to: `topic "china-us"`, or `source
// "BBC"` (a source without a name by its URL). It is "" for other keys,
// for a list entry that has neither, and for the key that holds the name
// itself, whose error quotes it already.
func (c *Config) owner(key string) string {
	var i int
	var rest string
	switch {
	case scanIndex(key, "topics[", &i, &rest) && i < len(c.Topics):
		if id := c.Topics[i].ID; id != "" && rest != ".id" {
			return fmt.Sprintf("topic %q", id)
		}
	case scanIndex(key, "sources[", &i, &rest) && i < len(c.Sources):
		s := c.Sources[i]
		switch {
		case rest == ".name" || rest == ".url":
		case s.Name != "":
			return fmt.Sprintf("source %q", s.Name)
		case s.URL != "":
			return "source " + s.URL
		}
	}
	return ""
}

// scanIndex reads key as prefix, a list index and "]": it sets *i to the
// index and *rest to what follows the "]".
func scanIndex(key, prefix string, i *int, rest *string) bool {
	tail, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return false
	}
	num, after, ok := strings.Cut(tail, "]")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return false
	}
	*i, *rest = n, after
	return true
}

// Warnings returns what the configuration allows but is likely a mistake,
// each naming the file, the line of its key (0 for a configuration built in
// code) and the key: the daemon logs them when it loads the file, and check
// prints them (ConfigError.Warning). A poll.max_backoff shorter than
// poll.interval asks a failing source again sooner than a sound one, as
// the backoff starts at the interval, and cuts every Retry-After to it.
func (c *Config) Warnings() []*ConfigError {
	var w []*ConfigError
	if p := c.Poll; p.MaxBackoff > 0 && p.MaxBackoff < p.Interval {
		w = append(w, c.warning("poll.max_backoff", fmt.Sprintf("%s is shorter than poll.interval (%s): a failing source is asked again sooner than a sound one",
			p.MaxBackoff, p.Interval)))
	}
	return w
}

// warning returns a warning about key, at the line Load found it on (or
// the line of the nearest key above it that the file gives).
func (c *Config) warning(key, msg string) *ConfigError {
	v := &validator{cfg: c, d: &decoder{file: c.Path, lines: c.lines}}
	return &ConfigError{File: c.Path, Line: v.line(key), Key: key, Of: c.owner(key), Msg: msg}
}

// Validate checks a configuration built in code, as Load checks a file:
// every problem, joined, each a *ConfigError without a line.
func (c *Config) Validate() error {
	d := &decoder{file: c.Path, lines: make(map[string]int), failed: make(map[string]bool)}
	v := &validator{cfg: c, d: d}
	v.validate()
	if len(v.errs) == 0 {
		return nil
	}
	joined := make([]error, len(v.errs))
	for i, e := range v.errs {
		e.Of = c.owner(e.Key)
		joined[i] = e
	}
	return errors.Join(joined...)
}

// DefaultBaseURL returns the server.base_url of a config that gives none
// and listens on listen: http://listen, with localhost for an address that
// names every interface; "" when listen is no host:port.
func DefaultBaseURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// fillDerived sets the defaults that depend on other keys.
func fillDerived(c *Config) {
	if c.Server.BaseURL == "" {
		c.Server.BaseURL = DefaultBaseURL(c.Server.Listen)
	}
	c.Server.BaseURL = asciiBaseURL(strings.TrimRight(c.Server.BaseURL, "/"))
	for i := range c.Sources {
		if c.Sources[i].Interval == 0 {
			c.Sources[i].Interval = c.Poll.Interval
		}
	}
	for i := range c.Topics {
		if c.Topics[i].Limit == 0 {
			c.Topics[i].Limit = DefaultTopicLimit
		}
	}
}

// uriUnsafe are the bytes of ASCII that a URI cannot hold, which the path
// of a server.base_url may (asciiBaseURL).
const uriUnsafe = " \"<>\\^`{|}"

// asciiBaseURL returns base, a server.base_url written with letters
// outside ASCII (http://bücher.example/straße), as a URI: its host in its
// IDNA ASCII form and the rest percent-encoded
// (http://xn--bcher-kva.example/stra%C3%9Fe). Every link Tributary
// publishes starts with it: RSS and the Link header want URIs, and a
// reader's HTTP library may look up a host percent-encoded as it stands.
// So are the bytes of its path that a URI cannot hold (a space, ", <, >,
// \, ^, `, {, |, }): http://feeds.example/my feeds is published as
// http://feeds.example/my%20feeds, so that the feeds' self and next
// links are URIs. A base that is a URI already, or that validation will
// refuse, is returned as it is, so that errors quote it as written.
func asciiBaseURL(base string) string {
	if isASCII(base) && !strings.ContainsAny(base, uriUnsafe) {
		return base
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.ForceQuery || strings.Contains(base, "#") {
		return base
	}
	if isASCII(base) {
		return escapeUnsafe(base)
	}
	// An IP address is ASCII already, and IDNA refuses an IPv6 one's
	// colons: only a name written otherwise is converted.
	host := u.Hostname()
	if !isASCII(host) {
		if host, err = idna.Lookup.ToASCII(host); err != nil {
			return base
		}
	}
	if port := u.Port(); port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	// The path is encoded as written, not written anew from u: that
	// would lose its escapes, a %2F becoming a "/" that begins another
	// segment of it. A query and a fragment were refused above.
	path := ""
	if auth := strings.Index(base, "//") + 2; auth >= 2 {
		if i := strings.IndexByte(base[auth:], '/'); i >= 0 {
			path = base[auth+i:]
		}
	}
	u.Path, u.RawPath = "", ""
	return u.String() + escapeUnsafe(path)
}

// escapeUnsafe percent-encodes the bytes of s that a URI cannot hold: those
// outside ASCII and uriUnsafe. Its escapes stay as written.
func escapeUnsafe(s string) string {
	var b strings.Builder
	for i := range len(s) {
		if c := s[i]; c >= utf8.RuneSelf || strings.IndexByte(uriUnsafe, c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML parse error in data into a ConfigError with its
// line. A line indented with a tab, which YAML forbids and editors hide,
// is named as the cause.
func (d *decoder) syntaxError(err error, data []byte) error {
	msg := err.Error()
	line, col := 0, 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		line = mistakeLine(data, line, msg)
		if open := openQuoteLine(data, line); open > 0 {
			msg += fmt.Sprintf(" (the \" opened on this line is closed only on line %d)", line)
			line = open
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		var what string
		line, col, what = locateSyntaxError(msg, data)
		msg += what
	}
	if line > 0 {
		lines := bytes.Split(data, []byte("\n"))
		tabbed := func(l int) bool {
			indent := lines[l-1][:len(lines[l-1])-len(bytes.TrimLeft(lines[l-1], " \t"))]
			return bytes.IndexByte(indent, '\t') >= 0
		}
		if strings.Contains(msg, "tab character") {
			// YAML names the line of the value the tab came after, not
			// the tab's own: find the line the tab indents.
			for l := line; l <= len(lines); l++ {
				if tabbed(l) {
					line = l
					break
				}
			}
		}
		if line <= len(lines) && tabbed(line) {
			msg += " (the line is indented with a tab: YAML indents with spaces only)"
			col = bytes.IndexByte(lines[line-1], '\t') + 1
		}
	}
	e := &ConfigError{File: d.file, Line: line, Msg: "invalid YAML: " + msg}
	if line > 0 {
		e.Key, e.Of = enclosingKey(data, line)
	}
	if col > 0 {
		e.Msg = fmt.Sprintf("column %d: %s", col, e.Msg)
	}
	return errors.Join(e)
}

// enclosingKey returns the path of the key whose value line (1-based) of
// data is read in, as the lines before it give it, which parse where line
// holds the mistake: at each level the last key, or list entry, that
// starts left of the line's first character ("topics[2].match"). of names
// the topic or source of that entry, when the lines before give its id,
// name or URL (see Config.owner). Both are "" at the top level, and when
// the lines before do not parse.
func enclosingKey(data []byte, line int) (key, of string) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return "", ""
	}
	text := lines[line-1]
	col := len(text) - len(bytes.TrimLeft(text, " \t")) + 1 // a tab counts as one column
	var doc yaml.Node
	if yaml.Unmarshal(bytes.Join(lines[:line-1], nil), &doc) != nil || len(doc.Content) != 1 {
		return "", ""
	}
	n := doc.Content[0]
	var entry *yaml.Node
	for {
		switch n.Kind {
		case yaml.MappingNode:
			if len(n.Content) < 2 || n.Content[len(n.Content)-2].Column >= col {
				return key, of
			}
			if key != "" {
				key += "."
			}
			key += n.Content[len(n.Content)-2].Value
			n = n.Content[len(n.Content)-1]
		case yaml.SequenceNode:
			// An entry's "- " stands two columns left of what it holds.
			if len(n.Content) == 0 || n.Content[len(n.Content)-1].Column-2 >= col {
				return key, of
			}
			if entry == nil && (key == "topics" || key == "sources") {
				entry = n.Content[len(n.Content)-1]
				of = entryName(key, entry)
			}
			key += fmt.Sprintf("[%d]", len(n.Content)-1)
			n = n.Content[len(n.Content)-1]
		default:
			return key, of
		}
	}
}

// entryName names a topic by its id, a source by its name or else its URL,
// from the list entry n of list, as Config.owner does.
func entryName(list string, n *yaml.Node) string {
	field := func(name string) string {
		if n.Kind != yaml.MappingNode {
			return ""
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name && n.Content[i+1].Kind == yaml.ScalarNode {
				return n.Content[i+1].Value
			}
		}
		return ""
	}
	if list == "topics" {
		if id := field("id"); id != "" {
			return fmt.Sprintf("topic %q", id)
		}
		return ""
	}
	if name := field("name"); name != "" {
		return fmt.Sprintf("source %q", name)
	}
	if u := field("url"); u != "" {
		return "source " + u
	}
	return ""
}

// mistakeLine returns the line of the mistake behind a YAML error that
// YAML gave at line. For some mistakes YAML names the line where the list
// or mapping it was reading began, which may be far above: a source
// indented one space too far, the 40th of the list, is reported at
// "sources:". The mistake is on the first line from which the file, cut
// after that line, fails with the same error; a valid block of YAML cut
// after any line still parses, so the first such cut is found by halving.
func mistakeLine(data []byte, line int, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	fails := func(k int) bool {
		err := firstYAMLError(bytes.Join(lines[:k], nil))
		if err == nil {
			return false
		}
		m := err.Error()
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			m = sub[2]
		}
		return m == msg
	}
	lo, hi := line, len(lines) // the whole file fails: the first failing cut is in [lo, hi]
	if lo < 1 || lo > hi {
		return line
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// openQuoteLine returns the line above line where a double-quoted value
// opens that is still open when line begins, and closes on it, or 0. A
// value whose closing quote is left out reads on, over the line breaks, to
// the next quote in the file, and YAML fails after that one: the mistake
// is where the quote opens. Quotes in comments do not count, and those
// in single-quoted values are taken for double quotes, which is rare in a
// config.
func openQuoteLine(data []byte, line int) int {
	lines := bytes.Split(data, []byte("\n"))
	if line < 2 || line > len(lines) {
		return 0
	}
	inside, opened := false, 0
	for l := 1; l < line; l++ {
		text := lines[l-1]
	scan:
		for i := 0; i < len(text); i++ {
			switch c := text[i]; {
			case inside && c == '\\':
				i++ // escapes the next byte
			case c == '"':
				inside = !inside
				if inside {
					opened = l
				}
			case !inside && c == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
				break scan
			}
		}
	}
	if !inside {
		return 0
	}
	for i, text := 0, lines[line-1]; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"':
			return opened
		}
	}
	return 0
}

// firstYAMLError returns the YAML syntax error of data, read as Load reads
// it, or nil.
func firstYAMLError(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for range 2 {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
	return nil
}

// locateSyntaxError finds the line of a YAML error that comes without one:
// a byte that is no UTF-8, a control character, or an alias of an anchor
// the file does not define. It returns 0 when it finds none, and a note
// naming the character found.
func locateSyntaxError(msg string, data []byte) (line, col int, what string) {
	lineAt := func(off int) int { return bytes.Count(data[:off], []byte("\n")) + 1 }
	// The column counts characters, as an editor does: the bytes before
	// the bad one on its line are valid UTF-8.
	colAt := func(off int) int { return utf8.RuneCount(data[bytes.LastIndexByte(data[:off], '\n')+1:off]) + 1 }
	if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
		name = strings.TrimSuffix(name, "' referenced")
		alias := regexp.MustCompile(`\*` + regexp.QuoteMeta(name) + `([\s,\]}]|$)`)
		if loc := alias.FindIndex(data); loc != nil {
			return lineAt(loc[0]), colAt(loc[0]), ""
		}
		return 0, 0, ""
	}
	if !strings.Contains(msg, "UTF-8") && !strings.Contains(msg, "Unicode") && !strings.Contains(msg, "control character") {
		return 0, 0, ""
	}
	if len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE) {
		return 0, 0, "" // UTF-16: its offsets are not these bytes'
	}
	if looksUTF16(data) {
		// Its lines are not these bytes' either, and every other byte
		// of its ASCII text is a NUL: "U+0000" alone leaves the user
		// looking for a character that no editor shows.
		return 0, 0, " (the file looks like UTF-16 without a byte order mark: it must be UTF-8)"
	}
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return lineAt(off), colAt(off), fmt.Sprintf(" (byte 0x%02X: the file must be UTF-8)", data[off])
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85 || r == 0xFEFF:
		case r < 0x20 || r >= 0x7F && r < 0xA0 || r >= 0xD800 && r < 0xE000 || r == 0xFFFE || r == 0xFFFF:
			return lineAt(off), colAt(off), fmt.Sprintf(" (%U)", r)
		}
		off += size
	}
	return 0, 0, ""
}

// looksUTF16 reports whether data looks like text in UTF-16 without a
// byte order mark: its first byte pairs, which in a config are mostly
// ASCII, are NUL on the one side and not on the other.
func looksUTF16(data []byte) bool {
	n := min(len(data)/2, 256)
	if n < 2 {
		return false
	}
	var low, high int // pairs NUL in their second byte (little-endian), first (big-endian)
	for i := range n {
		a, b := data[2*i], data[2*i+1]
		switch {
		case a != 0 && b == 0:
			low++
		case a == 0 && b != 0:
			high++
		}
	}
	return low*4 >= n*3 || high*4 >= n*3
}

// decoder fills a Config from a YAML node tree, strictly: it knows every
// key's line, reports unknown and duplicate keys, and goes on after an error
// so that one run reports every problem.
type decoder struct {
	file   string
	errs   []*ConfigError
	lines  map[string]int  // key path -> line of the key (or list entry)
	failed map[string]bool // key paths whose value could not be decoded
	visits int
	fields map[reflect.Type]map[string]int // yamlFields, by struct type
}

func (d *decoder) errorf(line int, key, format string, args ...any) {
	d.errs = append(d.errs, &ConfigError{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) fail(n *yaml.Node, key, format string, args ...any) {
	d.failed[key] = true
	d.errorf(n.Line, key, format, args...)
}

var durationType = reflect.TypeFor[time.Duration]()

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// maxVisits bounds the nodes one load decodes, so that aliases and merge
// keys that refer to each other many times over cannot make a small file
// expand without end.
const maxVisits = 100_000

// decode stores n into v, which is addressable; path is v's key path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.visits++
	if d.visits > maxVisits {
		if d.visits == maxVisits+1 {
			d.fail(n, path, "aliases and merge keys expand to more than %d values", maxVisits)
		}
		return
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if isNull(n) {
		return // an empty value keeps the default
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "expected a duration such as 90s, 15m or 72h, got %s", kindName(n))
			return
		}
		dur, err := time.ParseDuration(n.Value)
		if err != nil {
			if _, nerr := strconv.ParseFloat(n.Value, 64); nerr == nil {
				d.fail(n, path, "invalid duration %q: give a unit, for example %ss", n.Value, n.Value)
				return
			}
			d.fail(n, path, "invalid duration %q", n.Value)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expected a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.lines[p] = item.Line
			d.decode(item, s.Index(i), p)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		if !d.failed[path] {
			v.Set(p)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "expected a string, got %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		want := map[reflect.Kind]string{reflect.Bool: "true or false", reflect.Int: "an integer", reflect.Int64: "an integer", reflect.Float64: "a number"}[v.Kind()]
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "expected %s, got %s", want, kindName(n))
			return
		}
		if err := n.Decode(v.Addr().Interface()); err != nil {
			if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
				// A quoted "true" or "10" is a string, and "expected true
				// or false, got "true"" would leave the user puzzled.
				bare := *n
				bare.Style, bare.Tag = 0, ""
				if bare.Decode(reflect.New(v.Type()).Interface()) == nil {
					d.fail(n, path, "expected %s, got the quoted string %q: write it without quotes", want, n.Value)
					return
				}
			}
			d.fail(n, path, "expected %s, got %q", want, n.Value)
			return
		}
		// YAML decodes a fraction into an integer by cutting it to its
		// whole part, so that max_bytes: 1.5 would be 1 byte: only whole
		// numbers (1e7, 4.0) are counts.
		if k := v.Kind(); (k == reflect.Int || k == reflect.Int64) && n.ShortTag() == "!!float" {
			if f, err := strconv.ParseFloat(n.Value, 64); err != nil || f != math.Trunc(f) {
				d.fail(n, path, "expected %s, got %q", want, n.Value)
			}
		}
	default:
		panic(fmt.Sprintf("config: no decoder for %s at %s", v.Type(), path)) // a Config field of a new kind
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		what := "settings"
		if path == "" {
			what = "the configuration"
		}
		d.fail(n, path, "expected a mapping of %s, got %s", what, kindName(n))
		return
	}
	fields, ok := d.fields[v.Type()]
	if !ok {
		fields = yamlFields(v.Type())
		if d.fields == nil {
			d.fields = make(map[reflect.Type]map[string]int)
		}
		d.fields[v.Type()] = fields
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	// Merge keys (<<: *base) first, so that the mapping's own keys override them.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Tag == "!!merge" {
			val := n.Content[i+1]
			for val.Kind == yaml.AliasNode {
				val = val.Alias
			}
			if val.Kind == yaml.SequenceNode {
				for _, m := range val.Content {
					d.decode(m, v, path)
				}
			} else {
				d.decode(val, v, path)
			}
		}
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, path, "expected a key, got %s", kindName(k))
			continue
		}
		key := join(k.Value)
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, key, "duplicate key (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		idx, ok := fields[k.Value]
		if !ok {
			msg := "unknown key"
			if s := suggest(k.Value, fields); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.errorf(k.Line, key, "%s", msg)
			continue
		}
		d.lines[key] = k.Line
		d.decode(val, v.Field(idx), key)
	}
}

// yamlFields maps each yaml key of struct type t to its field index.
func yamlFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	return m
}

// suggest returns the known key closest to a mistyped one, if one is close.
func suggest(key string, fields map[string]int) string {
	best, bestDist := "", 3
	for k := range fields {
		if dist := editDistance(key, k); dist < bestDist || dist == bestDist && k < best {
			best, bestDist = k, dist
		}
	}
	if bestDist > 2 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// validator checks values and the relations between keys.
type validator struct {
	cfg  *Config
	d    *decoder
	errs []*ConfigError
	// fromOPML maps the index in cfg.Sources of each source read from an
	// OPML file to the file's index in cfg.OPML.
	fromOPML map[int]int
}

// line returns the line of key, or of its nearest ancestor in the file.
func (v *validator) line(key string) int {
	for key != "" {
		if l, ok := v.d.lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

func (v *validator) errorf(key, format string, args ...any) {
	if v.d.failed[key] {
		return // already reported as undecodable
	}
	msg := fmt.Sprintf(format, args...)
	var i int
	var rest string
	if scanIndex(key, "sources[", &i, &rest) {
		if j, ok := v.fromOPML[i]; ok {
			// A feed of an OPML file: the config has no sources[i] to
			// show the user, but the opml entry that brought it.
			s := v.cfg.Sources[i]
			feed := s.URL
			if s.Name != "" {
				feed = s.Name
			}
			key = fmt.Sprintf("opml[%d]", j)
			msg = fmt.Sprintf("%s: feed %q: %s", v.cfg.OPML[j], feed, msg)
		}
	}
	v.errs = append(v.errs, &ConfigError{File: v.d.file, Line: v.line(key), Key: key, Msg: msg})
}

// broken reports whether a key under prefix could not be decoded, so that
// checks relying on it would only repeat that error.
func (v *validator) broken(prefix string) bool {
	for k := range v.d.failed {
		if k == prefix || strings.HasPrefix(k, prefix+".") || strings.HasPrefix(k, prefix+"[") {
			return true
		}
	}
	return false
}

var (
	topicIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	logLevels      = []string{"debug", "info", "warn", "error"}
	logFormats     = []string{"text", "json"}
)

func (v *validator) validate() {
	c := v.cfg
	v.server()
	switch {
	case c.Storage.Path == "":
		v.errorf("storage.path", "must not be empty")
	case strings.HasPrefix(c.Storage.Path, "~"):
		// Only a shell expands ~: the store would go into a folder named ~.
		v.errorf("storage.path", "%q: a leading ~ is not expanded, it would be a folder named ~: give the whole path", c.Storage.Path)
	}
	if c.Storage.Retention < 0 {
		v.errorf("storage.retention", "must not be negative")
	}
	v.poll()
	if c.Dedup.Window <= 0 {
		v.errorf("dedup.window", "must be positive")
	}
	if c.Dedup.Threshold < 0 || c.Dedup.Threshold > 1 {
		v.errorf("dedup.threshold", "must be between 0 and 1, got %g", c.Dedup.Threshold)
	}
	for i, hub := range c.Publish.Hubs {
		if err := checkHTTPURL(hub); err != nil {
			v.errorf(fmt.Sprintf("publish.hubs[%d]", i), "%v", err)
		}
	}
	if err := checkLanguage(c.Publish.Language); err != nil {
		v.errorf("publish.language", "%v", err)
	}
	if !slices.Contains(logLevels, c.Log.Level) {
		v.errorf("log.level", "must be one of %s, got %q", strings.Join(logLevels, ", "), c.Log.Level)
	}
	if !slices.Contains(logFormats, c.Log.Format) {
		v.errorf("log.format", "must be one of %s, got %q", strings.Join(logFormats, ", "), c.Log.Format)
	}
	refs := v.sources()
	v.topics(refs)
}

func (v *validator) server() {
	s := v.cfg.Server
	if _, port, err := net.SplitHostPort(s.Listen); err != nil {
		v.errorf("server.listen", "invalid address %q: want host:port", s.Listen)
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		v.errorf("server.listen", "invalid port %q", port)
	}
	if s.BaseURL != "" {
		if err := checkHTTPURL(s.BaseURL); err != nil {
			v.errorf("server.base_url", "%v", err)
		} else if u, _ := url.Parse(s.BaseURL); u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s.BaseURL, "#") {
			// The feeds' paths follow base_url: behind a query or a
			// fragment they would be part of it, and every link broken.
			v.errorf("server.base_url", "%q has a query or a fragment: give the URL the paths /topics/… follow", s.BaseURL)
		} else if u.User != nil {
			// Every feed and page names it, to every reader.
			v.errorf("server.base_url", "holds a user name or password, which every published link would show its readers: give the URL without it")
		}
	}
	if s.MaxConnections < 0 {
		v.errorf("server.max_connections", "must be 0 (from the open-file limit) or positive, got %d", s.MaxConnections)
	}
	for i, cidr := range s.MetricsAllow {
		if !validNetwork(cidr) {
			v.errorf(fmt.Sprintf("server.metrics_allow[%d]", i), "invalid CIDR or address %q", cidr)
		}
	}
}

func (v *validator) poll() {
	p := v.cfg.Poll
	if p.Interval <= 0 {
		v.errorf("poll.interval", "must be positive")
	} else if p.Interval < p.MinInterval {
		v.errorf("poll.interval", "%s is below poll.min_interval (%s)", p.Interval, p.MinInterval)
	}
	if p.MinInterval < 0 {
		v.errorf("poll.min_interval", "must not be negative")
	}
	if p.MaxBackoff <= 0 {
		v.errorf("poll.max_backoff", "must be positive")
	} else if p.MaxBackoff < p.MinInterval {
		// The backoff is the one wait that poll.min_interval does not
		// floor: below it, a failing source would be asked more often
		// than the floor lets any source be.
		v.errorf("poll.max_backoff", "%s is below poll.min_interval (%s)", p.MaxBackoff, p.MinInterval)
	}
	if p.Timeout <= 0 {
		v.errorf("poll.timeout", "must be positive")
	} else if p.Interval > 0 && p.Timeout >= p.Interval {
		v.errorf("poll.timeout", "%s must be shorter than poll.interval (%s)", p.Timeout, p.Interval)
	}
	if p.MaxBytes <= 0 {
		v.errorf("poll.max_bytes", "must be positive")
	}
	if p.MaxItems < 1 {
		v.errorf("poll.max_items", "must be at least 1")
	}
	if p.MaxRedirects < 0 {
		v.errorf("poll.max_redirects", "must not be negative")
	}
	if p.Concurrency < 1 {
		v.errorf("poll.concurrency", "must be at least 1")
	}
	if p.PerHost < 1 {
		v.errorf("poll.per_host", "must be at least 1")
	}
	if strings.TrimSpace(p.UserAgent) == "" {
		v.errorf("poll.user_agent", "must not be empty")
	}
	for i, cidr := range p.AllowNetworks {
		if !validNetwork(cidr) {
			v.errorf(fmt.Sprintf("poll.allow_networks[%d]", i), "invalid CIDR or address %q", cidr)
		}
	}
}

// validNetwork reports whether s is a network of poll.allow_networks or
// server.metrics_allow: a CIDR prefix ("10.20.0.0/16", "fd00::/8") or a
// single address ("192.168.1.20"), which stands for itself alone (/32,
// /128), as the fetcher and the server read them.
func validNetwork(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// sources checks every source and returns the names and URLs a topic may
// name, or nil when the sources could not be read.
func (v *validator) sources() map[string]bool {
	c := v.cfg
	refs := make(map[string]bool)
	urls := make(map[string]int)
	names := make(map[string]int)
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if s.URL == "" {
			v.errorf(key+".url", "required")
		} else if err := checkHTTPURL(s.URL); err != nil {
			v.errorf(key+".url", "%v", err)
		} else if first, dup := urls[sameURL(s.URL)]; dup {
			v.errorf(key+".url", "duplicate URL %q (also sources[%d])", s.URL, first)
		} else {
			urls[sameURL(s.URL)] = i
		}
		refs[s.URL] = true
		if s.Name != "" {
			if strings.TrimSpace(s.Name) != s.Name {
				v.errorf(key+".name", "leading or trailing space in %q", s.Name)
			}
			if first, dup := names[s.Name]; dup {
				v.errorf(key+".name", "duplicate name %q (also sources[%d])", s.Name, first)
			} else {
				names[s.Name] = i
			}
			refs[s.Name] = true
		}
		if s.Interval < 0 {
			v.errorf(key+".interval", "must not be negative")
		} else if s.Interval > 0 {
			if s.Interval < c.Poll.MinInterval {
				v.errorf(key+".interval", "%s is below poll.min_interval (%s)", s.Interval, c.Poll.MinInterval)
			}
			if c.Poll.Timeout > 0 && c.Poll.Timeout >= s.Interval {
				v.errorf(key+".interval", "%s must be longer than poll.timeout (%s)", s.Interval, c.Poll.Timeout)
			}
		}
		for j, tag := range s.Tags {
			if strings.TrimSpace(tag) == "" {
				v.errorf(fmt.Sprintf("%s.tags[%d]", key, j), "empty tag")
			}
		}
	}
	if v.broken("sources") {
		return nil
	}
	return refs
}

func (v *validator) topics(refs map[string]bool) {
	ids := make(map[string]int)
	for i, t := range v.cfg.Topics {
		key := fmt.Sprintf("topics[%d]", i)
		switch {
		case t.ID == "":
			v.errorf(key+".id", "required")
		case !topicIDPattern.MatchString(t.ID):
			v.errorf(key+".id", "invalid id %q: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit", t.ID)
		case strings.HasSuffix(t.ID, "."):
			v.errorf(key+".id", "invalid id %q: must not end with '.'", t.ID)
		case hasFeedSuffix(t.ID):
			v.errorf(key+".id", "invalid id %q: must not end with a feed extension (.rss, .atom, .json, .xml)", t.ID)
		default:
			if first, dup := ids[t.ID]; dup {
				v.errorf(key+".id", "duplicate id %q (also topics[%d])", t.ID, first)
			} else {
				ids[t.ID] = i
			}
		}
		if strings.TrimSpace(t.Title) == "" {
			v.errorf(key+".title", "required")
		}
		if err := checkLanguage(t.Language); err != nil {
			v.errorf(key+".language", "%v", err)
		}
		if t.Limit < 0 {
			v.errorf(key+".limit", "must not be negative")
		}
		if t.MaxPerSource < 0 {
			v.errorf(key+".max_per_source", "must not be negative")
		}
		for j, ref := range t.Sources {
			if refs != nil && !refs[ref] {
				v.errorf(fmt.Sprintf("%s.sources[%d]", key, j), "unknown source %q: name a configured source by its name or URL", ref)
			}
		}
		m := t.Match
		for _, list := range []struct {
			key     string
			phrases []string
		}{{"any", m.Any}, {"all", m.All}, {"none", m.None}} {
			for j, p := range list.phrases {
				if _, err := query.Phrase(p); err != nil {
					v.errorf(fmt.Sprintf("%s.match.%s[%d]", key, list.key, j), "phrase %q: %v", p, err)
				}
			}
		}
		switch {
		case m.AtLeast < 0:
			v.errorf(key+".match.at_least", "must not be negative")
		case m.AtLeast > 0 && len(m.Any) == 0:
			v.errorf(key+".match.at_least", "counts the phrases of match.any, which has none")
		case m.AtLeast > 2*len(m.Any):
			v.errorf(key+".match.at_least", "%d can never be met: match.any has %d phrases, each counting at most twice (in a title)",
				m.AtLeast, len(m.Any))
		}
		for j, cat := range m.Categories {
			if strings.TrimSpace(cat) == "" {
				v.errorf(fmt.Sprintf("%s.match.categories[%d]", key, j), "empty category")
			}
		}
		hasQuery := strings.TrimSpace(m.Query) != ""
		if hasQuery {
			if q, err := query.Parse(m.Query); err != nil {
				v.errorf(key+".match.query", "%v", err)
			} else if value, ok := q.Constant(); ok && !value {
				v.errorf(key+".match.query", "can never hold, whatever a story says: %s", q)
			} else if ok {
				v.errorf(key+".match.query", "holds for every story, whatever it says: %s", q)
			}
		} else if m.Query != "" {
			v.errorf(key+".match.query", "empty query")
		}
		rules := len(t.Sources) + len(m.Any) + len(m.All) + len(m.None) + len(m.Categories)
		if rules == 0 && m.Query == "" && t.ID != AllTopic && !v.broken(key) {
			v.errorf(key, "no rules: give sources or match (only the topic %q may take every story)", AllTopic)
		}
	}
}

func hasFeedSuffix(id string) bool {
	for _, ext := range []string{".rss", ".atom", ".json", ".xml"} {
		if strings.HasSuffix(id, ext) {
			return true
		}
	}
	return false
}

// checkHTTPURL returns an error unless s is an absolute http or https URL
// with a host.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("not an absolute http(s) URL: %q", s)
	}
	return nil
}

// sameURL is the form two source URLs are compared in for duplicates: the
// scheme and host are case-insensitive and a fragment is never sent.
func sameURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
