package feed

import (
	_ "embed"
	"strings"
)

// StylesheetFile is the name of the XSLT stylesheet that RSS and Atom
// feeds point at: Publish writes it beside index.html, and serve serves
// it at the same path.
const StylesheetFile = "feed.xsl"

//go:embed feed.xsl
var stylesheet []byte

// Stylesheet returns the XSLT stylesheet (XSLT 1.0, which browsers run)
// that shows an RSS or Atom feed as a page: its title as the heading,
// the address to subscribe to, and each item with its link, date and
// summary. The caller must not change the bytes.
func Stylesheet() []byte { return stylesheet }

// StylesheetMediaType is the stylesheet's media type, for the
// processing instruction and the Content-Type it is served with.
const StylesheetMediaType = "text/xsl"

// stylesheetPI is the processing instruction that points a browser at
// the stylesheet: relative to the feed, so that it holds wherever the
// folder is served and from whichever host name (browsers refuse a
// stylesheet from another origin). Feed readers ignore it.
func (f *Feed) stylesheetPI() string {
	up := strings.Repeat("../", strings.Count(f.Spec.Path(), "/"))
	return `<?xml-stylesheet type="` + StylesheetMediaType + `" href="` + up + StylesheetFile + `"?>` + "\n"
}
