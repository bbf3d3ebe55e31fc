package discover

import (
	"net/url"
	"testing"
)

func TestRegistrable(t *testing.T) {
	for host, want := range map[string]string{
		"news.sina.com.cn": "sina.com.cn", "www.bbc.co.uk": "bbc.co.uk", "example.org.": "example.org",
		"127.0.0.1": "127.0.0.1", "localhost": "localhost", "::1": "::1",
	} {
		if got := registrable(host); got != want {
			t.Errorf("registrable(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestURLShape(t *testing.T) {
	for in, want := range map[string]string{
		"https://x.org/world/2025/12/09/a-b-c.html":    "/a/9/9/9/a.html",
		"https://x.org/china/2025/12/10/d.html":        "/a/9/9/9/a.html",
		"https://x.org/internation/2025_12_09_1.shtml": "/a/9_9_9_9.shtml",
		"https://x.org/tag/economy":                    "/tag/a",
		"https://x.org/article.php?id=3&from=rss":      "/a.php?from&id",
		"https://x.org/doc-ihaz123.shtml":              "/a9.shtml",
	} {
		u, _ := url.Parse(in)
		if got := urlShape(u); got != want {
			t.Errorf("urlShape(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestURLPatternHosts(t *testing.T) {
	g := &group{urls: []string{
		"https://news.example.com.cn/2025-12-09/doc-abc123.shtml",
		"https://finance.example.com.cn/2025-12-08/doc-def456.shtml",
	}, hosts: map[string]bool{"news.example.com.cn": true, "finance.example.com.cn": true}}
	got := urlPattern(g, "example.com.cn")
	want := `^https?://(?:[^/?#]+\.)?example\.com\.cn(?::\d+)?/\d+-\d+-\d+/[^/]+\.shtml$`
	if got != want {
		t.Errorf("pattern %s, want %s", got, want)
	}
}
