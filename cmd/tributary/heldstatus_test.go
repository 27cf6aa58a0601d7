package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestStatusWithoutDaemonShowsHeldHost polls, with the daemon stopped,
// six sources of one host that answers each 503 with an hour's
// Retry-After: once two are answered the host is held and the poll skips
// the rest. status, run with no daemon, shows each source never fetched
// waiting until the hold is over, for the host's answer, as the daemon's
// status does, where it read "never fetched" with no due time: the holds
// lived in the daemon's memory, and status reads them again from the waits
// the store records.
func TestStatusWithoutDaemonShowsHeldHost(t *testing.T) {
	dir, yml := busyHost(t, 6, "", "  per_host: 1\n")
	path := saveConfig(t, dir, yml)
	var out, errOut bytes.Buffer
	run(t.Context(), []string{"poll", "-config", path}, &out, &errOut) // no source is read: what matters is what it stored
	out.Reset()
	errOut.Reset()
	if err := run(t.Context(), []string{"status", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("status: %v\n%s", err, errOut.String())
	}
	waiting := 0
	for l := range strings.Lines(out.String()) {
		if !strings.HasPrefix(l, "Busy") {
			continue
		}
		if f := strings.Fields(l); len(f) > 3 && f[2] == "-" {
			if !strings.Contains(l, "waiting until") || !strings.Contains(l, "held: rate_limited: http 503 service unavailable") {
				t.Errorf("status line of a source never fetched on the held host:\n%s\nwant it waiting until the hold is over, for the host's 503", l)
			}
			waiting++
		}
	}
	if waiting == 0 {
		t.Fatalf("no source left unfetched once the host was held:\n%s", out.String())
	}
}
