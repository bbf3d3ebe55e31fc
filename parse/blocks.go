package parse

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"newsfeed/record"
)

// parseStamp reads a line that starts with a date and a time —
// "2025-12-08 21:39", "2025/12/08 21:39:05", "2025年12月8日 21:39" — and
// returns the time in loc and what follows it, with a trailing " -"
// divider removed. A date alone is accepted only when nothing follows it
// but a divider or column; the time of day is then midnight.
func parseStamp(s string, loc *time.Location) (t time.Time, rest string, ok bool) {
	year, s, ok := digits(s, 4, 4)
	if !ok || len(s) == 0 {
		return time.Time{}, "", false
	}
	var month, day int
	switch {
	case s[0] == '-' || s[0] == '/' || s[0] == '.':
		sep := s[0]
		if month, s, ok = digits(s[1:], 1, 2); !ok || len(s) == 0 || s[0] != sep {
			return time.Time{}, "", false
		}
		if day, s, ok = digits(s[1:], 1, 2); !ok {
			return time.Time{}, "", false
		}
	case strings.HasPrefix(s, "年"):
		if month, s, ok = digits(s[len("年"):], 1, 2); !ok || !strings.HasPrefix(s, "月") {
			return time.Time{}, "", false
		}
		if day, s, ok = digits(s[len("月"):], 1, 2); !ok {
			return time.Time{}, "", false
		}
		s = strings.TrimPrefix(s, "日")
	default:
		return time.Time{}, "", false
	}
	if len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		return time.Time{}, "", false // more digits than a date has
	}
	var hour, minute, second int
	if t := strings.TrimLeft(s, " T"); len(t) < len(s) || len(s) > 0 && s[0] == 'T' {
		if h, r, ok := digits(t, 1, 2); ok && len(r) > 0 && r[0] == ':' {
			if m, r2, ok := digits(r[1:], 2, 2); ok {
				hour, minute, s = h, m, r2
				if len(s) > 0 && s[0] == ':' {
					if sec, r3, ok := digits(s[1:], 2, 2); ok {
						second, s = sec, r3
					}
				}
			}
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, "", false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, second, 0, loc)
	if t.Day() != day { // 31 February and the like
		return time.Time{}, "", false
	}
	if len(s) > 0 && s[0] != ' ' && s[0] != '-' && s[0] != '\t' {
		return time.Time{}, "", false // "2025-12-08abc" is not a time stamp
	}
	return t, strings.TrimSpace(trimDash(s)), true
}

// digits reads between min and max ASCII digits from the start of s.
func digits(s string, min, max int) (int, string, bool) {
	n := 0
	for n < len(s) && n < max && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < min {
		return 0, s, false
	}
	v, _ := strconv.Atoi(s[:n])
	return v, s[n:], true
}

// stampColumn returns the column named after a headline's time stamp, or
// "" when what follows is not a column name (a source line, a long text).
func stampColumn(rest string) string {
	if rest == "" || runeLen(rest) > 20 || strings.ContainsAny(rest, ":：") {
		return ""
	}
	return rest
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
		if n, rest, ok := digits(strings.TrimLeft(s[i+len("评论"):], " :："), 1, 9); ok && rest == "" {
			return strings.TrimSpace(s[:i]), n, true
		}
	}
	for _, word := range []string{" comments", " comment", " Comments", " Comment"} {
		if body, ok := strings.CutSuffix(s, word); ok {
			j := len(body)
			for j > 0 && (body[j-1] >= '0' && body[j-1] <= '9' || body[j-1] == ',') {
				j--
			}
			if j < len(body) && j > 0 && body[j-1] == ' ' {
				n, err := strconv.Atoi(strings.ReplaceAll(body[j:], ",", ""))
				if err == nil {
					return strings.TrimSpace(body[:j]), n, true
				}
			}
		}
	}
	return "", 0, false
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

// hasPrefixFold reports whether s starts with prefix, ignoring the case
// of ASCII letters; other bytes must match exactly.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if a != b && (a|0x20 != b|0x20 || a|0x20 < 'a' || a|0x20 > 'z') {
			return false
		}
	}
	return true
}

