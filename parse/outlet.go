// Outlets: the news organisation a story comes from (新京报, 新华网), which
// is not its author nor the site that shows it.
//
// The forms read:
//
//   - a labelled credit anywhere in a line of at most 120 characters:
//     来源 / 稿源 / 出处 / 本文来源, a colon (： or :) and the value
//     ("来源：新京报", "2019-09-07 13:43:45　来源: 证券市场红周刊"); the value
//     runs to a bracket, a bar, punctuation, a space or the next label
//     (creditValue), is two to twenty-four characters, and is no date; a
//     link there is read as its text;
//   - the label without a colon only in a slot line kept apart by bars
//     ("来源CSDN| 作者魏星");
//   - not a credit: 资料来源, 图片来源, 图来源, 数据来源, 消息来源, 信息来源,
//     视频来源 (a reference, a photo credit, a person quoted);
//   - unlabelled in the date/source slot under the headline, after the
//     stamp ("2019-12-10 07:57 新华网": slotCredit in bylines.go);
//   - joined to the author by a slash ("李四/中国青年报": authorOutlet in
//     bylines.go), the part that ends in an outlet suffix (outletSuffixes);
//   - the text format's "来源：…" or "Source: …" end-matter line
//     (isSourceLine).
//
// The credit nearest the article's start wins (pageCredits).

package parse

import (
	"strings"

	"newsfeed/parse/htmlpage"
)

// notOutletBefore are words that make 来源 something other than the
// story's outlet: 资料来源 (a reference), 图片来源 (a photo credit), 消息来源
// (a person quoted).
var notOutletBefore = []string{"资料", "图片", "图", "数据", "消息", "信息", "视频"}

// outletIn returns the outlet a line credits — "来源：新京报",
// "2019-09-07 13:43:45　来源: 证券市场红周刊", "来源 CSDN |", "本文来源：…" —
// or "".
func outletIn(s string) string {
	if runeLen(s) > 120 {
		return ""
	}
	for _, label := range outletLabels {
		if v := labelledOutlet(s, label); v != "" {
			gave("outlet", "labelled "+label)
			return v
		}
	}
	_, outlet := authorOutlet(s)
	if outlet != "" {
		gave("outlet", "joined to the author by a slash")
	}
	return outlet
}

// outletLabels introduce an outlet's credit.
var outletLabels = []string{"来源", "稿源", "出处"}

// labelledOutlet returns the value that label credits in s, or "".
func labelledOutlet(s, label string) string {
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], label)
		if i < 0 {
			return ""
		}
		i += from
		from = i + len(label)
		before := s[:i]
		if hasAnySuffix(before, notOutletBefore) {
			continue
		}
		rest := s[from:]
		trimmed := strings.TrimLeft(rest, " \u3000")
		if r, ok := cutColon(trimmed); ok {
			rest = r
		} else if !slotLine(s) && (len(trimmed) == len(rest) || runeLen(s) > 40) {
			// Without a colon, only a slot line reads "来源 CSDN |".
			continue
		}
		if v := creditValue(rest, false); v != "" && !isDateLike(v) {
			return v
		}
	}
	return ""
}

// pageCredits reads the outlet and editor credited anywhere on a page's
// blocks. The outlet nearest the article's start (the date/source slot
// under the headline) wins over one further down (本文来源 at the end);
// a 责任编辑 or 责编 credit wins over a plain 编辑 one, wherever each stands.
func pageCredits(blocks []htmlpage.Block, at int) (outlet, editor string) {
	order := nearFirst(len(blocks), at)
	for _, i := range order {
		if outlet = outletIn(blocks[i].Text); outlet != "" {
			break
		}
	}
	plain := ""
	for _, i := range order {
		name, responsible := editorIn(blocks[i].Text)
		if responsible {
			gave("editor", "责任编辑/责编 credit")
			return outlet, name
		}
		if name != "" && plain == "" {
			plain = name
		}
	}
	if plain != "" {
		gave("editor", "编辑 credit")
	}
	return outlet, plain
}

// nearFirst returns the indexes 0..n-1 in the order a reader looks for
// an article's credits: the dozen lines from its start at, the three
// above it, then the rest below and the rest above. With no start, page
// order.
func nearFirst(n, at int) []int {
	if at < 0 {
		at = 0
	}
	order := make([]int, 0, n)
	for i := at; i < n && i <= at+12; i++ {
		order = append(order, i)
	}
	for i := at - 1; i >= 0 && i >= at-3; i-- {
		order = append(order, i)
	}
	for i := at + 13; i < n; i++ {
		order = append(order, i)
	}
	for i := at - 4; i >= 0; i-- {
		order = append(order, i)
	}
	return order
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
