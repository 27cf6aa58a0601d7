package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestTopicsTestEveryStory checks that `topics test` tries a topic on
// every stored story, also when the configuration's own topic "all" does
// not take every story.
func TestTopicsTestEveryStory(t *testing.T) {
	es := newExplainStore(t, `  - id: all
    title: Wire only
    sources: [Wire]
  - id: volcano
    title: Volcano
    match:
      any: [volcano]
`, "Wire", "Paper")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	es.ingest(t,
		es.item("Wire", "w-1", "https://wire.test/1", "Volcano erupts near Grindavik", "Lava flowed north of the town.", t0),
		es.item("Paper", "p-1", "https://paper.test/1", "Volcano ash grounds flights", "Keflavik airport closed.", t0.Add(time.Hour)),
		es.item("Paper", "p-2", "https://paper.test/2", "Orchestra plays for free", "The concert drew a crowd.", t0.Add(2*time.Hour)),
	)
	for _, tt := range []struct{ topic, want string }{
		{"volcano", "topic volcano: 2 stored stories match; 0 would enter (+), 0 would leave (-)"},
		{"all", "topic all: 1 stored story matches; 0 would enter (+), 0 would leave (-)"},
	} {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"topics", "-config", es.path, "test", tt.topic}, &out, &errOut); err != nil {
			t.Fatalf("topics test %s: %v\n%s", tt.topic, err, errOut.String())
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("topics test %s:\n%s\nwant %q", tt.topic, out.String(), tt.want)
		}
	}

	// The topic "all" taking the paper too would take its two stories.
	es.rewrite(t, strings.Replace(es.text(t), "sources: [Wire]", "sources: [Wire, Paper]", 1))
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"topics", "-config", es.path, "test", "all"}, &out, &errOut); err != nil {
		t.Fatalf("topics test all: %v\n%s", err, errOut.String())
	}
	text := out.String()
	if !strings.Contains(text, "topic all: 3 stored stories match; 2 would enter (+), 0 would leave (-)") ||
		!strings.Contains(text, "+ 2026-03-01 11:00  Paper                Orchestra plays for free") {
		t.Errorf("topics test all, with the paper added:\n%s\nwant its two stories to enter", text)
	}
}

// TestTopicsTestSaysWhy checks that each story that would enter, leave or
// (with -all) stay in a topic comes with the rule that decided, the query's
// terms it has, and for a story of several items the item that brought it
// in.
func TestTopicsTestSaysWhy(t *testing.T) {
	es := newExplainStore(t, `  - id: volcano
    title: Volcano
    match:
      any: [volcano]
`, "Wire", "Paper")
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	es.ingest(t,
		es.item("Wire", "w-1", "https://wire.test/1", "Volcano erupts near Grindavik", "Lava flowed north of the town.", t0),
		// The same link: the paper's item joins the wire's story.
		es.item("Paper", "p-1", "https://wire.test/1", "Eruption in Iceland", "Ash grounds flights at Keflavik.", t0.Add(time.Hour)),
		es.item("Paper", "p-2", "https://paper.test/2", "Orchestra plays for free", "The concert drew a crowd.", t0.Add(2*time.Hour)),
	)
	es.rewrite(t, strings.Replace(es.text(t), "any: [volcano]", `query: 'ash AND flights'`, 1))
	want := "= 2026-03-01 09:00  Wire                 Volcano erupts near Grindavik\n" +
		"      query ash AND flights (found ash, flights)\n" +
		"      in \"Eruption in Iceland\" from Paper\n"
	var out, errOut bytes.Buffer
	// Flags may come before the command's words, among them or after them.
	for _, args := range [][]string{
		{"topics", "-config", es.path, "test", "-all", "volcano"},
		{"topics", "test", "-config", es.path, "-all", "volcano"},
		{"topics", "test", "volcano", "-all", "-config", es.path},
	} {
		out.Reset()
		if err := run(t.Context(), args, &out, &errOut); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, errOut.String())
		}
		if text := out.String(); strings.Contains(text, "Orchestra") || !strings.Contains(text, want) {
			t.Errorf("%q:\n%s\nwant the wire's story to stay, taken by the paper's item:\n%s", args, text, want)
		}
	}

	es.rewrite(t, strings.Replace(es.text(t), `query: 'ash AND flights'`, `query: 'lava AND crowd'`, 1))
	out.Reset()
	if err := run(t.Context(), []string{"topics", "-config", es.path, "test", "volcano"}, &out, &errOut); err != nil {
		t.Fatalf("topics test volcano: %v\n%s", err, errOut.String())
	}
	want = "- 2026-03-01 09:00  Wire                 Volcano erupts near Grindavik\n" +
		"      query false: lava AND crowd (found lava)\n"
	if text := out.String(); !strings.Contains(text, want) {
		t.Errorf("topics test volcano:\n%s\nwant:\n%s", text, want)
	}
}

// TestReadersOfTheStoreSayHowToUseABackup runs explain and topics test on
// a store that another process holds, as the daemon does: each says how to
// run it on a backup, not only that it may be.
func TestReadersOfTheStoreSayHowToUseABackup(t *testing.T) {
	es := newExplainStore(t, `  - id: volcano
    title: Volcano
    match:
      any: [volcano]
`, "Wire")
	db := es.open(t) // held for writing, as by tributary serve
	defer db.Close()
	for _, c := range []struct {
		cmd  string
		args []string
	}{
		{"explain", []string{"explain", "-config", es.path, "https://wire.test/1"}},
		{"topics test", []string{"topics", "-config", es.path, "test", "volcano"}},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), c.args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "tributary backup FILE, then tributary "+c.cmd+" -config COPY") ||
			!strings.Contains(err.Error(), "storage.path is FILE") || !strings.Contains(err.Error(), "tributary poll and compact hold the store too") {
			t.Errorf("tributary %q on a store held by another process = %v; want how to run it on a backup, and that poll and compact hold it too", c.args, err)
		}
	}
}
