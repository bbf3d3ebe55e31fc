package parse

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
func extractGeneric(root *html.Node, meta pageMeta, base *url.URL) *extraction {
	ex := &extraction{}
	lists := findLists(goquery.NewDocumentFromNode(root), base)
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
	at := anchorIndex(all, ex.title, ex.body)
	ex.published = pickDate(meta, base, all, at, ex.title, guessed)
	ex.outlet, ex.editor = pageCredits(all, at)
	// The byline the reader sees beats the metadata, which often names the
	// site or the outlet; neither of those is ever an author.
	notAuthors := []string{meta.siteName, ex.outlet, hostOf(meta.canonical)}
	ex.authors = filterAuthors(visibleByline(all, at), notAuthors...)
	if len(ex.authors) == 0 {
		if n := accountLine(all, at); n != "" {
			ex.authors = filterAuthors([]string{n}, notAuthors...)
		}
	}
	for i := at + 1; at >= 0 && i < len(all) && i <= at+3; i++ {
		if a, o := slotCredit(all[i].text); a != "" || o != "" {
			if len(ex.authors) == 0 && a != "" {
				ex.authors = filterAuthors([]string{a}, notAuthors...)
			}
			if ex.outlet == "" {
				ex.outlet = o
			}
			break
		}
	}
	if len(ex.authors) == 0 {
		ex.authors = filterAuthors(meta.authors, notAuthors...)
	}
	if len(ex.authors) == 0 && author != "" {
		ex.authors = filterAuthors(splitAuthors(author), notAuthors...)
	}
	ex.lists = lists
	return ex
}

// pickDate chooses a publication time: nil when the metadata's holds
// (build takes it) — unless the metadata gives only the day and the
// dateline near the title shows that day with its time; else the
// date in the URL, made precise by a visible dateline of the same day;
// else the visible dateline; else go-htmldate's guess, read as wall-clock
// time in the page's zone.
func pickDate(meta pageMeta, base *url.URL, blocks []block, at int, title string, guessed time.Time) *time.Time {
	loc := time.UTC
	if detectLanguage([]string{title}) == "zh" {
		loc = Beijing
	}
	seen, visible := visibleDate(blocks, at, loc)
	if !visible {
		seen, visible = yearlessDateline(blocks, at, meta.machineTimes, loc)
	}
	if declared := meta.published(loc); declared != nil {
		// The metadata's time, unless it gives only the day and the
		// reader sees the same day with its time.
		if visible && dayOnly(meta.dates) && sameDay(*declared, seen) {
			return &seen
		}
		return nil // build takes the metadata's
	}
	fromURL, inURL := urlDate(base, loc)
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
			if n = strings.TrimSpace(n); n != "" && !contains(out, n) && !strings.ContainsAny(n, "0123456789_") {
				out = append(out, n)
			}
		}
	}
	return out
}

// anchorIndex returns where the article starts among the page's
// blocks: the block holding the title, else the extracted content's first
// line, else -1.
func anchorIndex(blocks []block, title string, content []block) int {
	if title != "" {
		for i, b := range blocks {
			if b.text == title || runeLen(b.text) < 2*runeLen(title) && strings.Contains(b.text, title) ||
				strings.HasPrefix(title, b.text) && runeLen(b.text)*10 >= runeLen(title)*6 {
				return i // the title, maybe without the site's name the <title> adds
			}
		}
	}
	if len(content) > 0 {
		for i, b := range blocks {
			if b.text == content[0].text {
				return i
			}
		}
	}
	return -1
}

