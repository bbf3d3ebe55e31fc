package htmlpage

import (
	"net/url"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"newsfeed/parse/textline"
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
	res, err := trafilatura.ExtractDocument(root, trafilatura.Options{
		OriginalURL:     base,
		ExcludeComments: true,
		HtmlDateMode:    trafilatura.Extensive,
	})
	if err != nil || res == nil || res.ContentNode == nil {
		return nil, lib
	}
	lib.Author, lib.Title, lib.Date = res.Metadata.Author, textline.OneLine(res.Metadata.Title), res.Metadata.Date
	return BodyBlocks(base, res.ContentNode), lib
}
