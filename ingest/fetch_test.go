package ingest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/store"
)

func TestPageURL(t *testing.T) {
	const fetched = "https://www.example.com/a/1?from=rss"
	tests := map[string]struct{ page, want string }{
		"NoCanonical":     {`<html><head><title>t</title></head><body>x</body></html>`, fetched},
		"SameHost":        {`<link rel="canonical" href="https://www.example.com/a/1">`, "https://www.example.com/a/1"},
		"WithoutWWW":      {`<head><link href="https://example.com/a/1" rel="Canonical"></head>`, "https://example.com/a/1"},
		"Relative":        {`<link rel="canonical" href="/a/1">`, "https://www.example.com/a/1"},
		"OtherSite":       {`<link rel="canonical" href="https://aggregator.example/a/1">`, fetched},
		"OtherScheme":     {`<link rel="canonical" href="javascript:alert(1)">`, fetched},
		"InBody":          {`<html><body><link rel="canonical" href="https://www.example.com/b"></body></html>`, fetched},
		"EmptyHref":       {`<link rel="canonical" href=" ">`, fetched},
		"StylesheetFirst": {`<link rel="stylesheet" href="/s.css"><link rel="canonical" href="https://www.example.com/c">`, "https://www.example.com/c"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := pageURL([]byte(tt.page), fetched); got != tt.want {
				t.Errorf("pageURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	inner := filepath.Join(dir, "inner.list")
	outer := filepath.Join(dir, "outer.list")
	os.WriteFile(inner, []byte("https://a.example/2\n"), 0o644)
	os.WriteFile(outer, []byte("# pages to read\nhttps://a.example/1\n\n  seeds/  \n@"+inner+"\n"), 0o644)
	got, err := Expand([]string{"x.txt", "@" + outer, "-"})
	want := []string{"x.txt", "https://a.example/1", "seeds/", "https://a.example/2", "-"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Expand = %q, %v; want %q", got, err, want)
	}
	os.WriteFile(inner, []byte("@"+inner+"\n"), 0o644)
	if _, err := Expand([]string{"@" + inner}); err == nil || !strings.Contains(err.Error(), "nested too deep") {
		t.Errorf("a list that names itself: %v", err)
	}
	if _, err := Expand([]string{"@" + filepath.Join(dir, "nope")}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing list: %v", err)
	}
}

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
	sum, err := Run(context.Background(), s, srcs, Options{
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

	if _, err := Run(context.Background(), s, []string{site.ArticleURL(2)}, Options{}); err == nil {
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
		sum, err := Run(context.Background(), s, []string{site.URL("/bad")}, Options{Fetcher: f, State: s})
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

// FuzzPageURL: whatever the page, its records' URL is the URL fetched or
// an http(s) URL on the same site.
func FuzzPageURL(f *testing.F) {
	for _, seed := range []string{
		`<link rel="canonical" href="https://www.example.com/a/1">`,
		`<head><link href="//example.com/x" rel=canonical></head>`,
		`<link rel="canonical" href="https://other.example/">`,
		`<link rel=canonical href="http://example.com:8080/x">`,
		"<body><link rel=canonical href=/y>",
	} {
		f.Add([]byte(seed))
	}
	const fetched = "https://www.example.com/a/1"
	f.Fuzz(func(t *testing.T, page []byte) {
		got := pageURL(page, fetched)
		if got == fetched {
			return
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || siteHost(u.Host) != "example.com" {
			t.Fatalf("pageURL = %q", got)
		}
	})
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
	s := storetest.Open(t, store.Options{NoSync: true})
	f := fetch.New(fetch.Config{Delay: -1, AllowPrivate: true, IgnoreRobots: true})
	defer f.Close()
	run := func(u string) Summary {
		sum, err := Run(context.Background(), s, []string{u}, Options{Fetcher: f, State: s, Profiles: siteProfiles(t)})
		if err != nil || sum.Failed != 0 {
			t.Fatalf("%s: %s, %v", u, sum, err)
		}
		return sum
	}
	first := run(site.ArticleURL(0))
	second := run(site.URL("/one-page/0.shtml"))
	if first.Inserted == 0 || second.Inserted != 0 || second.Updated != 0 {
		t.Errorf("first %s\nsecond %s", first, second)
	}
}
