package sharedfetch

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"testing"
	"time"

	"newsfeed/cluster"
	"newsfeed/fetch"
	"newsfeed/internal/natstest"
	"newsfeed/record"
)

// newState returns a State on its own connection to srv.
func newState(t *testing.T, c *cluster.Conn) *State {
	t.Helper()
	st, err := NewState(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// URL states written by one worker are read by another: the validators a
// conditional GET needs reach whichever worker takes the URL.
func TestState_URLStatesAcrossWorkers(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	a, b := newState(t, connect(t, srv.ClientURL())), newState(t, connect(t, srv.ClientURL()))
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	states := []record.URLState{{
		URL: "https://example.com/a.html", Source: "example", ETag: `"v1"`,
		LastModified: "Sun, 01 Nov 2026 08:00:00 GMT", BodyHash: "ab12", Status: 200,
		FirstFetched: t0, LastFetched: t0.Add(time.Hour), LastChanged: t0,
	}, {
		URL: "https://例子.cn:8443/新闻?id=1", Status: 304, ETag: `W/"x"`,
		FirstFetched: t0, LastFetched: t0, LastChanged: t0,
	}}
	if err := a.PutURLStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	got, err := b.URLStates(ctx, []string{states[0].URL, states[1].URL, "https://example.com/unknown"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]record.URLState{states[0].URL: states[0], states[1].URL: states[1]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("URLStates =\n%+v\nwant\n%+v", got, want)
	}
}

// SourceURLs lists one source's URLs first fetched at since or later,
// newest first, and follows a URL that moved to another source.
func TestState_SourceURLs(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	st := newState(t, connect(t, srv.ClientURL()))
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	put := func(u, source string, first time.Time) {
		t.Helper()
		s := record.URLState{URL: u, Source: source, Status: 200, FirstFetched: first, LastFetched: first, LastChanged: first}
		if err := st.PutURLStates(ctx, []record.URLState{s}); err != nil {
			t.Fatal(err)
		}
	}
	put("https://a.example/1", "a.news", t0)
	put("https://a.example/2", "a.news", t0.Add(2*time.Hour))
	put("https://a.example/3", "a.news", t0.Add(3*time.Hour))
	put("https://b.example/1", "a", t0.Add(3*time.Hour)) // a source whose name starts the other's
	put("https://a.example/moved", "a.news", t0.Add(4*time.Hour))
	put("https://a.example/moved", "other", t0.Add(4*time.Hour))

	got, err := st.SourceURLs(ctx, "a.news", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, s := range got {
		urls = append(urls, s.URL)
	}
	if want := []string{"https://a.example/3", "https://a.example/2"}; !reflect.DeepEqual(urls, want) {
		t.Errorf("SourceURLs(a.news) = %v, want %v", urls, want)
	}
	if got, err := st.SourceURLs(ctx, "nobody", time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("SourceURLs(nobody) = %v, %v", got, err)
	}
}

// Host deferrals keep the later time, list only those still to come, and
// forget those that ran out; list polls round-trip.
func TestState_DeferralsAndPolls(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	a, b := newState(t, connect(t, srv.ClientURL())), newState(t, connect(t, srv.ClientURL()))
	now := time.Now().Truncate(time.Second)
	if err := a.PutHostDeferrals(ctx, map[string]time.Time{
		"example.com":        now.Add(2 * time.Hour),
		"127.0.0.1:8080":     now.Add(time.Hour),
		"[::1]:80":           now.Add(time.Hour),
		"xn--fiqs8s.example": now.Add(time.Hour),
		"gone.example":       now.Add(-time.Minute),
	}); err != nil {
		t.Fatal(err)
	}
	// An earlier deferral does not shorten a later one.
	if err := b.PutHostDeferrals(ctx, map[string]time.Time{"example.com": now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	got, err := b.HostDeferrals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"example.com":        now.Add(2 * time.Hour),
		"127.0.0.1:8080":     now.Add(time.Hour),
		"[::1]:80":           now.Add(time.Hour),
		"xn--fiqs8s.example": now.Add(time.Hour),
	}
	if !maps.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("HostDeferrals = %v, want %v", got, want)
	}
	if _, err := a.b.kv.Get(ctx, keyDefer+keyPart("gone.example", true)); err == nil {
		t.Error("a deferral that ran out was not forgotten")
	}

	polls := map[string]time.Time{"a.news": now, "新闻 列表": now.Add(-time.Hour), "x": now.Add(time.Minute)}
	if err := a.PutListPolls(ctx, polls); err != nil {
		t.Fatal(err)
	}
	gotPolls, err := b.ListPolls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(gotPolls, polls, time.Time.Equal) {
		t.Errorf("ListPolls = %v, want %v", gotPolls, polls)
	}
}

// What one worker learnt of a page makes the next worker's request for it
// conditional: it is answered 304.
func TestState_ConditionalGetAnyWorker(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	const etag = `"v1"`
	s := newTestSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		fmt.Fprint(w, "<p>page</p>")
	})
	fs := workers(t, srv, 2, fetchConfig(t, s), GateOptions{})
	states := []*State{newState(t, connect(t, srv.ClientURL())), newState(t, connect(t, srv.ClientURL()))}
	u := s.URL + "/article.html"

	resp, err := fs[0].Get(ctx, u, fetch.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	st := record.URLState{URL: u, Source: "site", ETag: resp.Validators.ETag, Status: resp.Status,
		FirstFetched: resp.Date, LastFetched: resp.Date, LastChanged: resp.Date}
	if err := states[0].PutURLStates(ctx, []record.URLState{st}); err != nil {
		t.Fatal(err)
	}

	known, err := states[1].URLStates(ctx, []string{u})
	if err != nil {
		t.Fatal(err)
	}
	old := known[u]
	resp, err = fs[1].Get(ctx, u, fetch.Validators{ETag: old.ETag, LastModified: old.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified {
		t.Errorf("the second worker's Get was answered %d, want 304", resp.Status)
	}
}
