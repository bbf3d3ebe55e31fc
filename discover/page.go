package discover

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"newsfeed/fetch"
	"newsfeed/sources"
)

// selection is a goquery selection.
type selection = goquery.Selection

// page is the fetched page, parsed.
type page struct {
	url, contentType string
	data             []byte
	doc              *goquery.Document
	// base is the URL links resolve against (<base href> applied).
	base    *url.URL
	anchors []anchor
}

// anchor is one <a href> of the page.
type anchor struct {
	node *html.Node
	// url is canonical, as sources.Discover makes it; text the link's
	// text (else its title, else an image's alt), spaces collapsed.
	url, text string
}

// readPage parses the page in its encoding and collects its links.
func readPage(resp *fetch.Response, profile sources.ProfileFunc) (*page, error) {
	r, err := charset.NewReader(bytes.NewReader(resp.Body), resp.ContentType)
	if err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	base, err := url.Parse(resp.URL)
	if err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if u, err := url.Parse(href); err == nil {
			base = base.ResolveReference(u)
		}
	}
	pg := &page{url: resp.URL, contentType: resp.ContentType, data: resp.Body, doc: doc, base: base}
	doc.Find("a[href]").Each(func(_ int, a *selection) {
		u := sources.CanonicalURL(base, a.AttrOr("href", ""), profile)
		if u == "" {
			return
		}
		text := collapse(a.Text())
		if text == "" {
			text = collapse(a.AttrOr("title", ""))
		}
		if text == "" {
			text = collapse(a.Find("img[alt]").First().AttrOr("alt", ""))
		}
		pg.anchors = append(pg.anchors, anchor{node: a.Nodes[0], url: u, text: text})
	})
	return pg, nil
}

// collapse trims s and collapses its runs of white space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
