package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"newsfeed/internal/storetest"
	"newsfeed/internal/testpages"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
	"newsfeed/write"
)

// mustOpenStore opens a new database in t.TempDir(); cleanup checks its
// consistency, then closes it.
func mustOpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	return storetest.Open(tb, store.Options{})
}

// mustPages writes n generated pages into a new folder.
func mustPages(tb testing.TB, first, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := testpages.WriteDir(dir, first, n); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// errorLog collects OnError's errors.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() }

func countArticles(tb testing.TB, s *store.Store) int {
	tb.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return st.Kinds[0].N
}

func TestRun(t *testing.T) {
	ctx := context.Background()

	t.Run("OK_FolderGlobAndStdin", func(t *testing.T) {
		s := mustOpenStore(t)
		dir := mustPages(t, 0, 30)
		sub := filepath.Join(dir, "sub")
		os.Mkdir(sub, 0o755)
		testpages.WriteDir(sub, 30, 5)
		os.WriteFile(filepath.Join(dir, "notes.md"), []byte("not a page"), 0o644)
		os.WriteFile(filepath.Join(dir, ".hidden.txt"), []byte("not a page"), 0o644)
		stdin, _ := testpages.Page(99)
		var errs errorLog
		pages := 0
		sum, err := Ingest(ctx, s, []string{dir, "-"}, Options{
			Glob: "*.txt", Workers: 3, BatchSize: 7, Stdin: strings.NewReader(string(stdin)),
			OnError: errs.add, OnPage: func() { pages++ },
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(errs.errs) > 0 {
			t.Fatalf("errors: %v", errs.errs)
		}
		if sum.Read != 36 || sum.New != 36 || sum.Failed != 0 || pages != 36 || sum.Interrupted {
			t.Errorf("summary = %+v, %d pages reported", sum, pages)
		}
		if n := countArticles(t, s); n != 36 {
			t.Errorf("%d articles stored, want 36", n)
		}
		if _, err := s.GetJSON(ctx, "a_missing"); !errors.Is(err, store.ErrNotFound) {
			t.Error(err)
		}

		again, err := Ingest(ctx, s, []string{dir}, Options{Glob: "*.txt"})
		if err != nil {
			t.Fatal(err)
		}
		if again.Unchanged != 35 || again.New+again.Changed+again.Inserted+again.Updated != 0 || again.LastSeq != sum.LastSeq {
			t.Errorf("second run = %+v, want 35 unchanged and nothing else", again)
		}
	})

	t.Run("BadInputIsReportedAndSkipped", func(t *testing.T) {
		s := mustOpenStore(t)
		dir := mustPages(t, 0, 3)
		os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
		big := strings.Repeat("很长的一页。\n", 3000)
		os.WriteFile(filepath.Join(dir, "big.txt"), []byte(big), 0o644)
		os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "broken.txt"))
		missing := filepath.Join(dir, "missing.txt")
		var errs errorLog
		sum, err := Ingest(ctx, s, []string{dir, missing}, Options{MaxBytes: 20000, OnError: errs.add})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Read != 7 || sum.New != 3 || sum.Failed != 4 {
			t.Errorf("summary = %+v, want 7 read, 3 new, 4 failed", sum)
		}
		msgs := fmt.Sprint(errs.errs)
		for _, want := range []string{"empty.txt", "big.txt", "broken.txt", "missing.txt"} {
			if !strings.Contains(msgs, want) {
				t.Errorf("no error names %s: %s", want, msgs)
			}
		}
		var tooLarge bool
		for _, e := range errs.errs {
			tooLarge = tooLarge || errors.Is(e, parse.ErrTooLarge)
		}
		if !tooLarge {
			t.Errorf("no error wraps parse.ErrTooLarge: %s", msgs)
		}
	})

	t.Run("CancelCommitsWhatWasParsed", func(t *testing.T) {
		s := mustOpenStore(t)
		dir := mustPages(t, 0, 200)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		w := &cancellingWriter{Writer: s, cancel: cancel}
		sum, err := Ingest(cctx, w, []string{dir}, Options{BatchSize: 10, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Interrupted || sum.Read >= 200 {
			t.Fatalf("summary = %+v, want an interrupted run", sum)
		}
		if n := countArticles(t, s); n != sum.New || n < 10 {
			t.Errorf("%d articles stored, summary says %d new", n, sum.New)
		}
		if sum.Read != sum.New+sum.Failed {
			t.Errorf("summary = %+v: pages read but neither stored nor failed", sum)
		}
	})

	t.Run("ErrWriterFailureStopsTheRun", func(t *testing.T) {
		s := mustOpenStore(t)
		dir := mustPages(t, 0, 100)
		boom := errors.New("disk full")
		sum, err := Ingest(ctx, &failingWriter{Writer: s, after: 2, err: boom}, []string{dir}, Options{BatchSize: 5})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want %v", err, boom)
		}
		if n := countArticles(t, s); n != 10 || sum.New != 10 {
			t.Errorf("%d articles stored, %d new in summary; want the first two batches (10)", n, sum.New)
		}
	})

	t.Run("StdinCancelledWhileBlocked", func(t *testing.T) {
		s := mustOpenStore(t)
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		r, w, _ := os.Pipe()
		defer w.Close()
		defer r.Close()
		done := make(chan Report, 1)
		go func() {
			sum, _ := Ingest(cctx, s, []string{"-"}, Options{Stdin: r})
			done <- sum
		}()
		select {
		case sum := <-done:
			if !sum.Interrupted || sum.Failed != 0 || sum.Read != 0 {
				t.Errorf("summary = %+v", sum)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context was cancelled")
		}
	})
}

// cancellingWriter cancels the run after its first batch.
type cancellingWriter struct {
	write.Writer
	cancel func()
	once   sync.Once
}

func (w *cancellingWriter) WritePages(ctx context.Context, pages []*record.Page) (record.WriteResult, error) {
	res, err := w.Writer.WritePages(ctx, pages)
	w.once.Do(w.cancel)
	return res, err
}

// failingWriter fails every batch after the first `after`.
type failingWriter struct {
	write.Writer
	after int
	err   error
	n     int
}

func (w *failingWriter) WritePages(ctx context.Context, pages []*record.Page) (record.WriteResult, error) {
	w.n++
	if w.n > w.after {
		return record.WriteResult{}, w.err
	}
	return w.Writer.WritePages(ctx, pages)
}
