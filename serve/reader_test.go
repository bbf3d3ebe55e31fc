package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// imageServer serves a small PNG at any path ending in .png, on
// 127.0.0.1, and counts the requests it answered.
type imageServer struct {
	*httptest.Server
	hits atomic.Int64
}

// testPNG is a 4×3 PNG; bigPNG a 240×160 gradient, so that
// screenshots show something.
var testPNG, bigPNG = makePNG(4, 3), makePNG(240, 160)

func makePNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(255 * x / w), uint8(255 * y / h), 160, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func newImageServer(tb testing.TB) *imageServer {
	tb.Helper()
	is := &imageServer{}
	is.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, ".png") {
			http.NotFound(w, r)
			return
		}
		is.hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(pictureFor(r.URL.Path))
	}))
	tb.Cleanup(is.Close)
	return is
}

// pictureFor returns a PNG for path: the test PNG, but a larger one
// (a 240×160 gradient) for paths holding "big", so that screenshots show
// something.
func pictureFor(path string) []byte {
	if strings.Contains(path, "big") {
		return bigPNG
	}
	return testPNG
}

// pictureSites are the sites of pictureDB, each with its articles.
var pictureSites = []string{"观察者网", "example.com"}

// pictureDB returns the path of a new database holding, for each of
// pictureSites, three articles whose bodies have every block type and
// pictures served by img, and a source that found the first site's
// articles.
func pictureDB(tb testing.TB, img string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "newsfeed.db")
	ctx := context.Background()
	s, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return testNow }, NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	var pages []*record.Page
	var states []record.URLState
	for si, site := range pictureSites {
		for i := range 3 {
			u := fmt.Sprintf("https://news%d.example/a/%d.html", si, i)
			published := time.Date(2026, 1, 10+i, 8, si, 0, 0, time.FixedZone("CST", 8*3600))
			a := &record.Article{
				ID: record.ArticleID(site, u, ""), Site: site, URL: u, Published: &published,
				Title: fmt.Sprintf("%s 第%d篇：图片新闻", site, i+1), Lead: "导语。",
				Image:  fmt.Sprintf("%s/lead-big-%d-%d.png", img, si, i),
				Outlet: "新华社", Column: "国际", Language: "zh", Authors: []string{"张三", "李四"},
				Blocks: []record.Block{
					{Type: record.BlockParagraph, Text: "第一段。"},
					{Type: record.BlockImage, Src: fmt.Sprintf("%s/body-big-%d-%d.png", img, si, i), Alt: "图", Caption: "图片说明", Width: 240, Height: 160},
					{Type: record.BlockHeading, Level: 2, Text: "小标题"},
					{Type: record.BlockList, Items: []string{"一", "二"}},
					{Type: record.BlockQuote, Text: "引语。"},
					{Type: record.BlockParagraph, Text: "最后一段。"},
				},
			}
			pages = append(pages, &record.Page{Source: u, ContentHash: fmt.Sprintf("h%d%d", si, i), Article: a})
			if si == 0 {
				states = append(states, record.URLState{URL: u, Source: pictureSource, Status: 200, FirstFetched: testNow, LastFetched: testNow})
			}
		}
	}
	if _, err := s.WritePages(ctx, pages); err != nil {
		tb.Fatal(err)
	}
	if err := s.PutURLStates(ctx, states); err != nil {
		tb.Fatal(err)
	}
	if err := s.PutListPolls(ctx, map[string]time.Time{pictureSource: testNow}); err != nil {
		tb.Fatal(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// pictureSource names the source of pictureDB.
const pictureSource = "观察者网 要闻"

// TestServe_DocumentGetsPage: a browser's navigation to a feed
// (Sec-Fetch-Dest: document) gets an HTML page made from the same
// snapshot, with its own ETag, validated like the feed; a reader, even
// one asking for text/html, gets the feed's bytes.
func TestServe_DocumentGetsPage(t *testing.T) {
	img := newImageServer(t)
	ts := startServer(t, Config{DB: pictureDB(t, img.URL)}, "")
	for _, path := range []string{"articles.atom", "articles.rss", "articles.json", "sites/%E8%A7%82%E5%AF%9F%E8%80%85%E7%BD%91.atom"} {
		resp, page := get(t, "GET", ts.url+path, "Sec-Fetch-Dest", "document", "Accept", "text/html")
		feedResp, feedBody := get(t, "GET", ts.url+path, "Accept", "text/html")
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: a navigation gets %q", path, ct)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Sec-Fetch-Dest") || !strings.Contains(feedResp.Header.Get("Vary"), "Sec-Fetch-Dest") {
			t.Errorf("%s: Vary %q, %q", path, resp.Header.Get("Vary"), feedResp.Header.Get("Vary"))
		}
		if strings.HasPrefix(feedResp.Header.Get("Content-Type"), "text/html") || bytes.Contains(feedBody, []byte("<!DOCTYPE html>")) {
			t.Errorf("%s: a reader got the page", path)
		}
		for _, want := range []string{`<code class="url">` + ts.url + path + `</code>`, `referrerpolicy="no-referrer"`,
			img.URL + "/lead-big-0-2.png", "<h1>newsfeed · "} {
			if strings.Contains(path, "rss") || strings.Contains(path, "json") {
				want = strings.ReplaceAll(want, ".atom", "")
			}
			if !strings.Contains(string(page), want) {
				t.Errorf("%s: page lacks %q", path, want)
			}
		}
		etag := resp.Header.Get("ETag")
		if etag == "" || etag == feedResp.Header.Get("ETag") {
			t.Errorf("%s: page ETag %q, feed's %q", path, etag, feedResp.Header.Get("ETag"))
		}
		r304, _ := get(t, "GET", ts.url+path, "Sec-Fetch-Dest", "document", "If-None-Match", etag)
		if r304.StatusCode != http.StatusNotModified {
			t.Errorf("%s: page revalidation: %d", path, r304.StatusCode)
		}
		r200, _ := get(t, "GET", ts.url+path, "If-None-Match", etag)
		if r200.StatusCode != http.StatusOK {
			t.Errorf("%s: the page's ETag validated the feed: %d", path, r200.StatusCode)
		}
	}
}

// TestServe_OPMLIconsItemPagesSiteFeeds: the server answers feeds.opml
// listing every feed it serves, the icons (favicon.ico at the root
// too), the site and source feeds, and a page for each item without a
// URL of its own.
func TestServe_OPMLIconsItemPagesSiteFeeds(t *testing.T) {
	img := newImageServer(t)
	db := pictureDB(t, img.URL)
	writePages(t, db, testNow, -1, 1) // the seed: headlines without URLs
	ts := startServer(t, Config{DB: db}, "/news/")
	resp, body := get(t, "GET", ts.url+"feeds.opml")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/x-opml; charset=utf-8" {
		t.Fatalf("feeds.opml: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, p := range []string{"articles.atom", "sites/%E8%A7%82%E5%AF%9F%E8%80%85%E7%BD%91.atom", "sources/"} {
		if !strings.Contains(string(body), `xmlUrl="`+ts.url+p) {
			t.Errorf("feeds.opml lacks %s%s", ts.url, p)
		}
	}
	root := strings.TrimSuffix(ts.url, "news/")
	for _, u := range []string{ts.url + "favicon.ico", root + "favicon.ico", ts.url + "icon.png"} {
		if r, _ := get(t, "GET", u); r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "image/") {
			t.Errorf("%s: %d %q", u, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	var doc struct {
		Items []struct {
			ID, URL string
		} `json:"items"`
	}
	_, hb := get(t, "GET", ts.url+"headlines.json")
	if err := json.Unmarshal(hb, &doc); err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, it := range doc.Items {
		if !strings.HasPrefix(it.URL, ts.url) {
			continue
		}
		pages++
		r, page := get(t, "GET", it.URL)
		if r.StatusCode != 200 || !strings.Contains(string(page), `<article id="`+it.ID+`">`) {
			t.Errorf("%s links to %s: %d", it.ID, it.URL, r.StatusCode)
		}
	}
	if pages == 0 {
		t.Error("no headline links to its own page")
	}
	_, site := get(t, "GET", ts.url+"sites/观察者网.json")
	if !strings.Contains(string(site), "观察者网 第3篇") || strings.Contains(string(site), "example.com 第") {
		t.Errorf("site feed: %.300s", site)
	}
}
