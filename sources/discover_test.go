package sources

import (
	"bytes"
	"compress/gzip"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"newsfeed/config"
	"newsfeed/parse"
)

func mustSource(t testing.TB, toml string) *config.Source {
	t.Helper()
	c, err := config.Parse([]byte("[[source]]\n"+toml), "t.toml")
	if err != nil {
		t.Fatal(err)
	}
	return c.Sources[0]
}

// guanchaProfile is the built-in profile set with a links key added.
func profiles(t testing.TB) ProfileFunc {
	ps, err := parse.ParseProfiles(strings.NewReader("[guancha.cn]\nlinks: h4.module-title a\ntracking: s\n"), "p.txt")
	if err != nil {
		t.Fatal(err)
	}
	return ps.Match
}

func urls(l *List) []string {
	var out []string
	for _, lk := range l.Links {
		out = append(out, lk.URL)
	}
	return out
}

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://www.guancha.cn/</link>
<item><title>a</title><link>/internation/2025_12_09_1.shtml?s=rss&amp;utm_source=feed</link><pubDate>Tue, 09 Dec 2025 10:00:00 +0800</pubDate></item>
<item><title>b</title><guid>https://www.guancha.cn/internation/2025_12_09_2.shtml</guid></item>
<item><title>dup</title><link>https://www.guancha.cn/internation/2025_12_09_1.shtml</link></item>
<item><title>no link</title></item>
</channel></rss>`

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>tag:x</id><updated>2025-12-09T10:00:00Z</updated>
<entry><title>a</title><id>tag:a</id><link href="https://example.org/a"/><updated>2025-12-10T10:00:00Z</updated><published>2025-12-09T10:00:00Z</published></entry>
</feed>`

const jsonFeed = `{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"https://example.org/j1","date_published":"2025-12-09T10:00:00Z"}]}`

