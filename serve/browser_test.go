package serve

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mmcdole/gofeed"
)

// chromium returns Debian's chromium, skipping the test when it is not
// installed, except under CI (CI set), where .ci/run installs it and its
// absence is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not installed (apt-get install chromium fonts-noto-cjk): the browser test needs it"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestServe_Browser opens the index page in headless chromium, checks
// its autodiscovery links (per-site and per-source feeds too) and newest
// items, follows a feed's link and checks that the server answered the
// navigation with the feed as an HTML page (no XSLT) whose heading is
// the feed's title and whose pictures, from a local image server,
// loaded. Screenshots go to the test's temp dir, and to $NEWSFEED_SHOTS
// when set, for a person to look at.
func TestServe_Browser(t *testing.T) {
	bin := chromium(t)
	img := newImageServer(t)
	db := pictureDB(t, img.URL)
	writePages(t, db, testNow, -1, 5)
	ts := startServer(t, Config{DB: db}, "")
	shots := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1100, 1400),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The browser lives as long as this context: bound the whole test.
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*testTimeout)
	defer cancelTimeout()

	// must fails the test with what an action was for.
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("open the index", chromedp.Do(ctx, chromedp.Navigate(ts.url), chromedp.WaitVisible(chromedp.CSS("h1"))))
	title, err := chromedp.Run(ctx, chromedp.Title())
	must("title", err)
	alternates, err := chromedp.Run(ctx, chromedp.AttributesAll(chromedp.CSSAll(`link[rel="alternate"]`)))
	must("autodiscovery links", err)
	firstArticle, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ol li a")))
	must("first article", err)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	save(t, shots, "index.png", shot)
	if title != "newsfeed" {
		t.Errorf("title %q", title)
	}
	types := map[string]int{}
	for _, a := range alternates {
		types[a["type"]]++
		if !strings.HasPrefix(a["href"], ts.url) {
			t.Errorf("autodiscovery link %q is not under %s", a["href"], ts.url)
		}
	}
	// 3 kinds, the seed's 6 columns (generated pages repeat them), 2
	// sites and a source.
	for _, typ := range []string{"application/rss+xml", "application/atom+xml", "application/feed+json"} {
		if types[typ] != 12 {
			t.Errorf("%d autodiscovery links of type %s, want 12 (%v)", types[typ], typ, types)
		}
	}
	siteHeads, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("h3")).map(h => h.textContent)`))
	must("site groups", err)
	for _, want := range []string{"All sites", "观察者网", "example.com", "Sources"} {
		if !slices.Contains(siteHeads, want) {
			t.Errorf("index groups %q lack %q", siteHeads, want)
		}
	}
	feedDoc, err := gofeed.NewParser().ParseURL(ts.url + "articles.atom")
	must("read the articles feed", err)
	if newest := feedDoc.Items[0].Title; firstArticle != newest {
		t.Errorf("first article %q, want the feed's newest, %q", firstArticle, newest)
	}

	must("follow the articles Atom link", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[type="application/atom+xml"]`)),
		chromedp.WaitVisible(chromedp.CSS("article"))))
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	must("feed page h1", err)
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("code")))
	must("feed page address", err)
	// Served as HTML, the page runs no XSLT (and Chromium shows no
	// banner about it); its pictures load from the image server.
	contentType, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.contentType`))
	must("content type", err)
	loaded := waitImages(t, ctx, 3)
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	save(t, shots, "articles-atom.png", shot)
	if h1 != "newsfeed · articles" {
		t.Errorf("feed page h1 %q, want the feed's title", h1)
	}
	if code != ts.url+"articles.atom" {
		t.Errorf("address to subscribe to %q", code)
	}
	if contentType != "text/html" {
		t.Errorf("the feed's page is %q, want text/html", contentType)
	}
	if loaded < 3 || img.hits.Load() == 0 {
		t.Errorf("%d pictures loaded, %d requests to the image server", loaded, img.hits.Load())
	}

	// A site's own feed, one folder down.
	must("open a site's Atom feed", chromedp.Do(ctx,
		chromedp.Navigate(ts.url+"sites/观察者网.atom"),
		chromedp.WaitVisible(chromedp.CSS("article"))))
	h1, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	must("site feed page h1", err)
	waitImages(t, ctx, 3)
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	save(t, shots, "site-atom.png", shot)
	if h1 != "newsfeed · 观察者网" {
		t.Errorf("site feed page h1 %q", h1)
	}

	// A column's feed, and an item's own page.
	must("open a column's RSS feed", chromedp.Do(ctx,
		chromedp.Navigate(ts.url+"headlines/航空航天.rss"),
		chromedp.WaitVisible(chromedp.CSS("article"))))
	h1, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	must("column feed page h1", err)
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	save(t, shots, "headlines-column-rss.png", shot)
	if h1 != "newsfeed · headlines · 航空航天" {
		t.Errorf("column feed page h1 %q", h1)
	}
	must("follow a headline to its page", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("article h2 a")),
		chromedp.WaitVisible(chromedp.CSS("article h1"))))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must("location", err)
	if !strings.HasPrefix(loc, ts.url+"items/") {
		t.Errorf("a headline without a URL links to %s", loc)
	}
}

// waitImages waits until at least n images of the page have loaded (or
// all it has, if fewer) and returns how many did.
func waitImages(t *testing.T, ctx context.Context, n int) int {
	t.Helper()
	js := `Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length`
	var loaded int
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("count loaded images: %v", err)
		}
		loaded = got
		if loaded >= n {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return loaded
}

// save writes a screenshot under dir, and under $NEWSFEED_SHOTS too when
// that is set.
func save(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	for _, d := range []string{dir, os.Getenv("NEWSFEED_SHOTS")} {
		if d == "" {
			continue
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot %s (%d bytes)", filepath.Join(dir, name), len(data))
}
