// Line kinds: what one line is on its own — a caption, a heading, a
// pull quote, navigation, the title repeated.

package parse

import (
	"slices"
	"strings"
)

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

// navBy reports page furniture: breadcrumbs, pagers, print and share
// links, font-size switches, a button's label on a line of its own
// ("关注", "+ 订阅", "Follow") — or a line of page numbers, "[1] [2] [3]".
func navBy(s string, classes uint8) bool {
	if len(s) > 240 {
		return false
	}
	if classes&phraseNav != 0 || isButtonLabel(s) {
		return true
	}
	return strings.Trim(s, "0123456789[]【】 |") == "" && strings.ContainsAny(s, "[【")
}

// buttonLabels are the labels of the follow, share and like buttons a
// page puts beside the byline or under the text; a line that is only one
// of them is never article text.
var buttonLabels = []string{"关注", "加关注", "已关注", "关注我们", "订阅", "已订阅", "分享", "收藏", "点赞", "赞",
	"举报", "转发", "follow", "following", "subscribe", "subscribed", "share", "like"}

// isButtonLabel reports a line that is one button's label, with a
// leading "+" as follow buttons have.
func isButtonLabel(s string) bool {
	if len(s) > 24 {
		return false
	}
	return slices.Contains(buttonLabels, strings.ToLower(strings.TrimSpace(strings.TrimLeft(s, "+＋ "))))
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
