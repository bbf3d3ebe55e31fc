//go:build linux

package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"newsfeed/store"
)

// A commit that fails — the disk full, here a real one: the process may
// not grow the database file past its size after the first commit
// (RLIMIT_FSIZE, so bbolt's writes fail with EFBIG as they would with
// ENOSPC) — makes its pages and every later one failed. The counts add up
// to what was read, New is what the database holds, and LastSeq is the
// database's.
func TestRun_FailedCommitCounted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "news.db")
	s, err := store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := mustPages(t, 0, 60)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	var once sync.Once
	restore := func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
	}
	defer once.Do(func() {}) // no limit set if Run never called OnPage
	defer restore()
	sum, runErr := Ingest(ctx, s, []string{dir}, Options{BatchSize: 1, Workers: 1, OnPage: func() {
		once.Do(func() { // after the first page's commit
			fi, err := os.Stat(path)
			if err != nil {
				t.Error(err)
				return
			}
			lim := old
			lim.Cur = uint64(fi.Size())
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
				t.Error(err)
			}
		})
	}})
	restore()
	if runErr == nil || !strings.Contains(runErr.Error(), "write batch") {
		t.Fatalf("err = %v, want a failed commit", runErr)
	}
	t.Log(runErr)
	if sum.Failed == 0 || sum.New == 0 || sum.New+sum.Changed+sum.Unchanged+sum.Failed != sum.Read {
		t.Errorf("summary %s: want the pages committed new, the rest failed, adding up to those read", sum)
	}
	if n := countArticles(t, s); n != sum.New {
		t.Errorf("%d articles stored, summary says %d new", n, sum.New)
	}
	if seq, err := s.LastSeq(ctx); err != nil || sum.LastSeq != seq || seq == 0 {
		t.Errorf("summary says last seq %d, the database %d (%v)", sum.LastSeq, seq, err)
	}
}
