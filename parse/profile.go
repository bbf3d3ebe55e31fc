package parse

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

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

//go:embed profiles.txt
var builtinProfileText string

var builtin = sync.OnceValue(func() *Profiles {
	p, err := ParseProfiles(strings.NewReader(builtinProfileText), "built-in profiles")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return p
})

// BuiltinProfiles returns the profiles compiled into the binary.
func BuiltinProfiles() *Profiles { return builtin() }

// LoadProfiles reads a profile file and returns the built-in profiles
// overlaid with it: a host in the file replaces the built-in entry.
func LoadProfiles(path string) (*Profiles, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	defer f.Close()
	user, err := ParseProfiles(f, path)
	if err != nil {
		return nil, err
	}
	merged := &Profiles{byHost: map[string]*Profile{}}
	for h, p := range BuiltinProfiles().byHost {
		merged.byHost[h] = p
	}
	for h, p := range user.byHost {
		merged.byHost[h] = p
	}
	return merged, nil
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
//
// Keys: site, title, body, date, author, editor, column, lead, strip,
// tracking (query parameters to drop from links), and for each list —
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
			if host == "" || strings.ContainsAny(host, " /:") {
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

// first returns the first selection of the alternatives that has text.
func first(s *goquery.Selection, sels []cascadia.Selector) *goquery.Selection {
	for _, sel := range sels {
		if m := s.FindMatcher(sel).First(); m.Length() > 0 && hasText(m.Get(0), 0) {
			return m
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
func firstText(s *goquery.Selection, sels []cascadia.Selector) string {
	if m := first(s, sels); m != nil {
		return cleanLine(nodeText(m.Get(0)))
	}
	return ""
}

// extract reads a page with the profile. It returns nil when the profile
// finds no body, so the generic extractor can try.
func (p *Profile) extract(doc *goquery.Document, base *url.URL) *extraction {
	if first(doc.Selection, p.Body) == nil {
		return nil
	}
	ex := &extraction{
		title: firstText(doc.Selection, p.Title),
		lead:  firstText(doc.Selection, p.Lead),
	}
	loc := Beijing // profiles so far are of Chinese sites; a zone in the text wins
	if t := firstText(doc.Selection, p.Date); t != "" {
		if ts, ok := findStamp(t, loc); ok {
			ex.published = &ts
		}
	}
	if t := firstText(doc.Selection, p.Editor); t != "" {
		if name, ok := editorLine(t); ok {
			ex.editor = name
		} else if runeLen(t) <= 20 {
			ex.editor = t
		}
	}
	if t := firstText(doc.Selection, p.Column); t != "" {
		ex.column = t
	}
	if m := first(doc.Selection, p.Author); m != nil {
		m.Each(func(_ int, s *goquery.Selection) {
			if t := cleanLine(s.Text()); t != "" {
				ex.authors = append(ex.authors, t)
			}
		})
	}
	for _, list := range []record.List{record.ListRelated, record.ListRecommended, record.ListHot} {
		if rule := p.Lists[list]; rule != nil {
			ex.lists = append(ex.lists, p.items(doc, base, list, rule, loc)...)
		}
	}
	// Strip last: the parts read above may live in what the body sheds.
	for _, sel := range p.Strip {
		doc.FindMatcher(sel).Remove()
	}
	ex.body = blocksOf(first(doc.Selection, p.Body).Nodes...)
	return ex
}

// items reads one list's items.
func (p *Profile) items(doc *goquery.Document, base *url.URL, list record.List, rule *ListRule, loc *time.Location) []listItem {
	var out []listItem
	for _, sel := range rule.Item {
		doc.FindMatcher(sel).Each(func(_ int, item *goquery.Selection) {
			it := listItem{list: list}
			link := item
			if !item.Is("a") {
				link = item.Find("a[href]").First()
			}
			if t := first(item, rule.Title); t != nil {
				link = t
				if !t.Is("a") {
					if a := t.Find("a[href]").First(); a.Length() > 0 {
						link = a
					}
				}
				it.title = cleanLine(t.Text())
			} else {
				it.title = cleanLine(link.Text())
			}
			if href, ok := link.Attr("href"); ok {
				it.link = p.cleanLink(resolve(base, href))
			}
			if t := firstText(item, rule.Time); t != "" {
				if ts, ok := findStamp(t, loc); ok {
					it.stamp = &ts
				}
			}
			it.column = firstText(item, rule.Column)
			if t := firstText(item, rule.Comments); t != "" {
				if n, _, ok := digits(strings.TrimLeft(t, "评论 :："), 1, 9); ok {
					it.comments = &n
				}
			}
			if it.title != "" {
				out = append(out, it)
			}
		})
		if len(out) > 0 {
			break
		}
	}
	return out
}

// cleanLink drops the site's tracking parameters from a link.
func (p *Profile) cleanLink(link string) string {
	if link == "" || len(p.TrackingParams) == 0 {
		return link
	}
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	q := u.Query()
	for _, name := range p.TrackingParams {
		q.Del(name)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
