package feedcheck

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// The rules below are the W3C Feed Validation Service's errors and
// warnings (its message names in brackets) that apply to what newsfeed
// writes, checked offline. W3C returns one line per problem; none means
// the feed passes.

// W3C checks data, a feed in format "rss", "atom" or "json" served at
// servedURL.
func W3C(data []byte, format, servedURL string) []string {
	switch format {
	case "atom":
		return checkAtom(data, servedURL)
	case "rss":
		return checkRSS(data, servedURL)
	case "json":
		return checkJSON(data, servedURL)
	}
	return []string{"unknown format " + format}
}

const nsAtom = "http://www.w3.org/2005/Atom"

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	IDs        []string       `xml:"id"`
	Titles     []atomText     `xml:"title"`
	Updated    []string       `xml:"updated"`
	Published  []string       `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Content    []atomText     `xml:"content"`
	Summary    []atomText     `xml:"summary"`
	Authors    []atomPerson   `xml:"author"`
	Sources    []atomSource   `xml:"source"`
	Categories []atomCategory `xml:"category"`
}

// atomSource is an entry's source: RFC 4287 §4.1.2 takes its authors
// for an entry that has none.
type atomSource struct {
	Authors []atomPerson `xml:"author"`
}

// atomCategory is an Atom category, whose term is required.
type atomCategory struct {
	Term *string `xml:"term,attr"`
}

type atomFeed struct {
	XMLName xml.Name
	Lang    string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	IDs     []string     `xml:"id"`
	Titles  []atomText   `xml:"title"`
	Updated []string     `xml:"updated"`
	Links   []atomLink   `xml:"link"`
	Authors []atomPerson `xml:"author"`
	Entries []atomEntry  `xml:"entry"`
}

// tagURI is RFC 4151's grammar: tag:authority,date:specific.
var tagURI = regexp.MustCompile(`^tag:(([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)|[^@,]+@[A-Za-z0-9.-]+),\d{4}(-\d{2}(-\d{2})?)?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*(#.*)?$`)

// isIRI reports whether s is an absolute IRI as the validator wants an
// Atom id [InvalidIRI, InvalidTAG]: a scheme, no spaces, and for tag:
// RFC 4151's syntax.
func isIRI(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\n<>\"{}|\\^`") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "tag":
		return tagURI.MatchString(s)
	case "http", "https":
		return u.Host != ""
	}
	return true
}

// rfc3339 is the date format Atom requires [InvalidRFC3339Date]:
// seconds always, a zone always.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

