package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/store"
)

func cmdStatus(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("status takes no arguments")
	}
	var rows []ops.SourceRow
	remote := func(body io.Reader) error {
		return json.NewDecoder(body).Decode(&rows)
	}
	cfg, _, err := loadConfig(e)
	if err != nil {
		err = askDaemon(ctx, e, err, remote, "/api/status")
	} else {
		err = withReadStore(ctx, cfg, func(db *store.DB) error {
			st, err := heldStates(ctx, cfg, db)
			if err != nil {
				return err
			}
			rows, err = ops.Status(ctx, cfg, st)
			return err
		}, remote, "/api/status", "status")
	}
	if err != nil {
		return err
	}
	return ops.WriteStatus(e.stdout, rows, time.Now())
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("export takes no arguments")
	}
	remote := func(body io.Reader) error {
		_, err := io.Copy(e.stdout, body)
		return err
	}
	cfg, _, err := loadConfig(e)
	if err != nil {
		return askDaemon(ctx, e, err, remote, "/api/export")
	}
	return withReadStore(ctx, cfg, func(db *store.DB) error {
		return ops.Export(ctx, db, e.stdout)
	}, remote, "/api/export", "export")
}

// askDaemon asks the running daemon for path, at the server.listen of a
// config file that does not load (loadErr says why), and hands the response
// body to remote: the daemon runs the config it loaded, whatever the file
// says since. Where no daemon answers, or the file's server.listen cannot be
// read, it returns loadErr, saying so.
func askDaemon(ctx context.Context, e *env, loadErr error, remote func(io.Reader) error, path string) error {
	cfg, ok := daemonConfig(e)
	if !ok {
		return loadErr
	}
	also := func(format string, args ...any) error {
		return withNote(loadErr, fmt.Sprintf(format, args...))
	}
	resp, base, err := daemonGet(ctx, cfg, path)
	if err != nil {
		return also("and no daemon answers at %s to ask instead: %v", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return also("and %s", daemonRefused(base, resp))
	}
	return remote(resp.Body)
}

// withNote is err, a config file's mistakes, with note on a line of its
// own after them, and the exit status err gives.
func withNote(err error, note string) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return &exitError{code: ee.code, err: fmt.Errorf("%w\n%s", ee.err, note)}
	}
	return fmt.Errorf("%w\n%s", err, note)
}

// daemonGet asks the daemon that cfg's server.listen names for path, and
// returns its answer and the address it was asked at.
func daemonGet(ctx context.Context, cfg *aggregator.Config, path string) (*http.Response, string, error) {
	base := strings.TrimRight(daemonURL(cfg), "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return nil, base, err
	}
	resp, err := daemonClient.Do(req)
	return resp, base, err
}

// daemonRefused says what the daemon at base answered other than 200; a
// 403 says which key to change. A 404 from a daemon, one that answers
// /healthz as every version does, says that it is older than the command
// line, as after an upgrade of the binary that did not restart the daemon;
// from a server that does not (another program at server.listen's address,
// as when no daemon runs and the store is not where the config says), it
// says that no daemon answers there.
func daemonRefused(base string, resp *http.Response) string {
	if resp.StatusCode == http.StatusForbidden {
		return fmt.Sprintf("the running daemon at %s answered %s: its server.metrics_allow lists networks without "+
			"this machine's address (a list replaces the default of this machine only: add this machine's addresses to it, such as 127.0.0.1/32 and ::1/128)", base, resp.Status)
	}
	if resp.StatusCode == http.StatusNotFound && resp.Request != nil {
		if !answersHealth(resp.Request.Context(), base) {
			return fmt.Sprintf("the server at %s answered %s for %s and is no tributary daemon (it does not answer "+
				"/healthz as one does): is server.listen the running daemon's address?", base, resp.Status, resp.Request.URL.Path)
		}
		return fmt.Sprintf("the running daemon at %s answered %s for %s, which a daemon of an earlier version of "+
			"tributary does not serve: restart the daemon, so that it runs this version", base, resp.Status, resp.Request.URL.Path)
	}
	return fmt.Sprintf("the running daemon at %s answered %s", base, resp.Status)
}

