package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// The tests re-run their own binary as a child process for what needs a
// second process: holding the file lock, and being killed mid-write.
const (
	envChild = "TRIBUTARY_STORE_CHILD" // which child to be: "hold" or "write"
	envPath  = "TRIBUTARY_STORE_PATH"  // the store file
	envFrom  = "TRIBUTARY_STORE_FROM"  // first batch to write
	envTo    = "TRIBUTARY_STORE_TO"    // batch to stop before
)

func TestMain(m *testing.M) {
	switch os.Getenv(envChild) {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(childHold(os.Getenv(envPath)))
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
