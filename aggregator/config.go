package aggregator

import "time"

// Config is the whole configuration, as read from config.yaml with defaults
// filled in. It is a value handed to constructors, never a package variable.
type Config struct {
	Path    string         `yaml:"-"` // the file it was loaded from
	Server  ServerConfig   `yaml:"server"`
	Storage StorageConfig  `yaml:"storage"`
	Poll    PollConfig     `yaml:"poll"`
	Dedup   DedupConfig    `yaml:"dedup"`
	Publish PublishConfig  `yaml:"publish"`
	Log     LogConfig      `yaml:"log"`
	OPML    []string       `yaml:"opml"` // OPML files whose feeds are added as sources
	Sources []SourceConfig `yaml:"sources"`
	Topics  []TopicConfig  `yaml:"topics"`

	// lines holds the line of each key in the file, as Load found it,
	// for the warnings (Warnings); nil for a config built in code.
	lines map[string]int
}

// ServerConfig configures the HTTP server.
type ServerConfig struct {
	Listen       string   `yaml:"listen"`        // default 127.0.0.1:8080
	BaseURL      string   `yaml:"base_url"`      // default http://<listen>
	MetricsAllow []string `yaml:"metrics_allow"` // CIDRs that may read /metrics and /api/*; empty: this machine only
	// MaxConnections caps the HTTP connections open at once below what the
	// open-file limit allows; 0 takes that.
	MaxConnections int `yaml:"max_connections"`
}

// StorageConfig configures the bbolt store.
type StorageConfig struct {
	Path      string        `yaml:"path"`      // default data/tributary.db
	Retention time.Duration `yaml:"retention"` // default 720h; 0 keeps everything
}

// PollConfig configures fetching.
type PollConfig struct {
	Interval      time.Duration `yaml:"interval"`       // default 30m
	MinInterval   time.Duration `yaml:"min_interval"`   // floor for any source's interval; default 1m
	MaxBackoff    time.Duration `yaml:"max_backoff"`    // cap of the failure backoff and of a Retry-After; default 24h
	Timeout       time.Duration `yaml:"timeout"`        // whole request; default 30s
	MaxBytes      int64         `yaml:"max_bytes"`      // body cap after decompression; default 10 MiB
	MaxItems      int           `yaml:"max_items"`      // items taken from one fetch; default 500
	MaxRedirects  int           `yaml:"max_redirects"`  // redirects followed per fetch, 0 none; default 5
	Concurrency   int           `yaml:"concurrency"`    // fetches in flight; default 8
	PerHost       int           `yaml:"per_host"`       // fetches in flight per host; default 2
	UserAgent     string        `yaml:"user_agent"`     // default "Tributary/1.0 (+https://github.com/tributary-feeds/tributary)"
	AllowPrivate  bool          `yaml:"allow_private"`  // fetch loopback, private and link-local addresses
	AllowNetworks []string      `yaml:"allow_networks"` // CIDRs allowed even when allow_private is false
}

// DedupConfig configures story deduplication.
type DedupConfig struct {
	Window    time.Duration `yaml:"window"`    // default 72h
	Near      *bool         `yaml:"near"`      // near-duplicate detection; default true
	Threshold float64       `yaml:"threshold"` // near-duplicate similarity in (0,1]; default set by the dedup code
}

// NearEnabled reports whether near-duplicate detection is on.
func (d DedupConfig) NearEnabled() bool { return d.Near == nil || *d.Near }

// PublishConfig configures the published feeds.
type PublishConfig struct {
	Hubs     []string `yaml:"hubs"`     // WebSub hubs announced and notified
	Language string   `yaml:"language"` // BCP 47 tag of every topic's stories ("en", "pt-BR"), unless a topic says otherwise
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error; default info
	Format string `yaml:"format"` // text or json; default text
}

// SourceConfig is one entry of sources.
type SourceConfig struct {
	URL      string        `yaml:"url"`      // required, unique
	Name     string        `yaml:"name"`     // default: the feed's title; unique
	Interval time.Duration `yaml:"interval"` // default poll.interval
	Tags     []string      `yaml:"tags"`     // added to every story from this source
	Priority int           `yaml:"priority"` // higher ranks the source's items first as a story's face
	// ID is the source's identity in the store, which BindSources gives
	// it; "" until then, when SourceID is that of its URL.
	ID string `yaml:"-"`
}

// TopicConfig is one entry of topics.
type TopicConfig struct {
	ID           string      `yaml:"id"`    // required, unique, URL-safe
	Title        string      `yaml:"title"` // required
	Description  string      `yaml:"description"`
	Language     string      `yaml:"language"`       // BCP 47 tag of its stories; default publish.language
	Limit        int         `yaml:"limit"`          // entries per published feed; default 50
	MaxPerSource int         `yaml:"max_per_source"` // 0: no cap
	Sources      []string    `yaml:"sources"`        // names (or URLs) whose every story belongs
	Match        MatchConfig `yaml:"match"`
}

// MatchConfig holds a topic's text rules. All given rules must hold.
type MatchConfig struct {
	Any        []string `yaml:"any"`        // at least one phrase appears (AtLeast of them, when set)
	AtLeast    int      `yaml:"at_least"`   // how many different phrases of Any must appear; one in a title counts twice
	All        []string `yaml:"all"`        // every phrase appears
	None       []string `yaml:"none"`       // no phrase appears
	Query      string   `yaml:"query"`      // boolean expression: AND, OR, NOT, (), "phrases"
	Categories []string `yaml:"categories"` // at least one feed category equals one of these
}

// AllTopic is the id of the built-in topic that holds every story.
const AllTopic = "all"
