package feed

import (
	"encoding/xml"
	"time"

	"github.com/gorilla/feeds"
)

// atomDoc is gorilla/feeds' Atom feed with the language, an alternate
// and a self link (Links hides AtomFeed.Link, which holds only one) and
// a generator.
type atomDoc struct {
	Lang      string           `xml:"xml:lang,attr,omitempty"`
	Links     []feeds.AtomLink `xml:"link"`
	Generator *atomGenerator
	*feeds.AtomFeed
}

// FeedXml returns the document itself: atomDoc is a feeds.XmlFeed.
func (d *atomDoc) FeedXml() any { return d }

// atomGenerator is <generator>.
type atomGenerator struct {
	XMLName xml.Name `xml:"generator"`
	Name    string   `xml:",chardata"`
}

// atom returns the feed as an Atom 1.0 document.
func (f *Feed) atom() *atomDoc {
	af := (&feeds.Atom{Feed: f.generic()}).AtomFeed()
	af.Id = f.URL(Atom) // gorilla/feeds uses the site link, which every feed shares
	af.Link = nil
	for i, e := range af.Entries {
		e.Published = f.Items[i].Date.Format(time.RFC3339)
	}
	return &atomDoc{
		Lang: f.Language,
		Links: []feeds.AtomLink{
			{Href: f.Link, Rel: "alternate", Type: "text/html"},
			{Href: f.URL(Atom), Rel: "self", Type: Atom.MediaType()},
		},
		Generator: &atomGenerator{Name: Generator},
		AtomFeed:  af,
	}
}
