// Bylines: who wrote a story. A Chinese news page credits the authors
// (作者：…, 记者 …, 文/…) in labelled slots that often stand outside the
// main text — the date/source line under the headline, the end of the
// article container. This file reads those labels from any line, for raw
// text and HTML alike; outlet.go and editor.go read the other credits.
//
// The byline grammar:
//
//   - roles: 作者, 文, 撰文, 撰稿, 记者 (本报记者, 新京报记者), 实习生,
//     通讯员, a dispatch's 讯（记者 X） or 电（记者 X）, English By; a
//     poster's 发表于 or 张贴 after the name, /文 after it;
//   - names: two to four Han characters that are no outlet or section
//     word (网, 报, 社, 频道, 新闻…), or a Latin name or handle; several
//     kept apart by spaces, 、, ， or "and" ("记者 张三 李四 报道",
//     "作者：赵一、钱二", "By Jane Doe and John Smith");
//   - where: a byline near the headline (the dozen lines from it), a line
//     of names right under it, a self-media account line, the name before
//     the stamp in the dateline slot, a reporters' credit or a bracketed
//     credit closing a paragraph ("…。（李楠）", "(记者 周六)"), a poster's
//     credit; then the metadata's author, then the library's;
//   - joined to the outlet by a slash ("李楠/中国青年报"): the name is the
//     author, the rest the outlet (authorOutlet);
//   - not authors: a photo credit (X 摄, X/摄, 摄影：X), page furniture
//     (分享, 关注, 字号…), relative times, dates, e-mail addresses and
//     links, a template's placeholder (name, author, admin), the site's
//     name, the outlet.

package parse

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsfeed/parse/htmlpage"
)

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

