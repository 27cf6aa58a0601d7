package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/aggregator/publish"
	"github.com/tributary-feeds/tributary/aggregator/websub"
	"github.com/tributary-feeds/tributary/store"
)

// addressInUse says which keys of the config file at path to set when
// another program listens at cfg's server.listen: server.listen, and
// server.base_url where it names the same port, as the shipped config's
// does and as one made from server.listen does, so that the feeds' links
// follow. A base_url at another port (a reverse proxy's, https) stays.
func addressInUse(cfg *aggregator.Config, path string) string {
	keys := "set server.listen in " + path + " to a free address"
	_, port, err := net.SplitHostPort(cfg.Server.Listen)
	if u, uerr := url.Parse(cfg.Server.BaseURL); err == nil && uerr == nil && u.Port() == port {
		keys += ", and the port of server.base_url with it where the file gives one"
	}
	return keys
}

// listening, when set by a test, is told the server's address once it listens.
var listening func(addr string)

// shutdownGrace is how long a stopping daemon lets requests in progress
// finish before it closes their connections.
var shutdownGrace = 10 * time.Second

func cmdServe(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("serve takes no arguments")
	}
	cfg, tags, err := loadConfig(e)
	if err != nil {
		return err
	}
	logger, level := newLogger(cfg.Log, e.stderr)
	warnConfig(logger, cfg)
	// Catch SIGHUP from the start: its default action would end the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close() // after g.Wait: poller stopped and HTTP drained first
	states, err := readSources(ctx, db)
	if err != nil {
		return err
	}
	if tags, err = bindConfig(cfg, states); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tributary_store_bytes", Help: "Size of the store file.",
		}, func() float64 {
			n, _ := db.Size()
			return float64(n)
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tributary_store_commits_total", Help: "Write transactions the store committed since start.",
		}, func() float64 { return float64(db.Written().Commits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tributary_store_written_bytes_total",
			Help: "Bytes of pages the store's commits wrote since start (each commit writes every page it changed anew).",
		}, func() float64 { return float64(db.Written().Bytes) }),
	)
	// The web pages and the command line's /api/ read the source states
	// the poller keeps in memory in place of the stored ones, once it runs.
	latest := &latestStates{DB: db}
	pub := publish.New(cfg, latest, tags.Topics(), reg, logger)
	settings := &settingsRecorder{pub: pub, logger: logger}
	settings.record(ctx, cfg)
	pinger := websub.New(cfg.Publish.Hubs, cfg.Server.BaseURL, nil, logger)
	pl, err := poller.New(cfg, tags, db, poller.Options{
		Registerer: reg, Notify: poller.Notifiers{pub, pinger}, Logger: logger,
	})
	if err != nil {
		return err
	}
	latest.poller.Store(pl)
	var mu sync.Mutex
	current := cfg
	currentCfg := func() *aggregator.Config {
		mu.Lock()
		defer mu.Unlock()
		return current
	}
	// The publisher serves /metrics from reg, limited to server.metrics_allow;
	// the same list guards the command line's /api/ endpoints.
	mux := http.NewServeMux()
	refused := new(reloadNote)
	mux.Handle("/", pub.Handler(healthOf{db: db, poller: pl, reload: refused}))
	mux.Handle("/api/", ops.AllowFrom(func() aggregator.ServerConfig { return currentCfg().Server }, ops.Handler(currentCfg, latest)))
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			// The shipped port, 8080, is a common one.
			who := "another program listens there"
			// A program that takes the connection and says nothing
			// keeps serve from stopping no longer than a second.
			hctx, cancel := context.WithTimeout(ctx, time.Second)
			ours := answersHealth(hctx, strings.TrimRight(daemonURL(cfg), "/"))
			cancel()
			if ours {
				// Not one on this store, which it would hold (openStore).
				who = "a tributary daemon on another store listens there"
			}
			return fmt.Errorf("listening on %s: %w (%s: %s)", cfg.Server.Listen, err, who, addressInUse(cfg, e.configPath))
		}
		return fmt.Errorf("listening on %s: %w", cfg.Server.Listen, err)
	}
	maxConns := connLimit(openFileLimit(), cfg.Poll.Concurrency)
	if n := cfg.Server.MaxConnections; n > maxConns {
		// More would take the files the daemon needs itself.
		logger.Warn("server.max_connections is above what the open-file limit allows; the limit's is taken",
			"max_connections", n, "allowed", maxConns)
	} else if n > 0 {
		maxConns = n
	}
	conns := ops.NewConnLimit(ln, maxConns)
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tributary_http_connections", Help: "HTTP connections open.",
		}, func() float64 { return float64(conns.Open()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tributary_http_connections_max", Help: "HTTP connections held open at most: server.max_connections, or from the open-file limit.",
		}, func() float64 { return float64(conns.Max()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "tributary_http_connections_closed_total",
			Help: "HTTP connections without a request in progress closed to make room for new ones.",
		}, func() float64 { return float64(conns.ClosedQuiet()) }),
	)
	srv := &http.Server{
		Handler:           ops.Recover(logger, ops.IgnoreBody(mux)),
		ConnState:         conns.ConnState,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.Server.BaseURL,
		"store", cfg.Storage.Path, "sources", len(cfg.Sources), "topics", len(tags.Topics()),
		"max_connections", conns.Max())
	if listening != nil {
		listening(ln.Addr().String())
	}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return pl.Run(ctx) })
	retagFailed := make(chan struct{}, 1)
	g.Go(func() error {
		// Stories stored under other topics, priorities or source tags
		// (the config was edited while the daemon was stopped) follow the
		// current ones, while the daemon serves. A retag that failed, here
		// or in a reload (the disk was full), is tried again until it
		// passes, and so is the record of the feeds' settings.
		for {
			failed := retag(ctx, logger, pl) != nil
			if settings.retry(ctx) != nil {
				failed = true
			}
			if !failed {
				select {
				case <-ctx.Done():
					return nil
				case <-retagFailed:
				}
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(retagRetry):
			}
		}
	})
	g.Go(func() error { return pinger.Run(ctx) })
	g.Go(func() error {
		if err := srv.Serve(conns); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		logger.Info("stopping: finishing requests and commits in progress; a second SIGINT or SIGTERM stops at once")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			// A client that stopped reading keeps its request running,
			// and an /api/backup its read transaction, which the store's
			// Close would wait for: cut them off.
			logger.Warn("closing HTTP connections still busy at shutdown", "after", shutdownGrace, "err", err)
			srv.Close()
		}
		return nil
	})
	// What takes effect on restart only is compared with what this daemon
	// started with, not with the config last reloaded: a reload that
	// changes server.listen, then one that undoes it, changed nothing.
	started := cfg
	g.Go(func() error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-hup:
			}
			refuse := func(err error) {
				logger.Error("config reload refused; the running config stays", "config", e.configPath, "err", err)
				// /healthz shows it to anyone: a private feed's URL the
				// error quotes goes there redacted, as in the logs.
				refused.set(aggregator.RedactURLs(fmt.Sprintf("reload of %s refused at %s; the config loaded before runs: %v",
					e.configPath, time.Now().UTC().Format(time.RFC3339), err)))
			}
			if empty, err := emptyFile(e.configPath); err == nil && empty {
				// An editor's save caught half done, or a file cut short:
				// as a config it would drop every source and topic.
				refuse(errors.New("the file is empty"))
				continue
			}
			cfg, _, err := loadConfig(e)
			if err != nil {
				refuse(err)
				continue
			}
			// The sources as the store knows them, with the states
			// waiting to be written: a source whose URL was edited
			// stays the source it was.
			states, err := pl.Sources(ctx)
			if err != nil {
				refuse(fmt.Errorf("reading the sources' states: %w", err))
				continue
			}
			tags, err := bindConfig(cfg, states)
			if err != nil {
				refuse(err)
				continue
			}
			warnConfig(logger, cfg)
			if cfg.Storage.Path != started.Storage.Path {
				logger.Warn("storage.path changes take effect on restart", "running", started.Storage.Path, "config", cfg.Storage.Path)
			}
			if cfg.Server.Listen != started.Server.Listen {
				logger.Warn("server.listen changes take effect on restart", "running", started.Server.Listen, "config", cfg.Server.Listen)
			}
			if cfg.Server.MaxConnections != started.Server.MaxConnections {
				logger.Warn("server.max_connections changes take effect on restart", "running", started.Server.MaxConnections, "config", cfg.Server.MaxConnections)
			}
			if cfg.Server.Listen != started.Server.Listen && cfg.Server.BaseURL == aggregator.DefaultBaseURL(cfg.Server.Listen) {
				// A base_url made from server.listen follows the address
				// the daemon answers on, which a reload does not move:
				// the feeds' links would name one nothing listens on.
				cfg.Server.BaseURL = aggregator.DefaultBaseURL(started.Server.Listen)
			}
			if !strings.EqualFold(cfg.Log.Format, started.Log.Format) {
				logger.Warn("log.format changes take effect on restart")
			}
			if err := pl.Reload(cfg, tags); err != nil {
				refuse(err)
				continue
			}
			refused.set("")
			pub.SetConfig(cfg, tags.Topics())
			pinger.SetConfig(cfg.Publish.Hubs, cfg.Server.BaseURL)
			settingsFailed := settings.record(ctx, cfg) != nil
			setLevel(level, cfg.Log)
			mu.Lock()
			current = cfg
			mu.Unlock()
			logger.Info("config reloaded", "sources", len(cfg.Sources), "topics", len(tags.Topics()))
			// Stories already stored follow the new topic rules too.
			if retag(ctx, logger, pl) != nil || settingsFailed {
				select {
				case retagFailed <- struct{}{}:
				default:
				}
			}
		}
	})
	err = g.Wait()
	pub.Close() // the server has stopped: the feeds' dates as served reach the store before it closes
	logger.Info("stopped")
	return err
}

