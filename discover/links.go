package discover

import (
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/publicsuffix"

	"newsfeed/sources"
)

// MinScore is the article-likeness below which a group of links is not
// taken for the page's articles.
const MinScore = 0.8

// group is a set of the page's links of one URL shape in one kind of
// container.
type group struct {
	shape, container string
	urls             []string // distinct, in page order
	text             map[string]string
	nodes            []*html.Node
	hosts            map[string]bool
	score            float64
}

// articleMethod finds the page's article links: the best-scoring group,
// as an html method checked with sources.Discover; nil when no group
// scores MinScore.
func articleMethod(pg *page, profile sources.ProfileFunc) *Method {
	domain := registrable(pg.base.Hostname())
	groups := map[string]*group{}
	var order []*group
	for _, a := range pg.anchors {
		u, err := url.Parse(a.url)
		if err != nil || registrable(u.Hostname()) != domain || samePage(u, pg.base) {
			continue
		}
		shape, cont := urlShape(u), containerSig(a.node)
		key := shape + "|" + cont
		g := groups[key]
		if g == nil {
			g = &group{shape: shape, container: cont, text: map[string]string{}, hosts: map[string]bool{}}
			groups[key] = g
			order = append(order, g)
		}
		if _, seen := g.text[a.url]; !seen {
			g.urls = append(g.urls, a.url)
		}
		if len(a.text) > len(g.text[a.url]) || g.text[a.url] == "" {
			g.text[a.url] = a.text
		}
		g.nodes = append(g.nodes, a.node)
		g.hosts[strings.ToLower(u.Host)] = true
	}
	var best *group
	for _, g := range order {
		g.score = score(g)
		if best == nil || g.score > best.score {
			best = g
		}
	}
	if best == nil || best.score < MinScore {
		return nil
	}
	return htmlMethod(pg, merge(best, order), domain, profile)
}

// merge returns the best group with the article-like groups of other
// shapes in the same kind of container added: a list that mixes
// /2025/12/09/123.html and /2025/12/09/a-slug.html is one list.
func merge(best *group, groups []*group) *group {
	m := *best
	m.urls = slices.Clone(best.urls)
	m.nodes = slices.Clone(best.nodes)
	m.text, m.hosts = maps.Clone(best.text), maps.Clone(best.hosts)
	for _, g := range groups {
		if g == best || g.container != best.container || !articleLike(g) {
			continue
		}
		for _, u := range g.urls {
			if _, dup := m.text[u]; !dup {
				m.urls = append(m.urls, u)
			}
			m.text[u] = g.text[u]
		}
		m.nodes = append(m.nodes, g.nodes...)
		maps.Copy(m.hosts, g.hosts)
	}
	return &m
}

// articleLike says a group of any size looks like articles: not a
// navigation shape, and most of its texts headlines and paths
// articles'.
func articleLike(g *group) bool {
	text, path, pages := fractions(g)
	return !notArticleShape(g.shape) && text >= 0.5 && path >= 0.5 && pages == 0
}

// samePage says u is the page itself or its site's home page.
func samePage(u, page *url.URL) bool {
	return u.Path == page.Path && u.RawQuery == page.RawQuery && strings.EqualFold(u.Host, page.Host) ||
		(u.Path == "" || u.Path == "/") && u.RawQuery == ""
}

// registrable returns host's registrable domain (eTLD+1, by the public
// suffix list), or the host itself (an IP address, localhost).
func registrable(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if net.ParseIP(host) != nil {
		return host
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// Shape patterns: a segment's digit runs and word runs (a slug's words
// joined by - or _ are one run), and the leaves kept as written.
var (
	digitRun = regexp.MustCompile(`\d+`)
	wordRun  = regexp.MustCompile(`\p{L}+(?:[-_]\p{L}+)*`)
	leafExt  = regexp.MustCompile(`(?i)\.(?:s?html?|php|aspx?|jsp)$`)
	// notArticle are path segments of navigation, tags, authors,
	// pagination, comments and accounts: kept in a shape as written.
	notArticle = regexp.MustCompile(`(?i)^(?:tags?|topics?|authors?|users?|people|category|categories|cat|section|page|pages|comments?|search|login|logout|register|signup|subscribe|about|contact|help|privacy|terms|feed|rss|label|labels|column|columns|special)$`)
)

// urlShape is a URL's path and query keys with digits and words
// abstracted: /world/2025/12/09/a-b-c.html and /china/2025/12/10/d.html
// share the shape /a/9/9/9/a.html.
func urlShape(u *url.URL) string {
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	for i, s := range segs {
		seg, _ := url.PathUnescape(s)
		if notArticle.MatchString(seg) {
			segs[i] = strings.ToLower(seg)
			continue
		}
		ext := leafExt.FindString(seg)
		seg = strings.TrimSuffix(seg, ext)
		seg = digitRun.ReplaceAllString(seg, "9")
		segs[i] = wordRun.ReplaceAllString(seg, "a") + strings.ToLower(ext)
	}
	shape := "/" + strings.Join(segs, "/")
	if u.RawQuery != "" {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range u.Query() {
				if !yield(k) {
					return
				}
			}
		})
		shape += "?" + strings.Join(keys, "&")
	}
	return shape
}

// containerSig names the kind of list a link sits in: the element whose
// children repeat (the <ul> of <li>s, the <div> of <a>s) and its parent,
// by tag and classes.
func containerSig(a *html.Node) string {
	list := listOf(a)
	return simpleSel(list) + "<" + simpleSel(list.Parent)
}

