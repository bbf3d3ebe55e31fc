package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"newsfeed/record"
)

// interviewPage returns page(source, title, body) with an interview of
// its article whose one answer is answer.
func interviewPage(source, title, body, answer string, hs ...*record.Headline) *record.Page {
	p := page(source, title, body, hs...)
	a := p.Article
	p.Interview = &record.Interview{
		ID: record.InterviewID(a.ID), ArticleID: a.ID, Title: a.Title, Interviewer: "Q",
		Turns: []record.Turn{{Speaker: "Q", Role: "question", Paragraphs: []string{"Why?"}},
			{Speaker: "A", Role: "answer", Paragraphs: []string{answer}}},
	}
	return p
}

// mustLatestItems calls LatestItems.
func mustLatestItems(tb testing.TB, s *Store, q Query, key uint64) []CachedItem {
	tb.Helper()
	items, err := s.LatestItems(context.Background(), q, key)
	if err != nil {
		tb.Fatalf("latest items %v: %v", q, err)
	}
	return items
}

// keepAll puts an item naming each record for every one of items that
// was not cached, and returns how many were kept.
func keepAll(tb testing.TB, s *Store, key uint64, items []CachedItem) int {
	tb.Helper()
	var entries []ItemEntry
	for i := range items {
		if items[i].Item == nil {
			entries = append(entries, items[i].Entry([]byte("item of "+items[i].ID)))
		}
	}
	n, err := s.PutItems(context.Background(), key, entries)
	if err != nil {
		tb.Fatalf("put items: %v", err)
	}
	return n
}

func TestStore_LatestItemsCachesUntilTheRecordChanges(t *testing.T) {
	s, c := mustOpenStore(t)
	const key = 42
	mustWrite(t, s, interviewPage("a.txt", "A", "a", "yes", hl("one", record.ListRelated)),
		interviewPage("b.txt", "B", "b", "no"))
	for _, k := range kinds {
		q := Query{Kind: k}
		cold := mustLatestItems(t, s, q, key)
		recs, err := s.Latest(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(cold) != len(recs) || len(cold) == 0 {
			t.Fatalf("%s: %d items, %d records", k, len(cold), len(recs))
		}
		for i, it := range cold {
			switch {
			case it.ID != recs[i].RecordID() || it.Record == nil || it.Record.RecordID() != it.ID:
				t.Errorf("%s: item %d is %s (%v), Latest has %s", k, i, it.ID, it.Record, recs[i].RecordID())
			case it.Item != nil:
				t.Errorf("%s: %s cached before anything was put", k, it.ID)
			case !it.FirstSeen.Equal(c.t) || it.Seq == 0:
				t.Errorf("%s: %s first seen %v, seq %d", k, it.ID, it.FirstSeen, it.Seq)
			case k == record.KindInterview && (it.Article == nil || it.Article.ID != it.Record.(*record.Interview).ArticleID):
				t.Errorf("%s: %s comes without its article", k, it.ID)
			}
		}
		if n := keepAll(t, s, key, cold); n != len(cold) {
			t.Errorf("%s: kept %d of %d", k, n, len(cold))
		}
		warm := mustLatestItems(t, s, q, key)
		for i, it := range warm {
			if string(it.Item) != "item of "+it.ID || it.Record != nil || it.ID != cold[i].ID || it.Seq != cold[i].Seq {
				t.Errorf("%s: warm item %d = %+v", k, i, it)
			}
		}
		if n := keepAll(t, s, key, warm); n != 0 {
			t.Errorf("%s: kept %d items that were cached already", k, n)
		}
		for _, it := range mustLatestItems(t, s, q, key+1) {
			if it.Item != nil {
				t.Errorf("%s: %s cached under another key", k, it.ID)
			}
		}
	}

	// A's body changes: its article and (through it) its interview are
	// stale, B's are not; the headline did not change.
	c.t = c.t.Add(time.Hour)
	mustWrite(t, s, interviewPage("a.txt", "A", "a, revised", "yes", hl("one", record.ListRelated)))
	a := record.ArticleID("example", "", "A")
	for _, k := range kinds {
		for _, it := range mustLatestItems(t, s, Query{Kind: k}, key) {
			stale := it.ID == a || it.ID == record.InterviewID(a)
			if (it.Item == nil) != stale {
				t.Errorf("%s: %s cached = %v after A changed", k, it.ID, it.Item != nil)
			}
			if it.ID == a && it.Record.(*record.Article).Texts()[0] != "a, revised" {
				t.Errorf("A read back as %+v", it.Record)
			}
		}
	}
}

func TestStore_PutItemsSkipsRecordsChangedSinceRead(t *testing.T) {
	s, c := mustOpenStore(t)
	const key = 7
	mustWrite(t, s, interviewPage("a.txt", "A", "a", "yes"))
	articles := mustLatestItems(t, s, Query{Kind: record.KindArticle}, key)
	interviews := mustLatestItems(t, s, Query{Kind: record.KindInterview}, key)

	// The article changes between the read and the put: neither item,
	// both rendered from the old article, may be kept.
	c.t = c.t.Add(time.Hour)
	mustWrite(t, s, interviewPage("a.txt", "A", "a, revised", "yes"))
	if n := keepAll(t, s, key, articles) + keepAll(t, s, key, interviews); n != 0 {
		t.Errorf("kept %d items rendered from a record that changed since", n)
	}
	for _, k := range []record.Kind{record.KindArticle, record.KindInterview} {
		items := mustLatestItems(t, s, Query{Kind: k}, key)
		if items[0].Item != nil {
			t.Fatalf("%s: stale item served: %q", k, items[0].Item)
		}
		if n := keepAll(t, s, key, items); n != 1 {
			t.Errorf("%s: kept %d items read after the change, want 1", k, n)
		}
	}
	if _, err := s.PutItems(context.Background(), key, []ItemEntry{{ID: "a_0", Item: []byte("x")}}); err != nil {
		t.Errorf("an entry not read by LatestItems: %v", err)
	}
}

func TestStore_LatestItemsSiteAndColumn(t *testing.T) {
	s, _ := mustOpenStore(t)
	p1 := page("a.txt", "A", "a")
	p2 := page("b.txt", "B", "b")
	p2.Article.Site = "other"
	p2.Article.ID = record.ArticleID("other", "", "B")
	mustWrite(t, s, p1, p2)
	for _, q := range []Query{{Kind: record.KindArticle, Column: "tech"},
		{Kind: record.KindArticle, Column: "tech", Site: "other"}, {Kind: record.KindArticle, Site: "example"},
		{Kind: record.KindArticle, Limit: 1}} {
		recs, err := s.Latest(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, r := range recs {
			want = append(want, r.RecordID())
		}
		for _, it := range mustLatestItems(t, s, q, 1) {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v: items %v, Latest %v", q, got, want)
		}
	}
	if _, err := s.LatestItems(context.Background(), Query{Kind: "x"}, 1); err == nil {
		t.Error("no error for an unknown kind")
	}
}

func TestStore_PutItemsReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	w, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, page("a.txt", "A", "a"))
	mustClose(t, w)
	r, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	if !r.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	items := mustLatestItems(t, r, Query{Kind: record.KindArticle}, 1)
	_, err = r.PutItems(ctx, 1, []ItemEntry{items[0].Entry([]byte("x"))})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("put on a read-only store: %v", err)
	}
}