// refuseEmpty returns an *exitError for bad configuration when the file at
// path holds no settings (emptyFile). Such a file would load, every key at
// its default, but it lists no sources and a reload refuses it (an
// editor's save caught half done would drop every source and topic):
// every command refuses it too (loadConfig), rather than say "ok", run a
// daemon with nothing to poll on the default address, or make and use a
// store at the default storage.path. Those that ask a running daemon when
// the file does not load (status, export, verify, health) ask it.
func refuseEmpty(path string) error {
	if empty, err := emptyFile(path); err == nil && empty {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: the file is empty (no settings, comments at most): it lists no sources, and a reload refuses it", path)}
	}
	return nil
}

// emptyFile reports whether the file at path holds no settings: nothing but
// white space and comments (a file whose settings an editor or a template
// left out keeps its header), or a document of null alone.
func emptyFile(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return true, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return false, nil // not empty: loading it reports the mistake
	}
	return doc.Kind == 0 || len(doc.Content) == 1 && doc.Content[0].Tag == "!!null", nil
}

// openFileLimit returns the process's limit on open files
// (RLIMIT_NOFILE), which Go raises to the hard limit at start; 0 when it
// cannot be read. A test may replace it.
var openFileLimit = func() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return lim.Cur
}

// connLimit returns how many HTTP connections the daemon holds open at
// most under an open-file limit of nofile: what the limit leaves after the
// daemon's own files — the store and its backups and compactions, the
// logs, the poller's fetches in flight and their name lookups, the
// connections it keeps alive to sources and hubs — and never more than
// three quarters of it. An unknown or unlimited limit allows 65,536.
func connLimit(nofile uint64, concurrency int) int {
	const unknown = 1 << 16
	if nofile == 0 || nofile > 1<<30 {
		return unknown
	}
	own := uint64(256 + 4*max(concurrency, 1))
	n := nofile - min(own, nofile)
	return int(max(min(n, nofile/4*3), 1))
}

