package store

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"newsfeed/record"
)

func TestStore_WritePages(t *testing.T) {
	t.Run("OK_NewPage", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		p := page("a.txt", "Title", "body", hl("one", record.ListRelated), hl("two", record.ListHot))
		res := mustWrite(t, s, p)
		want := record.WriteResult{New: 1, Inserted: 3, LastSeq: 3}
		if res != want {
			t.Fatalf("result = %+v, want %+v", res, want)
		}
		log := mustLog(t, s)
		for i, e := range log {
			if e.Seq != uint64(i+1) || e.Op != "insert" {
				t.Errorf("log[%d] = %+v", i, e)
			}
		}
		h := mustHeadline(t, s, p.Headlines[0].ID)
		if h.FirstSeen.IsZero() || !h.LastSeen.Equal(h.FirstSeen) {
			t.Errorf("first/last seen = %v/%v", h.FirstSeen, h.LastSeen)
		}
		if !p.Headlines[0].FirstSeen.IsZero() {
			t.Error("WritePages modified the page's headline")
		}
	})

	t.Run("OK_UnchangedPageChangesNothing", func(t *testing.T) {
		s, c := mustOpenStore(t)
		p := page("a.txt", "Title", "body", hl("one", record.ListRelated))
		mustWrite(t, s, p)
		before, err := os.ReadFile(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Hour)
		res := mustWrite(t, s, page("a.txt", "Title", "body", hl("one", record.ListRelated)))
		if want := (record.WriteResult{Unchanged: 1, LastSeq: 2}); res != want {
			t.Fatalf("result = %+v, want %+v", res, want)
		}
		after, err := os.ReadFile(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		if string(before) != string(after) {
			t.Error("the database file changed")
		}
	})

	t.Run("OK_ChangedPageUpdatesInPlace", func(t *testing.T) {
		s, c := mustOpenStore(t)
		one := hl("one", record.ListRelated)
		mustWrite(t, s, page("a.txt", "Title", "body", one))
		c.t = c.t.Add(time.Hour)
		p2 := page("a.txt", "Title", "body, corrected", hl("one", record.ListRelated))
		res := mustWrite(t, s, p2)
		// The article changed; the headline only moved its last_seen.
		if want := (record.WriteResult{Changed: 1, Updated: 1, LastSeq: 3}); res != want {
			t.Fatalf("result = %+v, want %+v", res, want)
		}
		log := mustLog(t, s)
		if last := log[len(log)-1]; last.Op != "update" || last.ID != p2.Article.ID {
			t.Errorf("last entry = %+v", last)
		}
		if mustLog(t, s)[0].Kind != record.KindHeadline {
			t.Error("the headline is not logged before the article that lists it")
		}
		r, err := s.Get(context.Background(), p2.Article.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.(*record.Article).Texts(); !slices.Equal(got, []string{"body, corrected"}) {
			t.Errorf("paragraphs = %q", got)
		}
		if h := mustHeadline(t, s, one.ID); !h.LastSeen.Equal(c.t) {
			t.Errorf("last_seen = %v, want %v", h.LastSeen, c.t)
		}
	})

	t.Run("OK_LastSeenLagsByLessThanItsResolution", func(t *testing.T) {
		s, c := mustOpenStore(t)
		one := hl("one", record.ListHot)
		mustWrite(t, s, page("a.txt", "A", "body", one))
		first := c.t
		c.t = c.t.Add(LastSeenResolution / 2)
		mustWrite(t, s, page("b.txt", "B", "body", hl("one", record.ListHot)))
		if h := mustHeadline(t, s, one.ID); !h.LastSeen.Equal(first) {
			t.Errorf("last_seen = %v, want %v: seen again within the resolution, not rewritten", h.LastSeen, first)
		}
		c.t = first.Add(LastSeenResolution)
		mustWrite(t, s, page("c.txt", "C", "body", hl("one", record.ListHot)))
		if h := mustHeadline(t, s, one.ID); !h.LastSeen.Equal(c.t) {
			t.Errorf("last_seen = %v, want %v", h.LastSeen, c.t)
		}
	})

	t.Run("OK_SameContentFromAnotherSource", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		mustWrite(t, s, page("a.txt", "Title", "body"))
		res := mustWrite(t, s, page("copy/a.txt", "Title", "body"))
		if want := (record.WriteResult{New: 1, LastSeq: 1}); res != want {
			t.Fatalf("result = %+v, want %+v", res, want)
		}
		r, _ := s.Get(context.Background(), page("", "Title", "").Article.ID)
		if src := r.(*record.Article).Source; src != "a.txt" {
			t.Errorf("source = %q, want the first one", src)
		}
	})

	t.Run("OK_HeadlineSeenAgainOnAnotherPage", func(t *testing.T) {
		s, c := mustOpenStore(t)
		mustWrite(t, s, page("a.txt", "A", "a", hl("shared", record.ListRelated)))
		first := mustHeadline(t, s, hl("shared").ID)
		tests := []struct {
			name    string
			seen    *record.Headline
			updated int
			check   func(t *testing.T, h *record.Headline)
		}{
			{"SameList", hl("shared", record.ListRelated), 0, func(t *testing.T, h *record.Headline) {
				if !slices.Equal(h.Lists, []record.List{record.ListRelated}) {
					t.Errorf("lists = %v", h.Lists)
				}
			}},
			{"AnotherList", hl("shared", record.ListHot), 1, func(t *testing.T, h *record.Headline) {
				if !slices.Equal(h.Lists, []record.List{record.ListRelated, record.ListHot}) {
					t.Errorf("lists = %v", h.Lists)
				}
			}},
			{"Comments", func() *record.Headline { h := hl("shared", record.ListHot); h.Comments = ptr(7); return h }(), 1,
				func(t *testing.T, h *record.Headline) {
					if h.Comments == nil || *h.Comments != 7 {
						t.Errorf("comments = %v", h.Comments)
					}
				}},
		}
		for i, tt := range tests {
			c.t = c.t.Add(time.Minute)
			seq := mustLog(t, s)[len(mustLog(t, s))-1].Seq
			res := mustWrite(t, s, page("p"+tt.name, "P"+tt.name, "x", tt.seen))
			if res.Updated != tt.updated || res.Inserted != 1 {
				t.Errorf("%s: result = %+v, want 1 inserted (the article), %d updated", tt.name, res, tt.updated)
			}
			if got := res.LastSeq - seq; got != uint64(1+tt.updated) {
				t.Errorf("%s: %d entries appended, want %d", tt.name, got, 1+tt.updated)
			}
			h := mustHeadline(t, s, first.ID)
			if !h.FirstSeen.Equal(first.FirstSeen) || !h.LastSeen.Equal(c.t) {
				t.Errorf("%s (%d): first/last seen = %v/%v", tt.name, i, h.FirstSeen, h.LastSeen)
			}
			tt.check(t, h)
		}
	})

	t.Run("OK_SameHeadlineTwiceInOneBatch", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		res := mustWrite(t, s,
			page("a.txt", "A", "a", hl("shared", record.ListRelated)),
			page("b.txt", "B", "b", hl("shared", record.ListHot)))
		// One commit, one entry per record: the headline is inserted
		// with both lists.
		if want := (record.WriteResult{New: 2, Inserted: 3, LastSeq: 3}); res != want {
			t.Fatalf("result = %+v, want %+v", res, want)
		}
		h := mustHeadline(t, s, hl("shared").ID)
		if !slices.Equal(h.Lists, []record.List{record.ListRelated, record.ListHot}) {
			t.Errorf("lists = %v", h.Lists)
		}
	})

	t.Run("OK_PublishedLaterMovesTheIndexEntry", func(t *testing.T) {
		s, c := mustOpenStore(t)
		old, fresh := hl("old"), hl("fresh")
		mustWrite(t, s, page("a.txt", "A", "a", old))
		c.t = c.t.Add(time.Hour)
		mustWrite(t, s, page("b.txt", "B", "b", fresh))
		assertLatest(t, s, fresh.ID, old.ID)
		// A later page dates "fresh" a year back: it sorts last now.
		dated := hl("fresh")
		dated.Published = ptr(c.t.AddDate(-1, 0, 0))
		mustWrite(t, s, page("c.txt", "C", "c", dated))
		assertLatest(t, s, old.ID, fresh.ID)
	})

	t.Run("OK_InterviewMovesWithItsArticle", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		withInterview := func(p *record.Page, at time.Time) *record.Page {
			a := p.Article
			a.Published = &at
			a.ContentHash = fmt.Sprint(a.ContentHash, at.Unix())
			p.ContentHash = a.ContentHash
			p.Interview = &record.Interview{ID: "i_" + a.ID[2:], ArticleID: a.ID, Title: a.Title,
				Turns: []record.Turn{{Speaker: "Q", Role: record.RoleQuestion, Paragraphs: []string{"?"}}}}
			return p
		}
		nine := time.Date(2025, 12, 1, 9, 0, 0, 0, beijing)
		a, b := withInterview(page("a.txt", "A", "a"), nine), withInterview(page("b.txt", "B", "b"), nine.Add(time.Hour))
		mustWrite(t, s, a, b)
		q := Query{Kind: record.KindInterview, Site: "example", Column: "tech"}
		assertLatestOf(t, s, q, b.Interview.ID, a.Interview.ID)
		last := mustLog(t, s)[len(mustLog(t, s))-1].Seq
		// A's article is dated later now: its interview's JSON is the
		// same, but it must sort first, in every index.
		res := mustWrite(t, s, withInterview(page("a.txt", "A", "a"), nine.Add(2*time.Hour)))
		if res.Changed != 1 || res.Updated != 1 || res.LastSeq != last+1 {
			t.Errorf("result = %+v, want the article's update alone", res)
		}
		for _, q := range []Query{{Kind: record.KindInterview}, {Kind: record.KindInterview, Site: "example"}, q} {
			assertLatestOf(t, s, q, a.Interview.ID, b.Interview.ID)
		}
	})

	t.Run("OK_SameArticleTwiceInOneBatch", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		res := mustWrite(t, s, page("a.txt", "A", "first"), page("b.txt", "A", "second"))
		if want := (record.WriteResult{New: 2, Inserted: 1, LastSeq: 1}); res != want {
			t.Fatalf("result = %+v, want %+v", res, want)
		}
		r, _ := s.Get(context.Background(), page("", "A", "").Article.ID)
		if a := r.(*record.Article); a.Texts()[0] != "second" || a.Source != "a.txt" {
			t.Errorf("article = %q from %s, want the second text, first source", a.Texts(), a.Source)
		}
	})

	t.Run("ErrInvalidPageWritesNothing", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		_, err := s.WritePages(context.Background(), []*record.Page{page("a.txt", "A", "a"), {Source: "x"}})
		if err == nil {
			t.Fatal("no error for a page with no article")
		}
		if seq, _ := s.LastSeq(context.Background()); seq != 0 {
			t.Errorf("last seq = %d after a failed batch", seq)
		}
	})
}