// visibleByline finds the authors' names near the article's start: a
// byline (作者：张三, 文：张三, "By Jane Doe", 本报记者 张三), a credit in a
// dateline ("… by 张三", "张三 发表于 …", "[ 张三 ]"), or, right under the
// title, a line of nothing but names.
func visibleByline(blocks []htmlpage.Block, at int) []string {
	if at < 0 {
		return nil
	}
	var names []string
	for i := at; i < len(blocks) && i <= at+12; i++ {
		found := bylineNames(blocks[i].Text)
		if len(found) == 0 && len(names) > 0 {
			break // a byline may take two lines: 本报实习生 …, 本报记者 …
		}
		if len(found) > 0 {
			gave("author", "byline near the headline")
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
		if names := nameLine(blocks[i].Text); len(names) > 0 {
			gave("author", "line of names under the headline")
			return names
		}
	}
	// A reporters' credit closing the article: "新京报记者 陆一夫",
	// "采写：南都见习记者 林子沛".
	for i := at + 1; i < len(blocks) && i <= at+300; i++ {
		if s := blocks[i].Text; runeLen(s) <= 30 {
			if names, ok := reporterLine(s); ok {
				gave("author", "reporters' credit closing the article")
				return names
			}
		}
	}
	// A credit in brackets closing a paragraph: "…两条老街。（李楠）".
	for i := at + 1; i < len(blocks) && i <= at+300; i++ {
		if names := closingCredit(blocks[i].Text); len(names) > 0 {
			gave("author", "bracketed credit closing a paragraph")
			return names
		}
	}
	// A poster's credit, "ggjjzhzz 发表于 2005-9-15", wherever it stands.
	for i := 0; i < len(blocks) && i < 200; i++ {
		if n := creditName(blocks[i].Text); n != "" {
			gave("author", "poster's credit")
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
		return nameList(n)
	}
	if n, _ := authorOutlet(s); n != "" {
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

// creditStops are labels that end a credited value when a line packs
// several slots together: "来源：证券时报网 作者：李在山".
var creditStops = []string{"作者", "记者", "编辑", "责编", "时间", "日期", "发布", "来源", "稿源", "出处", "浏览", "阅读", "点击", "字号"}

// creditValue reads a credited value from the start of s, up to the end
// of its slot: a bracket, a separator bar, punctuation, two spaces, or
// the next label. With keepSpace a single space stays inside the value
// ("韩保林 PK155"); without, a space ends it.
func creditValue(s string, keepSpace bool) string {
	s = strings.TrimLeft(s, " \u3000【[「")
	end := len(s)
	for i, r := range s {
		if strings.ContainsRune("]】」)）|｜，,。;；!！?？<>《》\u3000\t\n", r) {
			end = i
			break
		}
		if r == ' ' && (!keepSpace || strings.HasPrefix(s[i+1:], " ") || i+1 == len(s)) {
			end = i
			break
		}
		if i > 0 && hasAnyPrefix(s[i:], creditStops) {
			end = i
			break
		}
	}
	v := strings.TrimSpace(s[:end])
	if n := runeLen(v); n < 2 || n > 24 || strings.Contains(v, "@") {
		return ""
	}
	return v
}

// uiWords are the page furniture that sits in byline slots and is never
// a name: share and print buttons, font-size switches, follow buttons.
var uiWords = []string{"分享", "调整字体", "字体", "打印", "字号", "收藏", "评论", "关注", "举报", "转发", "点赞",
	"登录", "注册", "扫一扫", "二维码", "阅读", "浏览", "关闭", "返回", "大中小", "未知", "网络整理"}

// relativeTimes are the words of times given relative to now (昨天,
// 3小时前), never a name.
var relativeTimes = []string{"昨天", "前天", "今天", "刚刚", "小时前", "分钟前", "天前", "秒前", "周前", "月前", "年前"}

// plausibleAuthor reports whether a byline value can be an author: not
// page furniture, a relative time, a date, an e-mail address, a photo
// credit, nor one of notAuthors (the site's own name, the outlet).
func plausibleAuthor(s string, notAuthors ...string) bool {
	s = strings.TrimSpace(s)
	if s == "" || runeLen(s) > 30 || strings.Contains(s, "@") || strings.Contains(s, "://") || isDateLike(s) {
		return false
	}
	if containsAnyOf(s, uiWords) || containsAnyOf(s, relativeTimes) || strings.HasSuffix(s, "现场") || strings.HasPrefix(s, "请输入") {
		return false
	}
	if slices.Contains(placeholders, strings.ToLower(s)) {
		return false
	}
	for _, n := range notAuthors {
		if n != "" && (strings.EqualFold(s, n) || sameName(s, n)) {
			return false
		}
	}
	return true
}

// sameName reports two spellings of one site's name: "CSDN.NET" and
// "CSDN", "网易" and "网易新闻".
func sameName(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	for _, suf := range []string{".net", ".com", ".cn", "网", "新闻", "官网"} {
		a, b = strings.TrimSuffix(a, suf), strings.TrimSuffix(b, suf)
	}
	return a != "" && a == b
}

// filterAuthors keeps the plausible authors of names.
func filterAuthors(names []string, notAuthors ...string) []string {
	var out []string
	for _, n := range names {
		if plausibleAuthor(n, notAuthors...) && !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// isDateLike reports a value that is a date or a time, not a name:
// "2019-09-07", "10-08 12:00", "2019年".
func isDateLike(s string) bool {
	if hasStamp(s) {
		return true
	}
	return strings.Trim(s, "0123456789-/:.年月日时分 ") == ""
}

// dispatchLabels open a dispatch's credit: 新京报讯（记者 陆一夫）, 新华社北京
// 12月1日电（记者 张三 李四）.
var dispatchLabels = []string{"讯（", "讯(", "电（", "电(", "讯 （", "电 （"}

// creditWords follow or precede the names in a credit and are no names:
// "（记者陈智 整合）", "新京报记者 陆一夫 编辑 刘晓阳".
var creditWords = []string{"整合", "整理", "报道", "综合", "编译", "摄影", "摄", "采写", "见习", "实习生", "通讯员", "特约"}

// dispatchReporters reads the reporters a dispatch's opening credits:
// "新京报讯（记者 陆一夫）…", "长江网10月4日讯（记者陈智 整合）…".
func dispatchReporters(s string) []string {
	for _, l := range dispatchLabels {
		i := strings.Index(s, l)
		if i < 0 || i > 120 {
			continue
		}
		in := s[i+len(l):]
		end := strings.IndexAny(in, "）)")
		if end < 0 {
			continue
		}
		in = in[:end]
		j := strings.Index(in, "记者")
		if j < 0 {
			continue
		}
		return creditNames(in[j+len("记者"):])
	}
	return nil
}

// creditNames reads the names after a 记者 label up to the next label.
func creditNames(s string) []string {
	var names []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\u3000' || r == '、' || r == '，' || r == ',' || r == '：' || r == ':' || r == '/'
	}) {
		switch f {
		case "摄", "摄影报道": // "张三 李四 摄": the name before is the photographer's
			if len(names) > 0 {
				names = names[:len(names)-1]
			}
			return names
		case "摄影", "摄像", "图", "图片": // "摄影 孙五": the names after are
			return names
		}
		if contains(creditWords, f) {
			continue
		}
		if !isName(f) || !allHan(f) || hasAnyPrefix(f, creditStops) {
			break
		}
		names = append(names, f)
	}
	return names
}

// slotLine reports a line of slots kept apart by bars:
// "发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 作者魏星".
func slotLine(s string) bool {
	return runeLen(s) <= 120 && strings.ContainsAny(s, "|｜")
}

// labelledAuthor returns the value a 作者 label credits, as shown — an
// organisation named as the author is kept ("作者：医技药剂党支部") — or
// "". Without a colon the label counts only in a slot line ("作者魏星").
func labelledAuthor(s string) string {
	if runeLen(s) > 120 {
		return ""
	}
	i := strings.Index(s, "作者")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+len("作者"):], " 　")
	if r, ok := cutColon(rest); ok {
		rest = r
	} else if !slotLine(s) {
		return ""
	}
	return creditValue(rest, false)
}

// slotLabels mark a slot line whose values are labelled, which
// slotCredit leaves to the labelled readers.
var slotLabels = []string{"来源", "作者", "编辑", "责编", "记者", "发布", "时间", "日期", "阅读", "浏览"}

// slotCredit reads the unlabelled date/source slot under a headline: a
// short line holding a time stamp and one name. A name before the stamp
// stands where a byline does, and is the author — on self-media
// platforms, the account ("中国网 2019-11-25 10:37:31", "原创 GameForce
// 2019-09-04 22:18:34"), as is a name set off by a dot after it
// ("2019-05-17 · 苏皖城市报道"). A name after the stamp and a space is the
// outlet, as portals show it ("2019-09-26 10:56:28 证券时报网").
func slotCredit(s string) (author, outlet string) {
	if runeLen(s) > 60 || containsAnyOf(s, slotLabels) {
		return "", ""
	}
	loc := stampPattern.FindStringIndex(s)
	if loc == nil {
		return "", ""
	}
	before := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[:loc[0]]), "原创"))
	after := strings.TrimSpace(s[loc[1]:])
	name := func(v string) string {
		v = strings.Trim(v, " \u3000·•|｜/")
		if n := runeLen(v); n < 2 || n > 20 || strings.ContainsAny(v, " \u3000") || !plausibleAuthor(v) {
			return ""
		}
		return v
	}
	switch {
	case before != "" && after == "":
		return name(before), ""
	case before == "" && after != "":
		if strings.HasPrefix(after, "·") || strings.HasPrefix(after, "•") || strings.HasPrefix(after, "|") {
			return name(after), ""
		}
		return "", name(after)
	}
	return "", ""
}

