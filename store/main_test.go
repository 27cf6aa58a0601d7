package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// The tests re-run their own binary as a child process for what needs a
// second process: holding the file lock, and being killed mid-write.
const (
	envChild = "TRIBUTARY_STORE_CHILD" // which child to be: "hold", "write" or "churn"
	envPath  = "TRIBUTARY_STORE_PATH"  // the store file
	envFrom  = "TRIBUTARY_STORE_FROM"  // first batch to write, or step to churn
	envTo    = "TRIBUTARY_STORE_TO"    // batch or step to stop before
)

func TestMain(m *testing.M) {
	switch os.Getenv(envChild) {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(childHold(os.Getenv(envPath)))
	case "churn":
		from, _ := strconv.Atoi(os.Getenv(envFrom))
		to, _ := strconv.Atoi(os.Getenv(envTo))
		os.Exit(childChurn(os.Getenv(envPath), from, to))
	case "write":
		from, _ := strconv.Atoi(os.Getenv(envFrom))
		to, _ := strconv.Atoi(os.Getenv(envTo))
		os.Exit(childWrite(os.Getenv(envPath), from, to))
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", envChild, os.Getenv(envChild))
		os.Exit(2)
	}
}

// childHold opens the store, says "ready" on stdout and keeps it open until
// stdin closes.
func childHold(path string) int {
	d, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

// childWrite writes batches from..to-1 like an ingest, one transaction per
// batch, and prints each batch number once its transaction has committed.
func childWrite(path string, from, to int) int {
	d, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	for b := from; b < to; b++ {
		if err := d.Update(context.Background(), func(tx aggregator.Tx) error { return writeBatch(tx, b) }); err != nil {
			fmt.Fprintf(os.Stderr, "batch %d: %v\n", b, err)
			return 1
		}
		// Unbuffered: the line is in the pipe before the next batch starts.
		fmt.Fprintf(os.Stdout, "%d\n", b)
	}
	return 0
}

const (
	crashItemsPerBatch = 5
	crashTexts         = 7 // items of nearby batches whose text key matches join one story
)

// crashItem is item j of batch b.
func crashItem(b, j int) aggregator.Item {
	it := mkItem(fmt.Sprintf("s%d.example", j), fmt.Sprintf("b%d-i%d", b, j), t0.Add(time.Duration(b)*time.Minute+time.Duration(j)*time.Second), "")
	it.Content = html(uint64(b*crashItemsPerBatch+j), 1200)
	return it
}

// writeBatch stores the items of batch b as an ingest does: look each item
// up, find its story by a text key, add it as a member (or start a story),
// store keys, band, features and counts, and update the source. Running it
// again for the same batch changes nothing but counters and the source.
func writeBatch(tx aggregator.Tx, b int) error {
	for j := range crashItemsPerBatch {
		it := crashItem(b, j)
		text := fmt.Sprintf("text:%d:%d", b/4, (b*crashItemsPerBatch+j)%crashTexts)
		if old, err := tx.Item(it.ID); err == nil {
			it.StoryID = old.StoryID
		} else {
			refs, err := tx.Keys(text)
			if err != nil {
				return err
			}
			if len(refs) > 0 {
				it.StoryID = refs[len(refs)-1].Story
			}
		}
		var st aggregator.Story
		if s, err := tx.Story(it.StoryID); err == nil {
			st = s
		} else {
			st = aggregator.Story{ID: it.StoryID, Time: it.Published, Face: it.ID, Topics: []string{aggregator.AllTopic}}
		}
		if !slicesContainsMember(st.Members, it.ID) {
			st.Members = append(st.Members, aggregator.Member{Item: it.ID, Source: it.SourceID, Time: it.FirstSeen, Match: aggregator.Match{Reason: aggregator.ReasonText, Key: text}})
		}
		if it.Published.Before(st.Time) {
			st.Time = it.Published
		}
		st.Updated = it.FirstSeen
		if len(st.Members)%2 == 0 {
			st.Topics = []string{aggregator.AllTopic, "even"}
		} else {
			st.Topics = []string{aggregator.AllTopic, "odd"}
		}
		ref := aggregator.KeyRef{Story: st.ID, Item: it.ID, Time: it.Published}
		for _, err := range []error{
			tx.PutItem(it),
			tx.PutStory(st),
			tx.AddKey("guid:"+it.GUID, ref),
			tx.AddKey(text, ref),
			tx.AddBand([]byte{byte(b % 3), byte(j)}, ref),
			tx.PutFeatures(it.ID, []byte(it.Hash)),
			tx.AddCounts("df", []string{"w" + strconv.Itoa(j)}),
		} {
			if err != nil {
				return err
			}
		}
		src, err := tx.Source(it.SourceID)
		if err != nil {
			src = aggregator.SourceState{ID: it.SourceID, Name: it.SourceID}
		}
		src.Fetches++
		src.LastFetch = it.FirstSeen
		if err := tx.PutSource(src); err != nil {
			return err
		}
	}
	return nil
}

func slicesContainsMember(ms []aggregator.Member, item string) bool {
	for _, m := range ms {
		if m.Item == item {
			return true
		}
	}
	return false
}

// churnChunk is how many stories one retagging transaction of childChurn
// rewrites.
const churnChunk = 40

// childChurn runs steps from..to-1 of what a daemon does to stored stories
// besides ingesting: at step k it moves every story to the other of the
// topics "even" and "odd", churnChunk stories a transaction, as a retag
// does, then prunes the stories whose items were all published before
// churnCutoff(k). It prints "retag K" after each retagging transaction and
// "prune K" once the step's prune has returned.
func childChurn(path string, from, to int) int {
	d, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	ctx := context.Background()
	for k := from; k < to; k++ {
		ids, err := d.StoryIDs(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		for start := 0; start < len(ids); start += churnChunk {
			err := d.Update(ctx, func(tx aggregator.Tx) error {
				for _, id := range ids[start:min(start+churnChunk, len(ids))] {
					st, err := tx.Story(id)
					if err != nil {
						return err
					}
					if slices.Contains(st.Topics, "even") {
						st.Topics = []string{aggregator.AllTopic, "odd"}
					} else {
						st.Topics = []string{aggregator.AllTopic, "even"}
					}
					if err := tx.PutStory(st); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				fmt.Fprintf(os.Stderr, "step %d: retag: %v\n", k, err)
				return 1
			}
			fmt.Fprintf(os.Stdout, "retag %d\n", k)
		}
		if _, err := d.Prune(ctx, churnCutoff(k)); err != nil {
			fmt.Fprintf(os.Stderr, "step %d: %v\n", k, err)
			return 1
		}
		fmt.Fprintf(os.Stdout, "prune %d\n", k)
	}
	return 0
}

// churnCutoff is the prune cutoff of childChurn's step k: past the items of
// batch k-1 (crashItem).
func churnCutoff(k int) time.Time { return t0.Add(time.Duration(k) * time.Minute) }
