package parse

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"newsfeed/parse/htmlpage"
)

func TestPageURL(t *testing.T) {
	const fetched = "https://www.example.com/a/1?from=rss"
	tests := map[string]struct{ page, want string }{
		"NoCanonical":     {`<html><head><title>t</title></head><body>x</body></html>`, fetched},
		"SameHost":        {`<link rel="canonical" href="https://www.example.com/a/1">`, "https://www.example.com/a/1"},
		"WithoutWWW":      {`<head><link href="https://example.com/a/1" rel="Canonical"></head>`, "https://example.com/a/1"},
		"Relative":        {`<link rel="canonical" href="/a/1">`, "https://www.example.com/a/1"},
		"OtherSite":       {`<link rel="canonical" href="https://aggregator.example/a/1">`, fetched},
		"OtherScheme":     {`<link rel="canonical" href="javascript:alert(1)">`, fetched},
		"InBody":          {`<html><body><link rel="canonical" href="https://www.example.com/b"></body></html>`, fetched},
		"EmptyHref":       {`<link rel="canonical" href=" ">`, fetched},
		"StylesheetFirst": {`<link rel="stylesheet" href="/s.css"><link rel="canonical" href="https://www.example.com/c">`, "https://www.example.com/c"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := fetchedPageURL(t, []byte(tt.page), fetched); got != tt.want {
				t.Errorf("pageURL = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzPageURL: whatever the page, its records' URL is the URL fetched or
// an http(s) URL on the same site.
func FuzzPageURL(f *testing.F) {
	for _, seed := range []string{
		`<link rel="canonical" href="https://www.example.com/a/1">`,
		`<head><link href="//example.com/x" rel=canonical></head>`,
		`<link rel="canonical" href="https://other.example/">`,
		`<link rel=canonical href="http://example.com:8080/x">`,
		"<body><link rel=canonical href=/y>",
	} {
		f.Add([]byte(seed))
	}
	const fetched = "https://www.example.com/a/1"
	f.Fuzz(func(t *testing.T, page []byte) {
		got := fetchedPageURL(t, page, fetched)
		if got == fetched {
			return
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || siteHost(u.Host) != "example.com" {
			t.Fatalf("pageURL = %q", got)
		}
	})
}

// fetchedPageURL is the URL HTML chooses for page fetched from fetched.
func fetchedPageURL(t testing.TB, page []byte, fetched string) string {
	t.Helper()
	return pageURL(string(page), htmlpage.Meta{}, Options{URL: fetched, Fetched: true})
}

// A fetched page gives the same article id in UTF-8 and in UTF-16: the
// canonical link is read from the decoded page, not from its bytes.
func TestFetchedCanonical_SameIDInEveryEncoding(t *testing.T) {
	const page = `<!doctype html><html><head><meta charset="utf-8"><title>Harbour bridge reopens after repairs</title>` +
		`<link rel="canonical" href="https://www.example.com/news/bridge-reopens"></head><body><article>` +
		`<h1>Harbour bridge reopens after repairs</h1>` +
		`<p>The harbour bridge reopened to traffic on Monday morning after six weeks of repairs to its deck and rails.</p>` +
		`<p>Engineers said the work finished two days early, and that buses would return to their usual routes.</p>` +
		`</article></body></html>`
	const fetched = "https://www.example.com/news/bridge-reopens?utm_source=feed&page=1"
	enc := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(strings.Replace(page, "utf-8", "utf-16", 1))) {
		enc = append(enc, byte(u), byte(u>>8))
	}
	opts := Options{URL: fetched, Fetched: true}
	a, err := Page([]byte(page), opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Page(enc, opts)
	if err != nil {
		t.Fatal(err)
	}
	const want = "https://www.example.com/news/bridge-reopens"
	if a.URL != want || b.URL != want || a.Encoding == b.Encoding {
		t.Errorf("URL %q (%s), %q (%s); want %q from both", a.URL, a.Encoding, b.URL, b.Encoding, want)
	}
	if a.Article.ID != b.Article.ID || a.Article.URL != b.Article.URL {
		t.Errorf("UTF-8 gives %s %s, UTF-16 %s %s", a.Article.ID, a.Article.URL, b.Article.ID, b.Article.URL)
	}
}
