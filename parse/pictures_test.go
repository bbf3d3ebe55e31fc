package parse

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"newsfeed/parse/htmlpage"
	"newsfeed/record"
)

// pictureProfiles read the hand-made pages of testdata/pictures through a
// site profile, so that their bodies reach the blocks as written.
func pictureProfiles(t *testing.T) *Profiles {
	t.Helper()
	ps, err := ParseProfiles(strings.NewReader("[news.example.com]\ntitle: h1\nbody: article\n"), "test profiles")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestPictures_Golden parses each page of testdata/pictures (one rule of
// the body's blocks and pictures each: lazy attributes, srcset, <picture>,
// <noscript>, placeholders, tracking pixels and icons, relative URLs,
// <base href>, duplicates, related stories, structure, the lead image)
// and compares the article's blocks and lead image with NAME.golden.json.
// Refresh with -update.
func TestPictures_Golden(t *testing.T) {
	pages, _ := filepath.Glob("testdata/pictures/*.html")
	if len(pages) < 12 {
		t.Fatalf("found only %d pages", len(pages))
	}
	profiles := pictureProfiles(t)
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			res, err := Page(readFile(t, page), Options{Source: filepath.Base(page), Profiles: profiles})
			if err != nil {
				t.Fatal(err)
			}
			a := res.Article
			for _, b := range a.Blocks {
				if b.Type == record.BlockImage && b.Src != "" {
					u, err := url.Parse(b.Src)
					if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
						t.Errorf("picture %q is no absolute http(s) URL", b.Src)
					}
				}
			}
			got, err := json.MarshalIndent(struct {
				Image  string         `json:"image,omitempty"`
				Blocks []record.Block `json:"blocks"`
			}{a.Image, a.Blocks}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "pictures", name+".golden.json"), append(got, '\n'))
		})
	}
}

// TestPictures_NoPageURL reads pictures with no page URL to resolve them
// against (the generic path): javascript: and data: never reach a record;
// absolute ones do, and relative ones are kept as written, but never as
// the lead image. (readeck drops the protocol-relative one when it has no
// page URL.)
func TestPictures_NoPageURL(t *testing.T) {
	page := `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>没有页面地址</title></head><body>
<h1>没有页面地址</h1><article>
<p>第一段：页面没有地址，也没有 canonical 和 base，相对地址无法解析。这里有足够长的文字让正文提取器把它当作正文，它说的是一件事情的经过。</p>
<img src="relative/a.jpg"><img src="/root/b.jpg"><img src="javascript:void(0)"><img src="data:image/png;base64,iVBORw0KGgo=">
<p>第二段：绝对地址可以。这里也有足够长的文字让正文提取器把它当作正文，它说的是这件事情后来怎样了，以及大家怎么看。</p>
<img src="https://img.example.com/ok.jpg"><img src="//img.example.com/proto.jpg">
<p>第三段：最后一段文字，同样足够长，说明事情的结果和影响，让正文提取器不会把它丢掉，也不会把图片丢掉。</p>
</article></body></html>`
	res, err := Page([]byte(page), Options{Source: "no-url.html"})
	if err != nil {
		t.Fatal(err)
	}
	var srcs []string
	for _, b := range res.Article.Blocks {
		if b.Src != "" {
			srcs = append(srcs, b.Src)
		}
	}
	want := []string{"relative/a.jpg", "/root/b.jpg", "https://img.example.com/ok.jpg", "https://img.example.com/proto.jpg"}
	if len(srcs) < 3 || !slices.Equal(srcs, want[:len(srcs)]) {
		t.Errorf("pictures %q, want %q", srcs, want)
	}
	if res.Article.Image != "https://img.example.com/ok.jpg" {
		t.Errorf("lead image %q", res.Article.Image)
	}
}

func TestWidestAndPlaceholders(t *testing.T) {
	// Through BodyBlocks with no base: absolute URLs, and relative ones as written.
	for _, tt := range []struct{ img, want string }{
		{`<img srcset="https://a.example/1.jpg 1x, https://a.example/2.jpg 2x">`, "https://a.example/2.jpg"},
		{`<img srcset="https://a.example/s.jpg 300w,https://a.example/l.jpg 900w">`, "https://a.example/l.jpg"},
		{`<img srcset="https://a.example/a,b.jpg 100w, https://a.example/c.jpg 50w">`, "https://a.example/a,b.jpg"},
		{`<img src="https://a.example/pixel.gif" data-src="https://a.example/real.jpg">`, "https://a.example/real.jpg"},
		{`<img src="https://a.example/x.jpg" width="1" height="1">`, ""},
		{`<img src="  https://a.example/sp%20ace.jpg  ">`, "https://a.example/sp%20ace.jpg"},
		{`<img src="relative.jpg">`, "relative.jpg"},
		{`<img src="data:image/png;base64,iVBORw0KGgo=">`, ""},
		{`<img src="JAVASCRIPT:alert(1)">`, ""},
	} {
		doc := mustHTML(t, "<html><body><div>"+tt.img+"<p>text</p></div></body></html>")
		var got string
		for _, b := range htmlpage.BodyBlocks(nil, doc) {
			for _, p := range b.Images {
				got = p.Src
			}
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.img, got, tt.want)
		}
	}
}

func mustHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPictures_ContentHash: a page whose picture changed is a changed
// page; the same page read twice hashes alike.
func TestPictures_ContentHash(t *testing.T) {
	profiles := pictureProfiles(t)
	page := string(readFile(t, "testdata/pictures/duplicates.html"))
	hash := func(s string) string {
		res, err := Page([]byte(s), Options{Source: "p.html", Profiles: profiles})
		if err != nil {
			t.Fatal(err)
		}
		return res.Article.ContentHash
	}
	a, b := hash(page), hash(page)
	c := hash(strings.Replace(page, "/d/b.jpg", "/d/c.jpg", 1))
	if a != b || a == c {
		t.Errorf("hashes %s %s %s: the same page must hash alike, a changed picture differently", a, b, c)
	}
}
