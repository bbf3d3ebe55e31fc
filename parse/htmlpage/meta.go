package htmlpage

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsfeed/parse/textline"
)

// Meta is what an HTML page says about itself outside its text: <meta>
// tags, Open Graph, JSON-LD, <link rel=canonical>, <html lang>, and its
// first headings. Values are as written; parse decides what they mean.
type Meta struct {
	// Declared is the title the page declares for sharing (og:title,
	// twitter:title, JSON-LD headline); Tag is its <title>.
	Declared, Tag string
	// H1 is the page's only <h1>, when it has exactly one; Headings are
	// its first <h1>–<h3>, at most 12.
	H1       string
	Headings []string
	// SiteName, Canonical, Lang, Description and Section are the values
	// of og:site_name, the canonical link, <html lang>, the description
	// and article:section (or their JSON-LD and other equivalents).
	SiteName, Canonical, Lang, Description, Section string
	// Authors are the metadata's author names.
	Authors []string
	// Dates are publication-time candidates in order of trust, as
	// written.
	Dates []string
	// MachineTimes are every time the page writes for machines (any
	// <meta> whose name says date or time, updates included, in name
	// order, then <time datetime>).
	MachineTimes []string
	// TaggedDates is how many of Dates the page's <meta> tags and JSON-LD
	// declare; the rest are <time datetime> elements, which may date
	// anything on the page (a related story, a comment).
	TaggedDates int
	// Images are the pictures the page declares for sharing, as written:
	// og:image, twitter:image, then JSON-LD image.
	Images []string
}

// metaDateNames are <meta name|property|itemprop> values that carry the
// publication time, most trusted first.
var metaDateNames = []string{
	"article:published_time", "og:article:published_time", "datepublished", "publishdate",
	"publish_date", "pubdate", "publication_date", "sailthru.date", "parsely-pub-date",
	"dc.date.issued", "dc.date", "dcterms.date", "date", "article.published", "published_time",
}

// rawMeta is what one walk over a page collects for ReadMeta.
type rawMeta struct {
	metas           map[string]string // <meta> name/property/itemprop/http-equiv → content
	canonical, lang string
	title           string
	ldJSON          []string
	h1              []string
	headings        []string // the first <h1>–<h3>, at most 12
	times           []string // <time datetime>, at most 32
}

// walk collects the page's metadata in one pass over the node tree, with
// no selector engine: a page is read this way on every path, profiled or
// not.
func (r *rawMeta) walk(n *html.Node, depth int) {
	if depth > maxDepth || n.Type != html.ElementNode && n.Type != html.DocumentNode {
		return
	}
	if n.Type == html.ElementNode {
		switch elemAtom(n) {
		case atom.Html:
			if v, ok := Attr(n, "lang"); ok && r.lang == "" {
				r.lang = v
			}
		case atom.Meta:
			content, _ := Attr(n, "content")
			if content = strings.TrimSpace(content); content != "" {
				for _, a := range [...]string{"property", "name", "itemprop", "http-equiv"} {
					if k, ok := Attr(n, a); ok {
						if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
							if _, seen := r.metas[k]; !seen {
								r.metas[k] = content
							}
						}
					}
				}
			}
			return
		case atom.Link:
			if rel, _ := Attr(n, "rel"); strings.EqualFold(strings.TrimSpace(rel), "canonical") && r.canonical == "" {
				r.canonical, _ = Attr(n, "href")
			}
			return
		case atom.Title:
			if r.title == "" {
				r.title = textline.OneLine(nodeTextRaw(n))
			}
			return
		case atom.Script:
			if t, _ := Attr(n, "type"); strings.EqualFold(strings.TrimSpace(t), "application/ld+json") {
				r.ldJSON = append(r.ldJSON, nodeTextRaw(n))
			}
			return
		case atom.H1, atom.H2, atom.H3:
			t := textline.OneLine(NodeText(n))
			if elemAtom(n) == atom.H1 {
				r.h1 = append(r.h1, t)
			}
			if t != "" && utf8.RuneCountInString(t) <= 80 && len(r.headings) < 12 {
				r.headings = append(r.headings, t)
			}
			return
		case atom.Time:
			if v, ok := Attr(n, "datetime"); ok && v != "" && len(r.times) < 32 {
				r.times = append(r.times, v)
			}
		case atom.Style, atom.Noscript, atom.Template:
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, depth+1)
	}
}

