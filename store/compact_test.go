package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"newsfeed/record"
)

// fill writes n pages of two headlines each to s.
func fill(t *testing.T, s *Store, n int) {
	t.Helper()
	var pages []*record.Page
	for i := range n {
		pages = append(pages, page(fmt.Sprintf("p%d.txt", i), fmt.Sprintf("T%d", i), strings.Repeat("body ", 200),
			hl(fmt.Sprintf("h%d", i), record.ListHot), hl(fmt.Sprintf("g%d", i), record.ListHot)))
	}
	mustWrite(t, s, pages...)
}

func TestCompact(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	fill(t, s, 300)
	var ids []string
	for _, ch := range mustChanges(t, s, 0)[:850] {
		ids = append(ids, ch.ID)
	}
	if _, err := s.Delete(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	before := mustChanges(t, s, 0)
	path := s.Path()
	mustClose(t, s)
	if err := os.WriteFile(path+".compact", []byte("left by a crash"), 0o644); err != nil {
		t.Fatal(err)
	}

	res, err := Compact(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.After >= res.Before || res.Before == 0 {
		t.Errorf("compact: %d bytes before, %d after", res.Before, res.After)
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file is left: %v", err)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, s)
	if after := mustChanges(t, s, 0); !reflect.DeepEqual(after, before) {
		t.Errorf("compaction changed the change log: %d changes, %d before", len(after), len(before))
	}
	// Sequences survive: the next write continues the log.
	last, _ := s.LastSeq(ctx)
	res2 := mustWrite(t, s, page("new.txt", "New", "new"))
	if res2.LastSeq != last+1 {
		t.Errorf("after compaction, a write got seq %d, want %d", res2.LastSeq, last+1)
	}
}

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	fill(t, s, 20)
	backup := filepath.Join(t.TempDir(), "backup.db")
	// A backup from a read-only store, as the backup command makes it.
	path := s.Path()
	mustClose(t, s)
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ro.Backup(ctx, backup)
	ro.Close()
	if err != nil || b.LastSeq != 60 || b.Size == 0 {
		t.Fatalf("Backup = %+v, %v", b, err)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := mustChanges(t, s, 0)
	fill(t, s, 30) // 10 more pages: the database moves past the backup
	mustClose(t, s)

	_, err = Restore(ctx, backup, path, false, Options{})
	if !errors.Is(err, ErrRestoreOlder) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Restore of an older snapshot = %v, want ErrRestoreOlder", err)
	}
	res, err := Restore(ctx, backup, path, true, Options{})
	if err != nil || res.SnapshotSeq != 60 || res.CurrentSeq != 90 {
		t.Fatalf("Restore --force = %+v, %v", res, err)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustChanges(t, s, 0); !reflect.DeepEqual(got, want) {
		t.Errorf("restored database has %d changes, the backup %d", len(got), len(want))
	}
	mustClose(t, s)

	t.Run("ErrNotADatabase", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.db")
		os.WriteFile(bad, []byte(strings.Repeat("not a database ", 1000)), 0o644)
		before, _ := os.ReadFile(path)
		if _, err := Restore(ctx, bad, path, true, Options{}); !errors.Is(err, ErrNotDatabase) {
			t.Errorf("Restore(garbage) = %v, want ErrNotDatabase", err)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Error("a refused restore changed the database")
		}
	})
	t.Run("OK_NoDatabaseYet", func(t *testing.T) {
		fresh := filepath.Join(t.TempDir(), "sub", "n.db")
		if _, err := Restore(ctx, backup, fresh, false, Options{}); err != nil {
			t.Fatal(err)
		}
		s, err := Open(ctx, fresh, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		mustVerify(t, s)
	})
}

// TestOpen_AfterSwap holds the database while another Open waits for it,
// swaps a new file in by a rename (as Compact and Restore do), and
// releases the old one: the waiter opens the new file, so its writes are
// not lost in the unlinked one.
func TestOpen_AfterSwap(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	fill(t, s, 5)
	path := s.Path()
	opened := make(chan *Store)
	go func() {
		w, err := Open(ctx, path, Options{LockTimeout: time.Minute})
		if err != nil {
			t.Error(err)
		}
		opened <- w
	}()
	time.Sleep(100 * time.Millisecond) // let it wait for the lock
	if err := copyCompacted(ctx, s.db, path+".compact", false); err != nil {
		t.Fatal(err)
	}
	if err := replaceFile(path+".compact", path, false); err != nil {
		t.Fatal(err)
	}
	s.Close()
	w := <-opened
	if w == nil {
		t.FailNow()
	}
	mustWrite(t, w, page("after.txt", "After", "written after the swap"))
	mustClose(t, w)
	r, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, found, _ := r.Source(ctx, "after.txt"); !found {
		t.Error("a write made after waiting for the lock went to the replaced file")
	}
}
