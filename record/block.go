package record

import "strings"

// BlockType names the kind of one body block. It is the value of a
// block's "type" key.
type BlockType string

// The body block types.
const (
	// BlockParagraph is a paragraph of text ("text").
	BlockParagraph BlockType = "p"
	// BlockHeading is a sub-heading ("text", "level" 2–6).
	BlockHeading BlockType = "h"
	// BlockImage is a picture ("src", "alt", "caption", "width",
	// "height"). A caption a raw-text page shows with no picture is an
	// image block with a caption and no src.
	BlockImage BlockType = "image"
	// BlockQuote is a block quotation ("text").
	BlockQuote BlockType = "quote"
	// BlockList is a list ("ordered", "items").
	BlockList BlockType = "list"
	// BlockTable is a table ("rows": rows of cell texts).
	BlockTable BlockType = "table"
	// BlockPre is preformatted text ("text", white space kept).
	BlockPre BlockType = "pre"
)

// Block is one element of an article's body, in page order. Which fields
// are set depends on Type (see the BlockType constants); the others are
// omitted from its JSON.
type Block struct {
	Type BlockType `json:"type"`
	// Text is the text of a paragraph, heading, quote or preformatted
	// block.
	Text string `json:"text,omitempty"`
	// Level is a heading's level, 2 to 6.
	Level int `json:"level,omitempty"`
	// Src is a picture's absolute http(s) URL; on a page read with no
	// address of its own (no --url, canonical link or <base href>), a
	// relative reference is kept as written ("/img/a.jpg"), for a reader
	// who knows the address. Feeds carry only absolute pictures.
	Src     string `json:"src,omitempty"`
	Alt     string `json:"alt,omitempty"`
	Caption string `json:"caption,omitempty"`
	// Width and Height are a picture's size in CSS pixels, when the page
	// gives them.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// Ordered says whether a list is numbered; Items are its items' texts.
	Ordered bool     `json:"ordered,omitempty"`
	Items   []string `json:"items,omitempty"`
	// Rows are a table's rows, each its cells' texts.
	Rows [][]string `json:"rows,omitempty"`
}

// Texts returns the text of the article's body in page order, one string
// a block: paragraphs, headings, quotes and preformatted text as they are,
// each list item and each table row (its cells' words joined by a
// space) on its own. Pictures give no text: see Captions.
func (a *Article) Texts() []string {
	var out []string
	for i := range a.Blocks {
		b := &a.Blocks[i]
		switch b.Type {
		case BlockImage:
		case BlockList:
			out = append(out, b.Items...)
		case BlockTable:
			for _, row := range b.Rows {
				if line := strings.Join(strings.Fields(strings.Join(row, " ")), " "); line != "" {
					out = append(out, line)
				}
			}
		default:
			if b.Text != "" {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

// Captions returns the captions of the article's pictures in page order.
func (a *Article) Captions() []string {
	var out []string
	for i := range a.Blocks {
		if b := &a.Blocks[i]; b.Type == BlockImage && b.Caption != "" {
			out = append(out, b.Caption)
		}
	}
	return out
}

// LegacyBlocks turns the body of an article record written before blocks
// (its "paragraphs" and "captions") into blocks: a paragraph block for
// each paragraph, then a caption-only picture block for each caption.
// Those records did not say where a caption stood among the paragraphs,
// so the captions follow them.
func LegacyBlocks(paragraphs, captions []string) []Block {
	if len(paragraphs)+len(captions) == 0 {
		return nil
	}
	out := make([]Block, 0, len(paragraphs)+len(captions))
	for _, p := range paragraphs {
		out = append(out, Block{Type: BlockParagraph, Text: p})
	}
	for _, c := range captions {
		out = append(out, Block{Type: BlockImage, Caption: c})
	}
	return out
}
