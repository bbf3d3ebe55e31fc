package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

func TestStore_Delete(t *testing.T) {
	ctx := context.Background()
	s, c := mustOpenStore(t)
	one, two := hl("one", record.ListHot), hl("two", record.ListHot)
	p := page("a.txt", "Title", "body", one, two)
	mustWrite(t, s, p)
	if _, err := s.PutItems(ctx, 1, itemsFor(t, s, record.KindArticle)); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)

	n, err := s.Delete(ctx, p.Article.ID, one.ID, "h_absent")
	if err != nil || n != 2 {
		t.Fatalf("Delete = %d, %v; want 2", n, err)
	}
	mustVerify(t, s)
	if _, err := s.Get(ctx, p.Article.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(deleted article) = %v, want ErrNotFound", err)
	}
	for _, k := range kinds {
		recs, _ := s.Latest(ctx, Query{Kind: k, Limit: 100})
		for _, r := range recs {
			if id := r.RecordID(); id == p.Article.ID || id == one.ID {
				t.Errorf("Latest(%s) lists deleted %s", k, id)
			}
		}
	}
	if _, found, _ := s.Source(ctx, "a.txt"); found {
		t.Error("the deleted article's page is still remembered")
	}
	var ops []string
	for _, ch := range mustChanges(t, s, 0) {
		ops = append(ops, ch.Op+" "+ch.ID)
	}
	want := []string{"insert " + two.ID, "delete " + p.Article.ID, "delete " + one.ID}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("changes = %v, want %v", ops, want)
	}
	ch := mustChanges(t, s, 3)[0]
	if got := string(ch.ExportJSON()); got != `{"kind":"article","seq":4,"op":"delete","id":"`+p.Article.ID+`"}` {
		t.Errorf("tombstone = %s", got)
	}

	// The page comes back: its article is inserted again, and its
	// tombstone is superseded.
	res := mustWrite(t, s, page("a.txt", "Title", "body", hl("one", record.ListHot), hl("two", record.ListHot)))
	if res.Inserted != 2 {
		t.Errorf("writing the page again inserted %d records, want 2 (%+v)", res.Inserted, res)
	}
	ops = ops[:0]
	for _, ch := range mustChanges(t, s, 3) {
		ops = append(ops, ch.Op+" "+ch.ID)
	}
	want = []string{"insert " + one.ID, "insert " + p.Article.ID}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("changes since 3 = %v, want %v", ops, want)
	}
}

