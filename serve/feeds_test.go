package serve

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"newsfeed/feed"
	"newsfeed/internal/feedcheck"
	"newsfeed/store"
)

// servedFeed is one feed file as the server returned it.
type servedFeed struct {
	path   string // under the base URL, as in publish's folder
	url    string
	format feed.Format
	body   []byte
}

// fetchFeeds GETs every feed of the database in every format.
func fetchFeeds(t *testing.T, ts *testServer, db string) []servedFeed {
	t.Helper()
	s, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	specs, err := feed.Specs(context.Background(), s, "")
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out []servedFeed
	for _, spec := range specs {
		for _, format := range feed.Formats {
			path := spec.Path() + "." + string(format)
			u := ts.url + (&url.URL{Path: path}).EscapedPath()
			resp, body := get(t, "GET", u)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %s", u, resp.Status)
			}
			if want := format.MediaType() + "; charset=utf-8"; resp.Header.Get("Content-Type") != want {
				t.Errorf("%s: Content-Type %q, want %q", path, resp.Header.Get("Content-Type"), want)
			}
			out = append(out, servedFeed{path, u, format, body})
		}
	}
	return out
}

// TestServe_FeedsAreValid: every feed served passes gofeed, Debian's
// feedparser and the W3C validator's offline rules with the URL it was
// served at; Atom entry ids are absolute IRIs, the same from two fresh
// databases that stored the same pages at other times.
func TestServe_FeedsAreValid(t *testing.T) {
	dbA := newDB(t, 6)
	dbB := filepath.Join(t.TempDir(), "other.db")
	writePages(t, dbB, testNow.Add(48*time.Hour), -1, 7)
	tsA := startServer(t, Config{DB: dbA}, "/feeds/")
	tsB := startServer(t, Config{DB: dbB}, "/feeds/")

	atomIDs := func(ts *testServer, db string) map[string]string {
		ids := map[string]string{} // Atom id by RSS guid (the record id)
		manifest := map[string][]feedcheck.Entry{}
		dir := t.TempDir()
		for _, f := range fetchFeeds(t, ts, db) {
			for _, p := range feedcheck.W3C(f.body, string(f.format), f.url) {
				t.Errorf("%s: %s", f.path, p)
			}
			parsed, err := gofeed.NewParser().Parse(bytes.NewReader(f.body))
			if err != nil {
				t.Fatalf("gofeed: %s: %v", f.path, err)
			}
			var entries []feedcheck.Entry
			for _, it := range parsed.Items {
				entries = append(entries, feedcheck.Entry{ID: it.GUID, Title: it.Title})
				if f.format != feed.Atom {
					continue
				}
				u, err := url.Parse(it.GUID)
				if err != nil || !u.IsAbs() {
					t.Errorf("%s: entry id %q is not an absolute IRI", f.path, it.GUID)
				}
			}
			// Pair Atom ids with record ids through the RSS feed's
			// guids, item by item.
			if f.format == feed.RSS {
				atom, err := gofeed.NewParser().ParseURL(strings.TrimSuffix(f.url, ".rss") + ".atom")
				if err != nil {
					t.Fatal(err)
				}
				for i, it := range parsed.Items {
					ids[it.GUID] = atom.Items[i].GUID
				}
			}
			file := filepath.Join(dir, filepath.FromSlash(f.path))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, f.body, 0o644); err != nil {
				t.Fatal(err)
			}
			manifest[file] = entries
		}
		t.Log(feedcheck.Feedparser(t, manifest))
		return ids
	}
	a, b := atomIDs(tsA, dbA), atomIDs(tsB, dbB)
	if len(a) < 50 || len(a) != len(b) {
		t.Fatalf("%d and %d entries", len(a), len(b))
	}
	urls := 0
	for id, x := range a {
		if b[id] != x {
			t.Errorf("%s: Atom id %q, in the other database %q", id, x, b[id])
		}
		if strings.HasPrefix(x, "https://") {
			urls++
		} else if !strings.HasPrefix(x, "tag:127.0.0.1,2025:") {
			t.Errorf("%s: Atom id %q is neither a URL nor a tag URI", id, x)
		}
	}
	if urls == 0 {
		t.Error("no article has its canonical URL as Atom id")
	}
}