func TestDiscover_Feed(t *testing.T) {
	s := mustSource(t, `feed = "https://www.guancha.cn/rss.xml"`)
	l, err := Discover(s, []byte(rss), "https://www.guancha.cn/rss.xml", "application/rss+xml", profiles(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://www.guancha.cn/internation/2025_12_09_1.shtml", "https://www.guancha.cn/internation/2025_12_09_2.shtml"}
	if got := urls(l); !reflect.DeepEqual(got, want) {
		t.Errorf("links %q, want %q", got, want)
	}
	if p := l.Links[0].Published; !p.Equal(time.Date(2025, 12, 9, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v", p)
	}

	l, err = Discover(s, []byte(atom), "https://example.org/atom", "", nil)
	if err != nil || len(l.Links) != 1 || l.Links[0].URL != "https://example.org/a" || l.Links[0].Updated.Day() != 10 || l.Links[0].Published.Day() != 9 {
		t.Errorf("atom: %+v, %v", l, err)
	}
	l, err = Discover(s, []byte(jsonFeed), "https://example.org/feed.json", "", nil)
	if err != nil || len(l.Links) != 1 || l.Links[0].URL != "https://example.org/j1" {
		t.Errorf("json feed: %+v, %v", l, err)
	}
	if _, err := Discover(s, []byte("<html><body>not a feed</body></html>"), "https://example.org/f", "", nil); !errors.Is(err, ErrNotList) {
		t.Errorf("html as feed: err = %v", err)
	}
}

const sitemapXML = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://example.org/a/1</loc><lastmod>2025-12-09</lastmod></url>
<url><loc>https://example.org/a/2</loc><news:news><news:publication_date>2025-12-08T10:00:00+08:00</news:publication_date></news:news></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>`

const sitemapIndex = `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://example.org/sitemap-1.xml</loc><lastmod>2025-12-09T10:00Z</lastmod></sitemap>
<sitemap><loc>/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>`

func TestDiscover_Sitemap(t *testing.T) {
	s := mustSource(t, `sitemap = "https://example.org/sitemap.xml"`)
	l, err := Discover(s, []byte(sitemapXML), "https://example.org/sitemap.xml", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := urls(l); !reflect.DeepEqual(got, []string{"https://example.org/a/1", "https://example.org/a/2"}) {
		t.Errorf("links %q", got)
	}
	if l.Links[0].Updated.IsZero() || !l.Links[0].Published.IsZero() || l.Links[1].Published.Hour() != 10 {
		t.Errorf("dates %+v", l.Links)
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(sitemapXML))
	zw.Close()
	if l, err := Discover(s, gz.Bytes(), "https://example.org/sitemap.xml.gz", "", nil); err != nil || len(l.Links) != 2 {
		t.Errorf("gzip: %+v, %v", l, err)
	}

	l, err = Discover(s, []byte(sitemapIndex), "https://example.org/sitemap.xml", "", nil)
	if err != nil || len(l.Links) != 0 || len(l.Sitemaps) != 2 || l.Sitemaps[1].URL != "https://example.org/sitemap-2.xml.gz" ||
		l.Sitemaps[0].Updated.IsZero() {
		t.Errorf("index: %+v, %v", l, err)
	}
	if _, err := Discover(s, []byte(`<rss version="2.0"></rss>`), "https://example.org/s", "", nil); !errors.Is(err, ErrNotList) {
		t.Errorf("rss as sitemap: err = %v", err)
	}
}

const section = `<html><head><base href="https://www.guancha.cn/"></head><body>
<ul><li><h4 class="module-title"><a href="internation/2025_12_09_1.shtml?s=zwyxgtjbt">一</a></h4></li>
<li><h4 class="module-title"><a href="/internation/2025_12_08_2.shtml">二</a></h4></li>
<li><h4 class="module-title"><a href="https://other.example/x">外</a></h4></li></ul>
<div class="nav"><a href="/">首页</a><a href="/internation/2025_12_07_3.shtml">三</a><a href="mailto:x@y">m</a></div>
</body></html>`

func TestDiscover_HTML(t *testing.T) {
	base := "https://www.guancha.cn/internation"
	tests := map[string]struct {
		toml string
		want []string
	}{
		"Selector": {`links = "h4.module-title a"`, []string{
			"https://www.guancha.cn/internation/2025_12_09_1.shtml",
			"https://www.guancha.cn/internation/2025_12_08_2.shtml", "https://other.example/x"}},
		"SelectorOfContainer": {`links = "div.nav"`, []string{
			"https://www.guancha.cn/", "https://www.guancha.cn/internation/2025_12_07_3.shtml"}},
		"Pattern": {`pattern = '^https://www\.guancha\.cn/\w+/\d{4}_\d\d_\d\d_\d+\.shtml$'`, []string{
			"https://www.guancha.cn/internation/2025_12_09_1.shtml",
			"https://www.guancha.cn/internation/2025_12_08_2.shtml",
			"https://www.guancha.cn/internation/2025_12_07_3.shtml"}},
		"SelectorAndPattern": {"links = \"div.nav\"\npattern = 'shtml$'", []string{"https://www.guancha.cn/internation/2025_12_07_3.shtml"}},
		"ProfileLinks": {``, []string{
			"https://www.guancha.cn/internation/2025_12_09_1.shtml",
			"https://www.guancha.cn/internation/2025_12_08_2.shtml", "https://other.example/x"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := mustSource(t, "html = \""+base+"\"\n"+tt.toml)
			l, err := Discover(s, []byte(section), base, "text/html", profiles(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := urls(l); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("links %q\nwant %q", got, tt.want)
			}
		})
	}
	s := mustSource(t, `html = "https://example.org/"`)
	if _, err := Discover(s, []byte("<p><a href=/x>x</a>"), "https://example.org/", "", profiles(t)); !errors.Is(err, ErrNoLinkRule) {
		t.Errorf("no rule: err = %v", err)
	}
}

func TestDiscover_HTMLGBK(t *testing.T) {
	page := `<html><body><h4 class="module-title"><a href="/a/2025_12_09_1.shtml">观察者网</a></h4></body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	s := mustSource(t, "html = \"https://www.guancha.cn/\"\nlinks = \"h4 a\"")
	l, err := Discover(s, gbk, "https://www.guancha.cn/", "text/html; charset=gbk", nil)
	if err != nil || len(l.Links) != 1 {
		t.Fatalf("%+v, %v", l, err)
	}
	if want := time.Date(2025, 12, 9, 0, 0, 0, 0, parse.Beijing); !l.Links[0].Published.Equal(want) {
		t.Errorf("date from URL %v, want %v", l.Links[0].Published, want)
	}
}

func TestDiscover_URLs(t *testing.T) {
	s := mustSource(t, `urls = ["https://example.org/a?utm_source=x", "https://example.org/a", "https://example.org/b#top"]`)
	l, err := Discover(s, nil, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := urls(l); !reflect.DeepEqual(got, []string{"https://example.org/a", "https://example.org/b"}) {
		t.Errorf("links %q", got)
	}
}

func TestDateInURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.guancha.cn/internation/2025_12_09_800077.shtml": "2025-12-09T00:00:00+08:00",
		"https://example.org/2025/12/09/story":                       "2025-12-09T00:00:00Z",
		"https://example.org/news/2025-12-09/x.html":                 "2025-12-09T00:00:00Z",
		"https://example.org/20251209/x.html":                        "2025-12-09T00:00:00Z",
		"https://example.org/2025_12/09/x":                           "",
		"https://example.org/2025/02/31/x":                           "",
		"https://example.org/a/123456789012":                         "",
	} {
		got := DateInURL(in)
		if s := got.Format(time.RFC3339); (want == "" && !got.IsZero()) || (want != "" && s != want) {
			t.Errorf("%s: %v, want %q", in, got, want)
		}
	}
}

// FuzzDiscover: no page makes Discover panic, and every link it finds is
// an absolute http(s) URL, each once.
func FuzzDiscover(f *testing.F) {
	for _, seed := range []string{rss, atom, jsonFeed, sitemapXML, sitemapIndex, section} {
		for _, k := range []byte{0, 1, 2} {
			f.Add([]byte(seed), k)
		}
	}
	sources := []*config.Source{
		mustSource(f, `feed = "https://example.org/f"`),
		mustSource(f, `sitemap = "https://example.org/s"`),
		mustSource(f, "html = \"https://example.org/\"\npattern = \".\""),
	}
	f.Fuzz(func(t *testing.T, data []byte, k byte) {
		s := sources[int(k)%len(sources)]
		l, err := Discover(s, data, s.ListURL(), "", nil)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, lk := range append(l.Links, l.Sitemaps...) {
			if _, err := config.ParseURL(lk.URL); err != nil || seen[lk.URL] {
				t.Fatalf("link %q: %v (seen %v)", lk.URL, err, seen[lk.URL])
			}
			seen[lk.URL] = true
		}
	})
}
