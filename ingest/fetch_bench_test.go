package ingest

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

	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/parse"
	"newsfeed/sources"
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
func sectionSource(tb testing.TB, site *testsite.Site, extra string) *sources.Source {
	c, err := sources.Parse([]byte(fmt.Sprintf("[[source]]\nname = \"section\"\nhtml = %q\nmax_articles = 100000\n%s",
		site.URL(testsite.SectionPath), extra)), "bench.toml")
	if err != nil {
		tb.Fatal(err)
	}
	return c.Sources[0]
}

// BenchmarkFetchIngest fetches the 1,000 articles of a local test site's
// section page and stores them in a fresh database per iteration, with
// per_host 8 and no delay: with 50 ms added to every answer, the bound is
// per_host / latency = 160 pages/s. It reports pages/s and the share of
// the stages' busy time spent fetching, parsing and storing (fetchers,
// parse workers and the writer overlap, so shares, not wall time).
// "files" ingests the same pages from files, for comparison with
// "latency=0".
func BenchmarkFetchIngest(b *testing.B) {
	site := testsite.New(b, fetchBenchArticles)
	profiles := siteProfiles(b)
	for _, latency := range []time.Duration{50 * time.Millisecond, 0} {
		b.Run(fmt.Sprintf("latency=%v", latency), func(b *testing.B) {
			site.SetLatency(latency)
			src := sectionSource(b, site, "")
			var sum Summary
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, store.Options{NoSync: true})
				f := fetch.New(fetch.Config{PerHost: 8, Delay: -1, AllowPrivate: true, IgnoreRobots: true})
				b.StartTimer()
				var err error
				sum, err = Run(context.Background(), s, nil, Options{
					Fetcher: f, State: s, Lists: []ListSource{{Source: src}}, Profiles: profiles,
					OnError: func(err error) { b.Error(err) },
				})
				if err != nil || sum.New != fetchBenchArticles {
					b.Fatalf("%v: %s", err, sum)
				}
				b.StopTimer()
				f.Close()
				b.StartTimer()
			}
			reportPages(b, sum)
			total := float64(sum.FetchTime + sum.ParseTime + sum.WriteTime)
			b.ReportMetric(100*float64(sum.FetchTime)/total, "%fetch")
			b.ReportMetric(100*float64(sum.ParseTime)/total, "%parse")
			b.ReportMetric(100*float64(sum.WriteTime)/total, "%store")
		})
	}
	b.Run("files", func(b *testing.B) {
		site.SetLatency(0)
		dir := b.TempDir()
		for i := range fetchBenchArticles {
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
		var sum Summary
		for b.Loop() {
			b.StopTimer()
			s := storetest.Open(b, store.Options{NoSync: true})
			b.StartTimer()
			var err error
			sum, err = Run(context.Background(), s, []string{dir}, Options{Profiles: profiles})
			if err != nil || sum.New != fetchBenchArticles {
				b.Fatalf("%v: %s", err, sum)
			}
		}
		reportPages(b, sum)
	})
}

// reportPages reports the pages/s of the last iteration's summary.
func reportPages(b *testing.B, sum Summary) {
	b.ReportMetric(float64(sum.Read)/sum.Elapsed.Seconds(), "pages/s")
}
