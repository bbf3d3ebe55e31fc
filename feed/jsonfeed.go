package feed

import (
	"encoding/json"
	"io"

	"github.com/gorilla/feeds"
)

// jsonDoc is gorilla/feeds' JSON Feed with an items array that is never
// left out (JSON Feed 1.1 requires it, even when empty).
type jsonDoc struct {
	*feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem is gorilla/feeds' item with the JSON Feed 1.1 language.
type jsonItem struct {
	*feeds.JSONItem
	Language string `json:"language,omitempty"`
}

// json returns the feed as a JSON Feed 1.1 document.
func (f *Feed) json() *jsonDoc {
	jf := (&feeds.JSON{Feed: f.generic()}).JSONFeed()
	jf.Language = f.Language
	jf.FeedUrl = f.URL(JSON)
	jf.Icon, jf.Favicon = f.fileURL(IconFile), f.fileURL(FaviconFile)
	jf.Author, jf.Authors = nil, nil // readers would give it to every item without authors
	items := make([]*jsonItem, len(jf.Items))
	for i, ji := range jf.Items {
		it := f.Items[i]
		ji.Summary = it.Summary // plain text in JSON Feed, not escaped HTML
		ji.Tags = it.Tags
		ji.Author, ji.Authors = nil, nil // author is deprecated: authors only, the item's own
		for _, a := range it.Authors {
			ji.Authors = append(ji.Authors, &feeds.JSONAuthor{Name: a})
		}
		items[i] = &jsonItem{JSONItem: ji, Language: it.Language}
	}
	jf.Items = nil
	return &jsonDoc{JSONFeed: jf, Items: items}
}

// writeJSON writes the JSON Feed with <, > and & as they are. It is not
// indented: indenting is a second pass over every article's text.
func (f *Feed) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(f.json())
}
