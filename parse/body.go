// The article's body as blocks: the classifier's body lines, in page
// order, with the structure and pictures an HTML reading gave them.

package parse

import (
	"strings"

	"newsfeed/parse/htmlpage"
	"newsfeed/record"
)

// bodyWriter builds an article's blocks as the classifier accepts its
// body lines.
type bodyWriter struct {
	blocks []record.Block
	// paras are the body's text lines that are not captions, as the
	// classifier read them: interviews are found in them.
	paras []string
	// group and row are the structure of the last block's last line: the
	// list, table or <pre> it came from, and the table row.
	group, row int
	seen       map[string]bool
}

// pictures adds the pictures an HTML reading placed before a line; a
// picture already shown is not shown again.
func (w *bodyWriter) pictures(pics []record.Block) {
	for _, b := range pics {
		if b.Src != "" {
			if w.seen[b.Src] {
				continue
			}
			if w.seen == nil {
				w.seen = map[string]bool{}
			}
			w.seen[b.Src] = true
		}
		w.blocks = append(w.blocks, b)
		w.group, w.row = 0, 0
	}
}

// caption adds a caption line: it captions the picture just before it,
// else it is a picture block of its own with no src.
func (w *bodyWriter) caption(s string) {
	if n := len(w.blocks); n > 0 {
		if last := &w.blocks[n-1]; last.Type == record.BlockImage && last.Src != "" && last.Caption == "" {
			last.Caption = s
			return
		}
	}
	w.blocks = append(w.blocks, record.Block{Type: record.BlockImage, Caption: s})
	w.group, w.row = 0, 0
}

// text adds a body line; info is what the HTML reading said of it, or
// nil for raw text (a paragraph).
func (w *bodyWriter) text(s string, info *htmlpage.Block) {
	w.paras = append(w.paras, s)
	if info == nil || info.Kind == "" || info.Kind == record.BlockParagraph {
		w.add(record.Block{Type: record.BlockParagraph, Text: s}, 0, 0)
		return
	}
	var last *record.Block
	if n := len(w.blocks); n > 0 && info.Group != 0 && info.Group == w.group {
		last = &w.blocks[n-1]
	}
	switch info.Kind {
	case record.BlockHeading:
		w.add(record.Block{Type: record.BlockHeading, Text: s, Level: info.Level}, 0, 0)
	case record.BlockQuote:
		w.add(record.Block{Type: record.BlockQuote, Text: s}, 0, 0)
	case record.BlockPre:
		if last != nil && last.Type == record.BlockPre {
			return // a line of the <pre> already written whole
		}
		text := info.Raw
		if text == "" {
			text = s
		}
		w.add(record.Block{Type: record.BlockPre, Text: text}, info.Group, 0)
	case record.BlockList:
		if last != nil && last.Type == record.BlockList {
			last.Items = append(last.Items, s)
			return
		}
		w.add(record.Block{Type: record.BlockList, Ordered: info.Ordered, Items: []string{s}}, info.Group, 0)
	case record.BlockTable:
		cells := info.Cells
		if len(cells) == 0 {
			cells = []string{s}
		}
		if last != nil && last.Type == record.BlockTable {
			if info.Row != w.row {
				last.Rows = append(last.Rows, cells)
				w.row = info.Row
			}
			return
		}
		w.add(record.Block{Type: record.BlockTable, Rows: [][]string{cells}}, info.Group, info.Row)
	default:
		w.add(record.Block{Type: record.BlockParagraph, Text: s}, 0, 0)
	}
}

func (w *bodyWriter) add(b record.Block, group, row int) {
	w.blocks = append(w.blocks, b)
	w.group, w.row = group, row
}

// leadImage returns the body's first picture with an absolute URL, or "".
func (w *bodyWriter) leadImage() string {
	for _, b := range w.blocks {
		if b.Type == record.BlockImage && (strings.HasPrefix(b.Src, "https://") || strings.HasPrefix(b.Src, "http://")) {
			return b.Src
		}
	}
	return ""
}
