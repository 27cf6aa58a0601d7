// Command tributary polls the sources listed in config.yaml, folds the same
// story from many outlets into one, and serves each topic as a merged feed.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit statuses, as the README's "Command line" gives them.
const (
	exitFailure = 1 // a runtime failure
	exitUsage   = 2 // bad usage or bad configuration
)

// exitError carries an exit status through run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	ctx, stop := notifyStop()
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	code := exitFailure
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "tributary:", err)
	} else {
		code = 0
	}
	os.Exit(code)
}

// notifyStop returns a context that the first SIGINT or SIGTERM cancels.
// From then on the two signals take their default action again, so that a
// second one ends the process at once, where a graceful stop waits for
// requests and commits in progress: a commit cut short is rolled back, as
// after a crash.
func notifyStop() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
		case <-ctx.Done():
		}
		// Before the context ends, so that whoever sees it end may tell
		// the operator that a second signal stops at once.
		signal.Stop(sig)
		cancel()
	}()
	return ctx, cancel
}

// command is one subcommand of tributary.
type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
	// ownFlags commands parse every flag themselves, -config among them
	// when they take it (configFlag).
	ownFlags bool
}

// env is what every command gets: its output streams and the config path.
type env struct {
	stdout, stderr io.Writer
	configPath     string
}

var commands = []command{
	{"serve", "", "run the daemon: scheduler, poller and HTTP server (SIGHUP reloads the config)", cmdServe, false},
	{"poll", "[-force]", "fetch every source once, ingest, print a summary, exit", cmdPoll, true},
	{"check", "", "validate the config; exit 2 with file:line errors", cmdCheck, false},
	{"status", "", "per-source state: last fetch, last error, next due, items brought in", cmdStatus, false},
	{"export", "", "every stored item as JSON Lines, to stdout", cmdExport, false},
	{"explain", "LINK [OTHER]", "which story an item joined and why, which topics took it; with OTHER, why the two are one story or two", cmdExplain, false},
	{"topics", "test [-all] ID", "evaluate a topic's rules against the stored stories, and say why", cmdTopics, true},
	{"opml", "", "print every source as OPML 2.0", cmdOPML, false},
	{"backup", "FILE", "write a consistent copy of the store, even while the daemon runs", cmdBackup, false},
	{"compact", "", "rewrite the store to reclaim space (daemon stopped)", cmdCompact, false},
	{"verify", "[FILE]", "check the store (or the store file FILE, a backup) for damage; exit 1 when damaged", cmdVerify, false},
	{"health", "", "ask the running daemon's /healthz; exit 0 when healthy", cmdHealth, false},
	{"bench", "[FLAGS]", "measure the pipeline on synthetic feeds served on loopback", cmdBench, true},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: tributary COMMAND [-config FILE] [ARGS]\n\nCommands:\n")
	// Every summary starts in one column, however long a command's arguments.
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name)+1+len(c.args))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintf(w, "\n-config defaults to $TRIBUTARY_CONFIG, else config.yaml.\n"+
		"Run 'tributary COMMAND -h' for a command's flags.\n")
}

// run parses args and runs one command. It returns an *exitError for bad
// usage and bad configuration.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return usageError("no command given")
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		if c.ownFlags {
			rest := args[1:]
			if len(rest) > 0 && rest[0] == "--" {
				rest = rest[1:] // "bench -- -feeds 100" worked before bench took its own flags
			}
			return c.run(ctx, &env{stdout: stdout, stderr: stderr}, rest)
		}
		fs := flag.NewFlagSet("tributary "+c.name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		e := &env{stdout: stdout, stderr: stderr}
		configFlag(fs, e)
		fs.Usage = func() {
			fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n\n", strings.TrimSpace("tributary "+c.name+" [-config FILE] "+c.args), c.summary)
			fs.PrintDefaults()
		}
		rest, err := parseInterleaved(fs, args[1:], stdout)
		if err != nil {
			return err
		}
		return c.run(ctx, e, rest)
	}
	usage(stderr)
	if flagName, _, _ := strings.Cut(strings.TrimLeft(name, "-"), "="); strings.HasPrefix(name, "-") && flagName == "config" {
		// "tributary -config FILE serve", as other tools take it.
		return usageError("-config goes after the command (tributary COMMAND -config FILE), got it before any")
	}
	return usageError("unknown command %q", name)
}

// configFlag defines -config on fs, into e.configPath: $TRIBUTARY_CONFIG,
// else config.yaml, when not given.
func configFlag(fs *flag.FlagSet, e *env) {
	def := os.Getenv("TRIBUTARY_CONFIG")
	if def == "" {
		def = "config.yaml"
	}
	fs.StringVar(&e.configPath, "config", def, "path to the YAML configuration")
}

// parseInterleaved parses args with fs as parseFlags does, but reads flags
// after the command's other arguments too, as people write them
// ("explain LINK -config F", "topics test -all ID"), and returns those
// others in order. After "--" every argument is taken as it is.
func parseInterleaved(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var others []string
	for {
		if err := parseFlags(fs, args, stdout); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return others, nil
		}
		if read := len(args) - len(rest); read > 0 && args[read-1] == "--" {
			return append(others, rest...), nil
		}
		others = append(others, rest[0])
		args = rest[1:]
	}
}

// parseFlags parses a command's args with fs: -h gives flag.ErrHelp, a bad
// flag an *exitError for bad usage. The usage that -h asked for goes to
// stdout, as `tributary -h` prints it, so that it pages and greps; the one
// that comes with a bad flag goes to fs's output, stderr, without the
// error, which the returned error carries.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	out := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		out = stdout
	}
	text := buf.Bytes()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		// The flag package prints the error above the usage; main prints
		// it once, last, where the operator looks.
		text = bytes.TrimPrefix(text, []byte(err.Error()+"\n"))
	}
	out.Write(text)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}
