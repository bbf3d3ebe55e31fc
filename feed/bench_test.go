package feed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// Benchmark databases hold pages shaped like the seed: each an article,
// its interview and benchHeadlines headlines, so 1M records is about
// 24,400 pages. Every headline is distinct, in one of benchColumns
// columns; times increase page by page, as a site publishes them.
const (
	benchHeadlines = 39
	benchPerPage   = 2 + benchHeadlines
	benchBatch     = 500 // pages per transaction
)

var benchColumns = []string{"科技前沿", "航空航天", "心智观察所", "天文", "中国精造", "能源战略", "国际", "财经",
	"军事", "社会", "文化", "体育", "健康", "教育", "汽车", "房产", "旅游", "科学", "评论", "视频"}

var (
	benchMu     sync.Mutex
	benchDir    string
	benchStores = map[int]*store.Store{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range benchStores {
		s.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchStore returns a store of about n records, built once per size per
// test binary and open for writing (without fsync), so that feed builds
// fill its item cache.
func benchStore(b *testing.B, n int) *store.Store {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if s, ok := benchStores[n]; ok {
		return s
	}
	if benchDir == "" {
		var err error
		if benchDir, err = os.MkdirTemp("", "newsfeed-feed-bench-"); err != nil {
			b.Fatal(err)
		}
	}
	path := filepath.Join(benchDir, fmt.Sprintf("feed-%d.db", n))
	ctx := context.Background()
	t0 := time.Now()
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	w, err := store.Open(ctx, path, store.Options{NoSync: true, Now: func() time.Time { return clock }})
	if err != nil {
		b.Fatal(err)
	}
	seed := seedPage(b)
	pages := (n + benchPerPage - 1) / benchPerPage
	batch := make([]*record.Page, 0, benchBatch)
	for i := 0; i < pages; i++ {
		batch = append(batch, benchPage(seed, i))
		if len(batch) == benchBatch || i == pages-1 {
			clock = clock.Add(time.Minute)
			if _, err := w.WritePages(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	fi, _ := os.Stat(path)
	b.Logf("built %d pages (%d records, %d MiB) in %v", pages, pages*benchPerPage, fi.Size()>>20,
		time.Since(t0).Round(time.Millisecond))
	// Kept open for writing: builds keep their items in the store's cache.
	benchStores[n] = w
	return w
}

// benchPage returns page i: the seed's article and interview under a
// title of their own, published i minutes after the first, and
// benchHeadlines new headlines.
func benchPage(seed *record.Page, i int) *record.Page {
	published := time.Date(2025, 6, 1, 8, 0, 0, 0, beijing).Add(time.Duration(i) * time.Minute)
	a := *seed.Article
	a.Title = fmt.Sprintf("%s(第%d期)", seed.Article.Title, i)
	a.ID = record.ArticleID("bench", "", a.Title)
	a.Site, a.Column, a.Published = "bench", benchColumns[i%len(benchColumns)], &published
	a.Source = fmt.Sprintf("bench/%d", i)
	a.ContentHash = fmt.Sprint(i)
	a.Related, a.Recommended, a.Hot = nil, nil, nil
	iv := *seed.Interview
	iv.ID, iv.ArticleID, iv.Title = record.InterviewID(a.ID), a.ID, a.Title
	p := &record.Page{Source: a.Source, ContentHash: a.ContentHash, Article: &a, Interview: &iv}
	for j := 0; j < benchHeadlines; j++ {
		title := fmt.Sprintf("标题 %d-%d:国家航天局设立商业航天司", i, j)
		t := published.Add(-time.Duration(j) * time.Second)
		h := &record.Headline{
			ID: record.HeadlineID("bench", title), Site: "bench", Title: title, Published: &t,
			Column: benchColumns[(i+j)%len(benchColumns)], Lists: []record.List{record.ListRelated},
		}
		if j%5 == 0 {
			h.Lists, h.Comments = append(h.Lists, record.ListHot), ptr(j*3)
		}
		p.Headlines = append(p.Headlines, h)
		a.Related = append(a.Related, h.ID)
	}
	return p
}

var beijing = time.FixedZone("CST", 8*3600)

// benchSizes are the database sizes benchmarks run on; 1M is skipped
// with -short.
var benchSizes = []int{10_000, 100_000, 1_000_000}

func skipLarge(b *testing.B, n int) {
	if n >= 1_000_000 && testing.Short() {
		b.Skip("the 1M-record database takes a while to build; skipped with -short")
	}
}

// benchSpecs are the feeds BenchmarkBuildFeed builds, under the names
// it reports them by.
var benchSpecs = []struct {
	name string
	spec Spec
}{
	{"articles", Spec{Kind: record.KindArticle}},
	{"interviews", Spec{Kind: record.KindInterview}},
	{"headlines", Spec{Kind: record.KindHeadline}},
	{"headlines-column", Spec{Kind: record.KindHeadline, Column: "航空航天"}},
}

// BenchmarkBuildFeed builds and renders a 50-item feed of each kind (and
// one column's headlines) in each format, from databases of 10k, 100k and
// 1M records, with the item cache warm: what a scheduled run or a server
// sees after the first build. The cost should not grow with the database.
func BenchmarkBuildFeed(b *testing.B) {
	benchBuild(b, false)
}

// BenchmarkBuildFeedCold is BenchmarkBuildFeed with the item cache cold:
// every build misses (its key is new), so it decodes and renders every
// record and writes the items back, as the first build after a change of
// options or of the item format does.
func BenchmarkBuildFeedCold(b *testing.B) {
	benchBuild(b, true)
}

func benchBuild(b *testing.B, cold bool) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			skipLarge(b, n)
			s := benchStore(b, n)
			bl := mustBuilder(b, s, Options{})
			for _, bs := range benchSpecs {
				for _, format := range Formats {
					b.Run(bs.name+"/"+string(format), func(b *testing.B) {
						var buf bytes.Buffer
						build := func() { buildInto(b, bl, bs.spec, format, &buf) }
						build() // fills the cache
						key := bl.key
						b.ReportAllocs()
						for b.Loop() {
							if cold {
								key++ // no item is cached under it
								bl.key = key
							}
							build()
						}
						bl.key = cacheKey(bl.BaseURL())
						b.SetBytes(int64(buf.Len()))
					})
				}
			}
		})
	}
}

// BenchmarkBuildFeedAfterPage is what a scheduled run does: a new page
// has just been stored (with the timer stopped), and the feed is built
// with its new item rendered and the other 49 read from the cache.
func BenchmarkBuildFeedAfterPage(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			skipLarge(b, n)
			s := benchStore(b, n)
			bl := mustBuilder(b, s, Options{})
			ctx := context.Background()
			seed := seedPage(b)
			next := (n+benchPerPage-1)/benchPerPage + 1_000_000 // after every page benchStore wrote
			for _, bs := range benchSpecs[:2] {
				for _, format := range Formats {
					b.Run(bs.name+"/"+string(format), func(b *testing.B) {
						var buf bytes.Buffer
						build := func() { buildInto(b, bl, bs.spec, format, &buf) }
						build() // fills the cache
						b.ReportAllocs()
						for b.Loop() {
							b.StopTimer()
							next++
							if _, err := s.WritePages(ctx, []*record.Page{benchPage(seed, next)}); err != nil {
								b.Fatal(err)
							}
							b.StartTimer()
							build()
						}
						b.SetBytes(int64(buf.Len()))
					})
				}
			}
		})
	}
}

