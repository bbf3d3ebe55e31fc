package article_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"newsfeed/app"
	"newsfeed/article"
	"newsfeed/fetch"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// Fetch gives the records app.Ingest stores for the same page; with the
// state saved, the next call is conditional and gives no page; a page
// that is no page is a *article.ParseError.
func TestFetch(t *testing.T) {
	site := testsite.New(t, 2)
	s := storetest.Open(t, store.Options{NoSync: true})
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowPrivate: true, IgnoreRobots: true})
	defer f.Close()
	opts := article.Options{Fetcher: f, State: s, Profiles: siteProfiles(t)}
	ctx := context.Background()
	w := article.Work{URL: site.ArticleURL(1), Source: "section"}
	got, err := article.Fetch(ctx, w, opts)
	if err != nil || got.Page == nil || got.Page.Seen.IsZero() || got.State.Source != "section" || got.State.BodyHash == "" {
		t.Fatalf("%v; %+v", err, got)
	}

	// The same page through Ingest.
	var stored *record.Page
	_, err = app.Ingest(ctx, writerFunc(func(pages []*record.Page) { stored = pages[0] }), []string{site.ArticleURL(1)},
		app.Options{Fetcher: f, Profiles: siteProfiles(t)})
	if err != nil || stored == nil {
		t.Fatal(err)
	}
	if string(stored.ArticleJSON) != string(got.Page.ArticleJSON) || len(stored.Headlines) != len(got.Page.Headlines) {
		t.Errorf("article.Fetch and Ingest differ:\n%s\n%s", got.Page.ArticleJSON, stored.ArticleJSON)
	}

	if err := s.PutURLStates(ctx, []record.URLState{got.State}); err != nil {
		t.Fatal(err)
	}
	again, err := article.Fetch(ctx, w, opts)
	if err != nil || again.Page != nil || again.State.Status != http.StatusNotModified {
		t.Errorf("second fetch: %v; %+v", err, again)
	}
	// Work marked New reads no state: an unconditional GET, a page, a
	// state as of a first fetch.
	w.New = true
	fresh, err := article.Fetch(ctx, w, opts)
	if err != nil || fresh.Page == nil || fresh.State.Status != http.StatusOK || !fresh.State.FirstFetched.After(got.State.FirstFetched) {
		t.Errorf("fetch marked new: %v; %+v", err, fresh)
	}

	site.Handle("/empty", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Content-Type", "text/html") })
	_, err = article.Fetch(ctx, article.Work{URL: site.URL("/empty")}, opts)
	var pe *article.ParseError
	if !errors.As(err, &pe) || pe.URL != site.URL("/empty") {
		t.Errorf("empty page: %v, want a *article.ParseError", err)
	}
}

// writerFunc is a Writer that hands each batch to fn.
type writerFunc func([]*record.Page)

func (fn writerFunc) WritePages(_ context.Context, pages []*record.Page) (record.WriteResult, error) {
	fn(pages)
	return record.WriteResult{New: len(pages)}, nil
}

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
