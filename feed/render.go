package feed

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/gorilla/feeds"
)

// Render writes the feed in format to w.
func (f *Feed) Render(w io.Writer, format Format) error {
	var err error
	switch format {
	case RSS:
		err = writeXML(f.rss(), f.stylesheetPI(), w)
	case Atom:
		err = writeXML(f.atom(), f.stylesheetPI(), w)
	case JSON:
		err = f.writeJSON(w)
	default:
		return fmt.Errorf("feed: render %s: unknown format %q", f.Spec.Path(), format)
	}
	if err != nil {
		return fmt.Errorf("feed: render %s.%s: %w", f.Spec.Path(), format, err)
	}
	return nil
}

// writeXML writes doc as gorilla/feeds' WriteXML does (the XML
// declaration, then the document indented by two spaces), with the
// processing instructions pi after the declaration, and ends the file
// with a newline.
func writeXML(doc feeds.XmlFeed, pi string, w io.Writer) error {
	if _, err := io.WriteString(w, xml.Header+pi); err != nil {
		return err
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := e.Encode(doc.FeedXml()); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// author is who the feed is by: its site when it has one, else the
// feed's title prefix. Only Atom names it, and only in the source of
// entries that have no author of their own (see atom).
func (f *Feed) author() string {
	if f.Spec.Site != "" {
		return oneLine(f.Spec.Site)
	}
	if f.Spec.Source != "" {
		return oneLine(f.Spec.Source)
	}
	return Generator
}

// generic returns the feed as gorilla/feeds' format-neutral Feed, which
// each format's struct is made from. It names no author, neither the
// feed's nor the items': gorilla/feeds would write the feed's into every
// JSON Feed and Atom reader's items that have none, and the items'
// joined into JSON Feed's deprecated author; each format adds the
// item's own authors itself.
func (f *Feed) generic() *feeds.Feed {
	gf := &feeds.Feed{
		Title:       f.Title,
		Link:        &feeds.Link{Href: f.Link},
		Description: f.Description,
		Updated:     f.Updated,
		Created:     f.Updated,
		Id:          f.URL(Atom),
		Image:       &feeds.Image{Url: f.fileURL(IconFile), Title: f.Title, Link: f.Link, Width: iconSize, Height: iconSize},
		Items:       make([]*feeds.Item, 0, len(f.Items)),
	}
	for _, it := range f.Items {
		gi := &feeds.Item{
			Title: it.Title,
			Link:  &feeds.Link{Href: it.Link},
			// RSS description and Atom summary type="html" are HTML:
			// escape the plain-text summary for them.
			Description: html.EscapeString(it.Summary),
			Id:          it.ID,
			IsPermaLink: "false",
			Created:     it.Date,
			Updated:     it.Date,
			Content:     it.Content,
		}
		if it.Image != "" {
			// The length is unknown without fetching the picture: RSS
			// asks for 0 then.
			gi.Enclosure = &feeds.Enclosure{Url: it.Image, Length: "0", Type: imageType(it.Image)}
		}
		gf.Items = append(gf.Items, gi)
	}
	return gf
}

// fileURL returns the absolute URL of a file published beside
// index.html.
func (f *Feed) fileURL(name string) string {
	return f.base.ResolveReference(&url.URL{Path: name}).String()
}

// imageType returns the media type of a picture URL from its file
// extension, image/jpeg (what news sites mostly serve) when it has none
// known.
func imageType(raw string) string {
	p := raw
	if u, err := url.Parse(raw); err == nil {
		p = u.Path
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	case ".svg":
		return "image/svg+xml"
	case ".bmp":
		return "image/bmp"
	}
	return "image/jpeg"
}