func validRFC3339(s string) bool {
	if !rfc3339.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func checkAtom(data []byte, served string) []string {
	var p problems
	var f atomFeed
	if err := xml.Unmarshal(data, &f); err != nil {
		return []string{"not well-formed: " + err.Error()}
	}
	p.atomFeedHead(&f, served)
	seen := atomSeen{ids: map[string]bool{}, updated: map[string]bool{}}
	for i, e := range f.Entries {
		p.atomEntry(fmt.Sprintf("entry %d", i), e, f.Authors, seen)
	}
	return p
}

// atomFeedHead checks an Atom feed's own elements: its root, language,
// id, title, updated and self link (served is the URL it was served at).
func (p *problems) atomFeedHead(f *atomFeed, served string) {
	if f.XMLName.Space != nsAtom || f.XMLName.Local != "feed" {
		p.add("root is %v, not an Atom feed", f.XMLName)
	}
	if f.Lang != "" {
		p.lang(f.Lang)
	}
	p.one("feed id", len(f.IDs))
	for _, id := range f.IDs {
		if !isIRI(id) {
			p.add("feed id %q is not an IRI [InvalidIRI]", id)
		}
	}
	p.one("feed title", len(f.Titles))
	p.one("feed updated", len(f.Updated))
	for _, u := range f.Updated {
		if !validRFC3339(u) {
			p.add("feed updated %q is not an RFC 3339 date [InvalidRFC3339Date]", u)
		}
	}
	p.selfLink(f.Links, served, "application/atom+xml")
}

// atomSeen is the ids and updated dates of the entries checked so far,
// which the next may not repeat.
type atomSeen struct{ ids, updated map[string]bool }

// atomEntry checks one entry (named where) of a feed whose authors are
// feedAuthors.
func (p *problems) atomEntry(where string, e atomEntry, feedAuthors []atomPerson, seen atomSeen) {
	p.one(where+" id", len(e.IDs))
	for _, id := range e.IDs {
		if !isIRI(id) {
			p.add("%s: id %q is not an IRI [InvalidIRI/InvalidTAG]", where, id)
		}
		if seen.ids[id] {
			p.add("%s: id %q repeats another entry's [DuplicateEntries]", where, id)
		}
		seen.ids[id] = true
	}
	p.one(where+" title", len(e.Titles))
	p.one(where+" updated", len(e.Updated))
	for _, u := range e.Updated {
		if !validRFC3339(u) {
			p.add("%s: updated %q is not an RFC 3339 date [InvalidRFC3339Date]", where, u)
		}
		if seen.updated[u] {
			p.add("%s: updated %q is another entry's too [DuplicateUpdated]", where, u)
		}
		seen.updated[u] = true
	}
	for _, u := range e.Published {
		if !validRFC3339(u) {
			p.add("%s: published %q is not an RFC 3339 date [InvalidRFC3339Date]", where, u)
		}
	}
	if len(e.Published) > 1 || len(e.Content) > 1 || len(e.Summary) > 1 {
		p.add("%s: more than one published, content or summary [DuplicateElement]", where)
	}
	for _, t := range append(append([]atomText(nil), e.Content...), e.Summary...) {
		if t.Type != "" && t.Type != "text" && t.Type != "html" && t.Type != "xhtml" {
			p.add("%s: content or summary type %q [InvalidTextType]", where, t.Type)
		}
	}
	if len(e.Content) == 0 && !hasRel(e.Links, "alternate") {
		p.add("%s: neither content nor an alternate link [MissingContentOrAlternate]", where)
	}
	p.atomEntryPeople(where, e, feedAuthors)
	for _, c := range e.Categories {
		if c.Term == nil || strings.TrimSpace(*c.Term) == "" {
			p.add("%s: a category without a term [MissingAttribute]", where)
		}
	}
	for _, l := range e.Links {
		p.absolute(where+" link", l.Href)
	}
}

// atomEntryPeople checks that an entry has an author (its own, its
// source's or the feed's), each with a name, and one source at most.
func (p *problems) atomEntryPeople(where string, e atomEntry, feedAuthors []atomPerson) {
	sourceAuthors := 0
	for _, src := range e.Sources {
		sourceAuthors += len(src.Authors)
	}
	if len(feedAuthors) == 0 && len(e.Authors) == 0 && sourceAuthors == 0 {
		p.add("%s: no author, and neither its source nor the feed has one [MissingAuthor]", where)
	}
	if len(e.Sources) > 1 {
		p.add("%s: more than one source [DuplicateElement]", where)
	}
	for _, person := range append(append([]atomPerson(nil), e.Authors...), feedAuthors...) {
		if strings.TrimSpace(person.Name) == "" {
			p.add("%s: an author with a blank name [NotBlank]", where)
		}
	}
}

// hasRel reports whether links has one of relation rel (the default
// relation is alternate).
func hasRel(links []atomLink, rel string) bool {
	for _, l := range links {
		if l.Rel == rel || (rel == "alternate" && l.Rel == "") {
			return true
		}
	}
	return false
}

type rssDoc struct {
	XMLName xml.Name
	Version string `xml:"version,attr"`
	Channel struct {
		Title         []string  `xml:"title"`
		Links         []rssLink `xml:"link"`
		Description   []string  `xml:"description"`
		Language      string    `xml:"language"`
		PubDate       string    `xml:"pubDate"`
		LastBuildDate string    `xml:"lastBuildDate"`
		ManagingEd    string    `xml:"managingEditor"`
		Items         []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			Description string `xml:"description"`
			Author      string `xml:"author"`
			PubDate     string `xml:"pubDate"`
			GUID        []struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
		} `xml:"item"`
	} `xml:"channel"`
}

// rfc822 is RSS 2.0's date format, as the validator reads it
// [InvalidRFC2822Date]: an optional day name, a two- or four-digit year,
// seconds optional, and a zone.
var rfc822 = regexp.MustCompile(`^((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}|\d{4}) \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[A-IK-Z])$`)

// rssLink is a channel's <link> or <atom:link>: encoding/xml matches
// both by local name.
type rssLink struct {
	XMLName xml.Name
	atomLink
	Text string `xml:",chardata"`
}

func validRFC822(s string) bool {
	if !rfc822.MatchString(s) {
		return false
	}
	_, err := mail.ParseDate(s)
	return err == nil
}

