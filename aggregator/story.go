package aggregator

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Item is one entry of one source feed, normalised: links are absolute, HTML
// is sanitised, times are UTC.
type Item struct {
	ID            string      `json:"id"`             // stable: ItemID(SourceID, GUID)
	SourceID      string      `json:"source"`         // SourceID of the feed it came from
	GUID          string      `json:"guid"`           // the feed's own id, or one derived from link and title
	Link          string      `json:"link,omitempty"` // absolute
	CanonicalLink string      `json:"canonical,omitempty"`
	OriginLinks   []string    `json:"origin,omitempty"`  // canonical links of the original a re-post names
	Title         string      `json:"title"`             // plain text
	Summary       string      `json:"summary,omitempty"` // sanitised HTML
	Content       string      `json:"content,omitempty"` // sanitised HTML
	Authors       []string    `json:"authors,omitempty"`
	Categories    []string    `json:"categories,omitempty"`
	CategoryTerms []string    `json:"category_terms,omitempty"` // other names of Categories that topics match, not shown: Atom terms beside labels
	Enclosures    []Enclosure `json:"enclosures,omitempty"`
	Published     time.Time   `json:"published"` // published, else updated, else first seen
	Updated       time.Time   `json:"updated,omitzero"`
	FirstSeen     time.Time   `json:"first_seen"`
	Dated         bool        `json:"dated,omitempty"` // Published came from the feed, not from FirstSeen
	Hash          string      `json:"hash"`            // EditHash when it was read: a change means an edit
	StoryID       string      `json:"story"`
	// Language is the BCP 47 tag of the item's language as its source
	// declares it, in canonical form ("ar", "pt-BR"): the entry's own, else
	// its feed's. "" is unknown, as in items stored before it was kept.
	Language string `json:"lang,omitempty"`
}

