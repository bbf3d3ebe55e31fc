package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"newsfeed/record"
)

// clock is a settable clock for first_seen and last_seen.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var beijing = time.FixedZone("CST", 8*3600)

// mustOpenStore opens a new database in t.TempDir(); cleanup checks its
// consistency, then closes it.
func mustOpenStore(tb testing.TB) (*Store, *clock) {
	tb.Helper()
	c := &clock{t: time.Date(2025, 12, 9, 10, 0, 0, 0, time.UTC)}
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "test.db"), Options{Now: c.now})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { mustClose(tb, s) })
	return s, c
}

// mustClose checks s with tx.Check, then closes it.
func mustClose(tb testing.TB, s *Store) {
	tb.Helper()
	if s.db == nil {
		return
	}
	if err := s.Check(context.Background()); err != nil {
		tb.Errorf("check: %v", err)
	}
	mustVerify(tb, s)
	if err := s.Close(); err != nil {
		tb.Errorf("close: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// hl makes a headline with an id from site and title.
func hl(title string, lists ...record.List) *record.Headline {
	return &record.Headline{ID: record.HeadlineID("example", title), Site: "example", Title: title, Lists: lists}
}

// page makes a page with an article titled title and the given headlines,
// listed as the article's related ones.
func page(source, title, body string, hs ...*record.Headline) *record.Page {
	a := &record.Article{
		ID: record.ArticleID("example", "", title), Site: "example", Title: title,
		Blocks: record.LegacyBlocks([]string{body}, nil), Column: "tech", Source: source,
		Published:   ptr(time.Date(2025, 12, 1, 9, 0, 0, 0, beijing)),
		ContentHash: fmt.Sprintf("%x", title+"\x00"+body),
	}
	for _, h := range hs {
		a.Related = append(a.Related, h.ID)
	}
	return &record.Page{Source: source, ContentHash: a.ContentHash, Article: a, Headlines: hs}
}

// mustWrite writes pages in one batch.
func mustWrite(tb testing.TB, s *Store, pages ...*record.Page) record.WriteResult {
	tb.Helper()
	res, err := s.WritePages(context.Background(), pages)
	if err != nil {
		tb.Fatalf("write: %v", err)
	}
	return res
}

// mustHeadline returns the stored headline id.
func mustHeadline(tb testing.TB, s *Store, id string) *record.Headline {
	tb.Helper()
	r, err := s.Get(context.Background(), id)
	if err != nil {
		tb.Fatalf("get %s: %v", id, err)
	}
	return r.(*record.Headline)
}

// mustLog returns the whole change log.
func mustLog(tb testing.TB, s *Store) []LogEntry {
	tb.Helper()
	var out []LogEntry
	if err := s.Log(context.Background(), func(e LogEntry) error { out = append(out, e); return nil }); err != nil {
		tb.Fatalf("log: %v", err)
	}
	return out
}

// mustVerify fails tb with every problem Verify finds in s.
func mustVerify(tb testing.TB, s *Store) {
	tb.Helper()
	problems, err := s.Verify(context.Background())
	if err != nil {
		tb.Errorf("verify: %v", err)
	}
	for _, p := range problems {
		tb.Errorf("verify: %s", p)
	}
}

// mustChanges returns every change since seq.
func mustChanges(tb testing.TB, s *Store, since uint64) []Change {
	tb.Helper()
	var out []Change
	if err := s.Changes(context.Background(), ChangeQuery{Since: since}, func(c Change) error {
		out = append(out, c)
		return nil
	}); err != nil {
		tb.Fatalf("changes since %d: %v", since, err)
	}
	return out
}
