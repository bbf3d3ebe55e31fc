package poll

import (
	"context"
	"errors"
	"fmt"
	"newsfeed/article"
	"newsfeed/config"
	"newsfeed/internal/storetest"
	"newsfeed/record"
	"newsfeed/sources"
	"newsfeed/store"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

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

func TestCheck(t *testing.T) {
	if err := Check(nil); !errors.Is(err, ErrNoSources) {
		t.Errorf("Check(nil) = %v", err)
	}
	if err := Check([]string{"-", "x", "-"}); err == nil {
		t.Error("Check accepted stdin twice")
	}
	if err := Check([]string{"-", "x"}); err != nil {
		t.Error(err)
	}
}

// chunkRecorder is a store that notes how many URLs each URLStates call
// asks for.
type chunkRecorder struct {
	*store.Store
	calls []int
}

func (c *chunkRecorder) URLStates(ctx context.Context, urls []string) (map[string]record.URLState, error) {
	c.calls = append(c.calls, len(urls))
	return c.Store.URLStates(ctx, urls)
}

// pick reads a long list's states a chunk at a time and sends the new
// articles in the list's order, then the changed ones, at most
// max_articles in all, telling whether it left some out.
func TestPick_LongListInChunks(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	const n = 2*pickChunk + 100
	links := make([]sources.Link, n)
	for i := range links {
		links[i] = sources.Link{URL: fmt.Sprintf("https://example.com/%d.html", i)}
	}
	// 10 was fetched and has changed since; 300 was fetched and has not.
	links[10].Updated = now
	s := &chunkRecorder{Store: storetest.Open(t, store.Options{NoSync: true})}
	if err := s.PutURLStates(ctx, []record.URLState{
		{URL: links[10].URL, LastFetched: now.Add(-time.Hour), FirstFetched: now.Add(-time.Hour)},
		{URL: links[300].URL, LastFetched: now.Add(-time.Hour), FirstFetched: now.Add(-time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	var wantAll []string
	for i, lk := range links {
		if i != 10 && i != 300 {
			wantAll = append(wantAll, lk.URL)
		}
	}
	wantAll = append(wantAll, links[10].URL) // changed: after every new one

	for _, tt := range []struct {
		max    int
		capped bool
	}{{n, false}, {n - 5, true}} {
		s.calls = nil
		p := New(Config{State: s, Now: func() time.Time { return now }})
		src := &listSource{Source: &config.Source{Name: "long", Settings: config.Settings{MaxArticles: tt.max}}}
		var sent []string
		capped, err := p.pick(ctx, src, links, func(w article.Work) bool { sent = append(sent, w.URL); return true })
		if err != nil {
			t.Fatal(err)
		}
		want := wantAll[:min(tt.max, len(wantAll))]
		if capped != tt.capped || strings.Join(sent, " ") != strings.Join(want, " ") {
			t.Errorf("max %d: capped %v (want %v), sent %d articles (want %d), first %q, last %q",
				tt.max, capped, tt.capped, len(sent), len(want), sent[0], sent[len(sent)-1])
		}
		if want := []int{pickChunk, pickChunk, 100}; fmt.Sprint(s.calls) != fmt.Sprint(want) {
			t.Errorf("max %d: URLStates asked for %v URLs, want %v", tt.max, s.calls, want)
		}
	}
}
