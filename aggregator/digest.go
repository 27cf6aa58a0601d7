package aggregator

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
)

// SourceLook is what of a source's configuration shows in its stories and
// the feeds that publish them: its URL, name, priority (which item is a
// story's face) and tags. The store records digests of it (SettingsDigest)
// to tell when a configuration edited while the daemon was stopped needs
// the stories decided again or the feeds dated anew.
type SourceLook struct {
	URL, Name string
	Priority  int
	Tags      []string
}

// SourceLooks returns the SourceLook of each configured source, in order;
// nil when there is none, which the digests recorded by earlier versions
// were taken of.
func (c *Config) SourceLooks() []SourceLook {
	var out []SourceLook
	for _, s := range c.Sources {
		out = append(out, SourceLook{s.URL, s.Name, s.Priority, s.Tags})
	}
	return out
}

// SettingsDigest returns a SHA-256 digest of settings, a struct of the
// configuration values that decide something stored; what names the
// settings in an error.
func SettingsDigest(what string, settings any) ([]byte, error) {
	b, err := json.Marshal(settings)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}