// visibleDate finds the dateline a reader sees: the first date in the
// dozen lines after the article's start, else in the three before it.
// Dates further away are lists, archives and copyright lines.
func visibleDate(blocks []block, at int, loc *time.Location) (time.Time, bool) {
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
	// A date the page labels as the publication time counts wherever it
	// stands in the first part of the page.
	for i := 0; i < len(blocks) && i < 200; i++ {
		if s := blocks[i].text; runeLen(s) <= 120 && containsAnyOf(s, dateLabels) {
			if t, ok := findStamp(s, loc); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// dateLabels introduce a publication time.
var dateLabels = []string{"发布时间", "发表于", "发布日期", "发表时间", "时间：", "日期：", "更新时间", "Posted on", "Published"}

func containsAnyOf(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// visibleByline finds the authors' names near the article's start: a
// byline (作者：张三, 文：张三, "By Jane Doe", 本报记者 张三), a credit in a
// dateline ("… by 张三", "张三 发表于 …", "[ 张三 ]"), or, right under the
// title, a line of nothing but names.
func visibleByline(blocks []block, at int) []string {
	if at < 0 {
		return nil
	}
	var names []string
	for i := at; i < len(blocks) && i <= at+12; i++ {
		found := bylineNames(blocks[i].text)
		if len(found) == 0 && len(names) > 0 {
			break // a byline may take two lines: 本报实习生 …, 本报记者 …
		}
		for _, n := range found {
			if !contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if len(names) > 0 {
		return names
	}
	for i := at + 1; i < len(blocks) && i <= at+3; i++ {
		if names := nameLine(blocks[i].text); len(names) > 0 {
			return names
		}
	}
	// A reporters' credit closing the article: "新京报记者 陆一夫",
	// "采写：南都见习记者 林子沛".
	for i := at + 1; i < len(blocks) && i <= at+300; i++ {
		if s := blocks[i].text; runeLen(s) <= 30 {
			if names, ok := reporterLine(s); ok {
				return names
			}
		}
	}
	// A poster's credit, "ggjjzhzz 发表于 2005-9-15", wherever it stands.
	for i := 0; i < len(blocks) && i < 200; i++ {
		if n := creditName(blocks[i].text); n != "" {
			return []string{n}
		}
	}
	return nil
}

// bylineLabels introduce an author's name inside a line.
var bylineLabels = []string{"作者：", "作者:", "作者 ", "文：", "文/", "撰文：", "撰稿：", " by ", " By "}

// creditSuffixes follow a poster's name: "ggjjzhzz 发表于 2005-9-15".
var creditSuffixes = []string{" 发表于", "发表于", "张贴", "/文"}

// bylineNames reads the names a line credits, or nil.
func bylineNames(s string) []string {
	if runeLen(s) > 120 {
		return nil
	}
	if names, ok := authorLine(s); ok && allNames(names) {
		return names
	}
	if n := labelledAuthor(s); n != "" {
		return []string{n}
	}
	if names, ok := reporterLine(s); ok {
		return names
	}
	if names := dispatchReporters(s); len(names) > 0 {
		return names
	}
	for _, label := range bylineLabels {
		if j := strings.Index(s, label); j >= 0 {
			if n := leadingName(s[j+len(label):]); n != "" {
				return []string{n}
			}
		}
	}
	if n := creditName(s); n != "" {
		return []string{n}
	}
	if _, dated := findStamp(s, time.UTC); dated {
		// 2004年7月16日08:19 [ 黄宇 ] 来源：[ 国际金融报 ]
		for _, open := range []string{"[", "【"} {
			if j := strings.Index(s, open); j >= 0 && !strings.HasSuffix(strings.TrimRight(s[:j], " "), "来源：") {
				rest := strings.TrimLeft(s[j+len(open):], " ")
				if k := strings.IndexAny(rest, " ]】"); k > 0 && isName(rest[:k]) && allHan(rest[:k]) {
					return []string{rest[:k]}
				}
			}
		}
	}
	return nil
}

// notNameParts are words in the names of outlets, sections and page
// furniture, never in a person's: 人民网, 新华社, 训练营, 小字号.
var notNameParts = []string{"网", "报", "社", "台", "站", "刊", "频道", "新闻", "字号", "文章", "作者", "记者",
	"编辑", "营", "画像", "中心", "公司", "政府", "部门"}

// creditName reads "NAME 发表于 …", "由NAME张贴", "NAME/文".
func creditName(s string) string {
	if runeLen(s) > 120 {
		return ""
	}
	for _, suf := range creditSuffixes {
		j := strings.Index(s, suf)
		if j <= 0 {
			continue
		}
		before := strings.TrimRight(s[:j], " ")
		if k := strings.LastIndexAny(before, " 【["); k >= 0 {
			_, size := utf8.DecodeRuneInString(before[k:])
			before = before[k+size:]
		}
		before = strings.TrimPrefix(before, "由")
		if isName(before) {
			return before
		}
	}
	return ""
}

// leadingName returns the name at the start of s, up to a space or
// punctuation, or "" when what is there is no name.
func leadingName(s string) string {
	s = strings.TrimLeft(s, " ")
	end := strings.IndexFunc(s, func(r rune) bool {
		return r == ' ' || r == '\u3000' || r == '|' || strings.ContainsRune("，,。（(【[]】)）：:/〓", r)
	})
	if end >= 0 {
		s = s[:end]
	}
	if isName(s) {
		return s
	}
	return ""
}

// isName reports a plausible personal name or handle: two to four Han
// characters, or a Latin handle of three to twenty letters, digits or
// underscores that is not all digits.
func isName(s string) bool {
	if allHan(s) {
		n := runeLen(s)
		if n < 2 || n > 4 {
			return false
		}
		for _, w := range notNameParts {
			if strings.Contains(s, w) {
				return false
			}
		}
		return true
	}
	if len(s) < 3 || len(s) > 20 {
		return false
	}
	letters := 0
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letters++
		case r >= '0' && r <= '9', r == '_':
		default:
			return false
		}
	}
	return letters > 0
}

func allNames(names []string) bool {
	for _, n := range names {
		if !isName(n) && !isNameList(n) {
			return false
		}
	}
	return len(names) > 0
}

// nameLine reads a line that is nothing but one to four names:
// "赵延东、风笑天", "眉间尺".
func nameLine(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '、' || r == '，' || r == ',' })
	if len(fields) == 0 || len(fields) > 4 {
		return nil
	}
	for _, f := range fields {
		if !isName(f) {
			return nil
		}
	}
	return fields
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
			it := listItem{title: title, link: resolve(base, a.AttrOr("href", ""), nil)}
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

// dayOnly reports whether the first parsable metadata date is a bare day
// ("2019-06-15"), with no time of day.
func dayOnly(dates []string) bool {
	for _, d := range dates {
		if _, ok := parseTime(d, time.UTC); ok {
			return !strings.ContainsAny(d, ":T")
		}
	}
	return false
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// yearlessPattern is a labelled dateline's month, day and time with no
// year: "发布时间：10-08 12:00", "10月08日 12:00".
var yearlessPattern = regexp.MustCompile(`(?:^|[^\d])(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s+(\d{1,2})[:：](\d{2})`)

// yearlessDateline reads a labelled dateline near the title that shows no
// year ("发布时间：10-08 12:00"), and takes the year from the page's machine
// times of the same month and day; with none, it gives nothing (a year is
// never guessed).
func yearlessDateline(blocks []block, at int, machine []string, loc *time.Location) (time.Time, bool) {
	if at < 0 {
		return time.Time{}, false
	}
	for i := at; i < len(blocks) && i <= at+4; i++ {
		s := blocks[i].text
		if runeLen(s) > 80 || !containsAnyOf(s, dateLabels) {
			continue
		}
		m := yearlessPattern.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		for _, mt := range machine {
			t, ok := parseTime(mt, loc)
			if !ok || strconv.Itoa(int(t.Month())) != strings.TrimLeft(m[1], "0") || strconv.Itoa(t.Day()) != strings.TrimLeft(m[2], "0") {
				continue
			}
			if st, ok := stampFrom([]string{"", strconv.Itoa(t.Year()), m[1], m[2], m[3], m[4], "", ""}, loc); ok {
				return st, true
			}
		}
	}
	return time.Time{}, false
}
