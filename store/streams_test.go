package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// seenPage is page with its Seen set.
func seenPage(source, title, body string, seen time.Time, hs ...*record.Headline) *record.Page {
	p := page(source, title, body, hs...)
	p.Seen = seen
	return p
}

func TestStore_StreamCursor(t *testing.T) {
	ctx := context.Background()
	created := time.Date(2026, 11, 29, 8, 0, 0, 123456789, time.UTC)
	seen := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		applies []StreamCursor // each with one page, in order
		stream  string         // read back
		want    StreamCursor
		found   bool
	}{
		{"OK_None", nil, "S", StreamCursor{}, false},
		{"OK_One", []StreamCursor{{Seq: 7, Created: created}}, "S", StreamCursor{Seq: 7, Created: created}, true},
		{"OK_Newest", []StreamCursor{{Seq: 7, Created: created}, {Seq: 9, Created: created}}, "S",
			StreamCursor{Seq: 9, Created: created}, true},
		{"OK_Rebuilt", []StreamCursor{{Seq: 9, Created: created}, {Seq: 1, Created: created.Add(time.Hour)}}, "S",
			StreamCursor{Seq: 1, Created: created.Add(time.Hour)}, true},
		{"OK_OtherStream", []StreamCursor{{Seq: 7, Created: created}}, "T", StreamCursor{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := mustOpenStore(t)
			for i, cur := range tc.applies {
				p := seenPage("a.txt", "Title", "body "+string(rune('a'+i)), seen)
				if _, err := s.ApplyPages(ctx, "S", cur, []*record.Page{p}); err != nil {
					t.Fatal(err)
				}
			}
			got, found, err := s.StreamCursor(ctx, tc.stream)
			if err != nil || found != tc.found || got.Seq != tc.want.Seq || !got.Created.Equal(tc.want.Created) {
				t.Fatalf("cursor = %+v, %v, %v; want %+v, %v", got, found, err, tc.want, tc.found)
			}
		})
	}

	t.Run("OK_EmptyBatchMovesCursor", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		res, err := s.ApplyPages(ctx, "S", StreamCursor{Seq: 3, Created: created}, nil)
		if err != nil || res != (record.WriteResult{}) {
			t.Fatalf("apply = %+v, %v", res, err)
		}
		if got, _, _ := s.StreamCursor(ctx, "S"); got.Seq != 3 {
			t.Fatalf("cursor seq %d, want 3", got.Seq)
		}
	})

	t.Run("ErrBadPageWritesNothing", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		bad := seenPage("", "Title", "body", seen)
		_, err := s.ApplyPages(ctx, "S", StreamCursor{Seq: 1, Created: created},
			[]*record.Page{seenPage("a.txt", "A", "a", seen), bad})
		if err == nil {
			t.Fatal("a page with no source was applied")
		}
		if _, found, _ := s.StreamCursor(ctx, "S"); found {
			t.Error("the cursor moved though the batch failed")
		}
		if seq, _ := s.LastSeq(ctx); seq != 0 {
			t.Errorf("last seq %d after a failed batch", seq)
		}
	})
}

func TestCheckPage(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *record.Page
		ok   bool
	}{
		{"OK", page("a.txt", "T", "b"), true},
		{"nil", nil, false},
		{"no article", &record.Page{Source: "a.txt"}, false},
		{"no source", page("", "T", "b"), false},
		{"no id", func() *record.Page { p := page("a.txt", "T", "b"); p.Article.ID = ""; return p }(), false},
	} {
		if err := CheckPage(tc.p); (err == nil) != tc.ok {
			t.Errorf("%s: CheckPage = %v", tc.name, err)
		}
	}
}

