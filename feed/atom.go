package feed

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

// atomDoc is gorilla/feeds' Atom feed with the language, an alternate
// and a self link (Links hides AtomFeed.Link, which holds only one), a
// generator, and entries whose content this package escapes (Entries
// hides AtomFeed.Entries, which comes last in it too).
type atomDoc struct {
	Lang      string           `xml:"xml:lang,attr,omitempty"`
	Links     []feeds.AtomLink `xml:"link"`
	Generator *atomGenerator
	*feeds.AtomFeed
	Entries []*atomEntry `xml:"entry"`
}

// atomEntry is what this package writes of an entry: gorilla/feeds'
// AtomEntry's fields, with categories that have the term attribute
// Atom requires, every author as an author element of its own, a
// source for entries without one, and content that escapeXMLText has
// escaped (encoding/xml decodes every character of a full article to
// escape it, which was most of what rendering an Atom feed cost).
type atomEntry struct {
	XMLName    xml.Name `xml:"entry"`
	Title      string   `xml:"title"`
	Updated    string   `xml:"updated"`
	Id         string   `xml:"id"`
	Categories []atomCategory
	Content    *atomContent
	Published  string `xml:"published,omitempty"`
	Links      []feeds.AtomLink
	Summary    *feeds.AtomSummary
	Authors    []feeds.AtomAuthor
	Source     *atomSource
}

// atomCategory is <category term="…">.
type atomCategory struct {
	XMLName xml.Name `xml:"category"`
	Term    string   `xml:"term,attr"`
}

// atomSource is an entry's <source>: the feed it is from, with that
// feed's name as author. RFC 4287 wants an author for every entry; the
// feed's own author would be every reader's author of every entry that
// has none (Miniflux, for one, shows it), whereas readers do not take an
// author from an entry's source. So an entry with no author of its own
// carries one here, and the feed none.
type atomSource struct {
	XMLName xml.Name `xml:"source"`
	// Inner is the source's children, escaped already: the same for
	// every entry of a feed, so encoded once (atomSourceFor).
	Inner string `xml:",innerxml"`
}

// atomSourceFor returns the source of the feed's entries that have no
// author: the feed's id, title and updated time, and its author().
func (f *Feed) atomSourceFor(id, title, updated string) *atomSource {
	var b strings.Builder
	for _, el := range [...][2]string{{"id", id}, {"title", title}, {"updated", updated}} {
		b.WriteString("<" + el[0] + ">")
		xml.EscapeText(&b, []byte(el[1])) // writes to a strings.Builder do not fail
		b.WriteString("</" + el[0] + ">")
	}
	b.WriteString("<author><name>")
	xml.EscapeText(&b, []byte(f.author()))
	b.WriteString("</name></author>")
	return &atomSource{Inner: b.String()}
}

// atomContent is <content>, its text escaped already.
type atomContent struct {
	XMLName xml.Name `xml:"content"`
	Text    string   `xml:",innerxml"`
	Type    string   `xml:"type,attr"`
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
	af.Icon, af.Logo = f.fileURL(FaviconFile), f.fileURL(IconFile)
	updated := f.atomUpdated()
	entries := make([]*atomEntry, len(af.Entries))
	var src *atomSource
	for i, e := range af.Entries {
		it := f.Items[i]
		entries[i] = &atomEntry{
			XMLName: e.XMLName, Title: e.Title, Updated: updated[i], Id: f.AtomID(it),
			Published: it.Date.Format(time.RFC3339),
			Links:     e.Links, Summary: e.Summary,
		}
		for _, t := range it.Tags {
			entries[i].Categories = append(entries[i].Categories, atomCategory{Term: t})
		}
		for _, name := range it.Authors {
			entries[i].Authors = append(entries[i].Authors, feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: name}})
		}
		if len(it.Authors) == 0 {
			if src == nil {
				src = f.atomSourceFor(af.Id, af.Title, af.Updated)
			}
			entries[i].Source = src
		}
		if e.Content != nil {
			entries[i].Content = &atomContent{Type: e.Content.Type,
				Text: escapeXMLText(e.Content.Content, it.valid == e.Content.Content)}
		}
	}
	af.Entries = nil
	return &atomDoc{
		Lang: f.Language,
		Links: []feeds.AtomLink{
			{Href: f.Link, Rel: "alternate", Type: "text/html"},
			{Href: f.URL(Atom), Rel: "self", Type: Atom.MediaType()},
		},
		Generator: &atomGenerator{Name: Generator},
		AtomFeed:  af,
		Entries:   entries,
	}
}

// escapeXMLText returns s escaped as character data exactly as
// encoding/xml escapes it (xml.EscapeText), but byte by byte when s is
// known to be valid UTF-8, where encoding/xml decodes every character. A
// character that encoding/xml would drop or replace sends s through it.
func escapeXMLText(s string, validUTF8 bool) string {
	if validUTF8 {
		if out, ok := escapeValidXMLText(s); ok {
			return out
		}
	}
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder do not fail
	return b.String()
}

// xmlEscapes are what encoding/xml writes for the bytes it escapes in
// character data.
var xmlEscapes = [256]string{'"': "&#34;", '\'': "&#39;", '&': "&amp;", '<': "&lt;", '>': "&gt;",
	'\t': "&#x9;", '\n': "&#xA;", '\r': "&#xD;"}

// xmlByteClass is 1 for a byte xmlEscapes has, 2 for one that may begin
// a character encoding/xml replaces (a C0 control it refuses; 0xEF, the
// first byte of U+FFFE and U+FFFF), 0 for any other.
var xmlByteClass = func() (c [256]uint8) {
	for i := range 0x20 {
		c[i] = 2
	}
	c[0xEF] = 2
	for i, e := range xmlEscapes {
		if e != "" {
			c[i] = 1
		}
	}
	return c
}()

// escapeValidXMLText escapes valid UTF-8 s; ok is false when s holds a
// character encoding/xml would replace.
func escapeValidXMLText(s string) (out string, ok bool) {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	last := 0
	for i := 0; i < len(s); i++ {
		switch xmlByteClass[s[i]] {
		case 0:
			continue
		case 2:
			if s[i] != 0xEF || (i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF)) {
				return "", false
			}
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(xmlEscapes[s[i]])
		last = i + 1
	}
	b.WriteString(s[last:])
	return b.String(), true
}
