package htmlpage

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsfeed/record"
)

// Profile describes where one site's pages keep their parts, as CSS
// selectors. Each selector list holds alternatives tried in order; the
// first that finds text wins (Strip removes every match of every entry).
// Profiles come from a profile file; see ParseProfiles for its format.
type Profile struct {
	// Host is matched against the page's host and its parent domains:
	// "guancha.cn" matches www.guancha.cn and user.guancha.cn.
	Host string
	// Site is the name records carry in "site" (default: Host).
	Site string

	Title, Body, Date, Author, Editor, Column, Lead []cascadia.Selector
	// Strip removes elements (share bars, ads) from the body before its
	// text is read.
	Strip []cascadia.Selector
	// Lists maps a headline list to the rule that finds its items.
	Lists map[record.List]*ListRule
	// TrackingParams are query parameters this site adds to links for
	// tracking; they are removed before a link becomes a URL.
	TrackingParams []string
	// Links select the article links on the site's section and list
	// pages (an <a>, or an element holding them); a sources file's html
	// source uses them when it names no selector or pattern of its own.
	Links []cascadia.Selector

	plan    sync.Once
	planned selectorPlan
}

// selectorPlan lists every page-level selector of a profile once, so that
// one walk over a page finds what they all match; the fields hold each
// part's alternatives as indexes into all.
type selectorPlan struct {
	all                                                    []cascadia.Selector
	title, body, date, author, editor, column, lead, strip []int
	items                                                  map[record.List][]int
}

// selectors returns the profile's plan, made on first use.
func (p *Profile) selectors() *selectorPlan {
	p.plan.Do(func() {
		pl := &p.planned
		add := func(sels []cascadia.Selector) []int {
			idx := make([]int, len(sels))
			for i, s := range sels {
				idx[i] = len(pl.all)
				pl.all = append(pl.all, s)
			}
			return idx
		}
		pl.title, pl.body, pl.date = add(p.Title), add(p.Body), add(p.Date)
		pl.author, pl.editor, pl.column = add(p.Author), add(p.Editor), add(p.Column)
		pl.lead, pl.strip = add(p.Lead), add(p.Strip)
		pl.items = map[record.List][]int{}
		for list, rule := range p.Lists {
			pl.items[list] = add(rule.Item)
		}
	})
	return &p.planned
}

