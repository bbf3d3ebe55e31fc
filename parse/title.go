// Titles: the headline chosen among the page's candidates, best first.
//
// The forms read, in order of trust:
//
//   - a site profile's headline element;
//   - the declared title: og:title, twitter:title, JSON-LD headline —
//     unless it is only the <title>'s tail (the site's name); the part
//     the page shows when it carries the site's name after a separator; a
//     longer line the page shows wins when the declared one is its prefix
//     (an attribute cut short at an unescaped quote);
//   - the <title> split at a separator (" | ", " - ", " – ", " — ", "--",
//     "——", "_", " :: ", " » ", "｜", "－", "—", "|"), the part the page
//     shows as a heading or line, the site's declared name and a short
//     last part (the site, the channel) left out; a <title> with no
//     separator that is a shown line plus the site's name ("Headline
//     某某医院") keeps the line;
//   - a <title> of labels only (column and site) or none at all: the
//     heading right above the body (six to eighty characters, not a
//     dateline, an outlet or a byline);
//   - a heading the <title> contains, when it is more than the site's
//     name beside the headline;
//   - the content's first line when short and not prose, else the main
//     content library's title;
//   - else the first sentence of the article's text (firstSentence).
//
// Whichever gave it, cleanTitle then takes off what is no part of a
// headline: a 原创 badge before it, a section label (图集, 视频, 专题,
// 组图, 直播, 快讯, 独家) set off before it by a bar, a colon or brackets.
// A page with no text at all gives ErrNoText.

package parse

import (
	"strings"
	"time"

	"newsfeed/parse/htmlpage"
)

// titleFromTag removes the site's name from a <title>: "Headline - Site",
// "Headline | Site", "Headline_频道_网站". With an <h1> that matches a part,
// that part wins; else the longest part.
func titleFromTag(title, h1, site string) string {
	if title == "" {
		return h1
	}
	parts := splitTitle(title)
	if len(parts) == 1 {
		return title
	}
	best := ""
	for _, p := range parts {
		if h1 != "" && (p == h1 || strings.Contains(h1, p) && runeLen(p)*2 > runeLen(h1)) {
			return p
		}
		if p == site {
			continue
		}
		if runeLen(p) > runeLen(best) {
			best = p
		}
	}
	return best
}

var titleSeparators = []string{" | ", " - ", " – ", " — ", "--", "——", "_", " :: ", " » ", "｜", "－", "—", "|"}

