// Headline lists: related, recommended and hot items, the headers that
// open a list (相关新闻, Most read), items with a comment count (title 评论
// N), and the link lists of HTML pages.

package parse

import (
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"newsfeed/parse/htmlpage"
	"newsfeed/parse/textline"
	"newsfeed/record"
)

// findLists finds a page's headline lists: a list under a header that
// names one (相关新闻, Most read, …), or a list of links each with a date.
func findLists(doc *goquery.Document, base *url.URL) []htmlpage.Item {
	var out []htmlpage.Item
	doc.Find("ul, ol").Each(func(_ int, ul *goquery.Selection) {
		items := ul.ChildrenFiltered("li")
		if items.Length() < 2 || items.Length() > 60 {
			return
		}
		list, headed := listHeaderOf(ul)
		var found []htmlpage.Item
		dated := 0
		items.Each(func(_ int, li *goquery.Selection) {
			a := li.Find("a[href]").First()
			title := textline.Clean(a.Text())
			if a.Length() == 0 || runeLen(title) < 4 {
				return
			}
			it := htmlpage.Item{Title: title, Link: htmlpage.Resolve(base, a.AttrOr("href", ""), nil)}
			if t := li.Text(); hasStamp(t) {
				it.Time = t
				dated++
			}
			found = append(found, it)
		})
		switch {
		case headed && len(found) >= 2:
		case !headed && len(found) >= 3 && dated*10 >= items.Length()*8:
			list = record.ListRelated
		default:
			return
		}
		for i := range found {
			found[i].List = list
		}
		out = append(out, found...)
	})
	return out
}

// listHeaderOf reads the header just before a list, or its parent's
// first heading, as a list name.
func listHeaderOf(ul *goquery.Selection) (record.List, bool) {
	// Prev, not PrevAll().First(): PrevAll collects every sibling before
	// the list, which on a page of many sibling lists is quadratic.
	parent := ul.Parent()
	candidates := []*goquery.Selection{ul.Prev(), firstChild(parent), parent.Prev()}
	for _, c := range candidates {
		if c == nil || c.Length() == 0 || c.Is("ul, ol") {
			continue
		}
		if t := textline.Clean(c.Text()); t != "" && runeLen(t) <= 20 {
			if l, ok := matchHeader(t); ok {
				return l, true
			}
		}
	}
	return "", false
}

// firstChild returns the first element child of s's first node, found
// without listing the others (Children().First() lists them all).
func firstChild(s *goquery.Selection) *goquery.Selection {
	if s.Length() > 0 {
		for c := s.Get(0).FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				return s.FindNodes(c)
			}
		}
	}
	return nil
}

// startsList reports a list header, alone or glued to the line's end.
func (p *lineParser) startsList(s string) bool {
	if _, ok := matchHeader(s); ok {
		return true
	}
	_, _, ok := splitGluedHeader(s)
	return ok
}

// stampAt reports whether line i is a headline's time-stamp line.
func (p *lineParser) stampAt(i int) bool {
	if i >= len(p.lines) {
		return false
	}
	_, _, ok := parseStamp(p.lines[i], p.loc)
	return ok
}

func listOr(l, def record.List) record.List {
	if l != "" {
		return l
	}
	return def
}

// addHeadline records one list item, merging it with an earlier sighting
// of the same headline on this page. link is canonical or "".
func (p *lineParser) addHeadline(title string, list record.List, published *time.Time, column string, comments *int, link string) {
	title = strings.TrimSpace(title)
	if title == "" {
		return
	}
	id := record.HeadlineID(p.opts.Site, title)
	h := p.byID[id]
	if h == nil {
		h = &record.Headline{ID: id, Site: p.opts.Site, Title: title}
		if p.byID == nil {
			p.byID = make(map[string]*record.Headline)
		}
		p.byID[id] = h
		p.headlines = append(p.headlines, h)
	}
	if !h.HasList(list) {
		h.Lists = append(h.Lists, list)
	}
	if h.Published == nil {
		h.Published = published
	}
	if h.Column == "" {
		h.Column = column
	}
	if h.URL == "" {
		h.URL = link // canonical already: see resolve
	}
	if comments != nil {
		h.Comments = comments
	}
	switch list {
	case record.ListRelated:
		p.art.Related = append(p.art.Related, id)
	case record.ListRecommended:
		p.art.Recommended = append(p.art.Recommended, id)
	case record.ListHot:
		p.art.Hot = append(p.art.Hot, id)
	}
}