// listOf returns the nearest ancestor of a that holds two or more
// elements of the tag of the child a sits in: the list of which a's
// item is one; else a's parent.
func listOf(a *html.Node) *html.Node {
	for cur := a; cur.Parent != nil && cur.Parent.Type == html.ElementNode; cur = cur.Parent {
		if cur.Parent.Data == "body" {
			break
		}
		n := 0
		for c := cur.Parent.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == cur.Data {
				n++
			}
		}
		if n >= 2 {
			return cur.Parent
		}
	}
	if a.Parent != nil {
		return a.Parent
	}
	return a
}

// Scoring patterns.
var (
	urlDate  = regexp.MustCompile(`(?:19|20)\d\d[-_/]?(?:0[1-9]|1[0-2])[-_/]?(?:[0-3]\d)?`)
	longID   = regexp.MustCompile(`\d{5,}|[0-9a-f]{12,}`)
	longSlug = regexp.MustCompile(`\p{L}+(?:[-_]\p{L}+){3,}`)
	// navBox are class and id words of navigation, footers, tags,
	// pagination and comments; sideBox those of side lists (hot, most
	// read, related), which hold articles but not the page's own.
	navBox   = regexp.MustCompile(`(?i)nav|menu|footer|header|breadcrumb|crumb|pag(?:er|ination|ing)|tags?\b|tag-|comment|copyright|login|share|social`)
	sideBox  = regexp.MustCompile(`(?i)hot|rank|popular|most-|top\d|sidebar|side-|-side|aside|recommend|related|trending|热`)
	pageText = regexp.MustCompile(`(?i)^(?:\d+|next|prev(?:ious)?|more|下一页|上一页|更多|首页|尾页|»|«|>|<)$`)
)

// score is a group's article-likeness: the square root of its size,
// times how many of its texts are headline-long, times how many of its
// paths look like articles', times the penalties of navigation-like
// containers and pagination.
func score(g *group) float64 {
	n := len(g.urls)
	if n < 3 {
		return 0
	}
	text, path, pages := fractions(g)
	s := math.Sqrt(float64(n)) * (0.2 + 0.8*text) * (0.25 + 0.75*path) * (1 - 0.9*pages)
	if notArticleShape(g.shape) {
		s *= 0.1
	}
	if inBox(g.nodes[0], navBox) || g.container != "" && navBox.MatchString(g.container) {
		s *= 0.2
	}
	if inBox(g.nodes[0], sideBox) {
		s *= 0.5
	}
	return s
}

// fractions are the shares of a group's links with a headline's text
// (weighted by headline), an article's path, and a pagination text.
func fractions(g *group) (text, path, pages float64) {
	for _, u := range g.urls {
		t := g.text[u]
		text += headline(t)
		if pageText.MatchString(t) {
			pages++
		}
		p, _ := url.Parse(u)
		leaf := p.Path[strings.LastIndexByte(p.Path, '/')+1:]
		if urlDate.MatchString(p.Path) || longID.MatchString(p.Path) || leafExt.MatchString(leaf) || longSlug.MatchString(leaf) {
			path++
		}
	}
	n := float64(len(g.urls))
	return text / n, path / n, pages / n
}

// notArticleShape says a shape keeps a navigation segment (tag, author,
// page…).
func notArticleShape(shape string) bool {
	path, _, _ := strings.Cut(shape, "?")
	for seg := range strings.SplitSeq(path, "/") {
		if notArticle.MatchString(seg) {
			return true
		}
	}
	_, q, _ := strings.Cut(shape, "?")
	for k := range strings.SplitSeq(q, "&") {
		if k == "page" || k == "p" || k == "pn" || k == "tag" {
			return true
		}
	}
	return false
}

// headline is how much a link's text looks like a headline: 1 for 20
// to 160 columns (a CJK character is two), less for shorter or longer.
func headline(t string) float64 {
	w := 0
	for _, r := range t {
		if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) {
			w += 2
		} else {
			w++
		}
	}
	switch {
	case w < 10:
		return 0
	case w < 20:
		return 0.5
	case w <= 160:
		return 1
	}
	return 0.5
}

// boxDepth is how far above a link inBox looks: a list's item, the
// list, its box and the box's box.
const boxDepth = 5

// inBox says n sits in a <nav>, <header>, <footer> or <aside>, or in an
// element whose class or id re matches, up to boxDepth levels up.
func inBox(n *html.Node, re *regexp.Regexp) bool {
	depth := 0
	for p := n.Parent; p != nil && p.Type == html.ElementNode && p.Data != "body" && depth < boxDepth; p = p.Parent {
		depth++
		if re == navBox && (p.Data == "nav" || p.Data == "header" || p.Data == "footer") || re == sideBox && p.Data == "aside" {
			return true
		}
		if re.MatchString(attr(p, "class")) || re.MatchString(attr(p, "id")) {
			return true
		}
	}
	return false
}

// attr returns n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// ident is a class or id fit for a selector: no run of digits that
// might be a date or a counter.
var ident = regexp.MustCompile(`^-?[A-Za-z_][A-Za-z0-9_-]*$`)

// simpleSel is n's tag with its id, else its classes: "ul.news.list",
// "div#main".
func simpleSel(n *html.Node) string {
	if n == nil || n.Type != html.ElementNode {
		return ""
	}
	if id := attr(n, "id"); ident.MatchString(id) && !strings.ContainsAny(id, "0123456789") {
		return n.Data + "#" + id
	}
	s := n.Data
	for c := range strings.FieldsSeq(attr(n, "class")) {
		if ident.MatchString(c) && !digitRun.MatchString(c) {
			s += "." + c
		}
	}
	return s
}

// fmtScore formats a score for Method.Found.
func fmtScore(s float64) string { return fmt.Sprintf("%.2f", s) }
