package htmlpage

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsfeed/parse/textline"
	"newsfeed/record"
)

// Block is one line of an HTML page's text: what a block element (a
// paragraph, a heading, a list item, a caption) shows, as a reader would
// copy it. Caption marks text that the markup says captions an image.
type Block struct {
	Text    string
	Caption bool

	// The line's structure, read by BodyBlocks only (Blocks leaves it
	// empty). Kind is the block the line stands in: a paragraph, a
	// heading (Level), a quote, preformatted text (Raw, its text with
	// white space kept), a list item (Ordered) or a table row (Cells).
	// Lines of one list, table or <pre> share a Group; the lines of one
	// table row share a Row.
	Kind    record.BlockType
	Level   int
	Ordered bool
	Cells   []string
	Raw     string
	Group   int
	Row     int
	// Images are the pictures the page shows before the line, in page
	// order: absolute http(s) URLs, the article's own only.
	Images []record.Block
}

// blockAtoms are the elements that start a new line of text.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Header: true,
	atom.Footer: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true,
	atom.Dd: true, atom.Blockquote: true, atom.Pre: true, atom.Table: true, atom.Tr: true,
	atom.Figure: true, atom.Figcaption: true, atom.Br: true,
	atom.Hr: true, atom.Address: true, atom.Main: true, atom.Aside: true, atom.Nav: true,
	atom.Center: true, atom.Form: true, atom.Caption: true, atom.Details: true, atom.Summary: true,
}

// cellAtoms separate their text from the next cell's by a space: a
// table row reads as one line.
var cellAtoms = map[atom.Atom]bool{atom.Td: true, atom.Th: true}

// elemAtom returns n's atom, looked up from its name for nodes built by
// code (extractors create elements without one).
func elemAtom(n *html.Node) atom.Atom {
	if n.DataAtom != 0 {
		return n.DataAtom
	}
	return atom.Lookup([]byte(n.Data))
}

// skipAtoms hold no reader-visible text.
var skipAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true,
	atom.Button: true, atom.Select: true, atom.Textarea: true, atom.Input: true, atom.Canvas: true,
	atom.Audio: true, atom.Video: true, atom.Head: true, atom.Title: true,
}

// maxDepth bounds how deep the walker descends: deeper markup is junk or
// an attack, and its text is dropped rather than blowing the stack.
const maxDepth = 512

// Blocks returns the lines of text under the nodes, in document order.
// Text inside one block element is joined; white space is folded as a
// browser folds it.
func Blocks(nodes ...*html.Node) []Block {
	w := &blockWriter{}
	for _, n := range nodes {
		w.walk(n, 0)
		w.flush()
	}
	return w.out
}

type blockWriter struct {
	// st is set when the writer reads structure (BodyBlocks).
	st      *structure
	out     []Block
	cur     strings.Builder
	caption int // > 0 inside a caption element
	space   bool
	// edge is set at an element's start or end: extractors drop the white
	// space between inline elements ("<b>Chris Smith</b>going"), so two
	// words that meet at an edge are kept apart.
	edge bool
	last rune
}

func (w *blockWriter) flush() {
	if s := textline.Clean(w.cur.String()); s != "" {
		b := Block{Text: s, Caption: w.caption > 0}
		if w.st != nil {
			w.st.stamp(&b)
		}
		w.out = append(w.out, b)
	} else if w.st != nil {
		w.st.pending, w.st.after = append(w.st.pending, w.st.after...), nil
	}
	w.cur.Reset()
	w.space, w.edge, w.last = false, false, 0
}

func (w *blockWriter) text(s string) {
	for len(s) > 0 {
		// A run of white space: remember it, write nothing yet.
		i := 0
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i > 0 {
			w.space = true
			s = s[i:]
			continue
		}
		// A run of other characters: written at once.
		for i < len(s) && !isHTMLSpace(s[i]) {
			i++
		}
		run := s[:i]
		s = s[i:]
		if w.cur.Len() > 0 {
			if first, _ := utf8.DecodeRuneInString(run); w.space || w.edge && wordRune(w.last) && wordRune(first) {
				w.cur.WriteByte(' ')
			}
		}
		w.space, w.edge = false, false
		w.cur.WriteString(run)
		w.last, _ = utf8.DecodeLastRuneInString(run)
	}
}

// isHTMLSpace reports the bytes HTML folds as white space.
func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'
}

// wordRune reports a letter or digit of a script that separates words
// with spaces.
func wordRune(r rune) bool {
	return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func (w *blockWriter) walk(n *html.Node, depth int) {
	if depth > maxDepth {
		return
	}
	var a atom.Atom
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		a = elemAtom(n)
		if w.st != nil {
			switch a {
			case atom.Img, atom.Picture:
				if !hidden(n) {
					w.st.image(w, n, a)
				}
				return
			case atom.Noscript:
				w.st.noscript(w, n)
				return
			}
		}
		if skipAtoms[a] || hidden(n) {
			return
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	if w.st != nil && n.Type == html.ElementNode {
		if w.st.enter(n, a) {
			defer func() { w.st.ctx = w.st.ctx[:len(w.st.ctx)-1] }()
		}
	}
	isBlock := blockAtoms[a]
	isCaption := n.Type == html.ElementNode && captionElement(n, a)
	if isBlock || isCaption {
		w.flush()
	}
	if cellAtoms[a] {
		w.space = true
	}
	if isCaption {
		w.caption++
	}
	w.edge = true
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	w.edge = true
	if isBlock || isCaption {
		w.flush()
	}
	if cellAtoms[a] {
		w.space = true
	}
	if isCaption {
		w.caption--
	}
}

// captionElement reports an element whose markup says it captions an
// image: <figcaption>, or a class or id naming a caption.
func captionElement(n *html.Node, a atom.Atom) bool {
	if a == atom.Figcaption {
		return true
	}
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		v := strings.ToLower(a.Val)
		if strings.Contains(v, "caption") || strings.Contains(v, "img-title") || strings.Contains(v, "pic-title") ||
			strings.Contains(v, "imgtitle") || strings.Contains(v, "pictext") || strings.Contains(v, "img_desc") {
			return true
		}
	}
	return false
}

// hidden reports an element the page hides from readers.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			v := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

// NodeText returns the text of n as one line.
func NodeText(n *html.Node) string {
	w := &blockWriter{}
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			w.text(n.Data)
			return
		case html.ElementNode:
			a := elemAtom(n)
			if skipAtoms[a] {
				return
			}
			if blockAtoms[a] || cellAtoms[a] {
				w.space = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return textline.Clean(w.cur.String())
}

// Attr returns the value of n's attribute key and whether n has it.
func Attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// Resolve is record.ResolveURL with the query parameters in drop removed
// too, whatever the host.
func Resolve(base *url.URL, href string, drop []string) string {
	return record.ResolveURL(base, href, func(string) []string { return drop })
}