// A page's Seen stamps its records: first_seen and last_seen come from
// it, not from the store's clock.
func TestStore_WritePagesHonoursSeen(t *testing.T) {
	ctx := context.Background()
	s, c := mustOpenStore(t)
	seen1 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	seen2 := seen1.Add(time.Hour)
	h := hl("one", record.ListRelated)
	mustWrite(t, s, seenPage("a.txt", "A", "a", seen1, h))
	c.t = c.t.Add(24 * time.Hour)
	mustWrite(t, s, seenPage("b.txt", "B", "b", seen2, hl("one", record.ListHot)))
	got := mustHeadline(t, s, h.ID)
	if !got.FirstSeen.Equal(seen1) || !got.LastSeen.Equal(seen2) {
		t.Fatalf("first/last seen = %v/%v, want %v/%v", got.FirstSeen, got.LastSeen, seen1, seen2)
	}
	info, _, err := s.Source(ctx, "b.txt")
	if err != nil || !info.FirstSeen.Equal(seen2) || !info.LastSeen.Equal(seen2) {
		t.Fatalf("page b = %+v, %v", info, err)
	}
	// No published time: the article is ordered by its page's Seen.
	p := seenPage("c.txt", "C", "c", seen1)
	p.Article.Published = nil
	mustWrite(t, s, p)
	err = s.view(func(tx *bolt.Tx) error {
		st, err := storedState(tx, record.KindArticle, []byte(p.Article.ID))
		if err != nil {
			return err
		}
		if st.at != timeKey(seen1) || st.firstSeen != seen1.UnixNano() {
			t.Errorf("article at %v, first seen %v; want its Seen %v", keyTime(st.at), time.Unix(0, st.firstSeen), seen1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two stores applying the same pages in different batches hold the same
// records under the same seqs: ApplyPages's outcome does not depend on
// the batching, where WritePages merges a batch's sightings.
func TestStore_ApplyPagesIndependentOfBatches(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	var pages []*record.Page
	for i := range 12 {
		// The same hot headline on every page, its comment count
		// changing on some, seen 50s apart: relatime and merging would
		// differ with the batch boundaries.
		hot := hl("hot", record.ListHot)
		hot.Comments = ptr(i / 3)
		pages = append(pages, seenPage("p"+string(rune('a'+i))+".txt", "T"+string(rune('a'+i)), "body",
			t0.Add(time.Duration(i)*50*time.Second), hot, hl("rel"+string(rune('a'+i%4)), record.ListRelated)))
	}
	// The same page again with other content, later.
	pages = append(pages, seenPage("pa.txt", "Ta", "body v2", t0.Add(time.Hour), hl("hot", record.ListHot)))
	export := func(batches ...int) []byte {
		s, _ := mustOpenStore(t)
		i := 0
		for _, n := range batches {
			if _, err := s.ApplyPages(ctx, "S", StreamCursor{Seq: uint64(i + n)}, pages[i:i+n]); err != nil {
				t.Fatal(err)
			}
			i += n
		}
		if i != len(pages) {
			t.Fatalf("batches cover %d pages of %d", i, len(pages))
		}
		var out bytes.Buffer
		for _, c := range mustChanges(t, s, 0) {
			out.Write(c.ExportJSON())
			out.WriteByte('\n')
		}
		return out.Bytes()
	}
	one := export(len(pages))
	if many := export(1, 2, 3, 1, 5, 1); !bytes.Equal(one, many) {
		t.Fatalf("one batch exports\n%s\nbatches of 1, 2, 3, 1, 5, 1 export\n%s", one, many)
	}
	if each := export(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1); !bytes.Equal(one, each) {
		t.Fatalf("one batch exports\n%s\none page a batch exports\n%s", one, each)
	}
}

func TestStore_ApplyPagesRefusesNoStream(t *testing.T) {
	s, _ := mustOpenStore(t)
	if _, err := s.ApplyPages(context.Background(), "", StreamCursor{Seq: 1}, nil); err == nil {
		t.Fatal("no error for an empty stream name")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.ApplyPages(ctx, "S", StreamCursor{Seq: 1}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestStore_Version(t *testing.T) {
	ctx := context.Background()
	s, c := mustOpenStore(t)
	version := func() string {
		seq, lw, err := s.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(seq, lw)
	}
	v1 := version()
	mustWrite(t, s, page("a.txt", "A", "a"))
	v2 := version()
	c.t = c.t.Add(time.Second)
	mustWrite(t, s, page("a.txt", "A", "a")) // unchanged: no commit
	v3 := version()
	if _, err := s.PutItems(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	v4 := version()
	if v2 == v1 || v3 != v2 || v4 != v2 {
		t.Fatalf("versions %s, %s, %s, %s: want a new one after a write of records only", v1, v2, v3, v4)
	}
}

// Compaction and backup keep the stream cursors: a compacted or
// restored feed server resumes where it was.
func TestStore_StreamCursorSurvivesCompactAndBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := StreamCursor{Seq: 42, Created: time.Date(2026, 11, 29, 8, 0, 0, 7, time.UTC)}
	if _, err := s.ApplyPages(ctx, "S", want, []*record.Page{page("a.txt", "A", "a")}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if _, err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	if _, err := Compact(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, backup} {
		s, err := Open(ctx, p, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		got, found, err := s.StreamCursor(ctx, "S")
		s.Close()
		if err != nil || !found || got.Seq != want.Seq || !got.Created.Equal(want.Created) {
			t.Errorf("%s: cursor %+v, %v, %v; want %+v", filepath.Base(p), got, found, err, want)
		}
	}
}