func checkRSS(data []byte, served string) []string {
	var p problems
	var d rssDoc
	if err := xml.Unmarshal(data, &d); err != nil {
		return []string{"not well-formed: " + err.Error()}
	}
	if d.XMLName.Local != "rss" || d.Version != "2.0" {
		p.add("root is %v version %q, not RSS 2.0", d.XMLName, d.Version)
	}
	ch := d.Channel
	var links []string
	var atomLinks []atomLink
	for _, l := range ch.Links {
		if l.XMLName.Space == nsAtom {
			atomLinks = append(atomLinks, l.atomLink)
		} else {
			links = append(links, l.Text)
		}
	}
	p.one("channel title", len(ch.Title))
	p.one("channel link", len(links))
	p.one("channel description", len(ch.Description))
	for _, l := range links {
		p.absolute("channel link", l)
	}
	if ch.Language != "" {
		p.lang(ch.Language)
	}
	for _, dt := range []string{ch.PubDate, ch.LastBuildDate} {
		if dt != "" && !validRFC822(dt) {
			p.add("channel date %q is not an RFC 822 date [InvalidRFC2822Date]", dt)
		}
	}
	if ch.ManagingEd != "" {
		if _, err := mail.ParseAddress(ch.ManagingEd); err != nil {
			p.add("managingEditor %q is not an e-mail address [InvalidContact]", ch.ManagingEd)
		}
	}
	p.selfLink(atomLinks, served, "application/rss+xml")
	guids := map[string]bool{}
	for i, it := range ch.Items {
		where := fmt.Sprintf("item %d", i)
		if it.Title == "" && it.Description == "" {
			p.add("%s: neither title nor description [ItemMustContainTitleOrDescription]", where)
		}
		if it.Link != "" {
			p.absolute(where+" link", it.Link)
		}
		if it.Author != "" {
			if _, err := mail.ParseAddress(it.Author); err != nil {
				p.add("%s: author %q is not an e-mail address [InvalidContact]", where, it.Author)
			}
		}
		if it.PubDate != "" && !validRFC822(it.PubDate) {
			p.add("%s: pubDate %q is not an RFC 822 date [InvalidRFC2822Date]", where, it.PubDate)
		}
		if len(it.GUID) != 1 {
			p.add("%s: %d guids", where, len(it.GUID))
		}
		for _, g := range it.GUID {
			if g.IsPermaLink != "false" {
				p.add("%s: guid %q is not marked isPermaLink=\"false\" [InvalidHttpGUID]", where, g.Value)
			}
			if guids[g.Value] {
				p.add("%s: guid %q repeats another item's [DuplicateItem]", where, g.Value)
			}
			guids[g.Value] = true
		}
	}
	return p
}

func checkJSON(data []byte, served string) []string {
	var p problems
	var d struct {
		Version  string `json:"version"`
		Title    string `json:"title"`
		HomePage string `json:"home_page_url"`
		FeedURL  string `json:"feed_url"`
		Items    []struct {
			ID            string `json:"id"`
			URL           string `json:"url"`
			ContentHTML   string `json:"content_html"`
			ContentText   string `json:"content_text"`
			DatePublished string `json:"date_published"`
		} `json:"items"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&d); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	if d.Version != "https://jsonfeed.org/version/1.1" {
		p.add("version %q", d.Version)
	}
	if d.Title == "" {
		p.add("no title")
	}
	if d.FeedURL != served {
		p.add("feed_url %q, served at %q", d.FeedURL, served)
	}
	p.absolute("home_page_url", d.HomePage)
	ids := map[string]bool{}
	for i, it := range d.Items {
		if it.ID == "" || ids[it.ID] {
			p.add("item %d: id %q empty or repeated", i, it.ID)
		}
		ids[it.ID] = true
		if it.ContentHTML == "" && it.ContentText == "" {
			p.add("item %d: no content", i)
		}
		if it.DatePublished != "" && !validRFC3339(it.DatePublished) {
			p.add("item %d: date_published %q is not RFC 3339", i, it.DatePublished)
		}
	}
	return p
}

// problems collects what a check found.
type problems []string

func (p *problems) add(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

// one checks that an element required once is there once
// [MissingElement, DuplicateElement].
func (p *problems) one(what string, n int) {
	if n != 1 {
		p.add("%s: %d of them, want exactly 1 [MissingElement/DuplicateElement]", what, n)
	}
}

// absolute checks that a link is an absolute http(s) URL
// [InvalidFullLink, InvalidURLAttribute].
func (p *problems) absolute(what, href string) {
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add("%s %q is not an absolute http(s) URL [InvalidFullLink]", what, href)
	}
}

// selfLink checks for exactly one self link, at the URL the feed is
// served at and with its media type [MissingSelf, SelfDoesntMatchLocation].
func (p *problems) selfLink(links []atomLink, served, mediaType string) {
	var self []atomLink
	for _, l := range links {
		if l.Rel == "self" {
			self = append(self, l)
		}
	}
	if len(self) != 1 {
		p.add("%d self links, want 1 [MissingSelf]", len(self))
		return
	}
	if self[0].Href != served {
		p.add("self link %q, but the feed is served at %q [SelfDoesntMatchLocation]", self[0].Href, served)
	}
	if self[0].Type != mediaType {
		p.add("self link type %q, want %q", self[0].Type, mediaType)
	}
}

// lang checks a language tag [InvalidLanguage].
func (p *problems) lang(tag string) {
	if _, err := language.Parse(tag); err != nil {
		p.add("language %q is not a language tag [InvalidLanguage]", tag)
	}
}