// nodeTextRaw returns the text of n's text children as written, for
// elements whose content is not markup (<title>, <script>).
func nodeTextRaw(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// ReadMeta reads the page's metadata in one walk over its tree.
func ReadMeta(root *html.Node) Meta {
	var m Meta
	r := &rawMeta{metas: map[string]string{}}
	r.walk(root, 0)
	metas := r.metas
	var ld jsonLD
	for _, text := range r.ldJSON {
		var v any
		if json.Unmarshal([]byte(text), &v) == nil {
			walkJSONLD(v, &ld, 0)
		}
	}

	m.SiteName = firstOf(metas["og:site_name"], metas["application-name"], ld.publisher)
	m.Canonical = firstOf(r.canonical, metas["og:url"])
	m.Lang = firstOf(r.lang, metas["content-language"], metas["og:locale"], ld.language)
	m.Description = firstOf(metas["description"], metas["og:description"], metas["twitter:description"], ld.description)
	m.Section = firstOf(metas["article:section"], ld.section)
	if len(r.h1) == 1 {
		m.H1 = r.h1[0]
	}
	m.Headings = r.headings
	m.Declared = textline.OneLine(firstOf(metas["og:title"], metas["twitter:title"], ld.headline))
	m.Tag = r.title
	for _, k := range []string{"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"} {
		if v := metas[k]; v != "" {
			m.Images = append(m.Images, v)
		}
	}
	m.Images = append(m.Images, ld.images...)

	for _, name := range metaDateNames {
		if v := metas[name]; v != "" {
			m.Dates = append(m.Dates, v)
		}
		if name == "article:published_time" && ld.published != "" {
			m.Dates = append(m.Dates, ld.published) // JSON-LD right after the Open Graph tag
		}
	}
	m.TaggedDates = len(m.Dates)
	m.Dates = append(m.Dates, r.times...)
	for _, k := range slices.Sorted(maps.Keys(metas)) {
		if strings.Contains(k, "date") || strings.Contains(k, "time") {
			m.MachineTimes = append(m.MachineTimes, metas[k])
		}
	}
	m.MachineTimes = append(m.MachineTimes, r.times...)

	for _, a := range append([]string{metas["author"], metas["article:author"], metas["dc.creator"], metas["byl"]}, ld.authors...) {
		a = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(a), "By "))
		if a == "" || strings.Contains(a, "://") || strings.ContainsAny(a, "0123456789") || slices.Contains(m.Authors, a) {
			continue
		}
		m.Authors = append(m.Authors, a)
	}
	return m
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// jsonLD is what newsfeed reads of a page's JSON-LD article object.
type jsonLD struct {
	headline, published, description, section, publisher, language string
	authors, images                                                []string
}

// articleTypes are the schema.org types of a news page's main object.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true, "blogposting": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "webpage": true, "report": true,
	"liveblogposting": true, "socialmediaposting": true, "backgroundnewsarticle": true,
}

func walkJSONLD(v any, out *jsonLD, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkJSONLD(e, out, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			walkJSONLD(g, out, depth+1)
		}
		if !articleTypes[strings.ToLower(ldString(x["@type"]))] {
			return
		}
		set := func(dst *string, v any) {
			if *dst == "" {
				*dst = ldString(v)
			}
		}
		set(&out.headline, x["headline"])
		set(&out.published, x["datePublished"])
		set(&out.description, x["description"])
		set(&out.section, x["articleSection"])
		set(&out.language, x["inLanguage"])
		if p, ok := x["publisher"].(map[string]any); ok {
			set(&out.publisher, p["name"])
		}
		if len(out.authors) == 0 {
			out.authors = ldNames(x["author"])
		}
		if len(out.images) == 0 {
			out.images = ldImages(x["image"], 0)
		}
	}
}

// ldString reads a JSON-LD value that should be one string: a string, the
// first of a list, or an object's name.
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	case map[string]any:
		return ldString(x["name"])
	}
	return ""
}

// ldNames reads authors: a name, a Person, or a list of either.
func ldNames(v any) []string {
	switch x := v.(type) {
	case string:
		if x = strings.TrimSpace(x); x != "" {
			return []string{x}
		}
	case map[string]any:
		return ldNames(x["name"])
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
		return out
	}
	return nil
}

// ldImages reads a JSON-LD image: a URL, an ImageObject (its url or
// contentUrl), or a list of either.
func ldImages(v any, depth int) []string {
	if depth > 4 {
		return nil
	}
	switch x := v.(type) {
	case string:
		if x = strings.TrimSpace(x); x != "" {
			return []string{x}
		}
	case map[string]any:
		if out := ldImages(x["url"], depth+1); len(out) > 0 {
			return out
		}
		return ldImages(x["contentUrl"], depth+1)
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, ldImages(e, depth+1)...)
		}
		return out
	}
	return nil
}
