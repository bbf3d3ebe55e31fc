package feed

import (
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
)

// pageStyle is the style of the pages this package renders for people:
// a feed's page and an item's page.
const pageStyle = `body { font: 16px/1.6 system-ui, "Noto Sans CJK SC", sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
code.url { display: block; user-select: all; word-break: break-all; background: #f4f4f4; padding: .4rem .6rem; }
article { border-top: 1px solid #ddd; padding: 1rem 0; }
article h2 { font-size: 1.2rem; margin: 0 0 .3rem; }
time, .meta { color: #666; font-size: .9em; }
img { max-width: 100%; height: auto; }
figure { margin: 1rem 0; }
figcaption { color: #555; font-size: .9em; }
table { border-collapse: collapse; }
td { border: 1px solid #ddd; padding: .2rem .5rem; }
pre { white-space: pre-wrap; background: #f4f4f4; padding: .5rem; }`

// pageHead is the start of the head of every page in this file: its
// charset, viewport, referrer policy (pictures load without a Referer),
// title and icon.
const pageHead = `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<link rel="icon" href="{{.Favicon}}">
`

// feedPage is a feed as a page, for a browser that navigates to the
// feed's address (serve answers it instead of the feed's bytes): its
// title, its address to copy into a reader, and its items with their
// lead pictures.
var feedPage = template.Must(template.New("feed page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
` + pageHead + `<link rel="alternate" {{.Type}} title="{{.Title}}" href="{{.URL}}">
<style>` + pageStyle + `</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Description}} This is a feed: copy its address into a feed reader to subscribe.</p>
<code class="url">{{.URL}}</code>
<p class="meta"><a href="{{.Index}}">All feeds</a></p>
{{- range .Items}}
<article>
<h2><a href="{{.Link}}">{{.Title}}</a></h2>
<time datetime="{{.DateTime}}">{{.Date}}</time>{{if .Authors}} <span class="meta">· {{.Authors}}</span>{{end}}
{{- if .Image}}
<figure><img src="{{.Image}}" alt="" loading="lazy" referrerpolicy="no-referrer"></figure>
{{- end}}
{{- if .Summary}}
<p>{{.Summary}}</p>
{{- end}}
</article>
{{- else}}
<p>No items yet.</p>
{{- end}}
</body>
</html>
`))

// itemPage is the page of one record that has no URL of its own: what
// its items link to.
var itemPage = template.Must(template.New("item page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
` + pageHead + `<style>` + pageStyle + `</style>
</head>
<body>
<p class="meta"><a href="{{.Index}}">All feeds</a></p>
<article id="{{.ID}}">
<h1>{{.Title}}</h1>
<time datetime="{{.DateTime}}">{{.Date}}</time>{{if .Authors}} <span class="meta">· {{.Authors}}</span>{{end}}
{{.Content}}
</article>
</body>
</html>
`))

// pageItem is an item as the pages show it.
type pageItem struct {
	ID, Title, Link, Date, DateTime, Authors, Image, Summary string
	// Content is the item's sanitised HTML.
	Content template.HTML
}

func toPageItem(it *Item) pageItem {
	return pageItem{
		ID: it.ID, Title: it.Title, Link: it.Link,
		Date: it.Date.Format(indexDate), DateTime: it.Date.Format("2006-01-02T15:04:05Z07:00"),
		Authors: strings.Join(it.Authors, authorSep), Image: it.Image, Summary: it.Summary,
		// Built from escaped text and sanitised by the policy.
		Content: template.HTML(it.Content),
	}
}

func pageLang(lang string) string {
	if lang == "" {
		return "en"
	}
	return lang
}

// WritePage writes the feed as a page for a browser, in format's
// address (what serve answers a browser's navigation to it with).
func (f *Feed) WritePage(w io.Writer, format Format) error {
	items := make([]pageItem, len(f.Items))
	for i, it := range f.Items {
		items[i] = toPageItem(it)
	}
	data := struct {
		Lang, Title, Description, URL, Index, Favicon string
		Type                                          template.HTMLAttr
		Items                                         []pageItem
	}{pageLang(f.Language), f.Title, f.Description, f.URL(format), f.Link, f.fileURL(FaviconFile),
		template.HTMLAttr(`type="` + format.MediaType() + `"`), items}
	if err := feedPage.Execute(w, data); err != nil {
		return fmt.Errorf("feed: render the page of %s.%s: %w", f.Spec.Path(), format, err)
	}
	return nil
}

// ItemPages returns, once each, the items of feeds that link to their
// own page (they have no URL of their own), in feed order.
func (b *Builder) ItemPages(feeds []*Feed) []*Item {
	var out []*Item
	seen := map[string]bool{}
	for _, f := range feeds {
		for _, it := range f.Items {
			if seen[it.ID] || it.Link != b.fileURL(ItemPagePath(it.ID)) {
				continue
			}
			seen[it.ID] = true
			out = append(out, it)
		}
	}
	return out
}

// fileURL returns the absolute URL of a file published under the base
// URL.
func (b *Builder) fileURL(name string) string {
	return b.base.ResolveReference(&url.URL{Path: name}).String()
}

// WriteItemPage writes the page of item it (see ItemPages).
func (b *Builder) WriteItemPage(w io.Writer, it *Item) error {
	data := struct {
		pageItem
		Lang, Index, Favicon string
	}{toPageItem(it), pageLang(it.Language), b.base.String(),
		b.fileURL(FaviconFile)}
	if err := itemPage.Execute(w, data); err != nil {
		return fmt.Errorf("feed: render the page of %s: %w", it.ID, err)
	}
	return nil
}
