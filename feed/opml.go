package feed

import (
	"encoding/xml"
	"fmt"
	"io"
)

// OPMLFile is the name of the OPML subscription list Publish writes and
// serve answers: every feed once, in Atom, grouped by site.
const OPMLFile = "feeds.opml"

// OPMLMediaType is the media type of OPMLFile.
const OPMLMediaType = "text/x-opml"

type opmlDoc struct {
	XMLName xml.Name      `xml:"opml"`
	Version string        `xml:"version,attr"`
	Title   string        `xml:"head>title"`
	Body    []opmlOutline `xml:"body>outline"`
}

type opmlOutline struct {
	Text     string        `xml:"text,attr"`
	Title    string        `xml:"title,attr,omitempty"`
	Type     string        `xml:"type,attr,omitempty"`
	XMLURL   string        `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string        `xml:"htmlUrl,attr,omitempty"`
	Outlines []opmlOutline `xml:"outline"`
}

// feedGroup names the group a feed is listed under, on the index page
// and in the OPML file: its site for a site's own feed (or every feed
// of a publish narrowed to one site), "Sources" for a source's, and
// "All sites" for the others.
func feedGroup(f *Feed) string {
	switch {
	case f.Spec.Source != "":
		return "Sources"
	case f.Spec.Site != "":
		return oneLine(f.Spec.Site)
	}
	return "All sites"
}

// WriteOPML writes the OPML 2.0 subscription list of feeds: one outline
// per group (feedGroup), in the order the groups first appear, holding
// each feed's Atom address. A reader imports every feed from it in one
// step.
func (b *Builder) WriteOPML(w io.Writer, feeds []*Feed) error {
	doc := opmlDoc{Version: "2.0", Title: oneLine(b.opts.Title) + " feeds"}
	index := map[string]int{}
	for _, f := range feeds {
		g := feedGroup(f)
		i, ok := index[g]
		if !ok {
			i = len(doc.Body)
			index[g] = i
			doc.Body = append(doc.Body, opmlOutline{Text: g, Title: g})
		}
		doc.Body[i].Outlines = append(doc.Body[i].Outlines, opmlOutline{
			Text: f.Title, Title: f.Title, Type: "rss", XMLURL: f.URL(Atom), HTMLURL: f.Link,
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("feed: render %s: %w", OPMLFile, err)
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := e.Encode(doc); err != nil {
		return fmt.Errorf("feed: render %s: %w", OPMLFile, err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("feed: render %s: %w", OPMLFile, err)
	}
	return nil
}
