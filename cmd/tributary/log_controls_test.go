package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestLogJSONEscapesTerminalControls checks that the JSON log, which leaves
// characters from U+007F up as they are, writes the C1 controls and the
// bidirectional overrides an error may quote from a hostile redirect as
// "\u009b", as the text log does, so that a terminal showing it acts on
// none; a reader decoding the JSON reads the same.
func TestLogJSONEscapesTerminalControls(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var b bytes.Buffer
		l, _ := newLogger(aggregator.LogConfig{Level: "info", Format: format}, &b)
		l.Warn("fetch failed", "source", "Wire\u2067", "err", errors.New("lookup x\u009b2J\u202eexe.example: no such host"))
		if bytes.ContainsAny(b.Bytes(), "\u009b\u202e\u2067") {
			t.Errorf("%s log %q; want no C1 or bidirectional control", format, b.String())
		}
		if format == "json" {
			var line map[string]any
			if err := json.Unmarshal(b.Bytes(), &line); err != nil {
				t.Fatalf("JSON log %q: %v", b.String(), err)
			}
			if line["err"] != `lookup x\u009b2J\u202eexe.example: no such host` || line["source"] != `Wire\u2067` {
				t.Errorf("JSON log %q; want the controls written as \\u009b, \\u202e and \\u2067", b.String())
			}
		}
	}
}