// answersHealth reports whether the server at base answers /healthz as a
// tributary daemon of any version does: 200 or 503, with a JSON object
// whose status is a string.
func answersHealth(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := daemonClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
		return false
	}
	var body struct {
		Status *string `json:"status"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	return err == nil && body.Status != nil
}

// withReadStore opens the store read-only and calls local; when a running
// daemon holds the store, it asks that daemon for path instead and hands the
// response body to remote. Either way the daemon is neither blocked nor at
// risk. cmd names the command in the error of a store found nowhere.
func withReadStore(ctx context.Context, cfg *aggregator.Config, local func(*store.DB) error,
	remote func(io.Reader) error, path, cmd string) error {
	db, err := store.Open(cfg.Storage.Path, store.Options{ReadOnly: true, Timeout: 500 * time.Millisecond})
	if err == nil {
		defer db.Close()
		return local(db)
	}
	// A store this process may not read, or does not find (a relative
	// storage.path run from another folder), may still be the one a
	// daemon holds: ask it, as for a store it has locked.
	locked := errors.Is(err, store.ErrLocked)
	if !locked && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	resp, base, rerr := daemonGet(ctx, cfg, path)
	if rerr != nil {
		if !locked {
			return notFoundHere(err, cfg, cmd)
		}
		// Something holds the store, yet nothing answers where the file
		// says: a daemon started before server.listen was edited, which
		// a reload does not move, or one starting or stopping, or
		// another command that writes the store.
		return fmt.Errorf("%w; asking a daemon at %s failed too: %w (%s)", err, base, rerr, listenEdited)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w; %s", err, daemonRefused(base, resp))
	}
	return remote(resp.Body)
}

// storeHeld reports whether another process holds the store at path, as a
// running daemon does (bbolt locks the file); false when nothing holds it,
// or it cannot be opened for another reason.
func storeHeld(path string) bool {
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if err == nil {
		db.Close()
		return false
	}
	return errors.Is(err, store.ErrLocked)
}

// listenEdited says why nothing may answer at the config file's
// server.listen while a process holds the store: a daemon listens where the
// file said when it started, and not at all while it starts or stops; and
// poll and compact hold the store without listening.
const listenEdited = "a daemon listens at the server.listen it started with, and at none while it starts or stops: " +
	"an edited server.listen takes effect when it restarts; tributary poll and compact hold the store too, while they run"

// daemonClient is how the command line talks to the daemon: never through
// a proxy. The daemon is on this machine or the operator's network, at an
// address a proxy may not reach; one that does would see the operator's
// requests and the whole store a backup hands out, and the daemon would
// take the requests for the proxy's, which server.metrics_allow may refuse.
// Go skips a proxy only for loopback addresses and localhost, not for the
// address of a daemon that listens on one of the machine's interfaces.
var daemonClient = &http.Client{Transport: func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	return t
}()}

// daemonURL is where the command line reaches the daemon: its listen address
// on loopback when it listens on every interface.
func daemonURL(cfg *aggregator.Config) string {
	host := cfg.Server.Listen
	if strings.HasPrefix(host, ":") {
		host = "127.0.0.1" + host
	} else if strings.HasPrefix(host, "0.0.0.0:") {
		host = "127.0.0.1" + strings.TrimPrefix(host, "0.0.0.0")
	} else if strings.HasPrefix(host, "[::]:") {
		host = "[::1]" + strings.TrimPrefix(host, "[::]")
	}
	return "http://" + host
}

// storedHolds is the store as status reads it while no daemon runs: with
// the hosts held again from the waits the stored states record, as a
// start of the daemon holds them (Poller.ShownStored), so that the sources
// a held host keeps waiting show as waiting until the hold is over, those
// never fetched too, as the daemon's status shows them.
type storedHolds struct {
	*store.DB
	poller *poller.Poller
}

func (s storedHolds) Sources(ctx context.Context) ([]aggregator.SourceState, error) {
	return s.poller.ShownStored(ctx)
}

// heldStates returns db as storedHolds reads it, for the sources of cfg.
// It reads the stored source states once, and hands that reading to the
// binding of cfg's sources, to the poller's start and to the table.
func heldStates(ctx context.Context, cfg *aggregator.Config, db *store.DB) (aggregator.Store, error) {
	states, err := db.Sources(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := bindConfig(cfg, slices.Clone(states))
	if err != nil {
		return nil, err
	}
	read := readStates{DB: db, states: states}
	pl, err := poller.New(cfg, tags, read, poller.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	return storedHolds{DB: db, poller: pl}, nil
}

// readStates is a store whose source states were read once: status
// writes none, and the poller it starts asks for them three times.
type readStates struct {
	*store.DB
	states []aggregator.SourceState
}

// Sources returns a copy of the states read, which the caller may change.
func (r readStates) Sources(context.Context) ([]aggregator.SourceState, error) {
	return slices.Clone(r.states), nil
}