func splitTitle(t string) []string {
	for _, sep := range titleSeparators {
		if strings.Contains(t, sep) {
			var out []string
			for _, p := range strings.Split(t, sep) {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			if len(out) > 1 {
				return out
			}
		}
	}
	return []string{t}
}

// titleParts drops from a <title>'s parts those that name the site: the
// site's declared name, and a short last part ("Headline - Site",
// "Headline_频道_网站") when it is the shortest.
func titleParts(parts []string, site string) []string {
	if len(parts) < 2 {
		return parts
	}
	var out []string
	for _, p := range parts {
		if p != site {
			out = append(out, p)
		}
	}
	last := out[len(out)-1]
	if len(out) > 1 && runeLen(last) <= 12 {
		shortest := true
		for _, p := range out[:len(out)-1] {
			if runeLen(p) < runeLen(last) {
				shortest = false
			}
		}
		if shortest {
			out = out[:len(out)-1]
		}
	}
	return out
}

// chooseTitle picks an article's title on a page that declares none: the
// part of its <title> that the page shows as a heading or a line of text;
// else a heading the <title> contains; else the first line of the
// content, when it is short and reads like a title (first is then true);
// else the longest part of the <title>.
func chooseTitle(m htmlpage.Meta, all, content []htmlpage.Block) (title string, first bool) {
	parts := splitTitle(m.Tag)
	shown := map[string]bool{}
	for _, h := range m.Headings {
		shown[h] = true
	}
	for _, b := range all {
		if runeLen(b.Text) <= 80 {
			shown[b.Text] = true
		}
	}
	if m.Declared != "" && !(m.Tag != m.Declared && strings.HasSuffix(m.Tag, m.Declared)) {
		// (A declared title that is only the <title>'s tail is the site's
		// name, which some pages put in og:title.)
		if p := shownPart(m.Declared, shown); p != "" {
			gave("title", "declared title less the site's name")
			return p, false
		}
		gave("title", "declared title (og:title, JSON-LD headline)")
		return longerShown(m.Declared, parts, shown), false
	}
	if len(parts) == 1 {
		if t := shownPrefix(m.Tag, all); t != "" {
			gave("title", "<title> less the site's name after a space")
			return t, false
		}
	}
	best := ""
	for _, p := range titleParts(parts, m.SiteName) {
		if shown[p] && runeLen(p) > runeLen(best) {
			best = p
		}
	}
	if best != "" && !(len(parts) > 1 && labelsOnly(parts)) {
		gave("title", "<title> part the page shows")
		return best, false
	}
	// A <title> of labels only ("新闻动态--某某学会官网": a column and the
	// site) names no headline; neither does a page without one. The
	// headline is then the heading right above the body.
	if h := headingAbove(all, content); h != "" && (m.Tag == "" || labelsOnly(parts)) {
		gave("title", "heading above the body")
		return h, false
	}
	best = ""
	// A heading the <title> contains, long enough to be more than the
	// site's name beside the headline.
	for _, h := range m.Headings {
		if runeLen(h) > runeLen(best) && strings.Contains(m.Tag, h) {
			best = h
		}
	}
	if best != "" && runeLen(best)*10 >= runeLen(m.Tag)*4 {
		gave("title", "heading the <title> contains")
		return best, false
	}
	if len(content) > 0 {
		if c := content[0].Text; runeLen(c) <= 40 && !terminal(lastRune(c)) {
			gave("title", "content's first short line")
			return c, true
		}
	}
	gave("title", "<title> less the site's name")
	return titleFromTag(m.Tag, m.H1, m.SiteName), false
}

// longerShown returns the <title> part that the page shows as a line and
// that declared is a prefix of, else declared: an og:title cut short by
// an unescaped quote in the page's attribute ("…龙湖集团" of "…龙湖集团"暗伤"
// 曝露？") loses to the headline the reader sees.
func longerShown(declared string, parts []string, shown map[string]bool) string {
	for _, p := range parts {
		if len(p) > len(declared) && strings.HasPrefix(p, declared) && shown[p] {
			return p
		}
	}
	return declared
}

// shownPart returns the part of a declared title split at a separator
// that the page shows as a heading or a line, the longest such, when the
// declared title carries the site's or the channel's name after it
// ("Headline - Site", "Headline_频道_网站"); else "".
func shownPart(declared string, shown map[string]bool) string {
	parts := splitTitle(declared)
	if len(parts) < 2 {
		return ""
	}
	best := ""
	for _, p := range parts {
		if shown[p] && runeLen(p) > runeLen(best) {
			best = p
		}
	}
	return best
}

// shownPrefix returns the line of the page that a <title> with no
// separator begins with, when the rest after a space is the site's name
// shown elsewhere on the page ("Headline 某某医院", with 某某医院 in the
// logo or the copyright line); else "".
func shownPrefix(tag string, all []htmlpage.Block) string {
	tried := map[string]bool{} // each candidate once, and a few: the search for the site's name reads every line
	for _, b := range all {
		t := b.Text
		if len(t) >= len(tag) || !strings.HasPrefix(tag, t) || runeLen(t)*2 < runeLen(tag) {
			continue
		}
		rest := tag[len(t):]
		if r := firstRune(rest); r != ' ' && r != '\u3000' || tried[t] || len(tried) >= 8 {
			continue
		}
		tried[t] = true
		site := strings.TrimSpace(rest)
		for _, o := range all {
			if o.Text != tag && o.Text != t && strings.Contains(o.Text, site) {
				return t
			}
		}
	}
	return ""
}

// anchorIndex returns where the article starts among the page's
// blocks: the block holding the title, else the extracted content's first
// line, else -1.
func anchorIndex(blocks []htmlpage.Block, title string, content []htmlpage.Block) int {
	if title != "" {
		for i, b := range blocks {
			if b.Text == title || runeLen(b.Text) < 2*runeLen(title) && strings.Contains(b.Text, title) ||
				strings.HasPrefix(title, b.Text) && runeLen(b.Text)*10 >= runeLen(title)*6 {
				return i // the title, maybe without the site's name the <title> adds
			}
		}
	}
	if len(content) > 0 {
		for i, b := range blocks {
			if b.Text == content[0].Text {
				return i
			}
		}
	}
	return -1
}

// labelsOnly reports a <title> whose parts are all short labels — a
// column, a section, the site's name — and none a headline.
func labelsOnly(parts []string) bool {
	for _, p := range parts {
		if runeLen(p) > 10 {
			return false
		}
	}
	return len(parts) > 0
}

// headingAbove returns the headline-like line right above the body's first
// line among a page's blocks: six to eighty characters, within four lines,
// neither a dateline nor a credit; else "".
func headingAbove(all, content []htmlpage.Block) string {
	if len(content) == 0 {
		return ""
	}
	at := -1
	for i, b := range all {
		if b.Text == content[0].Text {
			at = i
			break
		}
	}
	for i := at - 1; i >= 0 && i >= at-4; i-- {
		s := all[i].Text
		if n := runeLen(s); n < 6 || n > 80 {
			continue
		}
		if _, dated := findStamp(s, time.UTC); dated || outletIn(s) != "" || len(bylineNames(s)) > 0 {
			continue
		}
		return s
	}
	return ""
}

// metaTitle is the title the metadata gives: the declared one, else the
// <title> less the site's name.
func metaTitle(m htmlpage.Meta) string {
	if m.Declared != "" {
		return m.Declared
	}
	return titleFromTag(m.Tag, m.H1, m.SiteName)
}

// sectionLabels are the labels a site puts before a headline to say what
// kind of page it is, not what the story is.
var sectionLabels = []string{"图集", "组图", "视频", "专题", "直播", "快讯", "独家", "原创"}

// labelMarks set a section label off from the headline after it.
var labelMarks = []string{"｜", "|", "丨", "：", ":", " "}

// cleanTitle takes a badge or section label off a headline's start:
// "原创 标题", "【图集】标题", "[视频]标题", "视频｜标题", "专题：标题".
// A title that would be left empty or a single character stays whole.
func cleanTitle(t string) string {
	t = strings.TrimSpace(t)
	for range 2 { // "原创 视频｜标题"
		rest := cutLabel(t)
		if runeLen(rest) < 2 {
			break
		}
		t = rest
	}
	return t
}

// cutLabel returns t without one leading section label, or t.
func cutLabel(t string) string {
	for _, l := range sectionLabels {
		for _, br := range [][2]string{{"【", "】"}, {"[", "]"}, {"［", "］"}, {"（", "）"}} {
			if rest, ok := strings.CutPrefix(t, br[0]+l+br[1]); ok {
				return strings.TrimSpace(rest)
			}
		}
		rest, ok := strings.CutPrefix(t, l)
		if !ok {
			continue
		}
		for _, m := range labelMarks {
			if r, ok := strings.CutPrefix(rest, m); ok {
				return strings.TrimLeft(r, " \u3000")
			}
		}
	}
	return t
}

// firstSentence is the title of an article whose page offers no other:
// the first line of its text up to the end of its first sentence, cut at
// a word's end within eighty characters when the sentence runs longer.
// It returns "" when the body has no text.
func firstSentence(body []htmlpage.Block) string {
	for _, b := range body {
		s := strings.TrimSpace(b.Text)
		if s == "" {
			continue
		}
		rs := []rune(s)
		for i, r := range rs {
			if i >= 80 {
				break
			}
			if r == '。' || r == '！' || r == '？' || (r == '.' || r == '!' || r == '?') && (i+1 == len(rs) || rs[i+1] == ' ') {
				if i >= 4 {
					return string(rs[:i+1])
				}
			}
		}
		if len(rs) <= 80 {
			return s
		}
		cut := string(rs[:80])
		if j := strings.LastIndexByte(cut, ' '); j > 40 {
			cut = cut[:j]
		}
		return cut + "…"
	}
	return ""
}