// EditHash digests the normalised fields whose change makes an edit: the
// title, link, text, date, authors, categories and enclosures. An undated
// item's Published is the time it was first seen, which differs between
// fetches, so it is left out.
func (it *Item) EditHash() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(it.Title)
	field(it.Link)
	field(it.Summary)
	field(it.Content)
	if it.Dated {
		field(it.Published.Format(time.RFC3339Nano))
	} else {
		field("")
	}
	field(strings.Join(it.Authors, "\x00"))
	field(strings.Join(it.Categories, "\x00"))
	for _, e := range it.Enclosures {
		field(e.URL + "\x00" + e.Type + "\x00" + strconv.FormatInt(e.Length, 10))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Enclosure is a media file attached to an item.
type Enclosure struct {
	URL    string `json:"url"`
	Type   string `json:"type,omitempty"`
	Length int64  `json:"length,omitempty"`
}

// Story is one real-world report: every item, from any source, that carries
// it. Every item belongs to exactly one story.
type Story struct {
	ID      string    `json:"id"`      // stable for the story's lifetime: the id of its first item
	Time    time.Time `json:"time"`    // the earliest item's Published; orders feeds
	Updated time.Time `json:"updated"` // last fetch that changed what its entries show
	Face    string    `json:"face"`    // id of the item shown for the story
	Members []Member  `json:"members"` // one per item, in the order they joined
	Topics  []string  `json:"topics,omitempty"`
	Tags    []string  `json:"tags,omitempty"`
}

// Member records one item of a story and why it joined.
type Member struct {
	Item   string    `json:"item"`
	Source string    `json:"source"`
	Time   time.Time `json:"time"`
	Match  Match     `json:"match"`
}

// Match explains why an item joined a story.
type Match struct {
	Reason string  `json:"reason"`          // one of the Reason constants
	Key    string  `json:"key,omitempty"`   // the dedup key that matched
	Score  float64 `json:"score,omitempty"` // similarity, for ReasonNear
	With   string  `json:"with,omitempty"`  // id of the item it was compared with
}

// Reasons an item joined a story.
const (
	ReasonNew    = "new"    // first item of a new story
	ReasonGUID   = "guid"   // same GUID as a stored item
	ReasonLink   = "link"   // same canonical link as a stored item
	ReasonOrigin = "origin" // names a stored item as its original, or is named by one
	ReasonText   = "text"   // identical normalised text
	ReasonNear   = "near"   // near-duplicate text
)

// SourceState is what Tributary knows about one source between fetches.
type SourceState struct {
	ID           string        `json:"id"`         // SourceID of the URL first configured, or one derived from it when a stored source held that (BindSources); never changes, the URL edited
	ConfigURL    string        `json:"config_url"` // the URL in config.yaml
	URL          string        `json:"url"`        // where to fetch: ConfigURL, or where it moved permanently
	Name         string        `json:"name"`       // configured name, else the feed's title
	Title        string        `json:"title,omitempty"`
	SiteURL      string        `json:"site_url,omitempty"`
	ETag         string        `json:"etag,omitempty"`
	LastModified string        `json:"last_modified,omitempty"`
	BodyHash     string        `json:"body_hash,omitempty"` // digest of the last body parsed
	LastFetch    time.Time     `json:"last_fetch,omitzero"`
	LastSuccess  time.Time     `json:"last_success,omitzero"`
	LastStatus   int           `json:"last_status,omitempty"`
	LastResult   string        `json:"last_result,omitempty"` // ok, not_modified, unchanged, error
	LastError    string        `json:"last_error,omitempty"`
	FailingSince time.Time     `json:"failing_since,omitzero"`
	Failures     int           `json:"failures,omitempty"`    // consecutive
	RetryAfter   time.Duration `json:"retry_after,omitempty"` // the wait the last failure's Retry-After asked for, from LastFetch
	ViaHost      string        `json:"via_host,omitempty"`    // the host that answered the last fetch, or where it failed, when a redirect led there from URL's
	NextDue      time.Time     `json:"next_due,omitzero"`
	// Held is why a source not failing waits until NextDue: the hold of a
	// host that asked two of its sources to wait ("host feeds.example
	// held: rate_limited: http 503 …"). The running poller sets it on the
	// states it reports (for status and the web pages); it is not stored.
	Held        string        `json:"held,omitempty"`
	Interval    time.Duration `json:"interval,omitempty"` // the configured interval NextDue was reckoned with
	Disabled    bool          `json:"disabled,omitempty"` // 410 Gone
	Fetches     int64         `json:"fetches,omitempty"`
	NotModified int64         `json:"not_modified,omitempty"`
	Items       int64         `json:"items,omitempty"`    // items stored from this source, ever: the retention does not count down
	FeedTTL     time.Duration `json:"feed_ttl,omitempty"` // interval the feed asks for (ttl, sy:updatePeriod, max-age)
	SkipHours   []int         `json:"skip_hours,omitempty"`
	SkipDays    []string      `json:"skip_days,omitempty"`
	Hub         string        `json:"hub,omitempty"`
}

// SourceID is the stable id of the source configured with url.
func SourceID(url string) string { return digest(url)[:16] }

// ItemID is the stable id of the item with guid in the source sourceID.
func ItemID(sourceID, guid string) string { return digest(sourceID + "\x00" + guid)[:24] }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Condition is the state a source is in, as operators are shown it.
type Condition int

// Conditions of a source, from Condition.
const (
	ConditionOK          Condition = iota // the last fetch brought a feed
	ConditionUnchanged                    // the last fetch brought the same body as before
	ConditionNotModified                  // the last fetch was answered 304
	ConditionPending                      // never fetched
	ConditionFailing                      // the last fetch failed; due again
	ConditionBackingOff                   // the last fetch failed; not due before NextDue
	ConditionDisabled                     // the source answered 410 Gone
	ConditionHeld                         // not failing, and not due before NextDue: its host is held (Held)
)

// Condition classifies the source as judged at now. It is the one place
// that decides what the status table and the web page say of a source.
func (s SourceState) Condition(now time.Time) Condition {
	failing := s.Failures > 0 || s.LastResult == "error"
	switch {
	case s.Disabled:
		return ConditionDisabled
	case failing && s.NextDue.After(now):
		return ConditionBackingOff
	case failing:
		return ConditionFailing
	case s.Held != "" && s.NextDue.After(now):
		return ConditionHeld
	case s.LastFetch.IsZero():
		return ConditionPending
	case s.LastResult == "not_modified":
		return ConditionNotModified
	case s.LastResult == "unchanged":
		return ConditionUnchanged
	}
	return ConditionOK
}
