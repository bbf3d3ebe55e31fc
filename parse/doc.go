// Package parse turns a news page's bytes — raw text (what a reader copies
// off a page) or HTML — into records: one article, an interview when the
// article is one, and the headlines of the page's lists. It does no file
// or network I/O: callers hand it bytes, and profiles as an io.Reader.
//
// # How a page flows
//
//  1. Page decides the format from the bytes (page.go) and calls Text or
//     HTML. Both decode through package parse/charset: one decision order
//     (byte-order mark, Content-Type, <meta>, the bytes) and the same
//     refusals (size, NUL bytes, control characters) for both formats.
//  2. Raw text is split into clean lines (lines.go, parse/textline). HTML
//     goes through package parse/htmlpage, which reads structure, never
//     words: the page's blocks of text, its metadata as written, what a
//     site profile's selectors find, or the main content a library finds.
//     html.go, htmlgeneric.go and htmltitle.go then read those with the
//     rules below — the title chosen among the candidates, the credits and
//     the time near it — and hand the body's lines to the classifier with
//     explicit hints (the captions the markup marks; that the lines are
//     one article's container), never a format flag.
//  3. The classifier (classify.go) reads the lines in order: head (the
//     title, the dateline, the byline, the pull quote), body (paragraphs
//     and captions) and tail (end matter and headline lists).
//
// # Where each rule lives
//
// Each file at the root decides one kind of thing, for text and HTML
// alike:
//
//   - dates.go: every date grammar — datelines, list stamps, labelled dates
//     (发布时间：…), dates in URLs, profile dates, machine-written times;
//     which time is the publication time.
//   - bylines.go: who a story comes from — authors (作者：…, 记者 …, "By …",
//     a self-media account in the byline slot), the outlet (来源：…) and the
//     editor (责任编辑：…), and what is never an author.
//   - endmatter.go: disclaimers, editor and source lines, footers: where
//     the body ends.
//   - headlines.go: related, recommended and hot lists — their headers,
//     items, time stamps and comment counts.
//   - interview.go: question-and-answer turns and who asks and answers.
//   - lineclass.go: what a single line is — caption, heading, pull quote,
//     navigation.
//   - phrases.go: the phrase tables the line kinds are matched with.
package parse

// ruleTrace, when set (by tests only, never while parses run
// concurrently), hears which rule gave each field: the evidence table in
// testdata/FIELD_RULES.md is written from it. The record never says.
var ruleTrace func(field, rule string)

// gave tells ruleTrace that rule gave field.
func gave(field, rule string) {
	if ruleTrace != nil {
		ruleTrace(field, rule)
	}
}
