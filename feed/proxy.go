package feed

import (
	"html"
	"regexp"
)

// imgSrc finds the src of every picture content holds: the renderers
// write it first, double-quoted and HTML-escaped.
var imgSrc = regexp.MustCompile(`<img src="([^"]*)"`)

// ProxyImages replaces, in every item of feeds, each picture's URL (in
// the content, and the lead picture) with proxy's URL for it: what
// `serve --image-proxy` serves. Items are not changed in place (feeds
// share them, and so may the item cache): each is copied once, and the
// copy shared by every feed that holds it.
func ProxyImages(feeds []*Feed, proxy func(string) string) {
	done := map[*Item]*Item{}
	for _, f := range feeds {
		for i, it := range f.Items {
			if c, ok := done[it]; ok {
				f.Items[i] = c
				continue
			}
			c := *it
			c.Content = imgSrc.ReplaceAllStringFunc(it.Content, func(m string) string {
				src := imgSrc.FindStringSubmatch(m)[1]
				return `<img src="` + html.EscapeString(proxy(html.UnescapeString(src))) + `"`
			})
			if it.valid == it.Content {
				c.valid = c.Content // proxied URLs are ASCII: still valid UTF-8
			}
			if c.Image != "" {
				c.Image = proxy(c.Image)
			}
			done[it] = &c
			f.Items[i] = &c
		}
	}
}
