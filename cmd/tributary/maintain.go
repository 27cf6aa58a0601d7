package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/store"
)

// cmdBackup writes a consistent copy of the store. It reads through a
// read-only handle, so it works beside a running daemon only when that
// daemon is not holding the file; otherwise it asks the daemon.
func cmdBackup(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return usageError("backup takes one argument: the file to write")
	}
	cfg, _, err := loadConfig(e)
	if err != nil {
		return err
	}
	dst := args[0]
	if err := checkBackupTarget(dst, cfg.Storage.Path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// A file already at dst, a backup before this one or anything else,
	// is replaced once the copy is checked: said, not done silently.
	_, statErr := os.Stat(dst)
	replaces := statErr == nil
	if err := removeBackupLeftovers(filepath.Dir(dst), e.stdout); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), backupTempPrefix+"*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	// A shared lock on the copy, held until it is in place, tells another
	// backup's removeBackupLeftovers that it is being written; the check
	// below opens it read-only, which shares the lock.
	marker, err := os.Open(tmp.Name())
	if err == nil {
		err = syscall.Flock(int(marker.Fd()), syscall.LOCK_SH)
		defer marker.Close()
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	var n int64
	err = withReadStore(ctx, cfg, func(db *store.DB) error {
		var err error
		n, err = db.Backup(ctx, tmp)
		return err
	}, func(body io.Reader) error {
		var err error
		n, err = io.Copy(tmp, body)
		return err
	}, "/api/backup", "backup")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The copy must open before it replaces anything.
	check, err := store.Open(tmp.Name(), store.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("backup does not open: %w", err)
	}
	check.Close()
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	if replaces {
		fmt.Fprintf(e.stdout, "wrote %s (%d bytes), in place of the file that was there\n", dst, n)
		return nil
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d bytes)\n", dst, n)
	return nil
}

// backupTempPrefix starts the name of the copy backup writes beside FILE
// before the copy takes FILE's name.
const backupTempPrefix = ".tributary-backup-"

// removeBackupLeftovers deletes from dir the copies that backups cut short
// (killed, or the machine went down) left there, each as large as the
// store, and says so on w. A copy a running backup is writing is locked
// (cmdBackup), and a copy begun in the last minute may not be locked yet:
// both stay.
func removeBackupLeftovers(dir string, w io.Writer) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), backupTempPrefix) {
			continue
		}
		if fi, err := e.Info(); err != nil || time.Since(fi.ModTime()) < time.Minute {
			continue
		}
		left := filepath.Join(dir, e.Name())
		f, err := os.Open(left)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if err := os.Remove(left); err == nil {
				fmt.Fprintf(w, "removed %s, left by a backup that was cut short\n", left)
			}
		}
		f.Close()
	}
	return nil
}

// checkBackupTarget refuses, before anything is copied, a backup file that
// would take the place of a folder, of the store at storePath, or of a
// file some process holds locked, as a daemon holds its store: the daemon
// would go on writing into the file the copy replaced, and everything it
// stored from then on would be lost when it stopped.
func checkBackupTarget(dst, storePath string) error {
	fi, err := os.Stat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder: name the file to write", dst)
	}
	if sfi, err := os.Stat(storePath); err == nil && os.SameFile(fi, sfi) {
		return fmt.Errorf("%s is the store itself (storage.path): name another file", dst)
	}
	f, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("%s is locked by a running process, as a daemon locks its store: name another file", dst)
	}
	return nil // closing f releases the lock just taken
}

func cmdCompact(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError("compact takes no arguments")
	}
	cfg, _, err := loadConfig(e)
	if err != nil {
		return err
	}
	// Opened for writing, a missing store would be made, empty, and
	// compacted: run from another folder than the daemon's, with a
	// relative storage.path, compact would leave a stray store there and
	// say it compacted one.
	if _, err := os.Stat(cfg.Storage.Path); errors.Is(err, fs.ErrNotExist) {
		where := ""
		if !filepath.IsAbs(cfg.Storage.Path) {
			where = " (storage.path is relative to the working directory: run compact from the folder the daemon runs in)"
		}
		return fmt.Errorf("compact: no store at %s, nothing to compact%s", cfg.Storage.Path, where)
	}
	// A storage.path that is a symbolic link (to a store on another
	// disk) is compacted where it leads: the copy is written beside the
	// store itself and takes its place there, so that the rename stays
	// on one file system and the link goes on naming the store, where
	// renaming onto the link would replace the link with the copy and
	// leave the store it led to as it was.
	path, err := filepath.EvalSymlinks(cfg.Storage.Path)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	if err := removeLeftovers(path, e.stdout); err != nil {
		db.Close()
		return fmt.Errorf("compact: %w", err)
	}
	before, _ := db.Size()
	tmp := path + compactSuffix + time.Now().UTC().Format("20060102T150405")
	err = db.Compact(ctx, tmp)
	if err == nil {
		err = keepOwnership(tmp, path)
	}
	var fi os.FileInfo
	if err == nil {
		fi, err = os.Stat(tmp)
	}
	if err == nil {
		// The copy takes the store's place while the old file is still
		// locked: a daemon starting meanwhile waits for the lock, then
		// finds the copy at the path (store.Open) and opens it. Let go
		// first, and a daemon could lock the old file in between and go
		// on writing into it after the copy replaced it, losing what it
		// stored.
		err = os.Rename(tmp, path)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact: %w", err)
	}
	fmt.Fprintf(e.stdout, "compacted %s: %d → %d bytes\n", cfg.Storage.Path, before, fi.Size())
	return nil
}

