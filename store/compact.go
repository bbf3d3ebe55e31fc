package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CompactTxSize bounds how much one transaction of a compaction copies,
// and so the memory it holds: on an 868 MiB database, 16 MiB kept the Go
// heap at 152 MB (64 MiB: 319 MB) and took as long, within the noise.
const CompactTxSize = 16 << 20

// CompactResult says what Compact did.
type CompactResult struct {
	// Before and After are the file's sizes in bytes.
	Before, After int64
	Took          time.Duration
}

// Compact rewrites the database at path without its free pages: it
// opens it for writing (waiting opts.LockTimeout for the lock), copies
// every bucket, known or not, with bbolt's Compact into PATH.compact,
// syncs it, and renames it over path while still holding the lock on
// the old file. A crash at any moment leaves path whole: the old file
// until the rename, the new one after it (a PATH.compact left behind is
// removed by the next Compact). A process that was waiting for the lock
// finds path replaced, and opens the new file (see Open).
func Compact(ctx context.Context, path string, opts Options) (_ CompactResult, err error) {
	defer protect(path, nil, &err)()
	start := time.Now()
	var res CompactResult
	opts.ReadOnly = false
	s, err := Open(ctx, path, opts)
	if err != nil {
		return res, err
	}
	defer s.Close()
	// bbolt's Compact walks every page: a damaged one is refused here,
	// not copied into the compacted file.
	if err := s.Check(ctx); err != nil {
		return res, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return res, fmt.Errorf("store: compact: %w", err)
	}
	res.Before = fi.Size()
	tmp := path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("store: compact: remove stale %s: %w", tmp, err)
	}
	if err := copyCompacted(ctx, s.db, tmp, opts.NoSync); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("store: compact %s: %w", path, err)
	}
	if err := replaceFile(tmp, path, opts.NoSync); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("store: compact %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil {
		res.After = fi.Size()
	}
	res.Took = time.Since(start)
	return res, nil
}

// copyCompacted writes src's buckets, compacted, into a new file dst.
func copyCompacted(ctx context.Context, src *bolt.DB, dst string, noSync bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db, err := bolt.Open(dst, 0o644, &bolt.Options{Timeout: time.Second, NoSync: noSync, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return err
	}
	if err := bolt.Compact(db, src, CompactTxSize); err != nil {
		db.Close()
		return err
	}
	if !noSync {
		if err := db.Sync(); err != nil {
			db.Close()
			return err
		}
	}
	return db.Close()
}

// replaceFile renames tmp over path and syncs the folder, so that the
// rename itself survives a crash.
func replaceFile(tmp, path string, noSync bool) error {
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if noSync {
		return nil
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a folder, making a rename or create in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// FreeShare returns the share of the file's pages that are free (from
// deletions, kept for reuse), between 0 and 1: what Compact would give
// back.
func (s *Store) FreeShare() float64 {
	st := s.db.Stats()
	var size int64
	s.view(func(tx *bolt.Tx) error {
		size = tx.Size()
		return nil
	})
	if size == 0 {
		return 0
	}
	free := int64(st.FreePageN+st.PendingPageN) * int64(s.db.Info().PageSize)
	return float64(free) / float64(size)
}

// BackupResult says what Backup wrote.
type BackupResult struct {
	// Size is the snapshot's size in bytes, and LastSeq its newest
	// change-log seq.
	Size    int64
	LastSeq uint64
}

// Backup writes a consistent snapshot of the database to file: a bbolt
// file as of one read transaction (Tx.WriteTo), which writers do not
// wait on in the same process, written to FILE.tmp, synced, checked page
// by page and checksum by checksum (a damaged database gives a
// *DamagedError, and the previous backup stays), then renamed over file, so that a crash leaves the old backup or the new one. A
// read-only store can back up while serve reads it; a writer in another
// process waits only while the snapshot is copied.
func (s *Store) Backup(ctx context.Context, file string) (BackupResult, error) {
	var res BackupResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	tmp := file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return res, fmt.Errorf("store: backup: %w", err)
	}
	err = s.view(func(tx *bolt.Tx) error {
		res.LastSeq = tx.Bucket(bucketChanges).Sequence()
		n, err := tx.WriteTo(&ctxWriter{ctx: ctx, w: f})
		res.Size = n
		return err
	})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// A snapshot of a damaged database would replace a good
		// backup with a damaged one: it is checked before the rename.
		var rep *DamageReport
		if rep, err = ScanFile(tmp); err == nil {
			if derr := rep.Err(tmp); derr != nil {
				err = damaged(s.path, derr.(*DamagedError).Page, "%s; the backup was not written, %s is as it was",
					derr.(*DamagedError).Detail, file)
			}
		}
	}
	if err == nil {
		err = replaceFile(tmp, file, false)
	}
	if err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("store: backup %s to %s: %w", s.path, file, err)
	}
	return res, nil
}

// ctxWriter stops a long copy when ctx is cancelled.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// ErrRestoreOlder is returned, wrapped, by Restore when the snapshot's
// last seq is below the database's: it would lose changes that readers
// may have seen.
var ErrRestoreOlder = errors.New("store: snapshot is older than the database")

