// HTML generic path: pages of sites without a profile.

package parse

import (
	"net/url"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/PuerkitoBio/goquery"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// extractGeneric reads a page of a site without a profile. A main-content
// extractor finds the body — readeck go-readability for Chinese pages,
// go-trafilatura for the rest, the better of the two on each language in
// make eval-extract — and the page's metadata, URL, visible dateline and
// byline, and link lists give the rest.
func extractGeneric(root *html.Node, meta pageMeta, base *url.URL) *extraction {
	ex := &extraction{}
	lists := findLists(goquery.NewDocumentFromNode(root), base)
	// Read the whole page before extraction, which leaves out (or, for
	// readeck, removes) the lines that carry the dateline and byline.
	all := blocksOf(root)
	allText := make([]string, 0, len(all))
	for _, b := range all {
		allText = append(allText, b.text)
	}

	var guessed time.Time // the extractor's date, the least trusted
	var author, libTitle string
	if detectLanguage(allText) == "zh" {
		rp := readability.NewParser()
		art, err := rp.ParseAndMutate(root, base)
		if err == nil && art.Node != nil {
			ex.body = blocksOf(art.Node)
			author = art.Byline()
			libTitle = oneLine(art.Title())
			guessed, _ = art.PublishedTime()
		}
	} else {
		res, err := trafilatura.ExtractDocument(root, trafilatura.Options{
			OriginalURL:     base,
			ExcludeComments: true,
			HtmlDateMode:    trafilatura.Extensive,
		})
		if err == nil && res != nil && res.ContentNode != nil {
			ex.body = blocksOf(res.ContentNode)
			author = res.Metadata.Author
			libTitle = oneLine(res.Metadata.Title)
			guessed = res.Metadata.Date
		}
	}
	title, first := chooseTitle(meta, all, ex.body)
	switch {
	case title != "":
		ex.title = title
		if first {
			ex.body = ex.body[1:]
		}
	case libTitle != "":
		ex.title = libTitle
	case len(ex.body) > 0 && runeLen(ex.body[0].text) <= 80:
		ex.title, ex.body = ex.body[0].text, ex.body[1:]
	}
	at := anchorIndex(all, ex.title, ex.body)
	ex.published = pickDate(meta, base, all, at, ex.title, guessed)
	ex.outlet, ex.editor = pageCredits(all, at)
	// The byline the reader sees beats the metadata, which often names the
	// site or the outlet; neither of those is ever an author.
	notAuthors := []string{meta.siteName, ex.outlet, hostOf(meta.canonical)}
	ex.authors = filterAuthors(visibleByline(all, at), notAuthors...)
	if len(ex.authors) == 0 {
		if n := accountLine(all, at); n != "" {
			ex.authors = filterAuthors([]string{n}, notAuthors...)
		}
	}
	for i := at + 1; at >= 0 && i < len(all) && i <= at+3; i++ {
		if a, o := slotCredit(all[i].text); a != "" || o != "" {
			if len(ex.authors) == 0 && a != "" {
				ex.authors = filterAuthors([]string{a}, notAuthors...)
			}
			if ex.outlet == "" {
				ex.outlet = o
			}
			break
		}
	}
	if len(ex.authors) == 0 {
		ex.authors = filterAuthors(meta.authors, notAuthors...)
	}
	if len(ex.authors) == 0 && author != "" {
		ex.authors = filterAuthors(splitAuthors(author), notAuthors...)
	}
	ex.lists = lists
	return ex
}
