// The cheap main-content reading of pages too large for the libraries.

package parse

import (
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// mainByDensity returns the element whose paragraphs hold the most text:
// the container of a page's article, found in one pass over the tree,
// where the libraries (htmlpage.MainContent) take many. It returns nil
// when no element holds a paragraph with text.
func mainByDensity(root *html.Node, b *budget) (*html.Node, error) {
	d := densest{b: b}
	d.walk(root, 0)
	return d.best, d.err
}

type densest struct {
	b     *budget
	best  *html.Node
	score int
	err   error
}

// walk returns the bytes of text under n, outside scripts and styles,
// and scores each element by the text of its <p> children.
func (d *densest) walk(n *html.Node, depth int) int {
	if d.err != nil || depth > 512 {
		return 0
	}
	if d.err = d.b.step("finding the main content"); d.err != nil {
		return 0
	}
	switch n.Type {
	case html.TextNode:
		return len(n.Data)
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head:
			return 0
		}
	}
	total, score := 0, 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t := d.walk(c, depth+1)
		total += t
		if c.Type == html.ElementNode && c.DataAtom == atom.P {
			score += t
		}
	}
	if score > d.score {
		d.best, d.score = n, score
	}
	return total
}
