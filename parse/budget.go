// The budget of one page: how long its parse may take and how much work
// the HTML paths may do, so that one hostile page cannot stall a run or
// exhaust its memory.

package parse

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// Defaults of the budget of one page (see Options).
const (
	// DefaultTimeout is the time one page's parse may take. A news page
	// takes milliseconds.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxNodes is the number of elements an HTML page may have.
	// News pages have a few thousand; the page's tree takes some 150
	// bytes an element, so the bound keeps it under 50 MB.
	DefaultMaxNodes = 300_000
	// DefaultMaxBlocks is the number of lines of text (paragraphs,
	// headings, list items, table rows) an HTML page may show, or a raw
	// text may have. A long article has a few hundred.
	DefaultMaxBlocks = 30_000
	// libraryNodes is the number of elements up to which the generic path
	// asks a main-content library for a page's body. The libraries clone
	// the tree several times and take some 30 µs an element; a larger
	// page gets the cheaper densest-container reading (mainByDensity).
	libraryNodes = 20_000
)

// ErrBudget is a page whose parse would take longer than its time budget
// or more work than its bounds allow (Options.Timeout, MaxNodes,
// MaxBlocks).
var ErrBudget = errors.New("parse: page over budget")

// budget is one page's budget as its parse spends it.
type budget struct {
	src       string
	timeout   time.Duration
	deadline  time.Time // zero: no time budget
	maxNodes  int       // < 0: no bound
	maxBlocks int       // < 0: no bound
	steps     int       // loop iterations since the clock was last read
}

// newBudget starts the budget of the page opts describe: its clock runs
// from now.
func newBudget(src string, opts Options) *budget {
	b := &budget{src: src, timeout: opts.Timeout, maxNodes: opts.MaxNodes, maxBlocks: opts.MaxBlocks}
	if b.timeout == 0 {
		b.timeout = DefaultTimeout
	}
	if b.timeout > 0 {
		b.deadline = time.Now().Add(b.timeout)
	}
	if b.maxNodes == 0 {
		b.maxNodes = DefaultMaxNodes
	}
	if b.maxBlocks == 0 {
		b.maxBlocks = DefaultMaxBlocks
	}
	return b
}

// check returns an ErrBudget error naming the page and the stage when the
// time budget is spent.
func (b *budget) check(stage string) error {
	if b == nil || b.deadline.IsZero() || time.Now().Before(b.deadline) {
		return nil
	}
	return fmt.Errorf("%s: %w: time budget of %v spent %s", b.src, ErrBudget, b.timeout, stage)
}

// step is check for the body of a loop: it reads the clock once every
// 1024 calls.
func (b *budget) step(stage string) error {
	if b == nil {
		return nil
	}
	if b.steps++; b.steps < 1024 {
		return nil
	}
	b.steps = 0
	return b.check(stage)
}

// overNodes returns an ErrBudget error when n elements are more than the
// page may have.
func (b *budget) overNodes(n int) error {
	if b != nil && b.maxNodes >= 0 && n > b.maxNodes {
		return fmt.Errorf("%s: %w: more than %d elements", b.src, ErrBudget, b.maxNodes)
	}
	return nil
}

// overBlocks returns an ErrBudget error when n lines are more than the
// page may show.
func (b *budget) overBlocks(n int) error {
	if b != nil && b.maxBlocks >= 0 && n > b.maxBlocks {
		return fmt.Errorf("%s: %w: %d lines of text, more than %d", b.src, ErrBudget, n, b.maxBlocks)
	}
	return nil
}

// smallMarkup is the size of markup below which counting its elements
// before building its tree is not worth it: a page this small cannot have
// more than some 350,000 elements (three bytes each, "<a>"), whose tree
// takes some 50 MB, and takes milliseconds to read.
const smallMarkup = 1 << 20

// countElements counts the start tags in markup, stopping at limit+1: a
// tokenizer's pass, which builds no tree and keeps no token, so that a
// page with too many elements is refused before its tree is built (the
// tree takes ten times the page's size and more).
func (b *budget) countElements(markup string) (int, error) {
	if b.maxNodes < 0 || len(markup) < smallMarkup {
		return 0, nil
	}
	z := html.NewTokenizer(strings.NewReader(markup))
	n := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return n, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			n++
			if err := b.overNodes(n); err != nil {
				return n, err
			}
		}
		if err := b.step("reading the markup"); err != nil {
			return n, err
		}
	}
}

// countTree counts the elements of the tree under root, stopping once
// there are more than the page may have (and more than libraryNodes).
func (b *budget) countTree(root *html.Node) (int, error) {
	c := treeCounter{b: b, stop: libraryNodes}
	if b.maxNodes >= 0 {
		c.stop = max(c.stop, b.maxNodes)
	}
	c.walk(root, 0)
	return c.n, c.err
}

type treeCounter struct {
	b       *budget
	n, stop int
	err     error
}

// walk counts the elements under nd. The HTML parser nests elements no
// deeper than 512; deeper nodes are not counted (nor read).
func (c *treeCounter) walk(nd *html.Node, depth int) {
	if depth > 1024 || c.n > c.stop || c.err != nil {
		return
	}
	if nd.Type == html.ElementNode {
		c.n++
	}
	if c.err = c.b.step("counting elements"); c.err != nil {
		return
	}
	for ch := nd.FirstChild; ch != nil; ch = ch.NextSibling {
		c.walk(ch, depth+1)
	}
}