// itemsFor returns cache entries for the newest records of kind k.
func itemsFor(t *testing.T, s *Store, k record.Kind) []ItemEntry {
	t.Helper()
	items, err := s.LatestItems(context.Background(), Query{Kind: k, Limit: 100}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []ItemEntry
	for i := range items {
		out = append(out, items[i].Entry([]byte("<item>")))
	}
	return out
}

func TestStore_Prune(t *testing.T) {
	ctx := context.Background()
	s, c := mustOpenStore(t)
	start := c.t
	// Day 0: page a with headlines old and kept; day 20: page b lists
	// kept again, with a new comment count (an update); day 40: prune.
	old, kept := hl("old", record.ListHot), hl("kept", record.ListHot)
	mustWrite(t, s, page("a.txt", "A", "a", old, kept))
	c.t = start.Add(20 * 24 * time.Hour)
	kept2 := hl("kept", record.ListHot)
	kept2.Comments = ptr(7)
	b := page("b.txt", "B", "b", kept2)
	b.Article.Published = nil // ordered by first seen: day 20
	mustWrite(t, s, b)
	c.t = start.Add(40 * 24 * time.Hour)

	ret, err := ParseRetention("headline=30d, article=30d, log=30d")
	if err != nil {
		t.Fatal(err)
	}
	dry, err := s.Prune(ctx, PruneOptions{Retention: ret, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Deleted[record.KindHeadline] != 1 || dry.Deleted[record.KindArticle] != 1 || dry.Dropped != 0 {
		t.Errorf("dry run = %+v, want 1 headline and 1 article (a's, published 2025-12-01), nothing dropped", dry)
	}
	if got := len(mustLog(t, s)); got != 5 {
		t.Fatalf("a dry run changed the log: %d entries", got)
	}

	res, err := s.Prune(ctx, PruneOptions{Retention: ret})
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted[record.KindHeadline] != 1 || res.Deleted[record.KindArticle] != 1 {
		t.Fatalf("prune = %+v", res)
	}
	mustVerify(t, s)
	if _, err := s.Get(ctx, kept.ID); err != nil {
		t.Errorf("a headline seen 20 days ago was pruned: %v", err)
	}
	if _, err := s.Get(ctx, b.Article.ID); err != nil {
		t.Errorf("an article first seen 20 days ago was pruned: %v", err)
	}
	// A second prune finds nothing.
	if again, err := s.Prune(ctx, PruneOptions{Retention: ret}); err != nil || again.Total() != 0 || again.Dropped != 0 {
		t.Errorf("second prune = %+v, %v", again, err)
	}

	// 31 days later, the superseded insert of kept (day 20) and the two
	// tombstones (day 40) are past the log's age; the two deleted
	// records' own inserts went with their tombstones.
	c.t = start.Add(71 * 24 * time.Hour)
	res, err = s.Prune(ctx, PruneOptions{Retention: Retention{Log: 30 * 24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dropped != 5 || res.LogFloor != 7 {
		t.Errorf("log prune = %+v, want 5 dropped, floor 7", res)
	}
	mustVerify(t, s)
	var seqs []uint64
	for _, e := range mustLog(t, s) {
		seqs = append(seqs, e.Seq)
	}
	if want := []uint64{4, 5}; !reflect.DeepEqual(seqs, want) {
		t.Errorf("log seqs = %v, want %v", seqs, want)
	}
	err = s.Changes(ctx, ChangeQuery{Since: 3}, func(Change) error { return nil })
	if !errors.Is(err, ErrLogTooOld) || !strings.Contains(err.Error(), "seq 7") {
		t.Errorf("Changes(since 3) = %v, want ErrLogTooOld naming seq 7", err)
	}
	if got := len(mustChanges(t, s, 0)); got != 2 {
		t.Errorf("Changes(since 0) = %d, want the 2 live records", got)
	}
	if got := len(mustChanges(t, s, 7)); got != 0 {
		t.Errorf("Changes(since 7) = %d, want 0", got)
	}
}

func TestParseRetention(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"headline=30d,article=365d", "article=365d,headline=30d", ""},
		{" interview = 12h , log=400d", "interview=12h0m0s,log=400d", ""},
		{"headline", "", "want KIND=AGE"},
		{"page=3d", "", "unknown kind"},
		{"headline=-3d", "", "positive"},
		{"headline=3w", "", "want 30d"},
	} {
		r, err := ParseRetention(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseRetention(%q) = %v, want an error with %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("ParseRetention(%q): %v", tc.in, err)
		case tc.err == "" && r.String() != tc.want:
			t.Errorf("ParseRetention(%q) = %q, want %q", tc.in, r, tc.want)
		}
	}
}

func TestStore_PruneItems(t *testing.T) {
	ctx := context.Background()
	s, c := mustOpenStore(t)
	var hs []*record.Headline
	for _, title := range []string{"h1", "h2", "h3", "h4"} {
		h := hl(title, record.ListHot)
		h.Published = ptr(c.t.Add(time.Duration(len(hs)) * time.Hour))
		hs = append(hs, h)
	}
	mustWrite(t, s, page("a.txt", "A", "a", hs...))
	if n, err := s.PutItems(ctx, 1, itemsFor(t, s, record.KindHeadline)); err != nil || n != 4 {
		t.Fatalf("PutItems = %d, %v", n, err)
	}
	n, err := s.PruneItems(ctx, 2)
	if err != nil || n != 2 {
		t.Fatalf("PruneItems(2) = %d, %v; want 2 (h1, h2 are in no feed of 2)", n, err)
	}
	s.view(func(tx *bolt.Tx) error {
		items := tx.Bucket(bucketItems)
		for i, h := range hs {
			if got, want := items.Get([]byte(h.ID)) != nil, i >= 2; got != want {
				t.Errorf("item of %s kept = %v, want %v", h.Title, got, want)
			}
		}
		return nil
	})
}

func TestStore_VerifyAndRepair(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	p := page("a.txt", "Title", "body", hl("one", record.ListHot))
	mustWrite(t, s, p)
	err := s.updateTx(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketIndex)
		kindIdx := nested(idx, bucketByKind, []byte(record.KindHeadline))
		k, _ := kindIdx.Cursor().First()
		if err := kindIdx.Delete(k); err != nil { // a record not indexed
			return err
		}
		if err := kindIdx.Put(indexKey(5, "h_gone"), nil); err != nil { // an entry for no record
			return err
		}
		if err := tx.Bucket(bucketBlobs).Put(seqKey(999), sealCopy(seqKey(999), []byte("{}"))); err != nil { // an orphan
			return err
		}
		return tx.Bucket(bucketChanges).Delete(seqKey(1)) // a gap, and a record's newest entry
	})
	if err != nil {
		t.Fatal(err)
	}
	problems, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(problems, "\n")
	for _, want := range []string{"entry for h_gone, which is missing", "blob 00000000000003e7 belongs to no record",
		"entries are missing", "newest change-log entry 1 is missing", "indexed {kind:0"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	res, err := s.Repair(ctx)
	if err != nil || res.Indexed != 2 || res.Blobs != 1 {
		t.Fatalf("Repair = %+v, %v", res, err)
	}
	problems, _ = s.Verify(ctx)
	if len(problems) != 2 { // the change log is not Repair's to mend
		t.Errorf("after repair: %q", problems)
	}
	// Put the entry back, so that the cleanup's check passes.
	s.updateTx(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChanges).Put(seqKey(1), changeValue(opInsert, record.KindHeadline, p.Headlines[0].ID))
	})
}

// ParseAge takes what ParseDuration reads, positive and of at most
// 100,000 days when written in days; the messages say which form failed.
func TestParseAge(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30d", 30 * 24 * time.Hour, ""},
		{"+2d", 48 * time.Hour, ""},
		{"12h", 12 * time.Hour, ""},
		{"2400001h", 2400001 * time.Hour, ""}, // the day cap is for days
		{"100001d", 0, "want a number of days"},
		{"1.5d", 0, "want a number of days"},
		{"99999999999999d", 0, "want a number of days"},
		{" 30d", 0, "want a number of days"},
		{"3w", 0, "want 30d or a duration"},
		{"0", 0, "must be positive"},
		{"-3d", 0, "must be positive"},
	} {
		d, err := ParseAge(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseAge(%q) = %v, want an error with %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || d != tc.want):
			t.Errorf("ParseAge(%q) = %v, %v; want %v", tc.in, d, err, tc.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]DurationError{
		"often": {Text: "often"}, "1.5d": {Text: "1.5d", Days: true},
		"99999999999999d": {Text: "99999999999999d", Days: true, Range: true},
		"9999999999999h":  {Text: "9999999999999h", Range: true},
	} {
		var de *DurationError
		if _, err := ParseDuration(in); !errors.As(err, &de) || *de != want {
			t.Errorf("ParseDuration(%q): %v, want %+v", in, err, want)
		}
	}
	for in, want := range map[string]time.Duration{"0": 0, "-1d": -24 * time.Hour, "1m30s": 90 * time.Second, "7d": 7 * 24 * time.Hour} {
		if d, err := ParseDuration(in); err != nil || d != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, d, err, want)
		}
		if got := FormatDuration(want); want > 0 && got != in {
			t.Errorf("FormatDuration(%v) = %q, want %q", want, got, in)
		}
	}
}
