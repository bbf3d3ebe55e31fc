package feed

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
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
// feed's title prefix. Atom needs one when entries have none.
func (f *Feed) author() string {
	if f.Spec.Site != "" {
		return oneLine(f.Spec.Site)
	}
	return Generator
}

// generic returns the feed as gorilla/feeds' format-neutral Feed, which
// each format's struct is made from.
func (f *Feed) generic() *feeds.Feed {
	gf := &feeds.Feed{
		Title:       f.Title,
		Link:        &feeds.Link{Href: f.Link},
		Description: f.Description,
		Author:      &feeds.Author{Name: f.author()},
		Updated:     f.Updated,
		Created:     f.Updated,
		Id:          f.URL(Atom),
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
		if len(it.Authors) > 0 {
			gi.Author = &feeds.Author{Name: strings.Join(it.Authors, ", ")}
		}
		gf.Items = append(gf.Items, gi)
	}
	return gf
}
