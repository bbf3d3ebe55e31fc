package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"newsfeed/record"
)

// pruneBenchN is the headlines BenchmarkPrune's database holds, in
// pruneBenchBatches batches each seen one minute after the last.
const (
	pruneBenchN       = 1_000_000
	pruneBenchBatches = 100
)

var (
	pruneDBOnce sync.Once
	pruneDB     string
	pruneDBErr  error
	pruneStart  = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
)

// pruneBenchDB builds, once per test binary, a database of pruneBenchN
// headlines whose last_seen runs from pruneStart by one minute per
// batch.
func pruneBenchDB(b *testing.B) string {
	b.Helper()
	pruneDBOnce.Do(func() {
		path := filepath.Join(sharedDir(b), "prune.db")
		c := &clock{t: pruneStart}
		s, err := Open(context.Background(), path, Options{Now: c.now, NoSync: true})
		if err != nil {
			pruneDBErr = err
			return
		}
		defer s.Close()
		per := pruneBenchN / pruneBenchBatches
		for j := range pruneBenchBatches {
			c.t = pruneStart.Add(time.Duration(j) * time.Minute)
			hs := make([]*record.Headline, per)
			for i := range hs {
				title := fmt.Sprintf("headline %d of batch %d", i, j)
				hs[i] = &record.Headline{ID: record.HeadlineID("bench", title), Site: "bench", Column: "news",
					Title: title, Lists: []record.List{record.ListHot}}
			}
			p := smallPage(j)
			if _, err := s.WritePages(context.Background(), []*record.Page{{Source: p.Source,
				ContentHash: p.ContentHash, Article: p.Article, Headlines: hs}}); err != nil {
				pruneDBErr = err
				return
			}
		}
		pruneDB = path
	})
	if pruneDBErr != nil {
		b.Fatal(pruneDBErr)
	}
	return pruneDB
}

// BenchmarkPrune deletes the oldest 100,000 of 1,000,000 headlines (each
// with its blob, index entries and tombstone, with fsync at each commit
// of DefaultPruneBatch), reporting records/s; and measures a prune that
// finds nothing to delete in the same database: the cost retention adds
// to every cron run (goal: under 1 ms). Each run of the first works on a
// fresh copy of the database, made with the timer stopped.
func BenchmarkPrune(b *testing.B) {
	src := pruneBenchDB(b)
	// Past 10 batches' minutes (their last_seen), a 30-day retention
	// deletes the 10 oldest batches.
	now := pruneStart.Add(30*24*time.Hour + 10*time.Minute - time.Second)
	ret := Retention{Ages: map[record.Kind]time.Duration{record.KindHeadline: 30 * 24 * time.Hour}}

	b.Run("delete-oldest-100k-of-1M", func(b *testing.B) {
		deleted := 0
		var took time.Duration
		for b.Loop() {
			b.StopTimer()
			path := filepath.Join(b.TempDir(), "prune.db")
			if err := copyFile(src, path); err != nil {
				b.Fatal(err)
			}
			s, err := Open(context.Background(), path, Options{Now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			b.StartTimer()
			t0 := time.Now()
			res, err := s.Prune(context.Background(), PruneOptions{Retention: ret})
			took += time.Since(t0)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if res.Deleted[record.KindHeadline] != pruneBenchN/10 {
				b.Fatalf("deleted %d headlines, want %d", res.Deleted[record.KindHeadline], pruneBenchN/10)
			}
			deleted += res.Total()
			s.Close()
			os.Remove(path)
			b.StartTimer()
		}
		b.ReportMetric(float64(deleted)/took.Seconds(), "records/s")
	})

	b.Run("nothing-to-prune", func(b *testing.B) {
		s, err := Open(context.Background(), src, Options{ReadOnly: true,
			Now: func() time.Time { return pruneStart.Add(24 * time.Hour) }})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		full := Retention{Ages: map[record.Kind]time.Duration{record.KindHeadline: 30 * 24 * time.Hour,
			record.KindArticle: 365 * 24 * time.Hour, record.KindInterview: 365 * 24 * time.Hour}}
		for b.Loop() {
			res, err := s.Prune(context.Background(), PruneOptions{Retention: full})
			if err != nil || res.Total() != 0 || res.Dropped != 0 {
				b.Fatalf("prune = %+v, %v", res, err)
			}
		}
	})
}