// compactSuffix ends the name of the copy compact writes beside the store
// before the copy takes the store's place.
const compactSuffix = ".compact-"

// removeLeftovers deletes the copies that compacts cut short (killed, or
// the machine went down) left beside the store at path, each up to the
// store's size, and says so on w. It runs with the store open for writing:
// no other compact is writing one then.
func removeLeftovers(path string, w io.Writer) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), base+compactSuffix) {
			continue
		}
		left := filepath.Join(dir, e.Name())
		if err := os.Remove(left); err != nil {
			return err
		}
		fmt.Fprintf(w, "removed %s, left by a compact that was cut short\n", left)
	}
	return nil
}

// keepOwnership gives the file at path the permissions, owner and group of
// the file at like, so that a store compacted by another user (root, for a
// daemon that runs as its own user) still opens for the daemon.
func keepOwnership(path, like string) error {
	want, err := os.Stat(like)
	if err != nil {
		return err
	}
	if err := os.Chmod(path, want.Mode().Perm()); err != nil {
		return err
	}
	got, err := os.Stat(path)
	if err != nil {
		return err
	}
	w, ok1 := want.Sys().(*syscall.Stat_t)
	g, ok2 := got.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 || w.Uid == g.Uid && w.Gid == g.Gid {
		return nil
	}
	if err := os.Chown(path, int(w.Uid), int(w.Gid)); err != nil {
		return fmt.Errorf("giving the compacted store the owner of %s: %w", like, err)
	}
	return nil
}

// cmdVerify checks the store at storage.path, or the store file given (a
// backup), and exits 1 when it is damaged. It reads the file through a
// read-only handle; when a running daemon holds the file, the daemon
// checks it in one of its read transactions (/api/verify), since bbolt
// lets no other process open a file a writer holds, and reading it
// unlocked would meet pages the daemon is rewriting.
func cmdVerify(ctx context.Context, e *env, args []string) error {
	if len(args) > 1 {
		return usageError("verify takes at most one argument: a store file to check in place of storage.path")
	}
	var (
		rep   ops.VerifyReport
		path  string
		where string
	)
	local := func(db *store.DB) error {
		problems, err := db.Verify(ctx)
		rep.Problems = problems
		if err != nil {
			if ctx.Err() != nil || !errors.Is(err, store.ErrDamaged) {
				return err
			}
			rep.Error = err.Error()
		}
		return nil
	}
	if len(args) == 1 {
		path = args[0]
		db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 500 * time.Millisecond})
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%w (a running daemon holds it: run verify with that daemon's -config and no file, and the daemon checks its store)", err)
		}
		if err != nil {
			return err
		}
		err = local(db)
		db.Close()
		if err != nil {
			return err
		}
	} else {
		var daemon string // where the daemon is asked
		remote := func(body io.Reader) error {
			where = " (checked by the running daemon at " + daemon + ")"
			return json.NewDecoder(body).Decode(&rep)
		}
		cfg, _, err := loadConfig(e)
		if err != nil {
			// The daemon's store, wherever the file that does not load
			// now puts it.
			path = "the running daemon's store"
			if listen, ok := listenOf(e.configPath); ok {
				daemon = daemonURL(&aggregator.Config{Server: aggregator.ServerConfig{Listen: listen}})
			}
			err = askDaemon(ctx, e, err, remote, "/api/verify")
		} else {
			path, daemon = cfg.Storage.Path, daemonURL(cfg)
			err = withReadStore(ctx, cfg, local, remote, "/api/verify", "verify")
		}
		if err != nil {
			return err
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stdout, ops.OneLine(p, 1000))
	}
	if rep.Error != "" {
		fmt.Fprintln(e.stdout, ops.OneLine(rep.Error, 1000))
	}
	if len(rep.Problems) == 0 && rep.Error == "" {
		fmt.Fprintf(e.stdout, "%s: sound: its pages and every record and index check out%s\n", path, where)
		return nil
	}
	n := len(rep.Problems)
	if rep.Error != "" {
		n++
	}
	if len(args) == 1 {
		return fmt.Errorf("%s: damaged: %d problem(s) found", path, n)
	}
	return fmt.Errorf("%s: damaged: %d problem(s) found%s; restore a backup", path, n, where)
}