// RestoreResult says what Restore did.
type RestoreResult struct {
	// SnapshotSeq and CurrentSeq are the last seqs of the snapshot and of
	// the database it replaced (0 when there was none).
	SnapshotSeq, CurrentSeq uint64
}

// ErrBadSnapshot is returned, wrapped, by Restore for a snapshot it
// will not restore, with or without force: one that is empty, not a
// newsfeed database, damaged, or fails the check.
var ErrBadSnapshot = errors.New("store: the snapshot cannot be restored")

// Restore replaces the database at path with the snapshot in file. It
// refuses a snapshot that is empty, not a newsfeed database, or damaged
// (its pages and checksums are read without trusting them), with or
// without force; it copies the snapshot to PATH.restore, opens the copy
// (migrating it if it is older), and refuses it unless Verify finds no
// problem. It then takes the lock on path (without opening it with
// bbolt, so that a damaged database can be replaced), refuses a snapshot
// whose last seq is below the database's unless force (the error wraps
// ErrRestoreOlder) or the database is damaged, and renames the copy over
// path while holding the lock: a crash leaves the old database or the
// restored one. The snapshot file itself is never changed.
func Restore(ctx context.Context, file, path string, force bool, opts Options) (res RestoreResult, err error) {
	defer protect(file, nil, &err)()
	opts.ReadOnly = false
	refuse := func(why error) error { return refuseSnapshot(file, why) }
	if err := checkFile(file, true); err != nil {
		return res, refuse(err)
	}
	rep, err := ScanFile(file)
	if err != nil {
		return res, refuse(err)
	}
	if derr := rep.Err(file); derr != nil {
		return res, refuse(derr)
	}
	tmp := path + ".restore"
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return res, fmt.Errorf("store: restore: %w", err)
	}
	if err := copyFile(file, tmp); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("store: restore %s: %w", file, err)
	}
	defer os.Remove(tmp) // after the rename, there is nothing to remove
	if err := checkFile(tmp, true); err != nil {
		return res, refuse(err)
	}
	if res.SnapshotSeq, err = checkSnapshot(ctx, file, tmp, opts); err != nil {
		return res, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		unlock, err := lockFile(ctx, path, opts.LockTimeout)
		if err != nil {
			return res, err
		}
		defer unlock()
		cur, err := ScanFile(path)
		switch {
		case err != nil || cur.Damaged():
			// A damaged database is what a restore replaces: its last
			// seq cannot be trusted, and it is not opened.
		case !force:
			res.CurrentSeq = cur.lastSeq
			if res.CurrentSeq > res.SnapshotSeq {
				return res, fmt.Errorf("%w: %s ends at seq %d, %s at %d; restore with --force to go back anyway",
					ErrRestoreOlder, file, res.SnapshotSeq, path, res.CurrentSeq)
			}
		default:
			res.CurrentSeq = cur.lastSeq
		}
	}
	if err := replaceFile(tmp, path, opts.NoSync); err != nil {
		return res, fmt.Errorf("store: restore %s: %w", file, err)
	}
	return res, nil
}

// refuseSnapshot is Restore's error for snapshot file, refused because of
// why: it wraps ErrBadSnapshot and why, but never ErrDamaged (the
// snapshot is damaged, not the database).
func refuseSnapshot(file string, why error) error {
	if errors.Is(why, ErrDamaged) {
		return fmt.Errorf("store: restore %s: %w: %v", file, ErrBadSnapshot, why)
	}
	return fmt.Errorf("store: restore %s: %w: %w", file, ErrBadSnapshot, why)
}

// checkSnapshot opens tmp, the copy of snapshot file, as a database
// (migrating it with opts), verifies it, and returns its last seq.
func checkSnapshot(ctx context.Context, file, tmp string, opts Options) (seq uint64, err error) {
	ro, err := Open(ctx, tmp, Options{ReadOnly: true, LockTimeout: opts.LockTimeout})
	if err == nil {
		ro.Close()
	} else if errors.Is(err, ErrNoDatabase) || errors.Is(err, ErrNotDatabase) || errors.Is(err, ErrSchemaTooNew) || errors.Is(err, ErrDamaged) {
		return 0, refuseSnapshot(file, err)
	}
	snap, err := Open(ctx, tmp, opts)
	if err != nil {
		return 0, refuseSnapshot(file, err)
	}
	problems, err := snap.Verify(ctx)
	if err == nil && len(problems) > 0 {
		err = refuseSnapshot(file, fmt.Errorf("it fails the check: %s", problems[0]))
	}
	if err == nil {
		seq, err = snap.LastSeq(ctx)
	}
	if cerr := snap.Close(); err == nil {
		err = cerr
	}
	return seq, err
}

// lockFile takes bbolt's exclusive lock (flock) on the file at path
// without opening it as a database, waiting up to timeout (zero:
// DefaultLockTimeout) before returning a *LockedError.
func lockFile(ctx context.Context, path string, timeout time.Duration) (func(), error) {
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("store: lock %s: %w", path, err)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			f.Close()
			s := &Store{pidPath: path + ".pid"}
			return nil, &LockedError{Path: path, PID: s.readPID()}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// copyFile copies src to a new file dst and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
