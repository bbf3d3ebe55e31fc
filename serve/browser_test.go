package serve

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
// its autodiscovery links and newest items, follows a feed's link and
// checks that the stylesheet turned the feed into a page whose heading
// is the feed's title. Screenshots go to the test's temp dir, and to
// $NEWSFEED_SHOTS when set, for a person to look at.
func TestServe_Browser(t *testing.T) {
	bin := chromium(t)
	db := newDB(t, 4)
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
	// 3 kinds and the seed's 6 columns (generated pages repeat them).
	for _, typ := range []string{"application/rss+xml", "application/atom+xml", "application/feed+json"} {
		if types[typ] != 9 {
			t.Errorf("%d autodiscovery links of type %s, want 9 (%v)", types[typ], typ, types)
		}
	}
	feedDoc, err := gofeed.NewParser().ParseURL(ts.url + "articles.atom")
	must("read the articles feed", err)
	if newest := feedDoc.Items[0].Title; firstArticle != newest {
		t.Errorf("first article %q, want the feed's newest, %q", firstArticle, newest)
	}

	must("follow the articles Atom link", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[type="application/atom+xml"]`)),
		chromedp.WaitVisible(chromedp.CSS("ol li"))))
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	must("feed page h1", err)
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("code")))
	must("feed page address", err)
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	save(t, shots, "articles-atom.png", shot)
	if h1 != "newsfeed · articles" {
		t.Errorf("feed page h1 %q, want the feed's title", h1)
	}
	if code != ts.url+"articles.atom" {
		t.Errorf("address to subscribe to %q", code)
	}

	// A column's feed, one folder down, finds the stylesheet too.
	must("open a column's RSS feed", chromedp.Do(ctx,
		chromedp.Navigate(ts.url+"headlines/航空航天.rss"),
		chromedp.WaitVisible(chromedp.CSS("ol li"))))
	h1, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	must("column feed page h1", err)
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	save(t, shots, "headlines-column-rss.png", shot)
	if h1 != "newsfeed · headlines · 航空航天" {
		t.Errorf("column feed page h1 %q", h1)
	}
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