// matchAll walks root once and returns, for each selector, the elements
// it matches in document order.
func matchAll(root *html.Node, sels []cascadia.Selector) [][]*html.Node {
	found := make([][]*html.Node, len(sels))
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		if n.Type == html.ElementNode {
			for i, sel := range sels {
				if sel.Match(n) {
					found[i] = append(found[i], n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return found
}

// firstFound returns the first element with text that the alternatives
// idx found, trying them in order.
func firstFound(found [][]*html.Node, idx []int) *html.Node {
	for _, i := range idx {
		for _, n := range found[i] {
			if hasText(n, 0) {
				return n
			}
		}
	}
	return nil
}

// textOf returns n's text, or "" for nil.
func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	return NodeText(n)
}

// allFound returns the texts of every element of the first alternative
// that found any.
func allFound(found [][]*html.Node, idx []int) []string {
	for _, i := range idx {
		var out []string
		for _, n := range found[i] {
			if t := NodeText(n); t != "" {
				out = append(out, t)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// ListRule finds one headline list's items. Item selects each item;
// within an item, Title (default: the first link) gives the title and
// link, Time the time stamp, Column the column, and Comments the comment
// count.
type ListRule struct {
	Item, Title, Time, Column, Comments []cascadia.Selector
}

// Profiles is a set of site profiles, matched by host suffix.
type Profiles struct {
	byHost map[string]*Profile
}

// Overlay returns the profiles of ps overlaid with over: a host in over
// replaces the entry ps has for it. Neither set is changed. Callers read a
// profile file themselves (parse does no file I/O) and overlay it on
// parse.BuiltinProfiles:
//
//	user, err := parse.ParseProfiles(f, path)
//	...
//	opts.Profiles = parse.BuiltinProfiles().Overlay(user)
func (ps *Profiles) Overlay(over *Profiles) *Profiles {
	merged := &Profiles{byHost: map[string]*Profile{}}
	for _, set := range []*Profiles{ps, over} {
		if set == nil {
			continue
		}
		for h, p := range set.byHost {
			merged.byHost[h] = p
		}
	}
	return merged
}

// Match returns the profile for host — its own, or its nearest parent
// domain's — or nil.
func (ps *Profiles) Match(host string) *Profile {
	if ps == nil {
		return nil
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for host != "" {
		if p := ps.byHost[host]; p != nil {
			return p
		}
		i := strings.IndexByte(host, '.')
		if i < 0 {
			break
		}
		host = host[i+1:]
	}
	return nil
}

// Hosts returns the hosts that have a profile.
func (ps *Profiles) Hosts() []string {
	var out []string
	for h := range ps.byHost {
		out = append(out, h)
	}
	return out
}

// ParseProfiles reads profiles in this format:
//
//	# A comment. One section per host.
//	[guancha.cn]
//	site: 观察者网
//	title: li.left.left-main > h3
//	title: .content-headline h3        (an alternative, tried second)
//	body: .content.all-txt
//	date: .time.fix span:first-child
//	editor: ul.article-other li
//	strip: .share-box
//	related: .module-news-main li      (one list item per match)
//	related.time: div.module-interact > span
//	related.column: a.interact-key
//	hot: ul.hot-list-2 li
//	tracking: s
//	links: h4.module-title a           (article links on list pages)
//
// Keys: site, title, body, date, author, editor, column, lead, strip,
// tracking (query parameters to drop from links), links (article links on
// the site's list pages), and for each list —
// related, recommended, hot — the item selector and its .title, .time,
// .column and .comments selectors. A repeated key adds an alternative.
// name names the input in errors, which give its line.
func ParseProfiles(r io.Reader, name string) (*Profiles, error) {
	ps := &Profiles{byHost: map[string]*Profile{}}
	var cur *Profile
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			host := strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			if host == "" || strings.ContainsAny(host, " /:") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..") {
				return nil, fmt.Errorf("%s:%d: bad host %q", name, n, host)
			}
			cur = &Profile{Host: host, Site: host, Lists: map[record.List]*ListRule{}}
			ps.byHost[host] = cur
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		if !ok || val == "" {
			return nil, fmt.Errorf("%s:%d: want \"key: value\", got %q", name, n, line)
		}
		if cur == nil {
			return nil, fmt.Errorf("%s:%d: %q before any [host] section", name, n, key)
		}
		if err := cur.set(key, val); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ps, nil
}

func (p *Profile) set(key, val string) error {
	switch key {
	case "site":
		p.Site = val
		return nil
	case "tracking":
		p.TrackingParams = append(p.TrackingParams, strings.Fields(val)...)
		return nil
	}
	sel, err := cascadia.Compile(val)
	if err != nil {
		return fmt.Errorf("%s: bad selector %q: %w", key, val, err)
	}
	fields := map[string]*[]cascadia.Selector{
		"title": &p.Title, "body": &p.Body, "date": &p.Date, "author": &p.Author,
		"editor": &p.Editor, "column": &p.Column, "lead": &p.Lead, "strip": &p.Strip,
		"links": &p.Links,
	}
	if f := fields[key]; f != nil {
		*f = append(*f, sel)
		return nil
	}
	listName, part, _ := strings.Cut(key, ".")
	list := record.List(listName)
	if list != record.ListRelated && list != record.ListRecommended && list != record.ListHot {
		return fmt.Errorf("unknown key %q", key)
	}
	rule := p.Lists[list]
	if rule == nil {
		rule = &ListRule{}
		p.Lists[list] = rule
	}
	parts := map[string]*[]cascadia.Selector{
		"": &rule.Item, "title": &rule.Title, "time": &rule.Time, "column": &rule.Column, "comments": &rule.Comments,
	}
	f := parts[part]
	if f == nil {
		return fmt.Errorf("unknown key %q", key)
	}
	*f = append(*f, sel)
	return nil
}

// firstNode returns the first element an alternative matches that has
// text, trying the alternatives in order.
func firstNode(root *html.Node, sels []cascadia.Selector) *html.Node {
	for _, sel := range sels {
		n := sel.MatchFirst(root)
		if n == nil {
			continue
		}
		if hasText(n, 0) {
			return n
		}
		for _, m := range sel.MatchAll(root) {
			if hasText(m, 0) {
				return m
			}
		}
	}
	return nil
}

// hasText reports whether n holds any text that is not white space,
// stopping at the first it finds.
func hasText(n *html.Node, depth int) bool {
	if n.Type == html.TextNode {
		return strings.TrimSpace(n.Data) != ""
	}
	if depth > maxDepth {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasText(c, depth+1) {
			return true
		}
	}
	return false
}

// firstText returns the text of the first alternative that has some.
func firstText(root *html.Node, sels []cascadia.Selector) string {
	if n := firstNode(root, sels); n != nil {
		return NodeText(n)
	}
	return ""
}

// link returns n itself when it is a link, else its first link.
func link(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.A && hasAttr(n, "href") {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if l := link(c); l != nil {
			return l
		}
	}
	return nil
}

func hasAttr(n *html.Node, key string) bool {
	_, ok := Attr(n, key)
	return ok
}

// Found is what a profile's selectors found on a page, as text: parse
// reads the dates, names and counts in it.
type Found struct {
	Title, Lead, Column string
	// Date is the text of the date element.
	Date string
	// Authors are the texts of every author element; Editors of every
	// editor element.
	Authors, Editors []string
	// Body is the article's text with its structure and pictures
	// (BodyBlocks), after Strip.
	Body []Block
	// Items are the headline lists' items in page order.
	Items []Item
}

// Item is one headline of a page's list, as its elements show it.
type Item struct {
	List  record.List
	Title string
	// Link is the item's absolute, canonical URL, or "".
	Link string
	// Time, Column and Comments are the texts of the item's time, column
	// and comment-count elements.
	Time, Column, Comments string
}

// Extract reads a page with the profile; base resolves its links. It
// returns nil when the profile finds no body, so the generic path can try.
func (p *Profile) Extract(root *html.Node, base *url.URL) *Found {
	pl := p.selectors()
	found := matchAll(root, pl.all)
	body := firstFound(found, pl.body)
	if body == nil {
		return nil
	}
	f := &Found{
		Title:   textOf(firstFound(found, pl.title)),
		Lead:    textOf(firstFound(found, pl.lead)),
		Column:  textOf(firstFound(found, pl.column)),
		Date:    textOf(firstFound(found, pl.date)),
		Authors: allFound(found, pl.author),
		Editors: allFound(found, pl.editor),
	}
	for _, list := range []record.List{record.ListRelated, record.ListRecommended, record.ListHot} {
		if rule := p.Lists[list]; rule != nil {
			f.Items = append(f.Items, p.items(found, pl.items[list], base, list, rule)...)
		}
	}
	// Strip last: the parts read above may live in what the body sheds.
	for _, i := range pl.strip {
		for _, n := range found[i] {
			if n.Parent != nil {
				n.Parent.RemoveChild(n)
			}
		}
	}
	f.Body = BodyBlocks(base, body)
	return f
}

// items reads one list's items: those of the first item selector that
// finds any, the innermost matches.
func (p *Profile) items(found [][]*html.Node, idx []int, base *url.URL, list record.List, rule *ListRule) []Item {
	var out []Item
	for _, i := range idx {
		for _, item := range innermost(found[i]) {
			it := Item{List: list}
			a := link(item)
			if t := firstNode(item, rule.Title); t != nil {
				it.Title = NodeText(t)
				if l := link(t); l != nil {
					a = l
				}
			} else if a != nil {
				it.Title = NodeText(a)
			}
			if a != nil {
				href, _ := Attr(a, "href")
				it.Link = Resolve(base, href, p.TrackingParams)
			}
			it.Time = firstText(item, rule.Time)
			it.Column = firstText(item, rule.Column)
			it.Comments = firstText(item, rule.Comments)
			if it.Title != "" {
				out = append(out, it)
			}
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

// innermost drops from nodes, in document order, those that contain the
// next one: when an item selector also matches the element holding the
// items (a container), the container is no item — it would lend one
// item's column or time to another.
func innermost(nodes []*html.Node) []*html.Node {
	out := nodes[:0:0]
	for i, n := range nodes {
		if i+1 < len(nodes) && isAncestor(n, nodes[i+1]) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// isAncestor reports whether a contains d.
func isAncestor(a, d *html.Node) bool {
	for p := d.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}
