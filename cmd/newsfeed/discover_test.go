package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsfeed/config"
	"newsfeed/internal/testsite"
	"newsfeed/sources"
)

func TestDiscoverCommand_HeadlineList(t *testing.T) {
	site, list, _ := testsite.ListSite(t, false)
	start := time.Now()
	code, out, errOut := runCmd(t, "", "discover", "--allow-private", "--delay", "0", site.URL("/"))
	t.Logf("discover of a local site: %v, %d requests", time.Since(start).Round(time.Millisecond), len(site.Requests()))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	t.Log("\n" + out)
	for _, want := range []string{
		"[[source]]\nname = \"127.0.0.1\"\nhtml = \"" + site.URL("/") + "\"\nlinks = \"ul.news-list a\"\npattern = '",
		"# 20 article URLs; the first 10:\n",
		"#  1. " + site.URL(list[0].Path) + "  " + list[0].Title,
		"in 7 requests",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := len(site.Requests()); n > 8 {
		t.Errorf("%d requests: %v", n, site.Requests())
	}
}

func TestDiscoverCommand_URLs(t *testing.T) {
	site, list := testsite.FeedSite(t)
	code, out, errOut := runCmd(t, "", "discover", "--urls", "--allow-private", "--delay", "0", site.URL("/"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var want []string
	for _, h := range list {
		want = append(want, site.URL(h.Path))
	}
	if got := strings.TrimSuffix(out, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("--urls printed\n%s", out)
	}
}

func TestDiscoverCommand_Check(t *testing.T) {
	site, list, _ := testsite.ListSite(t, true)
	code, out, errOut := runCmd(t, "", "discover", "--check", "--allow-private", "--delay", "0", site.URL("/"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s\n%s", code, errOut, out)
	}
	_, check, _ := strings.Cut(out, "# check:")
	t.Log("\n# check:" + check)
	for _, want := range []string{"title:    " + list[0].Title, "time:     2025-12-01 10:30", "outlet:   测试日报", "pictures: 1", "author:   王记者"} {
		if !strings.Contains(check, want) {
			t.Errorf("check lacks %q", want)
		}
	}
	if strings.Count(check, "title:") != 3 {
		t.Errorf("want three articles checked")
	}
}

func TestDiscoverCommand_PrivateRefused(t *testing.T) {
	site, _, _ := testsite.ListSite(t, false)
	code, _, errOut := runCmd(t, "", "discover", "--delay", "0", site.URL("/"))
	if code != exitFailed || !strings.Contains(errOut, "--allow-private") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	if n := len(site.Requests()); n != 0 {
		t.Errorf("the site saw %d requests", n)
	}
}

func TestDiscoverCommand_RobotsRefused(t *testing.T) {
	site, _, _ := testsite.ListSite(t, false)
	code, _, errOut := runCmd(t, "", "discover", "--allow-private", "--delay", "0", site.URL("/private/"))
	if code != exitFailed || !strings.Contains(errOut, "robots.txt") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}

func TestAddCommand(t *testing.T) {
	site, list, _ := testsite.ListSite(t, false)
	feedSite, _ := testsite.FeedSite(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "newsfeed.toml")
	orig := "# my sources\ncontact = \"https://example.org/bot\"  # for site owners\n\n[[source]]\nname = \"127.0.0.1\"   # kept\nfeed = \"https://example.org/rss.xml\""
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "", "add", "--config", path, "--allow-private", "--delay", "0", site.URL("/"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, "links = \"ul.news-list a\"") || !strings.Contains(out, "# added to "+path) {
		t.Errorf("add printed\n%s", out)
	}
	code, _, errOut = runCmd(t, "", "add", "--config", path, "--name", "feedsite", "--allow-private", "--delay", "0", feedSite.URL("/"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCmd(t, "", "add", "--config", path, "--allow-private", "--delay", "0", site.URL("/"))
	if again, _ := os.ReadFile(path); code != exitOK || string(again) != string(data) || !strings.Contains(out, "nothing added") {
		t.Errorf("adding the site again: exit %d, %s", code, out)
	}
	if !strings.HasPrefix(string(data), orig+"\n\n[[source]]\nname = \"127.0.0.1-2\"\n") {
		t.Errorf("file:\n%s", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the file's own", st.Mode().Perm())
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 3 || c.Sources[1].Kind != config.KindHTML || c.Sources[2].Kind != config.KindFeed || c.Sources[2].Name != "feedsite" {
		t.Fatalf("sources: %+v", c.Sources)
	}
	checkHTMLSource(t, c.Sources[1], site, list)
}

// checkHTMLSource checks sources.Discover with src finds the list on the
// site's home page.
func checkHTMLSource(t *testing.T, src *config.Source, site *testsite.Pages, list []testsite.Headline) {
	t.Helper()
	resp, err := site.Client().Get(site.URL("/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	l, err := sources.Discover(src, body, site.URL("/"), resp.Header.Get("Content-Type"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Links) != len(list) {
		t.Fatalf("%d links, want %d", len(l.Links), len(list))
	}
	for i, lk := range l.Links {
		if lk.URL != site.URL(list[i].Path) {
			t.Errorf("link %d = %s", i, lk.URL)
		}
	}
}

func TestAddCommand_CreatesFile(t *testing.T) {
	site, _ := testsite.RobotsSitemapSite(t)
	path := filepath.Join(t.TempDir(), "sources.toml")
	code, _, errOut := runCmd(t, "", "add", "--config", path, "--allow-private", "--delay", "0", site.URL("/"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 || c.Sources[0].Kind != config.KindSitemap || c.Sources[0].ListURL() != site.URL("/maps/articles.xml") {
		t.Errorf("sources: %+v", c.Sources[0])
	}
}

// newsfeed add URL, then newsfeed run: the site's articles — the
// headline list's, not the hot box's — are fetched and stored with no
// selector written by hand.
func TestAddThenRun(t *testing.T) {
	site, list, hot := testsite.ListSite(t, false)
	dir := t.TempDir()
	path, db := filepath.Join(dir, "newsfeed.toml"), filepath.Join(dir, "newsfeed.db")
	if code, _, errOut := runCmd(t, "", "add", "--config", path, "--allow-private", "--delay", "0", site.URL("/")); code != exitOK {
		t.Fatalf("add: exit %d, stderr %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "", "run", "--config", path, "--db", db, "--out", filepath.Join(dir, "feeds"),
		"--allow-private", "--delay", "0", "--quiet"); code != exitOK {
		t.Fatalf("run: exit %d, stderr %s", code, errOut)
	}
	code, out, errOut := runCmd(t, "", "export", "--db", db)
	if code != exitOK {
		t.Fatalf("export: exit %d, stderr %s", code, errOut)
	}
	stored := map[string]bool{}
	for line := range strings.Lines(out) {
		var r struct{ Kind, URL string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Kind == "article" {
			stored[r.URL] = true
		}
	}
	for _, h := range list {
		if !stored[site.URL(h.Path)] {
			t.Errorf("article %s not stored", h.Path)
		}
	}
	for _, h := range hot {
		if stored[site.URL(h.Path)] {
			t.Errorf("hot box article %s stored", h.Path)
		}
	}
}
