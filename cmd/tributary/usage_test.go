package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestUsageAligned reads tributary -h: every command's summary starts in
// the same column, those with long arguments (explain, topics test) too.
func TestUsageAligned(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, &out, &errOut); err != nil {
		t.Fatalf("tributary -h: %v", err)
	}
	text := out.String() + errOut.String()
	col := -1
	for _, c := range commands {
		var line string
		for l := range strings.SplitSeq(text, "\n") {
			if strings.HasPrefix(l, "  "+c.name+" ") {
				line = l
				break
			}
		}
		at := strings.Index(line, c.summary)
		if at < 0 {
			t.Fatalf("usage has no line for %s with its summary:\n%s", c.name, text)
		}
		if col < 0 {
			col = at
		} else if at != col {
			t.Errorf("summary of %s starts at column %d, others at %d:\n%s", c.name, at, col, text)
		}
	}
}
