package feed

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"

	"newsfeed/record"
)

// policy allows exactly the markup the renderers below write. Everything
// they write is built from escaped text, so the policy is a second line
// of defence: whatever markup reaches it from a page that it does not
// allow is removed, and text stays text.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "blockquote", "figure", "figcaption", "h2", "h3", "h4",
		"ul", "ol", "li", "table", "tbody", "tr", "td", "pre")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src").OnElements("img")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
	p.AllowAttrs("referrerpolicy").Matching(regexp.MustCompile(`^no-referrer$`)).OnElements("img")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	return p
}()

// labels are the words content uses around the records' text, in the
// record's language.
type labels struct {
	authors, editor, column, lists, comments, sep string
	list                                          map[record.List]string
}

var (
	labelsEN = labels{
		authors: "By", editor: "Editor", column: "Column", lists: "Seen in",
		comments: "Comments", sep: ", ",
		list: map[record.List]string{
			record.ListRelated: "related", record.ListRecommended: "recommended", record.ListHot: "hot",
		},
	}
	labelsZH = labels{
		authors: "作者", editor: "责任编辑", column: "栏目", lists: "出现于",
		comments: "评论", sep: "、",
		list: map[record.List]string{
			record.ListRelated: "相关", record.ListRecommended: "推荐", record.ListHot: "热点",
		},
	}
)

// listName returns the name of list x in the labels' language.
func (l *labels) listName(x record.List) string {
	if n, ok := l.list[x]; ok {
		return n
	}
	return oneLine(string(x))
}

// labelsFor returns the labels for a feed language.
func labelsFor(lang string) *labels {
	if strings.HasPrefix(lang, "zh") {
		return &labelsZH
	}
	return &labelsEN
}

// htmlWriter builds sanitised HTML from text.
type htmlWriter struct{ strings.Builder }

// text writes s cleaned and escaped; line breaks become <br>.
func (w *htmlWriter) text(s string) {
	s = html.EscapeString(clean(s))
	if strings.Contains(s, "\n") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "<br>")
	}
	w.WriteString(s)
}

// elem writes <tag>text</tag>, nothing when text is blank.
func (w *htmlWriter) elem(tag, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	w.WriteString("<" + tag + ">")
	w.text(text)
	w.WriteString("</" + tag + ">")
}

// labelled writes <p><em>label: value</em></p>.
func (w *htmlWriter) labelled(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	w.WriteString("<p><em>")
	w.text(label)
	w.WriteString(": ")
	w.text(value)
	w.WriteString("</em></p>")
}

// sanitized returns the HTML written, passed through the policy.
func (w *htmlWriter) sanitized() string {
	return policy.Sanitize(w.String())
}

// articleHTML renders an article: its lead, its body blocks in page
// order, then authors, editor and disclaimer. The title is not repeated:
// readers show it above the content.
func articleHTML(a *record.Article, l *labels) string {
	var w htmlWriter
	n := 64 + len(a.Lead)
	for i := range a.Blocks {
		n += 48 + len(a.Blocks[i].Text) + len(a.Blocks[i].Src) + len(a.Blocks[i].Caption)
	}
	w.Grow(n)
	if strings.TrimSpace(a.Lead) != "" {
		w.WriteString("<blockquote>")
		w.elem("p", a.Lead)
		w.WriteString("</blockquote>")
	}
	for i := range a.Blocks {
		w.block(&a.Blocks[i])
	}
	w.labelled(l.authors, strings.Join(a.Authors, l.sep))
	w.labelled(l.editor, a.Editor)
	if strings.TrimSpace(a.Disclaimer) != "" {
		w.WriteString("<p><em>")
		w.text(a.Disclaimer)
		w.WriteString("</em></p>")
	}
	return w.sanitized()
}

