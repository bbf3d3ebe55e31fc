// The article body as structure: what kind of block each line is (a
// heading, a quote, a list item, a table row, preformatted text) and the
// pictures between the lines.

package htmlpage

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsfeed/parse/textline"
	"newsfeed/record"
)

// BodyBlocks returns the lines of text under n, as Blocks does, each with
// its structure: the kind of block it stands in (Kind, Level, Ordered,
// Cells, Raw, Group, Row) and the pictures the page shows before it
// (Images). Pictures after the last line come in a last Block with no
// text. base is the page's URL, against which pictures resolve (or the
// page's <base href>, read from n's document); with no base, only
// absolute pictures are kept.
func BodyBlocks(base *url.URL, n *html.Node) []Block {
	w := &blockWriter{st: &structure{pics: newPictures(docBase(n, base), n)}}
	w.walk(n, 0)
	w.flush()
	if st := w.st; len(st.pending)+len(st.after) > 0 {
		w.out = append(w.out, Block{Images: append(st.pending, st.after...)})
	}
	return w.out
}

// structure is what the walker keeps while it reads a body's structure.
type structure struct {
	pics *pictures
	ctx  []blockCtx
	// pending are the pictures met since the last line; after are those
	// met inside the line being written, after some of its text: they
	// come after it.
	pending, after []record.Block
	groups         int
}

// blockCtx is one structural element the walker is inside.
type blockCtx struct {
	kind     record.BlockType
	level    int
	ordered  bool
	group    int
	row      int
	cells    []string
	raw      string
	tableRow bool // a <tr> of a data table, not the table itself
}

// enter pushes the context element n opens, reporting whether it did.
func (st *structure) enter(n *html.Node, a atom.Atom) bool {
	var c blockCtx
	switch a {
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		c = blockCtx{kind: record.BlockHeading, level: int(n.Data[1] - '0')}
	case atom.Blockquote:
		c = blockCtx{kind: record.BlockQuote}
	case atom.Pre:
		st.groups++
		c = blockCtx{kind: record.BlockPre, group: st.groups, raw: preText(n)}
	case atom.Ul, atom.Ol:
		st.groups++
		c = blockCtx{kind: record.BlockList, ordered: a == atom.Ol, group: st.groups}
	case atom.Table:
		if !dataTable(n) {
			return false
		}
		st.groups++
		c = blockCtx{kind: record.BlockTable, group: st.groups}
	case atom.Tr:
		top := st.top()
		if top == nil || top.kind != record.BlockTable || top.tableRow {
			return false
		}
		st.groups++
		c = blockCtx{kind: record.BlockTable, group: top.group, row: st.groups, cells: rowCells(n), tableRow: true}
	default:
		return false
	}
	st.ctx = append(st.ctx, c)
	return true
}

func (st *structure) top() *blockCtx {
	if len(st.ctx) == 0 {
		return nil
	}
	return &st.ctx[len(st.ctx)-1]
}

// stamp gives a line its structure and the pictures before it.
func (st *structure) stamp(b *Block) {
	b.Kind = record.BlockParagraph
	if c := st.top(); c != nil && !(c.kind == record.BlockTable && !c.tableRow) {
		b.Kind, b.Level, b.Ordered, b.Group, b.Row = c.kind, c.level, c.ordered, c.group, c.row
		b.Cells, b.Raw = c.cells, c.raw
	}
	b.Images = st.pending
	st.pending, st.after = st.after, nil
}

// image reads a picture element (<img>, <picture>) met in the body.
func (st *structure) image(w *blockWriter, n *html.Node, a atom.Atom) {
	pic, ok := st.pics.read(n, a)
	if !ok {
		return
	}
	if w.cur.Len() > 0 {
		st.after = append(st.after, pic)
	} else {
		st.pending = append(st.pending, pic)
	}
}

// noscript reads the pictures of a <noscript> fallback, unless it is the
// fallback of the picture just before it (which was read already).
func (st *structure) noscript(w *blockWriter, n *html.Node) {
	if prev := prevElement(n); prev != nil && (elemAtom(prev) == atom.Img || elemAtom(prev) == atom.Picture) {
		return
	}
	for _, img := range findAll(n, atom.Img, 0) {
		st.image(w, img, atom.Img)
	}
}

