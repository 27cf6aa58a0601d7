package store

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// child starts the test binary as a child process of the given kind.
func child(t *testing.T, kind, path string, extra ...string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+kind, envPath+"="+path)
	cmd.Env = append(cmd.Env, extra...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if s := stderr.String(); s != "" {
			t.Logf("child %s stderr: %s", kind, s)
		}
	})
	return cmd, stdin, bufio.NewScanner(stdout)
}

func TestErrLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	cmd, stdin, out := child(t, "hold", path)
	if !out.Scan() || out.Text() != "ready" {
		t.Fatalf("child did not open the store: %q, %v", out.Text(), out.Err())
	}
	for _, opts := range []Options{{Timeout: 100 * time.Millisecond}, {ReadOnly: true, Timeout: 100 * time.Millisecond}} {
		start := time.Now()
		d, err := Open(path, opts)
		if err == nil {
			d.Close()
			t.Fatalf("Open(%+v) while another process holds the file = nil error; want ErrLocked", opts)
		}
		if !errors.Is(err, ErrLocked) {
			t.Errorf("Open(%+v) = %v; want an error wrapping ErrLocked", opts, err)
		}
		if waited := time.Since(start); waited > 2*time.Second {
			t.Errorf("Open(%+v) waited %v; want about its timeout", opts, waited)
		}
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after the other process closed = %v", err)
	}
	d.Close()
}

// TestCrash kills a writing child process at random moments and checks that
// every transaction it reported committed survives in a file that opens and
// passes bbolt's consistency check.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "agg.db")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	committed := map[int]bool{}
	next := 0 // the child starts after the last reported batch, so a batch
	// committed but not yet reported when killed is written again
	const rounds = 8
	start := time.Now()
	deadline := start.Add(8 * time.Second) // on a loaded machine, fewer rounds
	for round := range rounds {
		if time.Now().After(deadline) {
			t.Logf("stopping after %d rounds to stay within the time budget", round)
			break
		}
		killAfter := 1 + r.IntN(20)
		cmd, _, out := child(t, "write", path, envFrom+"="+strconv.Itoa(next), envTo+"="+strconv.Itoa(next+100000))
		lines := 0
		killed := false
		for out.Scan() {
			b, err := strconv.Atoi(out.Text())
			if err != nil {
				t.Fatalf("round %d: child said %q", round, out.Text())
			}
			committed[b] = true
			next = b + 1
			lines++
			if lines == killAfter && !killed {
				// Land the kill anywhere in the next transactions.
				time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v; want killed", round, err)
		}
		t.Logf("%v: round %d: killed after %d reported commits (batches up to %d)", time.Since(start).Round(time.Millisecond), round, lines, next-1)
		checkCrashed(t, path, committed)
	}

	// Running every batch again, with nothing killed, adds nothing.
	before := crashCounts(t, path)
	cmd, _, out := child(t, "write", path, envFrom+"=0", envTo+"="+strconv.Itoa(next+1))
	for out.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	committed[next] = true
	t.Logf("%v: re-ran batches 0 to %d", time.Since(start).Round(time.Millisecond), next)
	checkCrashed(t, path, committed)
	after := crashCounts(t, path)
	wantItems := (next + 1) * crashItemsPerBatch
	if after.Items != wantItems || before.Items > wantItems {
		t.Errorf("items: %d before the re-run, %d after; want %d after (one per written item)", before.Items, after.Items, wantItems)
	}
	if after.Stories > before.Stories+crashItemsPerBatch {
		t.Errorf("stories: %d before the re-run, %d after; the re-run may only add batch %d's", before.Stories, after.Stories, next)
	}
}

