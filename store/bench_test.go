package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"newsfeed/record"
)

// benchDir holds databases built once per test binary and shared by the
// benchmarks' runs; TestMain removes it.
var (
	benchDirOnce sync.Once
	benchDir     string
	benchDirErr  error
)

func sharedDir(b *testing.B) string {
	b.Helper()
	benchDirOnce.Do(func() { benchDir, benchDirErr = os.MkdirTemp("", "newsfeed-store-bench-") })
	if benchDirErr != nil {
		b.Fatal(benchDirErr)
	}
	return benchDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// smallPage is page i: one short article and no headlines, one record.
func smallPage(i int) *record.Page {
	title := fmt.Sprintf("Article %d", i)
	a := &record.Article{
		ID: record.ArticleID("bench", "", title), Site: "bench", Title: title, Column: "news",
		Blocks:    []record.Block{{Type: record.BlockParagraph, Text: "A paragraph of about a hundred bytes of text, as a short news item would have in its body."}},
		Published: ptr(time.Date(2025, 1, 1, 0, 0, 0, 0, beijing).Add(time.Duration(i) * time.Minute)),
		Source:    fmt.Sprintf("bench/%d.txt", i), ContentHash: fmt.Sprintf("%064x", i),
	}
	return &record.Page{Source: a.Source, ContentHash: a.ContentHash, Article: a}
}

// encodedPage is smallPage(i) with its article's JSON, as ingest's
// workers hand pages to the store.
func encodedPage(tb testing.TB, i int) *record.Page {
	p := smallPage(i)
	data, err := p.Article.MarshalJSON()
	if err != nil {
		tb.Fatal(err)
	}
	p.ArticleJSON = data
	return p
}

// BenchmarkStoreUpsert stores one-record pages in batches of 1000 and in
// one transaction each (with fsync, as ingest commits), and reports
// records/s for both. Pages come with their article's JSON, as ingest's
// workers encode it, and are made with the timer stopped; records/s counts
// the pages stored in whole batches within the timed loop.
func BenchmarkStoreUpsert(b *testing.B) {
	for _, size := range []int{1000, 1} {
		name := fmt.Sprintf("batch=%d", size)
		if size == 1 {
			name = "tx-per-record"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(b.TempDir(), "upsert.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			// Pages are made while the timer is stopped, a batch at a
			// time: making them is the workers' work, not the store's.
			pages := make([]*record.Page, size)
			written := 0
			for n := 0; b.Loop(); n++ {
				i := n % size
				if i == 0 {
					b.StopTimer()
					for j := range pages {
						pages[j] = encodedPage(b, n+j)
					}
					b.StartTimer()
				}
				if i == size-1 {
					if _, err := s.WritePages(ctx, pages); err != nil {
						b.Fatal(err)
					}
					written += size
				}
			}
			b.ReportMetric(float64(written)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// latestDB returns a database holding n headlines with published times
// spread over a year, built once per size per test binary.
var (
	latestMu  sync.Mutex
	latestDBs = map[int]string{}
)

func latestDB(b *testing.B, n int) string {
	b.Helper()
	latestMu.Lock()
	defer latestMu.Unlock()
	if path, ok := latestDBs[n]; ok {
		return path
	}
	path := filepath.Join(sharedDir(b), fmt.Sprintf("latest-%d.db", n))
	ctx := context.Background()
	s, err := Open(ctx, path, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	year := time.Date(2025, 1, 1, 0, 0, 0, 0, beijing)
	const perPage, pagesPerTx = 1000, 20
	columns := []string{"科技前沿", "航空航天", "心智观察所", "天文", ""}
	t0 := time.Now()
	for done := 0; done < n; {
		var pages []*record.Page
		for p := 0; p < pagesPerTx && done < n; p++ {
			page := smallPage(done)
			for h := 0; h < perPage && done < n; h, done = h+1, done+1 {
				title := fmt.Sprintf("Headline %d", done)
				pub := year.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
				page.Headlines = append(page.Headlines, &record.Headline{
					ID: record.HeadlineID("bench", title), Site: "bench", Title: title,
					Published: &pub, Column: columns[done%len(columns)], Lists: []record.List{record.ListRelated},
				})
			}
			pages = append(pages, page)
		}
		if _, err := s.WritePages(ctx, pages); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d headlines in %v", n, time.Since(t0).Round(time.Millisecond))
	latestDBs[n] = path
	return path
}

// BenchmarkLatest reads the newest 50 headlines from databases of 10k,
// 100k and 1M headlines (1M is skipped with -short). Each database is built
// once and reused for every run.
func BenchmarkLatest(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("headlines=%d", n), func(b *testing.B) {
			if n > 100_000 && testing.Short() {
				b.Skip("1M headlines take a while to build; skipped with -short")
			}
			path := latestDB(b, n)
			ctx := context.Background()
			s, err := Open(ctx, path, Options{ReadOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for _, q := range []Query{
				{Kind: record.KindHeadline, Limit: 50},
				{Kind: record.KindHeadline, Column: "航空航天", Limit: 50},
			} {
				name := "all"
				if q.Column != "" {
					name = "column"
				}
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						recs, err := s.Latest(ctx, q)
						if err != nil || len(recs) != 50 {
							b.Fatalf("latest: %d records, %v", len(recs), err)
						}
					}
				})
			}
		})
	}
}
