package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"newsfeed/article"
	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/poll"
	"newsfeed/record"
	"newsfeed/store"
)

// enqueueRun polls the site's section page with Schedule and returns
// the work handed over, by URL.
func enqueueRun(t *testing.T, site *testsite.Site, state article.FetchState, extra string) (Report, map[string]article.Work) {
	t.Helper()
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowPrivate: true, IgnoreRobots: true})
	defer f.Close()
	var mu sync.Mutex
	got := map[string]article.Work{}
	sum, err := Schedule(context.Background(), nil, Options{
		Fetcher: f, State: state, Lists: []poll.ListSource{{Source: sectionSource(t, site, extra)}}, Profiles: siteProfiles(t),
		Site:    "flag-site",
		OnError: func(err error) { t.Error(err) },
	}, func(_ context.Context, w article.Work) error {
		mu.Lock()
		defer mu.Unlock()
		got[w.URL] = w
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum, got
}

// Schedule fetches the list but no article: each goes to
// the sink with its source, site and the list's marker, which stays the
// same while the list does and changes with it.
func TestRun_Enqueue(t *testing.T) {
	site := testsite.New(t, 5)
	sum, first := enqueueRun(t, site, nil, "")
	if sum.Enqueued != 5 || len(first) != 5 || site.Stats().Articles != 0 {
		t.Fatalf("%+v; %d handed over; the site served %d articles", sum, len(first), site.Stats().Articles)
	}
	marker := first[site.ArticleURL(0)].Marker
	for u, w := range first {
		if w.Source != "section" || w.Site != "flag-site" || w.Marker != marker || marker == "" || strings.Contains(u, "?s=") {
			t.Errorf("%s: %+v", u, w)
		}
	}
	_, again := enqueueRun(t, site, nil, "")
	if again[site.ArticleURL(0)].Marker != marker || again[site.ArticleURL(0)].New {
		t.Errorf("without a fetch state: %+v", again[site.ArticleURL(0)])
	}
	if again[site.ArticleURL(0)].Marker != marker {
		t.Errorf("the unchanged list gave marker %q, then %q", marker, again[site.ArticleURL(0)].Marker)
	}
	site.Add()
	_, changed := enqueueRun(t, site, nil, "site = \"src-site\"")
	if w := changed[site.ArticleURL(0)]; w.Marker == marker || w.Site != "src-site" {
		t.Errorf("after the list changed: %+v", w)
	}
}

// With a fetch state, the work of an article it has no record of is
// marked New; an article it has a state of is not.
func TestRun_EnqueueMarksNew(t *testing.T) {
	site := testsite.New(t, 2)
	s := storetest.Open(t, store.Options{NoSync: true})
	known := site.ArticleURL(0)
	if err := s.PutURLStates(context.Background(), []record.URLState{{URL: known, Source: "section", Status: 200,
		FirstFetched: time.Now().Add(-time.Hour), LastFetched: time.Now().Add(-time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	_, got := enqueueRun(t, site, s, "")
	for u, w := range got {
		if w.New != (u != known) {
			t.Errorf("%s: New %v", u, w.New)
		}
	}
	if len(got) != 1 {
		t.Errorf("%d articles enqueued, want the new one", len(got))
	}
}

// A sink error counts the article as failed, and the list keeps no
// validators, so the next poll reads it whole.
func TestRun_EnqueueError(t *testing.T) {
	site := testsite.New(t, 2)
	s := storetest.Open(t, store.Options{NoSync: true})
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowPrivate: true, IgnoreRobots: true})
	defer f.Close()
	var errs []error
	sum, err := Schedule(context.Background(), nil, Options{
		Fetcher: f, State: s, Lists: []poll.ListSource{{Source: sectionSource(t, site, "")}}, Profiles: siteProfiles(t),
		OnError: func(err error) { errs = append(errs, err) },
	}, func(context.Context, article.Work) error { return errors.New("queue gone") })
	if err != nil || sum.Failed != 2 || sum.Enqueued != 0 || len(errs) != 2 ||
		!strings.Contains(errs[0].Error(), "source section: enqueue "+site.URL("")) {
		t.Fatalf("%v; %+v; %v", err, sum, errs)
	}
	states, err := s.URLStates(context.Background(), []string{site.URL(testsite.SectionPath)})
	if err != nil || len(states) != 0 {
		t.Errorf("list state saved after failed enqueues: %v %v", states, err)
	}
}