// dataTable reports a table that holds data rather than laying out the
// page: no table inside it, at least two rows, one of at least two
// cells, and every cell one short line of text (a cell of several
// paragraphs, or of a paragraph's length, is layout).
func dataTable(t *html.Node) bool {
	rows, wide := 0, false
	ok := true
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if !ok || depth > maxDepth {
			return
		}
		for c := n.FirstChild; c != nil && ok; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch elemAtom(c) {
			case atom.Table:
				ok = false
			case atom.Tr:
				rows++
				cells := 0
				for cell := c.FirstChild; cell != nil && ok; cell = cell.NextSibling {
					if cell.Type != html.ElementNode || !cellAtoms[elemAtom(cell)] {
						continue
					}
					cells++
					lines := Blocks(cell)
					if len(lines) > 1 || len(lines) == 1 && utf8.RuneCountInString(lines[0].Text) > 200 ||
						len(findAll(cell, atom.Table, 0)) > 0 {
						ok = false
					}
				}
				wide = wide || cells >= 2
			case atom.Thead, atom.Tbody, atom.Tfoot:
				walk(c, depth+1)
			default:
				ok = false // rows among other markup: not a table of data
			}
		}
	}
	walk(t, 0)
	return ok && rows >= 2 && wide
}

// rowCells returns the texts of a row's cells.
func rowCells(tr *html.Node) []string {
	var cells []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && cellAtoms[elemAtom(c)] {
			cells = append(cells, NodeText(c))
		}
	}
	return cells
}

// preText returns a <pre>'s text with its white space kept (a <br> is a
// line break), trimmed of blank lines at either end.
func preText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if a := elemAtom(n); skipAtoms[a] {
				return
			} else if a == atom.Br {
				b.WriteByte('\n')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	s := strings.ReplaceAll(b.String(), "\r\n", "\n")
	return strings.TrimRight(strings.Trim(s, "\n"), " \t\n")
}

// prevElement returns n's previous element sibling, or nil.
func prevElement(n *html.Node) *html.Node {
	for c := n.PrevSibling; c != nil; c = c.PrevSibling {
		if c.Type == html.ElementNode {
			return c
		}
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return nil
		}
	}
	return nil
}

// nextElement returns n's next element sibling, or nil.
func nextElement(n *html.Node) *html.Node {
	for c := n.NextSibling; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return nil
		}
	}
	return nil
}

// findAll returns the elements of atom a under n, in document order.
func findAll(n *html.Node, a atom.Atom, depth int) []*html.Node {
	var out []*html.Node
	if depth > maxDepth {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if elemAtom(c) == a {
			out = append(out, c)
		}
		out = append(out, findAll(c, a, depth+1)...)
	}
	return out
}

// docBase returns the URL a document's relative URLs resolve against:
// its <base href> (itself resolved against the page's URL) when it has
// one, else the page's URL. n is any node of the document.
func docBase(n *html.Node, page *url.URL) *url.URL {
	root := n
	for root.Parent != nil {
		root = root.Parent
	}
	var head *html.Node
	for h := root.FirstChild; h != nil && head == nil; h = h.NextSibling {
		if h.Type == html.ElementNode && elemAtom(h) == atom.Html {
			for c := h.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && elemAtom(c) == atom.Head {
					head = c
					break
				}
			}
		}
	}
	if head == nil {
		return page
	}
	for c := head.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || elemAtom(c) != atom.Base {
			continue
		}
		href, ok := Attr(c, "href")
		if !ok || strings.TrimSpace(href) == "" {
			continue
		}
		u, err := url.Parse(strings.TrimSpace(href))
		if err != nil {
			return page
		}
		if page != nil {
			u = page.ResolveReference(u)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return page
		}
		return u
	}
	return page
}

// oneLine folds an attribute's text to one line.
func oneLine(s string) string { return textline.OneLine(s) }