// warnConfig logs what cfg allows but is likely a mistake
// (Config.Warnings), as check prints it.
func warnConfig(logger *slog.Logger, cfg *aggregator.Config) {
	for _, w := range cfg.Warnings() {
		logger.Warn("config allows a likely mistake", "config", cfg.Path, "line", w.Line, "warning", w.Key+": "+w.Msg)
	}
}

// latestStates is the store as the web pages and the command line (through
// /api/) read it: with the source states the poller keeps in memory
// (waiting for the next flush, or left there by a write the store refused)
// in place of the stored ones, so that the front page and status name a
// full disk on the sources it failed, and show the sources a held host
// keeps waiting, those never fetched too (Poller.Shown). Until the poller
// is set, the stored states.
type latestStates struct {
	*store.DB
	poller atomic.Pointer[poller.Poller]
}

func (l *latestStates) Sources(ctx context.Context) ([]aggregator.SourceState, error) {
	if p := l.poller.Load(); p != nil {
		return p.Shown(ctx)
	}
	return l.DB.Sources(ctx)
}

// healthOf is healthy while the store is open and takes writes and the
// scheduler runs.
type healthOf struct {
	db     *store.DB
	poller *poller.Poller
	reload *reloadNote
}

func (h healthOf) Healthy() error {
	if _, err := h.db.Size(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return h.poller.Healthy()
}

// ConfigNote says why the daemon runs another config than its file's: the
// last reload was refused. It is "" once a reload passes.
func (h healthOf) ConfigNote() string { return h.reload.get() }

// reloadNote holds the word on the last reload refused, for /healthz.
type reloadNote struct {
	mu   sync.Mutex
	note string
}

func (n *reloadNote) set(note string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.note = note
}

func (n *reloadNote) get() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.note
}

