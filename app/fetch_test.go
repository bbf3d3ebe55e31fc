package app

import (
	"context"
	"io"
	"net/http"
	"testing"
	"unicode/utf16"

	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/store"
)

// URLs named as sources are fetched once each (tracking tails and
// fragments do not make another page), beside files; their records name
// the URL as source. Without a fetcher, a URL source is an error.
func TestRun_URLSources(t *testing.T) {
	site := testsite.New(t, 3)
	s := storetest.Open(t, store.Options{NoSync: true})
	f := fetch.New(fetch.Config{Delay: -1, AllowPrivate: true})
	defer f.Close()
	var errs []error
	srcs := []string{site.ArticleURL(0), site.ArticleURL(0) + "?s=x&utm_source=y#top", site.ArticleURL(1), "../seeds"}
	sum, err := Ingest(context.Background(), s, srcs, Options{
		Fetcher: f, State: s, Profiles: siteProfiles(t), OnError: func(err error) { errs = append(errs, err) },
	})
	if err != nil || len(errs) > 0 {
		t.Fatalf("%v %v", err, errs)
	}
	if sum.New != 3 || sum.Read != 3 || site.Stats().Articles != 2 {
		t.Errorf("summary %s; %d article requests, want 2", sum, site.Stats().Articles)
	}
	info, ok, err := s.Source(context.Background(), site.ArticleURL(1))
	if err != nil || !ok || info.ArticleID == "" {
		t.Errorf("page stored under its URL: %+v %v %v", info, ok, err)
	}
	states, _ := s.URLStates(context.Background(), []string{site.ArticleURL(1)})
	if st := states[site.ArticleURL(1)]; st.ETag == "" || st.BodyHash == "" || st.Status != 200 || st.FirstFetched.IsZero() {
		t.Errorf("fetch state %+v", st)
	}

	if _, err := Ingest(context.Background(), s, []string{site.ArticleURL(2)}, Options{}); err == nil {
		t.Error("a URL source without a fetcher ran")
	}
}

// A page that fails to parse keeps no fetch state, so the next run
// fetches it whole and reports it again rather than getting a 304.
func TestRun_FailedPageKeepsNoState(t *testing.T) {
	site := testsite.New(t, 1)
	site.Handle("/bad", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("ETag", `"bad"`)
		w.Write([]byte{0, 1, 2, 3})
	})
	s := storetest.Open(t, store.Options{NoSync: true})
	f := fetch.New(fetch.Config{Delay: -1, AllowPrivate: true})
	defer f.Close()
	for run := range 2 {
		sum, err := Ingest(context.Background(), s, []string{site.URL("/bad")}, Options{Fetcher: f, State: s})
		if err != nil || sum.Failed != 1 {
			t.Errorf("run %d: %s, %v", run, sum, err)
		}
	}
	for _, r := range site.Requests() {
		if r.IfNoneMatch != "" {
			t.Errorf("asked conditionally for a page that failed: %+v", r)
		}
	}
}

// A story reached by two URLs whose pages name the same canonical link
// is one article: the second page adds no record.
func TestRun_TwoURLsOneStory(t *testing.T) {
	site := testsite.New(t, 1)
	resp, err := http.Get(site.ArticleURL(0))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	site.Handle("/one-page/0.shtml", func(w http.ResponseWriter, _ *http.Request) { w.Write(body) })
	run := urlIngester(t)
	first := run(site.ArticleURL(0))
	second := run(site.URL("/one-page/0.shtml"))
	if first.Inserted == 0 || second.Inserted != 0 || second.Updated != 0 {
		t.Errorf("first %s\nsecond %s", first, second)
	}
}

// The same story served in UTF-16 from another URL is the same article:
// its canonical link is read from the decoded page.
func TestRun_UTF16PageSameArticle(t *testing.T) {
	site := testsite.New(t, 1)
	resp, err := http.Get(site.ArticleURL(0))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	enc := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(body))) {
		enc = append(enc, byte(u), byte(u>>8))
	}
	site.Handle("/utf16/0.shtml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(enc)
	})
	run := urlIngester(t)
	first := run(site.ArticleURL(0))
	second := run(site.URL("/utf16/0.shtml"))
	if first.Inserted == 0 || second.Inserted != 0 {
		t.Errorf("first %s\nsecond %s", first, second)
	}
}

// urlIngester returns a function that ingests one URL into a store of
// its own, fetching with the fetch state kept there, and fails the test
// unless every page is read.
func urlIngester(t *testing.T) func(u string) Report {
	t.Helper()
	s := storetest.Open(t, store.Options{NoSync: true})
	f := fetch.New(fetch.Config{Delay: -1, AllowPrivate: true, IgnoreRobots: true})
	t.Cleanup(f.Close)
	return func(u string) Report {
		t.Helper()
		sum, err := Ingest(context.Background(), s, []string{u}, Options{Fetcher: f, State: s, Profiles: siteProfiles(t)})
		if err != nil || sum.Failed != 0 {
			t.Fatalf("%s: %s, %v", u, sum, err)
		}
		return sum
	}
}
