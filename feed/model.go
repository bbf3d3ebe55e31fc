package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
	"unicode"

	"newsfeed/record"
)

// Format is a feed format; its value is the file extension without dot.
type Format string

// The formats every feed is published in.
const (
	RSS  Format = "rss"  // RSS 2.0
	Atom Format = "atom" // Atom 1.0, RFC 4287
	JSON Format = "json" // JSON Feed 1.1
)

// Formats lists every format, in the order index.html shows them.
var Formats = []Format{RSS, Atom, JSON}

// MediaType returns the format's media type, for autodiscovery links and
// Content-Type headers.
func (f Format) MediaType() string {
	switch f {
	case RSS:
		return "application/rss+xml"
	case Atom:
		return "application/atom+xml"
	case JSON:
		return "application/feed+json"
	}
	return "application/octet-stream"
}

// Name returns the format's name as readers know it.
func (f Format) Name() string {
	switch f {
	case RSS:
		return "RSS 2.0"
	case Atom:
		return "Atom 1.0"
	case JSON:
		return "JSON Feed 1.1"
	}
	return string(f)
}

// Spec names one feed: the records of one kind, optionally narrowed to
// a site and a column; a site's own feed (PerSite); or a source's.
type Spec struct {
	Kind record.Kind
	// Site and Column narrow the feed when set.
	Site, Column string
	// PerSite makes the feed Site's own, at sites/<site>: its articles
	// and interviews together, newest first (Kind is not used).
	PerSite bool
	// Source, when set, makes the feed that of the sources-file source
	// so named, at sources/<name>: the articles fetched from the URLs
	// it found (Kind is not used).
	Source string
}

// kindNames are the plural names feeds and files use for each kind.
var kindNames = map[record.Kind]string{
	record.KindArticle:   "articles",
	record.KindInterview: "interviews",
	record.KindHeadline:  "headlines",
}

// Path returns the feed's file path under the output folder, without
// extension and with forward slashes: "articles", or "headlines/航空航天"
// for a column. The site is not part of it: a site-narrowed publish
// writes to its own folder.
func (s Spec) Path() string {
	switch {
	case s.Source != "":
		return "sources/" + slug(s.Source)
	case s.PerSite:
		return "sites/" + slug(s.Site)
	}
	name := kindNames[s.Kind]
	if name == "" {
		name = slug(string(s.Kind))
	}
	if s.Column != "" {
		return name + "/" + slug(s.Column)
	}
	return name
}

// maxSlug is the most bytes of a column name a file name keeps.
const maxSlug = 96

// slug turns a name into a file name: letters (any script), digits, '-'
// and '_' are kept, every other run of characters becomes '-'. A name
// that had to change, or that is empty after it, gets a short hash of the
// original appended, so two names never share a file.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' {
			if b.Len()+len(string(r)) > maxSlug {
				break
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == name && s != "" {
		return s
	}
	sum := sha256.Sum256([]byte(name))
	h := hex.EncodeToString(sum[:4])
	if s == "" {
		return h
	}
	return s + "-" + h
}

// Feed is one feed built from the store, ready to render in any format.
type Feed struct {
	Spec        Spec
	Title       string
	Description string
	// Language is the feed's language tag ("zh-CN"), empty when unknown.
	Language string
	// Link is the site page: the absolute URL the feeds are served under.
	Link string
	// Updated is the newest item's date; the Unix epoch for a feed with
	// no items, so that rendering the same records gives the same bytes.
	Updated   time.Time
	Generator string
	Items     []*Item

	base *url.URL
}

// URL returns the absolute URL the feed is served at in format f.
func (f *Feed) URL(format Format) string {
	return f.base.ResolveReference(&url.URL{Path: f.Spec.Path() + "." + string(format)}).String()
}

// Item is one record as a feed item. Every string is clean (valid UTF-8,
// XML characters only).
type Item struct {
	// ID is the record's id: the RSS guid, Atom id and JSON Feed id.
	ID    string
	Title string
	// Link is absolute: the record's URL, else the site page with the id
	// as fragment.
	Link string
	// Summary is plain text: a lead, a note, a short description.
	Summary string
	// Content is sanitised HTML.
	Content string
	// Date is the record's published time, else when the store first saw
	// it; always set, always with a zone.
	Date    time.Time
	Authors []string
	// Tags are the outlet and the column and, for headlines, the lists:
	// RSS and Atom categories, JSON Feed tags.
	Tags []string
	// Image is the lead picture's absolute http(s) URL, "" when none:
	// the RSS enclosure, Atom enclosure link and JSON Feed image.
	Image string
	// Language is the record's language tag, empty when unknown.
	Language string

	// seq is the record's change-log seq, which tells apart Atom
	// updated times that would be equal (atomUpdated).
	seq uint64

	// valid is Content as a Builder made it, which is valid UTF-8: while
	// Content is still that string, rendering may escape it byte by byte
	// (see escapeXMLText).
	valid string
}