// retagRetry is how long the daemon waits before it tries a failed retag,
// or a failed record of the feeds' settings, again.
var retagRetry = time.Minute

// settingsRecorder records the feeds' settings in the store
// (Publisher.SettingsSince), at start and at each reload, and keeps those
// whose record the store refused (a full disk) for retry: until it passes,
// the feeds are dated by their stories alone, and a reader that revalidates
// by date is told a feed whose settings changed is the one it holds.
type settingsRecorder struct {
	pub    *publish.Publisher
	logger *slog.Logger
	mu     sync.Mutex         // serialises records, so that an older config's retry never follows a newer record
	failed *aggregator.Config // the config whose record the store refused, if any
}

// record records the settings of cfg, and keeps cfg for retry when the
// store refuses.
func (s *settingsRecorder) record(ctx context.Context, cfg *aggregator.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.pub.SettingsSince(ctx, cfg)
	s.failed = nil
	if err != nil && ctx.Err() == nil {
		s.logger.Warn("feeds keep their stories' dates as Last-Modified until their settings are recorded", "err", err)
		s.failed = cfg
	}
	return err
}

// retry records the settings whose record the store refused, if any.
func (s *settingsRecorder) retry(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed == nil {
		return nil
	}
	if err := s.pub.SettingsSince(ctx, s.failed); err != nil {
		return err
	}
	s.failed = nil
	s.logger.Info("feeds' settings recorded")
	return nil
}

// retag re-decides the stored stories when the settings that decide their
// faces, topics and tags changed, logs what it did, and returns the error
// of a retag that failed, unless ctx ended.
func retag(ctx context.Context, logger *slog.Logger, pl *poller.Poller) error {
	n, err := pl.RetagIfChanged(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		logger.Error("retagging stories", "err", err)
		return err
	case err == nil && n > 0:
		logger.Info("stories retagged", "stories", n)
	}
	return nil
}
