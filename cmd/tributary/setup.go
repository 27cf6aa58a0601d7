package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// loadConfig loads and validates the configuration and compiles its topics.
// Any problem is a usage error (exit 2) listing every problem, one per line.
// A file with no settings is one (refuseEmpty), for every command.
func loadConfig(e *env) (*aggregator.Config, *topic.Set, error) {
	if err := refuseEmpty(e.configPath); err != nil {
		return nil, nil, err
	}
	cfg, err := aggregator.LoadFile(e.configPath)
	if err != nil {
		if _, serr := os.Stat(e.configPath); errors.Is(serr, fs.ErrNotExist) {
			if note := configFrom(e.configPath); note != "" {
				err = fmt.Errorf("%w (%s)", err, note)
			}
		}
		return nil, nil, &exitError{code: exitUsage, err: err}
	}
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		return nil, nil, &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", cfg.Path, err)}
	}
	return cfg, tags, nil
}

// newLogger builds the structured logger that log.level and log.format ask
// for. Its level is the returned LevelVar, which a reload sets (setLevel).
// It becomes the default logger too, so that what the standard library
// logs of its own (net/http's client, for one, on an answer no request
// asked for) is a line of the same format: one plain line would break a
// reader of JSON logs.
func newLogger(cfg aggregator.LogConfig, w io.Writer) (*slog.Logger, *slog.LevelVar) {
	level := new(slog.LevelVar)
	setLevel(level, cfg)
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactURLs}
	var logger *slog.Logger
	if strings.EqualFold(cfg.Format, "json") {
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			return controlText(groups, durationText(groups, redactURLs(groups, a)))
		}
		logger = slog.New(slog.NewJSONHandler(w, opts))
	} else {
		logger = slog.New(slog.NewTextHandler(w, opts))
	}
	slog.SetDefault(logger)
	return logger, level
}

// redactURLs writes the credentials of a URL logged under a key ending in
// "url" (feed_url, url), and of every URL an error's message quotes, as
// "xxxxx" (see aggregator.RedactURL), as the recorded errors do: a private
// feed's password or token stays out of the logs.
func redactURLs(_ []string, a slog.Attr) slog.Attr {
	switch v := a.Value.Resolve(); {
	case strings.HasSuffix(a.Key, "url") && v.Kind() == slog.KindString:
		a.Value = slog.StringValue(aggregator.RedactURL(v.String()))
	case v.Kind() == slog.KindAny:
		if err, ok := v.Any().(error); ok && err != nil {
			a.Value = slog.StringValue(aggregator.RedactURLs(err.Error()))
		}
	case a.Key == "err" && v.Kind() == slog.KindString:
		a.Value = slog.StringValue(aggregator.RedactURLs(v.String()))
	}
	return a
}

// durationText writes a duration as the text format does ("13.9ms"), where
// JSON would write a count of nanoseconds that no reader takes for a time.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// controlText writes, in a string, the characters JSON leaves as they are
// but a terminal showing the log acts on as "\u009b": the C1 controls
// (U+009B may start an escape sequence) and the bidirectional embeddings,
// overrides and isolates (which make the text after them read backwards).
// An error can quote a host name a source's redirect gave byte for byte;
// the text format quotes such characters already.
func controlText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindString || !strings.ContainsFunc(a.Value.String(), jsonRawControl) {
		return a
	}
	var b strings.Builder
	for _, r := range a.Value.String() {
		if jsonRawControl(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	a.Value = slog.StringValue(b.String())
	return a
}

// jsonRawControl reports whether r is a character controlText escapes.
func jsonRawControl(r rune) bool {
	return (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// setLevel sets level to log.level (validated on load; info otherwise).
func setLevel(level *slog.LevelVar, cfg aggregator.LogConfig) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(cfg.Level)); err != nil {
		l = slog.LevelInfo
	}
	level.Set(l)
}

// configFrom says where path, a config file that is not there, was named
// and how to name another: by $TRIBUTARY_CONFIG, set long before and
// forgotten, or by default, run from another folder. It is "" for a path
// -config gave, which the error names as given.
func configFrom(path string) string {
	switch env := os.Getenv("TRIBUTARY_CONFIG"); {
	case env != "" && path == env:
		return "$TRIBUTARY_CONFIG names it: name the config file there, or with -config FILE"
	case env == "" && path == "config.yaml":
		return "without -config FILE or $TRIBUTARY_CONFIG, config.yaml in the working directory is read: name the config file with either"
	}
	return ""
}

// openStore opens the store for writing.
func openStore(cfg *aggregator.Config) (*store.DB, error) {
	db, err := store.Open(cfg.Storage.Path, store.Options{})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w (is tributary serve running on it? stop it first)", err)
	}
	return db, err
}

// openStoreToRead opens the store read-only for cmd, a command that reads
// it itself rather than ask a running daemon (explain, topics test), and
// says what to do when it cannot: stop the daemon that holds it, or run
// cmd where a relative storage.path finds it.
func openStoreToRead(cfg *aggregator.Config, cmd string) (*store.DB, error) {
	db, err := store.Open(cfg.Storage.Path, store.Options{ReadOnly: true})
	switch {
	case errors.Is(err, store.ErrLocked):
		// A backup is made by the daemon; poll and compact end by
		// themselves.
		return nil, fmt.Errorf("%w (%s reads the store directly: a daemon that holds it, stop it, or run %s on a backup: "+
			"tributary backup FILE, then tributary %s -config COPY …, where COPY is a copy of the config whose storage.path is FILE; "+
			"tributary poll and compact hold the store too, until they end)", err, cmd, cmd, cmd)
	case err != nil:
		return nil, notFoundHere(err, cfg, cmd)
	}
	return db, nil
}

// notFoundHere adds to err, when it says that no store is at cfg's
// storage.path and that path is relative, that it is read from the working
// directory: cmd run from another folder than the daemon's finds no store.
func notFoundHere(err error, cfg *aggregator.Config, cmd string) error {
	if errors.Is(err, fs.ErrNotExist) && !filepath.IsAbs(cfg.Storage.Path) {
		return fmt.Errorf("%w (storage.path is relative to the working directory: run %s from the folder the daemon runs in)", err, cmd)
	}
	return err
}

// readSources reads every stored source state, as the scheduler does
// before anything else, so that poll and serve fail on a damaged store
// first, with its error: before they retag or prune stories (writes into
// a file whose pages cannot be trusted), fetch, or serve.
func readSources(ctx context.Context, db *store.DB) ([]aggregator.SourceState, error) {
	return db.Sources(ctx)
}

// bindConfig gives the configured sources the identities they have in the
// store, from its source states (aggregator.BindSources): a source whose
// URL was edited keeps its stories. It compiles the topics anew with them,
// as their rules name sources by those identities.
func bindConfig(cfg *aggregator.Config, states []aggregator.SourceState) (*topic.Set, error) {
	aggregator.BindSources(cfg.Sources, states)
	tags, err := topic.Compile(cfg.Topics, cfg.Sources)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", cfg.Path, err)}
	}
	return tags, nil
}

// bindStored is bindConfig with the source states stored in db.
func bindStored(ctx context.Context, cfg *aggregator.Config, db *store.DB) (*topic.Set, error) {
	states, err := db.Sources(ctx)
	if err != nil {
		return nil, err
	}
	return bindConfig(cfg, states)
}
