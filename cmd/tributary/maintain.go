package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

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
	}, "/api/backup")
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
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	if err := removeLeftovers(cfg.Storage.Path, e.stdout); err != nil {
		db.Close()
		return fmt.Errorf("compact: %w", err)
	}
	before, _ := db.Size()
	tmp := cfg.Storage.Path + compactSuffix + time.Now().UTC().Format("20060102T150405")
	err = db.Compact(ctx, tmp)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact: %w", err)
	}
	if err := keepOwnership(tmp, cfg.Storage.Path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact: %w", err)
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, cfg.Storage.Path); err != nil {
		return err
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
