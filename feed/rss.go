package feed

import (
	"encoding/xml"
	"strings"

	"github.com/gorilla/feeds"
)

// Namespaces the RSS feed declares.
const (
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsDC      = "http://purl.org/dc/elements/1.1/"
)

// rssDoc is gorilla/feeds' RSS 2.0 document with the atom and dc
// namespaces declared, so that the channel can carry its self link and
// items their creators.
type rssDoc struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	ContentNS string      `xml:"xmlns:content,attr"`
	AtomNS    string      `xml:"xmlns:atom,attr"`
	DCNS      string      `xml:"xmlns:dc,attr"`
	Channel   *rssChannel `xml:"channel"`
}

// FeedXml returns the document itself: rssDoc is a feeds.XmlFeed.
func (d *rssDoc) FeedXml() any { return d }

// rssChannel is gorilla/feeds' channel with an atom:link rel="self" and
// items that can name their creators; Items hides RssFeed.Items.
type rssChannel struct {
	Self *rssSelfLink
	*feeds.RssFeed
	Items []*rssItem `xml:"item"`
}

// rssSelfLink is <atom:link rel="self">, which tells a reader where the
// feed lives.
type rssSelfLink struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr"`
}

// rssItem is gorilla/feeds' item with its categories and a dc:creator:
// RSS <author> must be an e-mail address, which records do not have.
// The authors are one dc:creator, their names joined: readers
// (feedparser's author, newsboat, Miniflux) show only the last of
// several.
type rssItem struct {
	*feeds.RssItem
	Categories []string `xml:"category"`
	Creator    string   `xml:"dc:creator,omitempty"`
}

// authorSep joins several authors' names where a format holds one.
const authorSep = ", "

// rss returns the feed as an RSS 2.0 document.
func (f *Feed) rss() *rssDoc {
	ch := (&feeds.Rss{Feed: f.generic()}).RssFeed()
	ch.Language = f.Language
	ch.Generator = Generator
	ch.ManagingEditor = "" // gorilla/feeds puts the author's name in; RSS wants an e-mail address
	items := make([]*rssItem, len(ch.Items))
	for i, ri := range ch.Items {
		ri.Author = ""
		it := f.Items[i]
		items[i] = &rssItem{RssItem: ri, Categories: it.Tags, Creator: strings.Join(it.Authors, authorSep)}
	}
	ch.Items = nil
	return &rssDoc{
		Version:   "2.0",
		ContentNS: nsContent,
		AtomNS:    nsAtom,
		DCNS:      nsDC,
		Channel: &rssChannel{
			Self:    &rssSelfLink{Href: f.URL(RSS), Rel: "self", Type: RSS.MediaType()},
			RssFeed: ch,
			Items:   items,
		},
	}
}
