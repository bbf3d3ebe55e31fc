package parse

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"newsfeed/record"
)

// extractGeneric reads a page of a site without a profile. A main-content
// extractor finds the body — readeck go-readability for Chinese pages,
// go-trafilatura for the rest, the better of the two on each language in
// make eval-extract — and the page's metadata, URL, visible dateline and
// byline, and link lists give the rest.
func extractGeneric(root *html.Node, doc *goquery.Document, meta pageMeta, base *url.URL) *extraction {
	ex := &extraction{}
	lists := findLists(doc, base)
	// Read the whole page before extraction, which leaves out (or, for
	// readeck, removes) the lines that carry the dateline and byline.
	all := blocksOf(root)
	allText := make([]string, 0, len(all))
	for _, b := range all {
		allText = append(allText, b.text)
	}

	var guessed time.Time // the extractor's date, the least trusted
	var author, libTitle string
	if detectLanguage(allText) == "zh" {
		rp := readability.NewParser()
		art, err := rp.ParseAndMutate(root, base)
		if err == nil && art.Node != nil {
			ex.body = blocksOf(art.Node)
			author = art.Byline()
			libTitle = oneLine(art.Title())
			guessed, _ = art.PublishedTime()
		}
	} else {
		res, err := trafilatura.ExtractDocument(root, trafilatura.Options{
			OriginalURL:     base,
			ExcludeComments: true,
			HtmlDateMode:    trafilatura.Extensive,
		})
		if err == nil && res != nil && res.ContentNode != nil {
			ex.body = blocksOf(res.ContentNode)
			author = res.Metadata.Author
			libTitle = oneLine(res.Metadata.Title)
			guessed = res.Metadata.Date
		}
	}
	title, first := chooseTitle(meta, all, ex.body)
	switch {
	case title != "":
		ex.title = title
		if first {
			ex.body = ex.body[1:]
		}
	case libTitle != "":
		ex.title = libTitle
	case len(ex.body) > 0 && runeLen(ex.body[0].text) <= 80:
		ex.title, ex.body = ex.body[0].text, ex.body[1:]
	}
	if meta.published(time.UTC) == nil {
		ex.published = pickDate(base, all, ex.title, guessed)
	}
	if len(meta.authors) == 0 {
		if ex.authors = visibleByline(all, ex.title); len(ex.authors) == 0 && author != "" {
			ex.authors = splitAuthors(author)
		}
	}
	ex.lists = lists
	return ex
}

// pickDate chooses a publication time when the metadata gives none: the
// date in the URL, made precise by a visible dateline of the same day;
// else the visible dateline; else go-htmldate's guess, read as wall-clock
// time in the page's zone.
func pickDate(base *url.URL, blocks []block, title string, guessed time.Time) *time.Time {
	loc := time.UTC
	if detectLanguage([]string{title}) == "zh" {
		loc = Beijing
	}
	fromURL, inURL := urlDate(base, loc)
	seen, visible := visibleDate(blocks, title, loc)
	switch {
	case inURL && visible && seen.Format(time.DateOnly) == fromURL.Format(time.DateOnly):
		return &seen
	case inURL:
		return &fromURL
	case visible:
		return &seen
	case !guessed.IsZero():
		t := time.Date(guessed.Year(), guessed.Month(), guessed.Day(), guessed.Hour(), guessed.Minute(), guessed.Second(), 0, loc)
		return &t
	}
	return nil
}

// urlDatePattern finds /2025/12/08/, /2025-12-08, /2025_12_08_ and
// /20251208/ in a URL's path.
var urlDatePattern = regexp.MustCompile(`/((?:19|20)\d{2})[/_-]?(\d{2})[/_-]?(\d{2})(?:[/_.-]|$)`)

// urlDate reads the publication day from a URL's path.
func urlDate(u *url.URL, loc *time.Location) (time.Time, bool) {
	if u == nil {
		return time.Time{}, false
	}
	m := urlDatePattern.FindStringSubmatch(u.Path)
	if m == nil {
		return time.Time{}, false
	}
	return stampFrom([]string{"", m[1], m[2], m[3], "", "", "", ""}, loc)
}