// assertLatest checks that the newest headlines are ids, in order.
func assertLatest(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	assertLatestOf(t, s, Query{Kind: record.KindHeadline, Limit: 10}, ids...)
}

// assertLatestOf checks the ids Latest(q) returns.
func assertLatestOf(t *testing.T, s *Store, q Query, ids ...string) {
	t.Helper()
	recs, err := s.Latest(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.RecordID())
	}
	if !reflect.DeepEqual(got, ids) {
		t.Errorf("latest = %v, want %v", got, ids)
	}
}

func TestStore_Page(t *testing.T) {
	s, c := mustOpenStore(t)
	p := page("https://example.com/a", "Title", "body")
	mustWrite(t, s, p)
	info, ok, err := s.Source(context.Background(), "https://example.com/a")
	if err != nil || !ok {
		t.Fatalf("page: %v %v", ok, err)
	}
	if info.ArticleID != p.Article.ID || info.ContentHash != p.ContentHash || !info.FirstSeen.Equal(c.t) {
		t.Errorf("info = %+v", info)
	}
	if _, ok, err := s.Source(context.Background(), "other"); ok || err != nil {
		t.Errorf("unknown source: %v %v", ok, err)
	}
}

// A page read again with the same content writes nothing: the file is
// left as it was.
func TestStore_WritePages_SameContentWritesNothing(t *testing.T) {
	s, c := mustOpenStore(t)
	ctx := context.Background()
	p := page("https://example.com/a", "Title", "body")
	mustWrite(t, s, p)
	_, before, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	if res := mustWrite(t, s, page("https://example.com/a", "Title", "body")); res != (record.WriteResult{Unchanged: 1, LastSeq: 1}) {
		t.Errorf("result = %+v, want the page unchanged", res)
	}
	if _, after, _ := s.Version(ctx); after != before {
		t.Errorf("last write %s, then %s: the unchanged page was written", before, after)
	}
}
