package serve

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// With Config.Store the server builds from a store its own process holds
// open for writing (bbolt's lock would refuse a second, read-only open):
// Refresh after a write serves the new records with a new ETag, an
// unchanged store is not built again, and the API reads the same store.
func TestServer_OpenStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "newsfeed.db"),
		store.Options{Now: func() time.Time { return testNow }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.WritePages(ctx, []*record.Page{page(t, -1)}); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, Config{Store: st, Poll: time.Hour}, "")
	waitFor(t, "the first build", func() bool { return srv.snap.Load() != nil })
	resp, body := get(t, "GET", srv.url+"articles.atom")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET articles.atom: %d", resp.StatusCode)
	}
	etag := resp.Header.Get("ETag")

	// Nothing written: Refresh keeps the snapshot.
	before := srv.snap.Load()
	if err := srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if srv.snap.Load() != before {
		t.Error("an unchanged store was built again")
	}

	p := page(t, 0)
	if _, err := st.WritePages(ctx, []*record.Page{p}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	resp, body2 := get(t, "GET", srv.url+"articles.atom")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag || string(body2) == string(body) {
		t.Fatalf("after a write: status %d, ETag %s (was %s)", resp.StatusCode, resp.Header.Get("ETag"), etag)
	}
	if !strings.Contains(string(body2), p.Article.ID) && !strings.Contains(string(body2), p.Article.URL) {
		t.Errorf("the new article %s is not in the feed", p.Article.ID)
	}
	resp, recs := get(t, "GET", srv.url+"api/records")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(recs), p.Article.ID) {
		t.Fatalf("GET api/records: %d, new article in it: %v", resp.StatusCode, strings.Contains(string(recs), p.Article.ID))
	}
}