// splitAuthors splits "A; B", "A, B" and "A and B" into names.
func splitAuthors(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '、' || r == '，' }) {
		for _, n := range strings.Split(part, " and ") {
			if n = strings.TrimSpace(n); n != "" && !contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// titleIndex returns the index of the block that holds the title, or -1.
func titleIndex(blocks []block, title string) int {
	if title == "" {
		return -1
	}
	for i, b := range blocks {
		if b.text == title || runeLen(b.text) < 2*runeLen(title) && strings.Contains(b.text, title) {
			return i
		}
	}
	return -1
}

// visibleDate finds the dateline a reader sees: the first date in the
// dozen lines after the title, else in the three before it. Dates further
// away are lists, archives and copyright lines.
func visibleDate(blocks []block, title string, loc *time.Location) (time.Time, bool) {
	at := titleIndex(blocks, title)
	if at < 0 {
		return time.Time{}, false
	}
	for i := at; i < len(blocks) && i <= at+12; i++ {
		if t, ok := findStamp(blocks[i].text, loc); ok {
			return t, true
		}
	}
	for i := at - 1; i >= 0 && i >= at-3; i-- {
		if t, ok := findStamp(blocks[i].text, loc); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// bylineLabels introduce an author's name on Chinese pages.
var bylineLabels = []string{"作者", "记者", "文/", "撰文", "来源：作者", "作者："}

// visibleByline finds "作者：张三" or "By Jane Doe" near the title.
func visibleByline(blocks []block, title string) []string {
	at := titleIndex(blocks, title)
	if at < 0 {
		return nil
	}
	for i := at; i < len(blocks) && i <= at+12; i++ {
		s := blocks[i].text
		if names, ok := authorLine(s); ok {
			return names
		}
		for _, label := range bylineLabels {
			j := strings.Index(s, label)
			if j < 0 {
				continue
			}
			rest := strings.TrimLeft(s[j+len(label):], " :：/")
			name := rest
			if k := strings.IndexAny(rest, " \t|，,。（(【[　"); k > 0 {
				name = rest[:k]
			}
			if n := runeLen(name); n >= 2 && n <= 12 && !strings.ContainsAny(name, "0123456789:：") {
				return []string{name}
			}
		}
	}
	return nil
}

// findLists finds a page's headline lists: a list under a header that
// names one (相关新闻, Most read, …), or a list of links each with a date.
func findLists(doc *goquery.Document, base *url.URL) []listItem {
	var out []listItem
	doc.Find("ul, ol").Each(func(_ int, ul *goquery.Selection) {
		items := ul.ChildrenFiltered("li")
		if items.Length() < 2 || items.Length() > 60 {
			return
		}
		list, headed := listHeaderOf(ul)
		var found []listItem
		dated := 0
		items.Each(func(_ int, li *goquery.Selection) {
			a := li.Find("a[href]").First()
			title := cleanLine(a.Text())
			if a.Length() == 0 || runeLen(title) < 4 {
				return
			}
			it := listItem{title: title, link: resolve(base, a.AttrOr("href", ""))}
			if t, ok := findStamp(li.Text(), Beijing); ok {
				it.stamp = &t
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
			found[i].list = list
		}
		out = append(out, found...)
	})
	return out
}

// listHeaderOf reads the header just before a list, or its parent's
// first heading, as a list name.
func listHeaderOf(ul *goquery.Selection) (record.List, bool) {
	candidates := []*goquery.Selection{ul.PrevAll().First(), ul.Parent().Children().First(), ul.Parent().PrevAll().First()}
	for _, c := range candidates {
		if c == nil || c.Length() == 0 || c.Is("ul, ol") {
			continue
		}
		if t := cleanLine(c.Text()); t != "" && runeLen(t) <= 20 {
			if l, ok := matchHeader(t); ok {
				return l, true
			}
		}
	}
	return "", false
}
