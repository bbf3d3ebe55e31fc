package feed

import (
	"html"
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
	p.AllowElements("p", "br", "strong", "em", "blockquote", "figure", "figcaption", "h2")
	p.AllowAttrs("href").OnElements("a")
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

// articleHTML renders an article: title, lead, paragraphs, captions as
// figures, then authors, editor and disclaimer.
func articleHTML(a *record.Article, l *labels) string {
	var w htmlWriter
	paras := a.Texts()
	w.Grow(64 + len(a.Title) + len(a.Lead) + 16*len(paras) + sumLen(paras))
	w.elem("h2", a.Title)
	if strings.TrimSpace(a.Lead) != "" {
		w.WriteString("<blockquote>")
		w.elem("p", a.Lead)
		w.WriteString("</blockquote>")
	}
	for _, p := range paras {
		w.elem("p", p)
	}
	for _, c := range a.Captions() {
		if strings.TrimSpace(c) == "" {
			continue
		}
		w.WriteString("<figure>")
		w.elem("figcaption", c)
		w.WriteString("</figure>")
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

func sumLen(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	return n
}
