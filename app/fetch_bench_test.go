package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/parse"
	"newsfeed/poll"
	"newsfeed/store"
)

// fetchBenchArticles is the number of articles BenchmarkFetchIngest
// fetches and stores per iteration.
const fetchBenchArticles = 1000

// siteProfiles returns the test site's profiles.
func siteProfiles(tb testing.TB) *parse.Profiles {
	text, err := testsite.ProfileText()
	if err != nil {
		tb.Fatal(err)
	}
	ps, err := parse.ParseProfiles(strings.NewReader(text), "testsite")
	if err != nil {
		tb.Fatal(err)
	}
	return ps
}

// sectionSource is an html source for the site's section page that takes
// up to max articles.
func sectionSource(tb testing.TB, site *testsite.Site, extra string) *config.Source {
	c, err := config.Parse([]byte(fmt.Sprintf("[[source]]\nname = \"section\"\nhtml = %q\nmax_articles = 100000\n%s",
		site.URL(testsite.SectionPath), extra)), "bench.toml")
	if err != nil {
		tb.Fatal(err)
	}
	return c.Sources[0]
}

// BenchmarkFetchIngest fetches the 1,000 articles of a local test site's
// section page and stores them in a fresh database per iteration, with
// per_host 8 and no delay. With 50 ms added to every answer the bound is
// per_host / latency = 160 pages/s. It reports pages/s and the share of
// the stages' busy time spent fetching (time in Get, waits for the
// per-host limit included), parsing and storing; the stages overlap, so
// these are shares, not wall time. With no added latency, each iteration
// also ingests the same pages from files, right after, so that the
// comparison (file-pages/s, x-files: the fetch path's time over the file
// path's) sees the same load on a shared machine.
func BenchmarkFetchIngest(b *testing.B) {
	site := testsite.New(b, fetchBenchArticles)
	profiles := siteProfiles(b)
	for _, latency := range []time.Duration{50 * time.Millisecond, 0} {
		b.Run(fmt.Sprintf("latency=%v", latency), func(b *testing.B) {
			site.SetLatency(latency)
			src := sectionSource(b, site, "")
			dir := ""
			if latency == 0 {
				dir = writeArticles(b, site)
			}
			var sum Report
			var fetchTime, fileTime time.Duration
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, store.Options{NoSync: true})
				f := fetch.New(fetch.Config{PerHost: 8, Delay: -1, AllowPrivate: true, IgnoreRobots: true})
				b.StartTimer()
				var err error
				sum, err = Ingest(context.Background(), s, nil, Options{
					Fetcher: f, State: s, Lists: []poll.ListSource{{Source: src}}, Profiles: profiles,
					OnError: func(err error) { b.Error(err) },
				})
				if err != nil || sum.New != fetchBenchArticles {
					b.Fatalf("%v: %s", err, sum)
				}
				b.StopTimer()
				f.Close()
				fetchTime += sum.Elapsed
				if dir != "" {
					s := storetest.Open(b, store.Options{NoSync: true})
					fsum, err := Ingest(context.Background(), s, []string{dir}, Options{Profiles: profiles})
					if err != nil || fsum.New != fetchBenchArticles {
						b.Fatalf("%v: %s", err, fsum)
					}
					fileTime += fsum.Elapsed
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*fetchBenchArticles)/fetchTime.Seconds(), "pages/s")
			if fileTime > 0 {
				b.ReportMetric(float64(b.N*fetchBenchArticles)/fileTime.Seconds(), "file-pages/s")
				b.ReportMetric(float64(fetchTime)/float64(fileTime), "x-files")
			}
			total := float64(sum.FetchTime + sum.ParseTime + sum.WriteTime)
			b.ReportMetric(100*float64(sum.FetchTime)/total, "%fetch")
			b.ReportMetric(100*float64(sum.ParseTime)/total, "%parse")
			b.ReportMetric(100*float64(sum.WriteTime)/total, "%store")
		})
	}
}

// writeArticles writes the site's articles into a folder, one file each,
// as they are served.
func writeArticles(b *testing.B, site *testsite.Site) string {
	dir := b.TempDir()
	for i := range site.Len() {
		resp, err := http.Get(site.ArticleURL(i))
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%06d.html", i)), body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}
