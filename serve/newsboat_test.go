package serve

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool returns the path of a Debian tool, skipping the test when it
// is not installed, except under CI (CI set), where .ci/run installs it
// and its absence is a failure.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := name + " is not installed (apt-get install " + pkg + "): the test needs it"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestServe_Newsboat subscribes Debian's newsboat to every feed at once
// from the served feeds.opml (newsboat -i), reloads them all (-x
// reload), and reads its cache (SQLite, through the sqlite3 shell): it
// must hold every article of every site, with the pictures, served by a
// local image server, in their content, and exactly each article's
// authors.
func TestServe_Newsboat(t *testing.T) {
	newsboat := needTool(t, "newsboat", "newsboat")
	sqlite := needTool(t, "sqlite3", "sqlite3")
	img := newImageServer(t)
	ts := startServer(t, Config{DB: pictureDB(t, img.URL)}, "")

	dir := t.TempDir()
	_, opml := get(t, "GET", ts.url+"feeds.opml")
	var doc struct {
		Outlines []struct {
			Feeds []struct {
				URL string `xml:"xmlUrl,attr"`
			} `xml:"outline"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(opml, &doc); err != nil {
		t.Fatalf("feeds.opml: %v", err)
	}
	var feeds []string
	for _, g := range doc.Outlines {
		for _, f := range g.Feeds {
			feeds = append(feeds, f.URL)
		}
	}
	opmlFile := filepath.Join(dir, "feeds.opml")
	if err := os.WriteFile(opmlFile, opml, 0o644); err != nil {
		t.Fatal(err)
	}
	urls, cache, config := filepath.Join(dir, "urls"), filepath.Join(dir, "cache.db"), filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("reload-threads 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		// newsboat keeps nothing of its own outside dir.
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	nb := []string{"-u", urls, "-c", cache, "-C", config}
	run(newsboat, append(nb, "-i", opmlFile)...)
	imported, err := os.ReadFile(urls)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range feeds {
		if !strings.Contains(string(imported), f) {
			t.Errorf("newsboat did not import %s:\n%s", f, imported)
		}
	}
	run(newsboat, append(nb, "-x", "reload")...)
	// Every feed was fetched and read: newsboat names it by its title.
	var loaded []struct {
		URL   string `json:"rssurl"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(run(sqlite, "-json", cache, "SELECT rssurl, title FROM rss_feed")), &loaded); err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, f := range loaded {
		titles[f.URL] = f.Title
	}
	for _, f := range feeds {
		if !strings.HasPrefix(titles[f], "newsfeed · ") {
			t.Errorf("newsboat did not read %s (title %q)", f, titles[f])
		}
	}

	var items []struct {
		FeedURL string `json:"feedurl"`
		Title   string `json:"title"`
		Author  string `json:"author"`
		Content string `json:"content"`
	}
	out := run(sqlite, "-json", cache, "SELECT feedurl, title, author, content FROM rss_item")
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatalf("newsboat's cache: %v\n%.500s", err, out)
	}
	// newsboat keeps an item once, under the first feed it read it in
	// (its cache is keyed by the item's id): every article must be there.
	seen := map[string]bool{}
	for _, it := range items {
		seen[it.Title] = true
		if !strings.Contains(it.Content, `<img src="`+img.URL+"/body-big-") || !strings.Contains(it.Content, "<figcaption>图片说明</figcaption>") {
			t.Errorf("%s: %s: content without its picture: %.300s", it.FeedURL, it.Title, it.Content)
		}
		if strings.Contains(it.Content, "<h2>"+it.Title) {
			t.Errorf("%s: %s: content repeats the title", it.FeedURL, it.Title)
		}
		if it.Author != "张三, 李四" {
			t.Errorf("%s: %s: author %q, want 张三, 李四", it.FeedURL, it.Title, it.Author)
		}
	}
	for _, site := range pictureSites {
		for i := 1; i <= 3; i++ {
			if title := fmt.Sprintf("%s 第%d篇：图片新闻", site, i); !seen[title] {
				t.Errorf("newsboat lacks %q", title)
			}
		}
	}
	t.Logf("newsboat: %d feeds imported, %d items cached", len(feeds), len(items))
}