// accountLine reads the name a self-media page shows on a line of its
// own between the headline and the dateline (百家号: headline, "IT之家",
// "发布时间：09-30 22:46"): at is the headline's block.
func accountLine(blocks []htmlpage.Block, at int) string {
	if at < 0 || at+2 >= len(blocks) {
		return ""
	}
	s, next := blocks[at+1].Text, blocks[at+2].Text
	if runeLen(s) > 20 || strings.ContainsAny(s, " \u3000") || terminal(lastRune(s)) || !plausibleAuthor(s) {
		return ""
	}
	if _, dated := findStamp(next, time.UTC); dated || runeLen(next) <= 60 && containsAnyOf(next, dateLabels) {
		return s
	}
	return ""
}

// bylineLine reads a line that is a byline and nothing else — 作者：…,
// 文/…, "By …", 本报记者 … — as raw text's head and an article container's
// first lines hold it; bylineNames reads bylines inside other lines too.
func bylineLine(s string) ([]string, bool) {
	if names, ok := authorLine(s); ok {
		return names, true
	}
	return reporterLine(s)
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

// pageAuthors reads an HTML page's authors, most trusted first: the byline
// the reader sees near the article's start (at), a self-media account on
// its own line under the headline or in the date/source slot, the
// metadata's authors, the extractor's byline. notAuthors (the site's and
// the outlet's names) are never authors. It also returns the outlet the
// date/source slot shows unlabelled, if any.
func pageAuthors(all []htmlpage.Block, at int, meta, extractor, notAuthors []string) (authors []string, slotOutlet string) {
	authors = filterAuthors(visibleByline(all, at), notAuthors...)
	if len(authors) == 0 {
		if n := accountLine(all, at); n != "" {
			authors = filterAuthors([]string{n}, notAuthors...)
			gave("author", "account line")
		}
	}
	for i := at + 1; at >= 0 && i < len(all) && i <= at+3; i++ {
		if a, o := slotCredit(all[i].Text); a != "" || o != "" {
			if len(authors) == 0 && a != "" {
				authors = filterAuthors([]string{a}, notAuthors...)
				gave("author", "name in the dateline slot")
			}
			if o != "" {
				gave("outlet", "unlabelled in the dateline slot")
			}
			slotOutlet = o
			break
		}
	}
	for i, more := range [][]string{meta, extractor} {
		if len(authors) == 0 {
			authors = filterAuthors(more, notAuthors...)
			gave("author", [...]string{"metadata author", "library's author"}[i])
		}
	}
	return authors, slotOutlet
}

// placeholders are what a page template leaves in its author slot when
// nobody filled it in ("name, email@gmail.com" gives "name").
var placeholders = []string{"name", "author", "admin", "administrator", "user", "username", "your name", "yourname",
	"firstname lastname", "author name", "姓名", "作者名", "用户名"}

// nameList splits a credited value into its names when it holds several,
// kept apart by 、 or ，or by single spaces between Han names ("赵一、钱二",
// "张三 李四"); a value that is not all names stays whole ("医技药剂党支部").
func nameList(v string) []string {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '、' || r == '，' || r == ',' || r == ' ' })
	if len(parts) > 1 && allNames(parts) {
		return parts
	}
	return []string{v}
}