// disclaimerBy reports a line that disclaims or asserts rights over the
// article: 本文仅代表作者个人观点。, 本文系观察者网独家稿件…, "The views
// expressed…". classes are the line's phrase classes.
func disclaimerBy(s string, classes uint8) bool {
	return len(s) <= 600 && classes&phraseDisclaimer != 0 ||
		hasPrefixFold(s, "The views expressed") || hasPrefixFold(s, "Views expressed") ||
		hasPrefixFold(s, "This article reflects") || hasPrefixFold(s, "Opinions expressed")
}

// editorLine returns the name on a "责任编辑: 郑乐欢" or "Editor: …" line.
func editorLine(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimLeft(s, "-—–*· "))
	if r := firstRune(s); r == '（' || r == '(' || r == '[' || r == '【' {
		// （责任编辑：魏喆）
		s = strings.TrimSpace(strings.TrimRight(strings.TrimLeft(s, "（(【["), "）)】] "))
	}
	for _, label := range []string{"责任编辑", "责编", "编辑", "Editor", "Edited by"} {
		if !hasPrefixFold(s, label) {
			continue
		}
		rest := strings.TrimLeft(s[len(label):], " ")
		if r, ok := cutColon(rest); ok {
			rest = r
		} else if label != "Edited by" {
			continue
		}
		name := strings.TrimSpace(rest)
		if name != "" && runeLen(name) <= 40 {
			return name, true
		}
	}
	return "", false
}

// authorLine returns the names on a byline: 作者：…, 文/…, "By …".
func authorLine(s string) ([]string, bool) {
	var rest string
	switch {
	case hasPrefixFold(s, "By "):
		rest = s[3:]
		if !isNameList(rest) {
			return nil, false
		}
	case strings.HasPrefix(s, "文/"), strings.HasPrefix(s, "文／"), strings.HasPrefix(s, "文："), strings.HasPrefix(s, "文:"):
		rest = strings.TrimLeft(strings.TrimPrefix(s, "文"), "/／：:")
	case strings.HasPrefix(s, "作者"):
		r, ok := cutColon(strings.TrimPrefix(s, "作者"))
		if !ok {
			return nil, false
		}
		rest = r
	default:
		return nil, false
	}
	rest = strings.TrimSpace(rest)
	if rest == "" || runeLen(rest) > 60 {
		return nil, false
	}
	var names []string
	for _, n := range strings.FieldsFunc(rest, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；'
	}) {
		n = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(n), "and "))
		for _, m := range strings.Split(n, " and ") {
			if m = strings.TrimSpace(m); m != "" {
				names = append(names, m)
			}
		}
	}
	return names, len(names) > 0
}

// cutColon removes a leading full-width or half-width colon.
func cutColon(s string) (string, bool) {
	if r, ok := strings.CutPrefix(s, ":"); ok {
		return r, true
	}
	return strings.CutPrefix(s, "：")
}

// isSourceLine reports a "来源：…" or "Source: …" line.
func isSourceLine(s string) bool {
	for _, p := range []string{"来源", "Source"} {
		if hasPrefixFold(s, p) {
			if _, ok := cutColon(strings.TrimLeft(s[len(p):], " ")); ok {
				return true
			}
		}
	}
	return false
}

// footerBy reports site boilerplate at the foot of a page: copyright and
// licence lines, complaint hotlines, navigation.
func footerBy(s string, classes uint8) bool { return len(s) <= 300 && classes&phraseFooter != 0 }

// openQuotes and closeQuotes delimit a pull quote.
const (
	openQuotes  = "“\"「『‘'《"
	closeQuotes = "”\"」』’'》"
)

// isQuoteLine reports a line that is one quotation: the pull quote many
// pages put under the title.
func isQuoteLine(s string) bool {
	if !strings.ContainsRune(openQuotes, firstRune(s)) {
		return false
	}
	t := strings.TrimRight(s, "。.!！?？…")
	return strings.ContainsRune(closeQuotes, lastRune(t)) && runeLen(s) >= 8
}

// terminal reports a rune that ends a sentence or clause: a line whose
// last rune is one of these is prose, not a caption or a heading.
func terminal(r rune) bool {
	switch r {
	case '。', '！', '？', '!', '?', '.', '…', '；', ';', ':', '：', '”', '"', '’', '」', '』', '，', ',', '、':
		return true
	}
	return false
}

