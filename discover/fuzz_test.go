package discover

import (
	"net/url"
	"strings"
	"testing"

	"newsfeed/fetch"
)

// FuzzArticleMethod reads any bytes as a home or section page: reading
// never panics, every feed candidate is an absolute http(s) URL, and an
// html method found is a valid [[source]] block (its selector and
// pattern compile) whose articles are links of the page's own site.
func FuzzArticleMethod(f *testing.F) {
	var list strings.Builder
	list.WriteString(`<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body><nav><a href="/">首页</a><a href="/tag/a">标签</a></nav><ul class="news">`)
	for i := range 12 {
		list.WriteString(`<li><a href="/world/2025/12/0` + string(rune('1'+i%9)) + `/story-` + strings.Repeat("x", i+1) + `.html">一条足够长的新闻标题在这里第` + string(rune('0'+i%10)) + `条</a></li>`)
	}
	list.WriteString(`</ul><footer><a href="/about">关于</a></footer></body></html>`)
	f.Add([]byte(list.String()), "text/html; charset=utf-8")
	f.Add([]byte(`<base href="//other.example/x/"><a href="a.html">a</a><a href="javascript:x">j</a>`), "text/html")
	f.Add([]byte("\xef\xbb\xbf<meta charset=gbk><a href='/1.shtml'>\xd6\xd0\xce\xc4</a>"), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		pg, err := readPage(&fetch.Response{URL: "https://www.example.com/news/", Body: body, ContentType: contentType}, nil)
		if err != nil {
			return
		}
		for _, c := range feedCandidates(pg) {
			if u, err := url.Parse(c); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Errorf("feed candidate %q is not an absolute http(s) URL", c)
			}
		}
		m := articleMethod(pg, nil)
		if m == nil {
			return
		}
		if _, err := m.Source("fuzz"); err != nil {
			t.Fatalf("method %+v is no valid source: %v\n%s", m, err, m.Block("fuzz"))
		}
		for _, l := range m.Articles {
			u, err := url.Parse(l.URL)
			if err != nil || registrable(u.Hostname()) != "example.com" {
				t.Errorf("article %q is not of the page's site", l.URL)
			}
		}
	})
}
