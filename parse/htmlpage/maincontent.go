package htmlpage

import (
	"net/url"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"newsfeed/parse/textline"
	"newsfeed/record"
)

// Library is what a main-content extractor says about a page besides its
// body, as it says it: the least trusted witness of each.
type Library struct {
	Title, Author string
	Date          time.Time
}

// MainContent finds a page's main content with a library — readeck
// go-readability for Chinese pages, go-trafilatura for the rest, the
// better of the two on each language in make eval-extract — and returns
// its lines with their structure and pictures (BodyBlocks). readeck removes what it reads from root: read anything else
// of the page first. go-trafilatura's date library builds its tables on
// the first page that needs them, not at start-up.
func MainContent(root *html.Node, base *url.URL, chinese bool) ([]Block, Library) {
	var lib Library
	if chinese {
		MarkJunkPictures(root)
		rp := readability.NewParser()
		art, err := rp.ParseAndMutate(root, base)
		if err != nil || art.Node == nil {
			return nil, lib
		}
		lib.Author, lib.Title = art.Byline(), textline.OneLine(art.Title())
		lib.Date, _ = art.PublishedTime()
		return BodyBlocks(base, art.Node), lib
	}
	// go-trafilatura drops pictures (its picture mode keeps captions as
	// body text): the page's own, read first, are placed among its lines.
	page := BodyBlocks(base, root)
	res, err := trafilatura.ExtractDocument(root, trafilatura.Options{
		OriginalURL:     base,
		ExcludeComments: true,
		HtmlDateMode:    trafilatura.Extensive,
	})
	if err != nil || res == nil || res.ContentNode == nil {
		return nil, lib
	}
	lib.Author, lib.Title, lib.Date = res.Metadata.Author, textline.OneLine(res.Metadata.Title), res.Metadata.Date
	return placePictures(BodyBlocks(base, res.ContentNode), page), lib
}

// placePictures gives the lines an extractor kept the pictures the page
// shows among them: each line is found in the page's lines (in order),
// and gets the pictures the page shows since the line found before it —
// the first line only those just before it (past a caption), and none
// after the last —
// with the caption of a picture's <figcaption>, which the extractor
// dropped with it.
func placePictures(lines, page []Block) []Block {
	k := 0 // the page line after the last one found
	for i := range lines {
		j := k
		for j < len(page) && page[j].Text != lines[i].Text {
			j++
		}
		if j == len(page) {
			continue
		}
		from := k
		if i == 0 || k == 0 {
			// The first line: its pictures, and a captioned picture
			// just above it.
			for from = j; from > 0 && page[from-1].Caption; from-- {
			}
		}
		var pics []record.Block
		for _, p := range page[from : j+1] {
			pics = append(pics, p.Images...)
			if p.Caption && p.Text != lines[i].Text && len(pics) > 0 && pics[len(pics)-1].Caption == "" {
				pics[len(pics)-1].Caption = p.Text
			}
		}
		if len(pics) > 0 {
			lines[i].Images = append(pics, lines[i].Images...)
		}
		k = j + 1
	}
	return lines
}