// captionBy reports a body line that captions an image: it carries a
// photo credit, or it is short and does not end like a sentence.
func captionBy(s string, classes uint8) bool {
	if len(s) > 400 {
		return false // over 120 characters of Chinese: prose
	}
	if classes&phraseCaption != 0 && runeLen(s) <= 120 {
		return true
	}
	if hasPrefixFold(s, "Photo:") || hasPrefixFold(s, "Image:") || hasPrefixFold(s, "Pictured:") ||
		strings.HasSuffix(s, "Photo)") || strings.HasSuffix(s, "Images)") || strings.HasSuffix(s, "/AP)") {
		return true
	}
	return !terminal(lastRune(s)) && runeLen(s) <= 80 && !isHeading(s)
}

// isHeading reports a numbered section heading inside a body: 一、…,
// （一）…, 1. …, "1 …". Headings stay paragraphs.
func isHeading(s string) bool {
	r := firstRune(s)
	switch {
	case r == '（' || r == '(':
		return strings.ContainsAny(s[:min(len(s), 12)], "）)")
	case r >= '0' && r <= '9':
		i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		return i > 0 && strings.ContainsRune(".、) ．", firstRune(s[i:]))
	case strings.ContainsRune("一二三四五六七八九十", r):
		return strings.Contains(s[:min(len(s), 12)], "、")
	}
	return false
}

// isNameList reports whether s reads like "Jane Doe and John Smith": a few
// capitalised words, no sentence punctuation.
func isNameList(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 8 || strings.ContainsAny(s, ".!?;:") && !strings.Contains(s, ". ") {
		return false
	}
	for _, w := range words {
		w = strings.TrimRight(w, ",")
		if w == "and" || w == "&" {
			continue
		}
		if r := firstRune(w); !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// navBy reports page furniture: breadcrumbs, pagers, print and share
// links, font-size switches — or a line of page numbers, "[1] [2] [3]".
func navBy(s string, classes uint8) bool {
	if len(s) > 240 {
		return false
	}
	if classes&phraseNav != 0 {
		return true
	}
	return strings.Trim(s, "0123456789[]【】 |") == "" && strings.ContainsAny(s, "[【")
}

// reporterLabels introduce reporters' names: 本报记者 王燕平 方云凤.
var reporterLabels = []string{"记者", "实习生", "通讯员", "撰稿", "文："}

// reporterLine returns the names on a Chinese reporters' line:
// "新华网黑龙江频道 记者 伊琳 李清芬", "本报实习生 刘国栋 周炜".
func reporterLine(s string) ([]string, bool) {
	if runeLen(s) > 40 || strings.ContainsAny(s, "。！？") {
		return nil, false
	}
	var names []string
	for _, label := range reporterLabels {
		i := strings.Index(s, label)
		if i < 0 {
			continue
		}
		if names = creditNames(s[i+len(label):]); len(names) > 0 {
			return names, true
		}
	}
	return nil, false
}

func allHan(s string) bool {
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	return s != ""
}

// isDateline reports a short line that only dates the article:
// "2005-04-05 06:40更新 来源：转载文章", "发布时间：2005/05/17 22:11:42".
func isDateline(s string, loc *time.Location) (time.Time, bool) {
	if runeLen(s) > 80 || strings.ContainsAny(s, "。！？") {
		return time.Time{}, false
	}
	return findStamp(s, loc)
}

// repeatsTitle reports a line that is the article's title again, maybe
// with the site's name after a divider ("Title - Site", "Title_频道").
func repeatsTitle(line, title string) bool {
	if line == title {
		return true
	}
	if runeLen(title) < 6 {
		return false
	}
	if rest, ok := strings.CutPrefix(line, title); ok {
		rest = strings.TrimSpace(rest)
		return rest == "" || runeLen(rest) <= 20 && strings.ContainsRune("-_|—｜·:：", firstRune(rest))
	}
	// The page's title carries the site's name; the line is the bare title.
	if rest, ok := strings.CutPrefix(title, line); ok && runeLen(line) >= 6 {
		rest = strings.TrimSpace(rest)
		return strings.ContainsRune("-_|—｜·:：", firstRune(rest))
	}
	return false
}
