// Package ops turns what the store holds into what operators read: the
// JSON Lines export, the per-source status table, and the HTTP endpoints
// through which the command line reads a store that a running daemon holds
// locked. It also holds the HTTP plumbing operators rely on: access lists
// and panic recovery.
package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/internal/htmlcut"
)

// ExportLine is one line of `tributary export`: one stored item.
type ExportLine struct {
	Item      string    `json:"item"`
	Source    string    `json:"source"`
	GUID      string    `json:"guid"`
	Link      string    `json:"link"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	Story     string    `json:"story"`
	Topics    []string  `json:"topics"`
	Tags      []string  `json:"tags"`
	Match     string    `json:"match,omitempty"` // why the item joined its story
}

// Export writes every stored item as JSON Lines.
func Export(ctx context.Context, st aggregator.Store, w io.Writer) error {
	names, err := sourceNames(ctx, st)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return st.Export(ctx, func(it aggregator.Item, s aggregator.Story) error {
		line := ExportLine{
			Item: it.ID, Source: names[it.SourceID], GUID: it.GUID, Link: it.Link, Title: it.Title,
			Published: it.Published, Story: s.ID, Topics: nonNil(s.Topics), Tags: nonNil(s.Tags),
		}
		if line.Source == "" {
			line.Source = it.SourceID
		}
		for _, m := range s.Members {
			if m.Item == it.ID {
				line.Match = m.Match.Reason
			}
		}
		return enc.Encode(line)
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sourceNames(ctx context.Context, st aggregator.Store) (map[string]string, error) {
	srcs, err := st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(srcs))
	for _, s := range srcs {
		names[s.ID] = s.Name
	}
	return names, nil
}

// SourceRow is one source in `tributary status`.
type SourceRow struct {
	aggregator.SourceState
	Configured bool `json:"configured"` // still listed in the configuration
}

// Status returns one row per configured source, in configuration order, then
// the stored sources no longer configured. Its URLs and errors read the
// credentials they carry (a password, a token in the query) as "xxxxx",
// as /api/status hands them out, and a source without a name is named by
// the host, path and query of its URL (aggregator.URLName), as the poller
// names it.
func Status(ctx context.Context, cfg *aggregator.Config, st aggregator.Store) ([]SourceRow, error) {
	states, err := st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]aggregator.SourceState, len(states))
	for _, s := range states {
		byID[s.ID] = s
	}
	var rows []SourceRow
	for _, src := range aggregator.Bound(cfg.Sources, states) {
		id := src.SourceID()
		s, ok := byID[id]
		if !ok {
			s = aggregator.SourceState{ID: id, ConfigURL: src.URL, URL: src.URL, Name: src.Name}
		}
		// As the daemon takes it up: a source whose URL was edited is
		// read at the new one.
		s = s.ConfiguredAt(src.URL)
		if s.Name == "" {
			s.Name = aggregator.URLName(src.URL)
		}
		delete(byID, id)
		rows = append(rows, SourceRow{SourceState: s, Configured: true})
	}
	var rest []SourceRow
	for _, s := range byID {
		rest = append(rest, SourceRow{SourceState: s})
	}
	slices.SortFunc(rest, func(a, b SourceRow) int { return strings.Compare(a.Name, b.Name) })
	rows = append(rows, rest...)
	for i := range rows {
		s := &rows[i].SourceState
		s.ConfigURL, s.URL, s.SiteURL = aggregator.RedactURL(s.ConfigURL), aggregator.RedactURL(s.URL), aggregator.RedactURL(s.SiteURL)
		s.LastError = aggregator.RedactURLs(s.LastError)
	}
	return rows, nil
}

// State describes a source's state in a few words, as the operator reads it.
// The error quotes URLs with their credentials as "xxxxx", whatever version
// recorded it. A source read at another URL than the one configured (where
// a permanent redirect or its HTML page led it) ends with where: "ok (moved
// to URL)".
func State(s aggregator.SourceState, now time.Time) string {
	state := condition(s, now)
	if s.ConfigURL != "" && s.URL != "" && s.URL != s.ConfigURL && !s.LastFetch.IsZero() {
		// Read where a permanent redirect or its HTML page led it: the
		// operator may want to correct the config.
		note := "moved to " + aggregator.RedactURL(s.URL)
		switch s.Condition(now) {
		case aggregator.ConditionFailing, aggregator.ConditionDisabled:
			// These end with the error, whose last brackets are the
			// error's own (a page's words, quoted): not a place for
			// the note.
			state += " (" + note + ")"
		default:
			state = Aside(state, note)
		}
	}
	return state
}

// Aside adds note to the words of a state in brackets, within the brackets
// the state already ends with, if any, so that the line reads as one
// clause: "ok (unchanged; moved to URL)", not "ok (unchanged) (moved to
// URL)".
func Aside(state, note string) string {
	if rest, ok := strings.CutSuffix(state, ")"); ok {
		return rest + "; " + note + ")"
	}
	return state + " (" + note + ")"
}

// condition is State without where the source moved.
func condition(s aggregator.SourceState, now time.Time) string {
	reason := aggregator.RedactURLs(s.LastError)
	switch s.Condition(now) {
	case aggregator.ConditionDisabled:
		return "disabled: " + reason
	case aggregator.ConditionBackingOff:
		if s.Held != "" && s.RetryAfter == 0 {
			// It failed on its own, and its host, held since, keeps it
			// waiting past its backoff: both are said, the hold first,
			// as it sets the time.
			return fmt.Sprintf("waiting until %s (%s; failing since %s: %s)", stamp(s.NextDue),
				aggregator.RedactURLs(s.Held), stamp(s.FailingSince), reason)
		}
		return fmt.Sprintf("backing off until %s (failing since %s: %s)", stamp(s.NextDue),
			stamp(s.FailingSince), reason)
	case aggregator.ConditionFailing:
		return fmt.Sprintf("failing since %s: %s", stamp(s.FailingSince), reason)
	case aggregator.ConditionHeld:
		return fmt.Sprintf("waiting until %s (%s)", stamp(s.NextDue), aggregator.RedactURLs(s.Held))
	case aggregator.ConditionPending:
		return "never fetched"
	case aggregator.ConditionNotModified:
		return "not modified"
	case aggregator.ConditionUnchanged:
		return "ok (unchanged)"
	}
	return "ok"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// WriteStatus prints rows as an aligned table, aligned in a terminal's
// columns (see Width), so that a source named in Chinese or Japanese does
// not move the columns after it. A source no longer configured is named
// with its URL, and has no next due time. A source moved to where another
// configured source is read says so.
func WriteStatus(w io.Writer, rows []SourceRow, now time.Time) error {
	table := [][]string{{"SOURCE", "LAST FETCH", "LAST SUCCESS", "NEXT DUE", "ITEMS", "304s", "STATE"}}
	shared := sharedFeeds(rows)
	for i, r := range rows {
		name, due := r.Name, r.NextDue
		if !r.Configured {
			// Its URL tells it from a configured source of the same name
			// (one whose URL changed), and it is due no more.
			name += " (not configured: " + r.ConfigURL + ")"
			due = time.Time{}
		}
		share := "-"
		if r.Fetches > 0 {
			share = fmt.Sprintf("%d%%", r.NotModified*100/r.Fetches)
		}
		// The state is the last column: it may be long without moving the
		// others, and the end of an error is often its point.
		table = append(table, []string{OneLine(name, 160), stamp(r.LastFetch), stamp(r.LastSuccess),
			stamp(due), strconv.FormatInt(r.Items, 10), share, OneLine(alsoRead(State(r.SourceState, now), shared[i]), 480)})
	}
	widths := make([]int, len(table[0]))
	for _, row := range table {
		for i, cell := range row {
			widths[i] = max(widths[i], Width(cell))
		}
	}
	var b strings.Builder
	for _, row := range table {
		for i, cell := range row {
			if i == len(row)-1 {
				b.WriteString(cell) // the last column is not padded
				break
			}
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", widths[i]-Width(cell)+2))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sharedFeeds returns, for each configured source that moved (a permanent
// redirect, its HTML page) to the URL another configured source is read
// at, by its index in rows, the other's name. Two configured sources are
// never made one, so both are fetched and store the feed's items: the
// operator is to drop one from the config.
func sharedFeeds(rows []SourceRow) map[int]string {
	var at map[string]int // configured sources not moved, by URL
	for i, r := range rows {
		if r.Configured && r.URL == r.ConfigURL {
			if at == nil {
				at = map[string]int{}
			}
			at[r.URL] = i
		}
	}
	var shared map[int]string
	for i, r := range rows {
		if !r.Configured || r.URL == r.ConfigURL || r.LastFetch.IsZero() {
			continue
		}
		j, ok := at[r.URL]
		if !ok {
			continue
		}
		if shared == nil {
			shared = map[int]string{}
		}
		shared[i] = rows[j].Name
	}
	return shared
}

// alsoRead adds to state, that of a source moved to where the source named
// other is read, that it is that source's feed; state itself when other
// is "".
func alsoRead(state, other string) string {
	if other == "" {
		return state
	}
	return Aside(state, fmt.Sprintf("source %q is read there too", other))
}

// Width returns the columns s takes in a terminal: two for each wide or
// fullwidth character (Chinese, Japanese, Korean, most emoji), none for a
// mark, a joiner, a variation selector or another format character (a
// combining accent, Thai vowel signs, U+200D) nor for a character a joiner
// joins to the one before it (an emoji sequence shows as one), one for
// the rest.
func Width(s string) int {
	n := 0
	joined := false
	for _, r := range s {
		if !joined {
			n += runeWidth(r)
		}
		joined = r == '\u200d'
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r < utf8.RuneSelf:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || 0xFE00 <= r && r <= 0xFE0F || 0x1160 <= r && r <= 0x11FF:
		return 0 // marks, format characters, variation selectors, Hangul medial and final jamo
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Pad returns s cut to at most n columns of a terminal (see Width),
// marking a cut with "…", and padded with spaces to n columns: a cell of
// an aligned line.
func Pad(s string, n int) string {
	w := Width(s)
	if w > n {
		cut := len(s)
		w = 0
		joined := false
		for i, r := range s {
			rw := runeWidth(r)
			if joined {
				rw = 0
			}
			if w+rw > n-1 {
				cut = i
				break
			}
			w += rw
			joined = r == '\u200d'
		}
		// Between two characters as a reader sees them: not between
		// the two letters of a flag, nor the consonants of a conjunct.
		cut = htmlcut.Boundary(s, cut)
		s = s[:cut] + "…"
		w = Width(s)
	}
	return s + strings.Repeat(" ", n-w)
}

// OneLine keeps a line of terminal output, or a table cell, on one line of
// at most n runes, whatever a feed or error holds: control characters
// (C0, DEL and C1, whose U+009B a terminal may read as the start of an
// escape sequence) and the bidirectional embeddings, overrides and isolates
// (which make text after them read backwards) become spaces. An error can
// quote a host name a source's redirect gave, byte for byte.
func OneLine(s string, n int) string {
	return Clip(strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return ' '
		}
		return r
	}, s), n)
}

// Clip shortens s to at most n runes, marking a cut with "…", and never
// splits a character, as a reader sees it (htmlcut.Boundary): a flag, an
// emoji with its skin tone, a letter with its marks, an Indic conjunct.
func Clip(s string, n int) string {
	cut := htmlcut.Runes(s, n)
	if cut == len(s) {
		return s
	}
	return s[:cut] + "…"
}

// streamIdle is how long a streamed answer (a backup, an export) waits for
// its client to take more of it before it gives up.
var streamIdle = 2 * time.Minute

// streamWriter writes a streamed answer, which may take longer than the
// server's write timeout, with a deadline that each write moves on by
// streamIdle: a long answer runs while its client reads, and one whose
// client stopped reading ends. A backup holds a read transaction of the
// store while it runs, during which the store reuses no page it frees and
// cannot grow its map: a client that never read would stop every write.
type streamWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func newStreamWriter(w http.ResponseWriter) *streamWriter {
	return &streamWriter{w: w, rc: http.NewResponseController(w)}
}

func (s *streamWriter) Write(p []byte) (int, error) {
	s.rc.SetWriteDeadline(time.Now().Add(streamIdle)) //nolint:errcheck // the server's own deadline stays
	return s.w.Write(p)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// failStream ends a streamed answer that failed after written bytes of its
// body: with a 500 when nothing was sent yet, else by breaking the
// connection, so that the client reads an unexpected end of the body
// rather than a whole answer with an error message inside it.
func failStream(w http.ResponseWriter, written int64, msg string) {
	if written == 0 {
		http.Error(w, msg, http.StatusInternalServerError)
		return
	}
	panic(http.ErrAbortHandler)
}

// Backuper writes a consistent copy of a store. *store.DB implements it.
type Backuper interface {
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

// Verifier checks a store's file and records. *store.DB implements it.
type Verifier interface {
	Verify(ctx context.Context) ([]string, error)
}

// VerifyReport is what GET /api/verify answers: the problems found, none
// when the store is sound, and the error that stopped the check (a page
// too damaged to read, say), if one did.
type VerifyReport struct {
	Problems []string `json:"problems"`
	Error    string   `json:"error,omitempty"`
}

// Handler serves the export (GET /api/export, JSON Lines), the status rows
// (GET /api/status, JSON) and, when st is a Backuper, a consistent copy of
// the store (GET /api/backup) and, when it is a Verifier, its check (GET
// /api/verify, a VerifyReport), so the command line can read a store that a
// running daemon holds locked. Every answer, errors too, carries
// Cache-Control: no-store.
func Handler(cfg func() *aggregator.Config, st aggregator.Store) http.Handler {
	mux := http.NewServeMux()
	if v, ok := st.(Verifier); ok {
		mux.HandleFunc("GET /api/verify", func(w http.ResponseWriter, r *http.Request) {
			problems, err := v.Verify(r.Context())
			if r.Context().Err() != nil {
				return
			}
			// A large store takes longer to check than the server's write
			// timeout: the answer has its own from now on.
			http.NewResponseController(w).SetWriteDeadline(time.Now().Add(streamIdle)) //nolint:errcheck // the server's own deadline stays
			rep := VerifyReport{Problems: problems}
			if rep.Problems == nil {
				rep.Problems = []string{}
			}
			if err != nil {
				rep.Error = err.Error()
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			json.NewEncoder(w).Encode(rep) //nolint:errcheck // the client went away
		})
	}
	if b, ok := st.(Backuper); ok {
		mux.HandleFunc("GET /api/backup", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			// A large store takes longer than the server's write timeout.
			cw := &countingWriter{w: newStreamWriter(w)}
			if _, err := b.Backup(r.Context(), cw); err != nil {
				failStream(w, cw.n, "backup failed")
			}
		})
	}
	mux.HandleFunc("GET /api/export", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		cw := &countingWriter{w: newStreamWriter(w)}
		if err := Export(r.Context(), st, cw); err != nil {
			failStream(w, cw.n, "export failed")
		}
	})
	mux.HandleFunc("GET /api/status", func(w http.ResponseWriter, r *http.Request) {
		rows, err := Status(r.Context(), cfg(), st)
		if err != nil {
			http.Error(w, "status failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(rows)
	})
	// Each answer, and each error, is the store and the sources as they
	// are now, and a backup holds every item: no cache keeps one.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Cache-Control"] = noStore
		mux.ServeHTTP(w, r)
	})
}

var noStore = []string{"no-store"}
