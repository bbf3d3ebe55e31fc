// HTML generic path: pages of sites without a profile.

package parse

import (
	"net/url"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"newsfeed/parse/htmlpage"
	"newsfeed/record"
)

// extractGeneric reads a page of a site without a profile. A main-content
// extractor finds the body (htmlpage.MainContent; on a page too large
// for it, the densest container, mainByDensity); the page's metadata,
// URL, visible dateline and credits, and link lists give the rest, read
// by the rules of dates.go, bylines.go and headlines.go. It fails with
// ErrBudget when the page shows more lines than bud allows or its time
// is spent.
func extractGeneric(root *html.Node, meta htmlpage.Meta, base *url.URL, bud *budget, large bool) (*extraction, error) {
	ex := &extraction{}
	// Read the whole page before extraction, which leaves out (or, for
	// readeck, removes) the lines that carry the dateline and byline.
	all := htmlpage.Blocks(root)
	if err := bud.overBlocks(len(all)); err != nil {
		return nil, err
	}
	lists := findLists(goquery.NewDocumentFromNode(root), base)
	if err := bud.check("reading the lists"); err != nil {
		return nil, err
	}
	allText := make([]string, 0, len(all))
	for _, b := range all {
		allText = append(allText, b.Text)
	}

	var lib htmlpage.Library
	if large {
		main, err := mainByDensity(root, bud)
		if err != nil {
			return nil, err
		}
		if main != nil {
			ex.body = htmlpage.Blocks(main)
		}
	} else {
		// Japanese pages, told from Chinese only since the zone change,
		// keep the Chinese route they always had.
		lang := detectLanguage(allText)
		ex.body, lib = htmlpage.MainContent(root, base, lang == "zh" || lang == "ja")
	}
	if err := bud.check("finding the main content"); err != nil {
		return nil, err
	}
	guessed, author, libTitle := lib.Date, lib.Author, lib.Title // the extractor's date is the least trusted
	title, first := chooseTitle(meta, all, ex.body)
	switch {
	case title != "":
		ex.title = title
		if first {
			ex.body = ex.body[1:]
		}
	case libTitle != "":
		ex.title = libTitle
		gave("title", "library's title")
	case len(ex.body) > 0 && runeLen(ex.body[0].Text) <= 80:
		ex.title, ex.body = ex.body[0].Text, ex.body[1:]
		gave("title", "content's first line")
	}
	at := anchorIndex(all, ex.title, ex.body)
	ex.published = pickDate(meta, base, all, at, ex.title, guessed)
	ex.outlet, ex.editor = pageCredits(all, at)
	// The byline the reader sees beats the metadata, which often names the
	// site or the outlet; neither of those is ever an author.
	notAuthors := []string{meta.SiteName, ex.outlet, record.Host(meta.Canonical)}
	var slotOutlet string
	ex.authors, slotOutlet = pageAuthors(all, at, meta.Authors, splitAuthors(author), notAuthors)
	if ex.outlet == "" {
		ex.outlet = slotOutlet
	}
	ex.lists = lists
	return ex, bud.check("reading the credits")
}