// commentItem splits a recommended item "title 评论 53" or
// "title 53 comments" into its title and count.
func commentItem(s string) (title string, count int, ok bool) {
	if s == "" {
		return "", 0, false
	}
	if c := s[len(s)-1]; (c < '0' || c > '9') && c != 't' && c != 's' {
		return "", 0, false
	}
	if i := strings.LastIndex(s, "评论"); i > 0 {
		if n, ok := commentCount(s[i:]); ok {
			return strings.TrimSpace(s[:i]), n, true
		}
	}
	for _, word := range commentWords {
		if body, ok := strings.CutSuffix(s, word); ok {
			j := len(body)
			for j > 0 && (body[j-1] >= '0' && body[j-1] <= '9' || body[j-1] == ',') {
				j--
			}
			if j < len(body) && j > 0 && body[j-1] == ' ' {
				if n, ok := commentCount(s[j:]); ok {
					return strings.TrimSpace(body[:j]), n, true
				}
			}
		}
	}
	return "", 0, false
}

// commentWords follow an English comment count: "53 comments".
var commentWords = []string{" comments", " comment", " Comments", " Comment"}

// commentCount reads a comment count as pages show it, in a text line or
// a profile's comments element: "评论 53", "评论：53", "53", "53 comments",
// "1,234 Comments".
func commentCount(s string) (int, bool) {
	s = strings.TrimLeft(strings.TrimPrefix(strings.TrimSpace(s), "评论"), " :：")
	for _, word := range commentWords {
		s = strings.TrimSuffix(s, word)
	}
	n, rest, ok := digits(strings.ReplaceAll(s, ",", ""), 1, 9)
	if !ok || rest != "" {
		return 0, false
	}
	return n, true
}

// listHeader is a heading a page puts above a headline list.
type listHeader struct {
	text string
	list record.List
	// glued headers are distinctive enough to be split off the end of the
	// line before them, where copy-and-paste often leaves them.
	glued bool
}

// listHeaders are matched without regard to case, after trimming a
// trailing divider. Longer texts come first so that "最新闻 Hot" wins over
// "Hot".
var listHeaders = []listHeader{
	{"最新闻 hot", record.ListHot, true},
	{"related stories", record.ListRelated, true},
	{"related articles", record.ListRelated, true},
	{"you may also like", record.ListRecommended, true},
	{"recommended for you", record.ListRecommended, true},
	{"most popular", record.ListHot, true},
	{"most read", record.ListHot, true},
	{"相关推荐", record.ListRecommended, true},
	{"相关新闻", record.ListRelated, true},
	{"相关阅读", record.ListRelated, true},
	{"相关文章", record.ListRelated, true},
	{"相关报道", record.ListRelated, true},
	{"延伸阅读", record.ListRelated, true},
	{"推荐阅读", record.ListRecommended, true},
	{"精彩推荐", record.ListRecommended, true},
	{"猜你喜欢", record.ListRecommended, true},
	{"热门文章", record.ListHot, true},
	{"热门新闻", record.ListHot, true},
	{"热点新闻", record.ListHot, true},
	{"热门推荐", record.ListHot, true},
	{"阅读排行", record.ListHot, true},
	{"最新闻", record.ListHot, true},
	{"related", record.ListRelated, false},
	{"recommended", record.ListRecommended, false},
	{"trending", record.ListHot, false},
	{"popular", record.ListHot, false},
	{"hot", record.ListHot, false},
	{"热门", record.ListHot, false},
	{"热点", record.ListHot, false},
	{"最热", record.ListHot, false},
}

// matchHeader reports whether line is a list header on its own.
func matchHeader(line string) (record.List, bool) {
	s := strings.TrimRight(trimDash(line), ":： ")
	if len(s) > 40 {
		return "", false
	}
	for _, h := range listHeaders {
		if len(s) == len(h.text) && hasPrefixFold(s, h.text) {
			return h.list, true
		}
	}
	return "", false
}

// splitGluedHeader finds a distinctive list header stuck to the end of
// line, as in "… 评论 131最新闻 Hot-", and returns the text before it.
func splitGluedHeader(line string) (before string, list record.List, ok bool) {
	s := trimDash(line)
	for _, h := range listHeaders {
		if !h.glued || len(s) <= len(h.text) || !hasPrefixFold(s[len(s)-len(h.text):], h.text) {
			continue
		}
		if before = strings.TrimSpace(s[:len(s)-len(h.text)]); before != "" {
			return before, h.list, true
		}
	}
	return "", "", false
}