// checkCrashed opens the store after a kill and checks it.
func checkCrashed(t *testing.T, path string, committed map[int]bool) {
	t.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after kill = %v", err)
	}
	defer d.Close()
	err = d.db.View(func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			t.Errorf("bbolt check after kill: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, d)
	missing := 0
	d.View(context.Background(), func(tx aggregator.Tx) error {
		for b := range committed {
			for j := range crashItemsPerBatch {
				it := crashItem(b, j)
				got, err := tx.Item(it.ID)
				if err != nil {
					missing++
					if missing < 5 {
						t.Errorf("batch %d was reported committed; Item(%s) = %v", b, it.ID, err)
					}
					continue
				}
				if refs, err := tx.Keys("guid:" + it.GUID); err != nil || len(refs) != 1 || refs[0].Item != it.ID {
					t.Errorf("batch %d: Keys(guid:%s) = %+v, %v; want one ref to %s", b, it.GUID, refs, err, it.ID)
				}
				if _, err := tx.Story(got.StoryID); err != nil {
					t.Errorf("batch %d: story of %s: %v", b, it.ID, err)
				}
				band := []byte{byte(b % 3), byte(j)}
				if refs, err := tx.Band(band); err != nil || !slices.ContainsFunc(refs, func(r aggregator.KeyRef) bool { return r.Item == it.ID }) {
					t.Errorf("batch %d: Band(%x) = %d refs, %v; want one to %s", b, band, len(refs), err, it.ID)
				}
			}
		}
		return nil
	})
	if missing > 0 {
		t.Fatalf("%d committed items missing after kill", missing)
	}
}

func crashCounts(t *testing.T, path string) Stats {
	t.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := d.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCrashDuringRetagAndPrune kills a child process at random moments
// while it moves every story between topics, as a retag does, and prunes,
// step after step. After each kill the file opens, passes bbolt's check and
// the store's own (every index entry names a story that has the topic,
// every item its story, every key and band an item that owns it), holds
// every item no prune may take, and no story that a prune reported done
// should have taken.
func TestCrashDuringRetagAndPrune(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "agg.db")
	const batches, steps = 100, 50
	d := mustOpenPath(t, path)
	for b := range batches {
		mustUpdate(t, d, func(tx aggregator.Tx) error { return writeBatch(tx, b) })
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 2))
	pruned := -1                                 // the last step whose prune the child reported
	deadline := time.Now().Add(10 * time.Second) // on a loaded machine, fewer rounds
	for round := 0; round < 10 && pruned < steps-1 && time.Now().Before(deadline); round++ {
		killAfter := 1 + r.IntN(25)
		cmd, _, out := child(t, "churn", path, envFrom+"="+strconv.Itoa(pruned+1), envTo+"="+strconv.Itoa(steps))
		lines, killed := 0, false
		for out.Scan() {
			if k, ok := strings.CutPrefix(out.Text(), "prune "); ok {
				pruned, _ = strconv.Atoi(k)
			}
			lines++
			if lines == killAfter && !killed {
				time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err := cmd.Wait()
		t.Logf("round %d: child ended with %v after %d lines; pruned through step %d", round, err, lines, pruned)
		checkChurned(t, path, batches, steps, pruned)
	}
	// The steps left run to their end, and the store holds what they leave.
	cmd, _, out := child(t, "churn", path, envFrom+"="+strconv.Itoa(pruned+1), envTo+"="+strconv.Itoa(steps))
	for out.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("last run: %v", err)
	}
	checkChurned(t, path, batches, steps, steps-1)
}

// checkChurned opens the store after childChurn and checks it: see
// TestCrashDuringRetagAndPrune.
func checkChurned(t *testing.T, path string, batches, steps, pruned int) {
	t.Helper()
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after kill = %v", err)
	}
	defer d.Close()
	checkConsistent(t, d)
	err = d.View(t.Context(), func(tx aggregator.Tx) error {
		for b := steps; b < batches; b++ {
			for j := range crashItemsPerBatch {
				if _, err := tx.Item(crashItem(b, j).ID); err != nil {
					t.Errorf("item %d of batch %d, published after every cutoff: %v", j, b, err)
				}
			}
		}
		if pruned < 0 {
			return nil
		}
		cutoff := churnCutoff(pruned)
		ids, err := d.StoryIDs(t.Context())
		if err != nil {
			return err
		}
		for _, id := range ids {
			st, err := tx.Story(id)
			if err != nil {
				return err
			}
			// A prune judges a story by its members' times, as an ingest
			// sets them (an item's Published; FirstSeen in writeBatch).
			newest := time.Time{}
			for _, m := range st.Members {
				if m.Time.After(newest) {
					newest = m.Time
				}
			}
			if newest.Before(cutoff) {
				t.Errorf("story %s, newest member %v, outlived the prune before %v", id, newest, cutoff)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
