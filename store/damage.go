package store

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged says the database file is damaged: a page bbolt cannot
// read, a file shorter than its pages, or a record whose checksum fails.
// Store methods return it wrapped in a *DamagedError; test for it with
// errors.Is.
var ErrDamaged = errors.New("store: database is damaged")

// DamagedError says where a database is damaged.
type DamagedError struct {
	// Path is the database file.
	Path string
	// Page is the damaged page's number, or -1 when it is not known.
	Page int64
	// Detail says what is wrong: the bucket and record when known, or
	// what bbolt tripped over.
	Detail string
}

// Error names the file, the page and what to do.
func (e *DamagedError) Error() string {
	where := "damaged"
	if e.Page >= 0 {
		where = fmt.Sprintf("damaged at page %d", e.Page)
	}
	return fmt.Sprintf("%s: %s (%s): run \"newsfeed check\", restore from a backup", e.Path, where, e.Detail)
}

// Unwrap returns ErrDamaged.
func (e *DamagedError) Unwrap() error { return ErrDamaged }

// damaged returns a *DamagedError for path. page < 0 means unknown.
func damaged(path string, page int64, format string, args ...any) *DamagedError {
	return &DamagedError{Path: path, Page: page, Detail: fmt.Sprintf(format, args...)}
}

// protect turns a panic or a memory fault in the calling function into a
// *DamagedError in *err: bbolt trusts the file's pages, and a damaged
// one makes it index out of range, panic on a page type, or read past
// the end of a truncated file's mapping (a fault that would otherwise
// end the process). Use it as
//
//	defer protect(path, db, &err)()
//
// which sets the goroutine's panic-on-fault and restores it when the
// function returns. db, when not nil, is the open database: a fault's
// address then names the page.
func protect(path string, db *bolt.DB, err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		r := recover()
		debug.SetPanicOnFault(old)
		if r == nil {
			var de *DamagedError
			if *err != nil && errors.Is(*err, ErrDamaged) && !errors.As(*err, &de) {
				*err = damaged(path, -1, "%v", *err)
			}
			return
		}
		*err = fromPanic(path, db, r)
	}
}

// fromPanic describes the recovered panic r as damage to path.
func fromPanic(path string, db *bolt.DB, r any) *DamagedError {
	page := int64(-1)
	detail := fmt.Sprint(r)
	var fault interface{ Addr() uintptr }
	if e, ok := r.(error); ok && errors.As(e, &fault) {
		if data, size := mapStart(db); size > 0 && fault.Addr() >= data {
			page = int64((fault.Addr() - data) / uintptr(size))
		}
		detail = "the file is shorter than its pages, or a page points outside it: " + detail
	} else if _, ok := r.(runtime.Error); ok {
		detail = "bbolt read a malformed page: " + detail
	}
	if page < 0 {
		page = pageInPanic(detail)
	}
	return damaged(path, page, "%s", strings.TrimSpace(detail))
}

// mapStart returns where db's file is mapped and its page size, or 0, 0
// when it is not mapped.
func mapStart(db *bolt.DB) (data uintptr, pageSize int) {
	if db == nil {
		return 0, 0
	}
	defer func() {
		if recover() != nil {
			data, pageSize = 0, 0
		}
	}()
	info := db.Info()
	return info.Data, info.PageSize
}

// pageInPanic reads a page number from one of bbolt's panic messages
// ("invalid page type: 12: 10", "page 12 already freed"), else -1.
func pageInPanic(msg string) int64 {
	for _, prefix := range []string{"invalid page type: ", "page "} {
		if i := strings.Index(msg, prefix); i >= 0 {
			var n int64
			if _, err := fmt.Sscanf(msg[i+len(prefix):], "%d", &n); err == nil && n >= 0 {
				return n
			}
		}
	}
	return -1
}

// initProtected runs init, turning damage into a *DamagedError.
func (s *Store) initProtected() (err error) {
	defer protect(s.path, s.db, &err)()
	return s.init()
}

// damagedFile returns a *DamagedError when a scan of the file finds
// damage, else nil.
func (s *Store) damagedFile() error {
	rep, err := ScanFile(s.path)
	if err != nil {
		return nil
	}
	return rep.Err(s.path)
}

// view runs fn in a read transaction; damage becomes a *DamagedError.
func (s *Store) view(fn func(tx *bolt.Tx) error) (err error) {
	defer protect(s.path, s.db, &err)()
	return s.db.View(fn)
}

// updateTx runs fn in a write transaction; damage becomes a
// *DamagedError, and nothing is committed.
func (s *Store) updateTx(fn func(tx *bolt.Tx) error) (err error) {
	defer protect(s.path, s.db, &err)()
	return s.db.Update(fn)
}