// outletSuffixes end the names of news organisations: 中国青年报, 新华网,
// 新华社, 河畔电视台, 河畔新闻客户端, 河畔发布.
var outletSuffixes = []string{"报", "网", "社", "台", "新闻", "客户端", "发布", "杂志", "周刊", "频道"}

// authorOutlet reads a line that is nothing but an author joined to the
// outlet by a slash: "李楠/中国青年报", "李楠／中国青年报".
func authorOutlet(s string) (name, outlet string) {
	s = strings.TrimSpace(s)
	if runeLen(s) > 30 {
		return "", ""
	}
	i := strings.IndexAny(s, "/／")
	if i < 0 {
		return "", ""
	}
	name = strings.TrimSpace(s[:i])
	_, w := utf8.DecodeRuneInString(s[i:])
	outlet = strings.TrimSpace(s[i+w:])
	if !isName(name) || !allHan(name) || !allHan(outlet) || runeLen(outlet) < 3 || !hasAnySuffix(outlet, outletSuffixes) {
		return "", ""
	}
	return name, outlet
}

// closingCredit reads the credit in brackets that closes a paragraph of
// prose: "…两条老街。（李楠）", "… (记者 周六)", "…（记者 赵一 钱二）". The
// bracket holds a name or a reporters' credit, and a sentence ends
// right before it.
func closingCredit(s string) []string {
	s = strings.TrimSpace(s)
	opening, closing := "（", "）"
	if !strings.HasSuffix(s, closing) {
		if opening, closing = "(", ")"; !strings.HasSuffix(s, closing) {
			return nil
		}
	}
	i := strings.LastIndex(s, opening)
	if i <= 0 || !terminal(lastRune(s[:i])) {
		return nil
	}
	in := strings.TrimSpace(s[i+len(opening) : len(s)-len(closing)])
	if isName(in) && allHan(in) {
		return []string{in}
	}
	if names, ok := reporterLine(in); ok && strings.HasPrefix(in, "记者") {
		return names
	}
	return nil
}
