package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long Open waits for another process's lock
// when Options.LockTimeout is zero.
const DefaultLockTimeout = 10 * time.Second

// Errors Open returns; test for them with errors.Is.
var (
	// ErrNoDatabase: a read-only open found no file.
	ErrNoDatabase = errors.New("store: no database")
	// ErrNotDatabase: the file is not a bbolt file, or is a bbolt file
	// some other program wrote. Open never writes to such a file.
	ErrNotDatabase = errors.New("store: not a newsfeed database")
	// ErrSchemaTooNew: the file was written by a newer newsfeed.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this newsfeed")
	// ErrLocked: another process holds the database. Open returns it
	// wrapped in a *LockedError.
	ErrLocked = errors.New("store: database is locked")
	// ErrNotFound: no record has the id.
	ErrNotFound = errors.New("store: not found")
)

// LockedError says that another process held the database for longer
// than the lock timeout.
type LockedError struct {
	Path string
	// PID is the writer's process id when known, else 0.
	PID int
}

// Error names the holder when it is known.
func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("database is locked by another newsfeed process (pid %d): %s", e.PID, e.Path)
	}
	return fmt.Sprintf("database is locked by another newsfeed process (pid unknown): %s", e.Path)
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Options configure Open.
type Options struct {
	// ReadOnly opens for reading: the file must exist, and other readers
	// may hold it at the same time, but no writer.
	ReadOnly bool
	// LockTimeout is how long to wait for another process's lock; zero
	// means DefaultLockTimeout. Open never waits forever.
	LockTimeout time.Duration
	// Now is the clock for first_seen and last_seen; nil means time.Now.
	Now func() time.Time
	// NoSync skips fsync at commit. For tests and benchmarks only: a
	// crash may then lose or corrupt committed data.
	NoSync bool
}

// Store is an open database. Its methods are safe for concurrent use;
// writes are serialised by bbolt.
type Store struct {
	db       *bolt.DB
	path     string
	pidPath  string
	readOnly bool
	now      func() time.Time
}

// Open opens the database at path. A missing file is created (with its
// folder) unless opts.ReadOnly; an existing file that is not a newsfeed
// database is refused with ErrNotDatabase and left as it is; a database
// written by a newer schema is refused with ErrSchemaTooNew. When another
// process holds the file for longer than opts.LockTimeout, Open returns a
// *LockedError.
func Open(ctx context.Context, path string, opts Options) (_ *Store, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkFile(path, opts.ReadOnly); err != nil {
		return nil, err
	}
	// A truncated file would make bbolt fault as it maps it.
	if err := checkSize(path); err != nil {
		return nil, err
	}
	defer protect(path, nil, &err)()
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	s := &Store{path: path, pidPath: path + ".pid", readOnly: opts.ReadOnly, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	db, err := openSwapped(path, &bolt.Options{
		Timeout:  timeout,
		ReadOnly: opts.ReadOnly,
		NoSync:   opts.NoSync,
		// The hashmap freelist stays fast as the file grows.
		FreelistType: bolt.FreelistMapType,
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, &LockedError{Path: path, PID: s.readPID()}
	case errors.Is(err, bolterrors.ErrChecksum):
		// It starts as a bbolt file does (checkFile), but both meta
		// pages fail their checksums.
		return nil, damaged(path, 0, "both meta pages fail their checksums: %v", err)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: %v", ErrNotDatabase, path, err)
	case errors.Is(err, fs.ErrPermission) && !opts.ReadOnly:
		return nil, fmt.Errorf("store: open %s for writing: %w (the file or its folder is read-only: "+
			"fix the permissions, or use a command that only reads)", path, err)
	case err != nil:
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.db = db
	if !opts.ReadOnly {
		s.writePID()
	}
	if err := s.initProtected(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openSwapped opens path with bbolt, and opens it again when the file
// was replaced while Open waited for its lock: Compact and Restore rename
// a new file over path while holding the lock on the old one, which a
// waiter would otherwise get, and write to, once it is unlinked.
func openSwapped(path string, opts *bolt.Options) (*bolt.DB, error) {
	for attempt := 0; ; attempt++ {
		before, _ := os.Stat(path)
		db, err := bolt.Open(path, 0o644, opts)
		if err != nil {
			return nil, err
		}
		after, err := os.Stat(path)
		if err != nil || before == nil || os.SameFile(before, after) || attempt == 10 {
			return db, nil
		}
		db.Close()
	}
}

// checkFile refuses a path that holds something other than a bbolt file
// before bbolt gets to open it. An empty file holds nothing to lose, so it
// may become a database.
func checkFile(path string, readOnly bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if readOnly {
			return fmt.Errorf("%w at %s", ErrNoDatabase, path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("store: create folder for %s: %w", path, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("store: %w", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: %s is not a regular file", ErrNotDatabase, path)
	case fi.Size() == 0:
		if readOnly {
			return fmt.Errorf("%w: %s is empty", ErrNoDatabase, path)
		}
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	// A bbolt file starts with a meta page: a 16-byte page header, then
	// the magic number in the machine's byte order.
	var head [20]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return fmt.Errorf("%w: %s is too short to be one", ErrNotDatabase, path)
	}
	if binary.NativeEndian.Uint32(head[16:]) != boltMagic {
		return fmt.Errorf("%w: %s is not a bbolt file", ErrNotDatabase, path)
	}
	return nil
}

// boltMagic is the number bbolt writes in its meta pages.
const boltMagic = 0xED0CDAED

// Path returns the database's file name.
func (s *Store) Path() string { return s.path }

// Close closes the database and removes the pid file it wrote.
func (s *Store) Close() error {
	if s.db == nil {
		return nil
	}
	if !s.readOnly && s.readPID() == os.Getpid() {
		os.Remove(s.pidPath)
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// writePID records this process as the writer. It is best effort: the
// pid only makes a LockedError more helpful.
func (s *Store) writePID() {
	tmp := s.pidPath + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return
	}
	if err := os.Rename(tmp, s.pidPath); err != nil {
		os.Remove(tmp)
	}
}

// readPID returns the pid in the pid file if that process is alive, else 0.
func (s *Store) readPID() int {
	b, err := os.ReadFile(s.pidPath)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	if pid == os.Getpid() {
		return pid
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return 0 // stale: that process is gone
	}
	return pid
}

// Check checks the file's pages and every record's checksum (see Scan)
// and returns the first problem as a *DamagedError.
func (s *Store) Check(ctx context.Context) error {
	rep, err := s.Scan(ctx)
	if err != nil {
		return err
	}
	return rep.Err(s.path)
}

// Size returns the database file's size in bytes.
func (s *Store) Size() (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n, err
}

// copyBytes returns a copy of b, which bbolt owns only until the
// transaction ends.
func copyBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return bytes.Clone(b)
}

// commitError wraps an error from committing a write transaction, naming
// the cause an operator can act on when the disk is full or the file has
// hit a size limit. bbolt leaves the file as it was before the
// transaction.
func commitError(err error) error {
	if isFull(err) {
		return fmt.Errorf("store: commit: %w (the disk is full or the file size limit is reached; "+
			"nothing of this batch was written: free space and run again)", err)
	}
	return fmt.Errorf("store: commit: %w", err)
}

// isFull reports whether err says the disk is full or the file too
// large. bbolt formats some of its causes into its message (a failed
// resize) instead of wrapping them, so the message is read too.
func isFull(err error) bool {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT} {
		if errors.Is(err, errno) || strings.Contains(err.Error(), errno.Error()) {
			return true
		}
	}
	return false
}
