package discover

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"newsfeed/config"
	"newsfeed/sources"
)

// htmlMethod turns the chosen group into an html method: a pattern of its
// URLs and, when a container other than the body holds them all, a
// selector; of the variants (both, the pattern alone, the selector
// alone) the first that makes sources.Discover yield exactly the group's
// links, else the closest.
func htmlMethod(pg *page, g *group, domain string, profile sources.ProfileFunc) *Method {
	pattern := urlPattern(g, domain)
	sel := ""
	if c := commonAncestor(g.nodes); c != nil && c.Data != "body" && c.Data != "html" {
		sel = selectorFor(pg, c) + " a"
	}
	type variant struct{ links, pattern string }
	var variants []variant
	if sel != "" {
		variants = append(variants, variant{sel, pattern})
	}
	variants = append(variants, variant{"", pattern})
	if sel != "" {
		variants = append(variants, variant{sel, ""})
	}
	want := map[string]bool{}
	for _, u := range g.urls {
		want[u] = true
	}
	var best *Method
	bestFit := -1 << 30
	for _, v := range variants {
		m := &Method{Kind: config.KindHTML, URL: pg.url, Links: v.links, Pattern: v.pattern, Score: g.score}
		arts, _, err := links(m, pg.data, pg.url, pg.contentType, profile, g.text)
		if err != nil {
			continue
		}
		fit := 0
		for _, a := range arts {
			if want[a.URL] {
				fit++
			} else {
				fit -= 2
			}
		}
		m.Articles = arts
		if fit == len(g.urls) && len(arts) == len(g.urls) {
			m.Found = fmt.Sprintf("the page's article links (%d, score %s)", len(arts), fmtScore(g.score))
			return m
		}
		if fit > bestFit {
			best, bestFit = m, fit
		}
	}
	if best != nil {
		best.Found = fmt.Sprintf("the page's article links (%d of %d found again, score %s)", bestFit, len(g.urls), fmtScore(g.score))
	}
	return best
}

// urlPattern is a regular expression matching the group's URLs: their
// host (or any host of the registrable domain, when they are on
// several), and per path segment the segment as written with its
// digits as \d+ when all share that, else any segment (with their
// shared extension).
func urlPattern(g *group, domain string) string {
	byShape := map[string][][]string{}
	var shapes []string
	query := false
	host := ""
	for _, raw := range g.urls {
		u, _ := url.Parse(raw)
		sh := urlShape(u)
		if byShape[sh] == nil {
			shapes = append(shapes, sh)
		}
		byShape[sh] = append(byShape[sh], strings.Split(u.EscapedPath(), "/"))
		query = query || u.RawQuery != ""
		host = u.Host
	}
	var b strings.Builder
	b.WriteString(`^https?://`)
	if len(g.hosts) == 1 {
		b.WriteString(regexp.QuoteMeta(host))
	} else {
		b.WriteString(`(?:[^/?#]+\.)?` + regexp.QuoteMeta(domain) + `(?::\d+)?`)
	}
	var alts []string
	for _, sh := range shapes {
		paths := byShape[sh]
		var p strings.Builder
		for i := 1; i < len(paths[0]); i++ {
			p.WriteByte('/')
			p.WriteString(segmentPattern(paths, i))
		}
		if !slices.Contains(alts, p.String()) {
			alts = append(alts, p.String())
		}
	}
	if len(alts) == 1 {
		b.WriteString(alts[0])
	} else {
		b.WriteString("(?:" + strings.Join(alts, "|") + ")")
	}
	if query {
		b.WriteString(`(?:\?.*)?`)
	}
	b.WriteByte('$')
	return b.String()
}

// skeleton is a segment as a pattern with its digit runs as \d+: dates,
// ids and counters change from one article (and month) to the next.
func skeleton(seg string) string {
	var b strings.Builder
	last := 0
	for _, loc := range digitRun.FindAllStringIndex(seg, -1) {
		b.WriteString(regexp.QuoteMeta(seg[last:loc[0]]) + `\d+`)
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(seg[last:]))
	return b.String()
}

// segmentPattern matches the i-th path segment of every path: their
// shared skeleton, else any segment with their shared extension.
func segmentPattern(paths [][]string, i int) string {
	var vals []string
	for _, p := range paths {
		if i < len(p) {
			vals = append(vals, p[i])
		}
	}
	skel, ext := skeleton(vals[0]), leafExt.FindString(vals[0])
	for _, v := range vals[1:] {
		if skeleton(v) != skel {
			skel = ""
		}
		if !strings.EqualFold(leafExt.FindString(v), ext) {
			ext = ""
		}
	}
	if longSlug.MatchString(vals[0]) {
		skel = "" // a slug: the next article's words differ
	}
	switch {
	case skel != "":
		return skel
	case ext != "":
		return `[^/]+` + regexp.QuoteMeta(ext)
	}
	return `[^/]+`
}

// commonAncestor returns the deepest element holding every node.
func commonAncestor(nodes []*html.Node) *html.Node {
	if len(nodes) == 0 {
		return nil
	}
	var path []*html.Node // root first
	for n := nodes[0].Parent; n != nil; n = n.Parent {
		path = append([]*html.Node{n}, path...)
	}
	depth := len(path)
	for _, n := range nodes[1:] {
		var p []*html.Node
		for a := n.Parent; a != nil; a = a.Parent {
			p = append([]*html.Node{a}, p...)
		}
		d := 0
		for d < depth && d < len(p) && p[d] == path[d] {
			d++
		}
		depth = d
	}
	if depth == 0 {
		return nil
	}
	c := path[depth-1]
	if c.Type != html.ElementNode {
		return nil
	}
	return c
}

// selectorFor returns a selector for n: its own simpleSel, prefixed by
// its ancestors' until it matches n alone (at most four levels), or as
// near as that gets.
func selectorFor(pg *page, n *html.Node) string {
	sel := simpleSel(n)
	for p, level := n.Parent, 0; level < 4 && p != nil && p.Type == html.ElementNode && p.Data != "html"; p, level = p.Parent, level+1 {
		if pg.doc.Find(sel).Length() <= 1 {
			break
		}
		sel = simpleSel(p) + " " + sel
	}
	return sel
}