// buildInto builds spec's feed with bl and renders it in format into buf.
func buildInto(b *testing.B, bl *Builder, spec Spec, format Format, buf *bytes.Buffer) {
	f, err := bl.Build(context.Background(), spec)
	if err != nil || len(f.Items) != DefaultLimit {
		b.Fatalf("build: %v, %d items", err, len(f.Items))
	}
	buf.Reset()
	if err := f.Render(buf, format); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPublish publishes every feed (3 kinds and 20 columns, 3
// formats each, and index.html): "new" into an empty folder, so that
// every file is written and synced; "unchanged" into a folder that
// already holds the same files, so that none is.
func BenchmarkPublish(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			skipLarge(b, n)
			s := benchStore(b, n)
			ctx := context.Background()
			opts := Options{BaseURL: testBase}
			b.Run("new", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					out := filepath.Join(b.TempDir(), "feeds")
					b.StartTimer()
					res, err := Publish(ctx, s, out, opts, nil)
					if err != nil || len(res.Unchanged) != 0 {
						b.Fatalf("publish: %v, %d unchanged", err, len(res.Unchanged))
					}
				}
			})
			b.Run("unchanged", func(b *testing.B) {
				out := filepath.Join(b.TempDir(), "feeds")
				if _, err := Publish(ctx, s, out, opts, nil); err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					res, err := Publish(ctx, s, out, opts, nil)
					if err != nil || len(res.Written) != 0 {
						b.Fatalf("publish: %v, %d written", err, len(res.Written))
					}
				}
			})
		})
	}
}