// block writes one body block as HTML: a paragraph, an h2–h4 heading,
// a figure (a picture with no usable URL shows its caption as a
// paragraph), a quote, a list, a table or preformatted text.
func (w *htmlWriter) block(b *record.Block) {
	switch b.Type {
	case record.BlockParagraph:
		w.elem("p", b.Text)
	case record.BlockHeading:
		w.elem("h"+strconv.Itoa(min(max(b.Level, 2), 4)), b.Text)
	case record.BlockImage:
		src := imageURL(b.Src)
		if src == "" {
			if strings.TrimSpace(b.Caption) != "" {
				w.WriteString("<p><em>")
				w.text(b.Caption)
				w.WriteString("</em></p>")
			}
			return
		}
		w.WriteString(`<figure><img src="`)
		w.WriteString(html.EscapeString(src))
		w.WriteString(`" alt="`)
		w.WriteString(html.EscapeString(oneLine(b.Alt)))
		w.WriteString(`"`)
		if b.Width > 0 && b.Height > 0 {
			w.WriteString(` width="` + strconv.Itoa(b.Width) + `" height="` + strconv.Itoa(b.Height) + `"`)
		}
		w.WriteString(` loading="lazy" referrerpolicy="no-referrer">`)
		w.elem("figcaption", b.Caption)
		w.WriteString("</figure>")
	case record.BlockQuote:
		if strings.TrimSpace(b.Text) != "" {
			w.WriteString("<blockquote>")
			w.elem("p", b.Text)
			w.WriteString("</blockquote>")
		}
	case record.BlockList:
		tag := "ul"
		if b.Ordered {
			tag = "ol"
		}
		if len(cleanAll(b.Items)) == 0 {
			return
		}
		w.WriteString("<" + tag + ">")
		for _, it := range b.Items {
			w.elem("li", it)
		}
		w.WriteString("</" + tag + ">")
	case record.BlockTable:
		if len(b.Rows) == 0 {
			return
		}
		w.WriteString("<table><tbody>")
		for _, row := range b.Rows {
			w.WriteString("<tr>")
			for _, cell := range row {
				w.WriteString("<td>")
				w.text(cell)
				w.WriteString("</td>")
			}
			w.WriteString("</tr>")
		}
		w.WriteString("</tbody></table>")
	case record.BlockPre:
		if strings.TrimSpace(b.Text) != "" {
			w.WriteString("<pre>")
			w.WriteString(html.EscapeString(strings.Trim(strings.ToValidUTF8(b.Text, "\uFFFD"), "\n")))
			w.WriteString("</pre>")
		}
	default:
		// A block type this version does not know: its text, if any.
		w.elem("p", b.Text)
	}
}

// imageURL returns raw when it is an absolute http(s) URL, else "": a
// javascript:, data: or relative picture URL never reaches a feed.
func imageURL(raw string) string {
	raw = clean(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// leadImage returns the article's lead picture: its Image, else its
// body's first picture; "" when it has none with a usable URL.
func leadImage(a *record.Article) string {
	if u := imageURL(a.Image); u != "" {
		return u
	}
	for i := range a.Blocks {
		if a.Blocks[i].Type == record.BlockImage {
			if u := imageURL(a.Blocks[i].Src); u != "" {
				return u
			}
		}
	}
	return ""
}

// texts returns the text of the article's paragraphs, for a title or a
// summary when it has no other.
func texts(a *record.Article) []string {
	var out []string
	for i := range a.Blocks {
		if a.Blocks[i].Type == record.BlockParagraph {
			out = append(out, a.Blocks[i].Text)
		}
	}
	return out
}

// interviewHTML renders an interview: its note, then each turn with the
// speaker in bold before the turn's first paragraph.
func interviewHTML(iv *record.Interview) string {
	var w htmlWriter
	if strings.TrimSpace(iv.Note) != "" {
		w.WriteString("<p><em>")
		w.text(iv.Note)
		w.WriteString("</em></p>")
	}
	for _, t := range iv.Turns {
		paras := t.Paragraphs
		if len(paras) == 0 {
			paras = []string{""}
		}
		for i, p := range paras {
			w.WriteString("<p>")
			if i == 0 && strings.TrimSpace(t.Speaker) != "" {
				w.WriteString("<strong>")
				w.text(t.Speaker)
				w.WriteString(":</strong> ")
			}
			w.text(p)
			w.WriteString("</p>")
		}
	}
	return w.sanitized()
}

// headlineHTML renders a headline: its column, the lists it was seen in
// and its comment count.
func headlineHTML(h *record.Headline, l *labels) string {
	var w htmlWriter
	w.labelled(l.column, h.Column)
	names := make([]string, 0, len(h.Lists))
	for _, x := range h.Lists {
		names = append(names, l.listName(x))
	}
	w.labelled(l.lists, strings.Join(names, l.sep))
	if h.Comments != nil {
		w.labelled(l.comments, strconv.Itoa(*h.Comments))
	}
	return w.sanitized()
}
