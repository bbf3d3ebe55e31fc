package parse

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"newsfeed/parse/charset"
	"newsfeed/record"
)

// Options tell the parser what it cannot see in the bytes.
type Options struct {
	// Site is the site's name or host; it goes into every record's site
	// and so into headline ids. Optional.
	Site string
	// URL is the page's address; when set, the article's id comes from it.
	URL string
	// Source names the input (a path or URL) in records and errors.
	Source string
	// MaxBytes limits the input's size; 0 means DefaultMaxBytes. Larger
	// input fails with ErrTooLarge rather than being truncated.
	MaxBytes int
	// Location is the zone of times the page gives without one. When nil,
	// Chinese pages use Beijing time (UTC+8) and others UTC.
	Location *time.Location
	// ContentType is the HTTP Content-Type the page came with, if it was
	// fetched: its charset is one witness of an HTML page's encoding.
	ContentType string
	// Profiles are the site profiles HTML pages are read with; nil means
	// the built-in ones.
	Profiles *Profiles
}

// Beijing is the zone of times on Chinese news sites: UTC+8 all year.
var Beijing = time.FixedZone("CST", 8*3600)

// Result is what one page yields.
type Result struct {
	Article *record.Article
	// Interview is nil when the article holds no question-and-answer turns.
	Interview *record.Interview
	// Headlines are the page's list items, each once, in order of first
	// appearance; one seen in several lists has them all in Lists.
	Headlines []*record.Headline
	// Encoding is the character encoding the page was read from.
	Encoding string
}

// Records returns the result's records in output order: the article, the
// interview if any, then the headlines.
func (r *Result) Records() []record.Record {
	out := make([]record.Record, 0, 2+len(r.Headlines))
	out = append(out, r.Article)
	if r.Interview != nil {
		out = append(out, r.Interview)
	}
	for _, h := range r.Headlines {
		out = append(out, h)
	}
	return out
}

// Text parses a page's raw text — what a reader copies off a news page —
// into records. data may be UTF-8 (with or without a byte-order mark),
// UTF-16 with a byte-order mark, or a legacy encoding such as GB18030/GBK,
// which is detected from the bytes. Errors name opts.Source.
func Text(data []byte, opts Options) (*Result, error) {
	src := opts.Source
	if src == "" {
		src = "input"
	}
	text, enc, err := charset.Decode(data, charset.Hints{ContentType: opts.ContentType, MaxBytes: opts.MaxBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	res, err := parseLines(splitLines(text), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	res.Encoding = enc
	return res, nil
}

// page is the parser's state while it walks a page's lines.
type page struct {
	opts  Options
	lines []string
	loc   *time.Location

	art       *record.Article
	headlines []*record.Headline
	byID      map[string]*record.Headline

	// markup is set for lines read from HTML: there the markup marks
	// captions (captions), and the text heuristic is used only for lines
	// carrying a caption's phrases.
	markup   bool
	captions map[string]bool

	// classes caches the phrase classes of each line (phraseKnown set
	// once computed): a line is looked at by several classifiers.
	classes []uint16
}

// phraseKnown marks a cached entry of page.classes.
const phraseKnown = 0x100

// cls returns the phrase classes of line i.
func (p *page) cls(i int) uint8 {
	if p.classes == nil {
		p.classes = make([]uint16, len(p.lines))
	}
	c := p.classes[i]
	if c&phraseKnown == 0 {
		c = uint16(phrases.classes(p.lines[i])) | phraseKnown
		p.classes[i] = c
	}
	return uint8(c)
}

func parseLines(lines []string, opts Options) (*Result, error) {
	p := newPage(lines, opts)
	i := p.head()
	if p.art.Title == "" {
		return nil, ErrNoTitle
	}
	i = p.body(i)
	p.tail(i)
	return p.finish(), nil
}

// newPage starts parsing lines: the text's language decides the zone of
// times the page gives without one.
func newPage(lines []string, opts Options) *page {
	p := &page{
		opts:  opts,
		lines: lines,
		art: &record.Article{
			Site:   opts.Site,
			URL:    record.CanonicalURL(opts.URL),
			Source: opts.Source,
		},
	}
	p.art.Language = detectLanguage(lines)
	p.loc = opts.Location
	if p.loc == nil {
		p.loc = time.UTC
		if p.art.Language == "zh" {
			p.loc = Beijing
		}
	}
	return p
}

// finish gives the article its id and hash and finds the interview.
func (p *page) finish() *Result {
	p.art.ContentHash = contentHash(p.lines, p.headlines)
	p.art.ID = record.ArticleID(p.opts.Site, p.opts.URL, p.art.Title)
	res := &Result{Article: p.art, Headlines: p.headlines}
	if iv := findInterview(p.art.Paragraphs, p.opts.Site); iv != nil {
		iv.ArticleID = p.art.ID
		iv.ID = record.InterviewID(p.art.ID)
		iv.Title = p.art.Title
		if len(iv.Interviewees) == 0 {
			// Answers labelled 答 or A name nobody; a title such as
			// "Jane Doe: Why …" names the one answering.
			if label, _, ok := splitLabel(p.art.Title); ok && !answerLabels[labelKey(label)] {
				iv.Interviewees = []string{titleInterviewee(label)}
			}
		}
		res.Interview = iv
	}
	return res
}

// contentHash hashes the cleaned lines, so that pages differing only in
// line endings, byte-order marks, encodings or trailing spaces hash alike,
// and the headlines that did not come from the lines (an HTML page's
// lists) with their links.
func contentHash(lines []string, headlines []*record.Headline) string {
	bp := hashBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	for _, l := range lines {
		if l != "" {
			buf = append(append(buf, l...), '\n')
		}
	}
	for _, hl := range headlines {
		if hl.URL != "" {
			buf = append(append(append(append(buf, hl.Title...), '\t'), hl.URL...), '\n')
		}
	}
	sum := sha256.Sum256(buf)
	*bp = buf
	hashBufs.Put(bp)
	return hex.EncodeToString(sum[:])
}

// hashBufs recycles contentHash's buffers: one page's text each.
var hashBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// skippable reports lines that carry nothing: blanks and dividers.
func skippable(s string) bool { return s == "" || isSeparator(s) }

// head reads the title, the metadata lines under it (time stamp, source,
// byline) and the lead, and returns the index of the first body line.
func (p *page) head() int {
	i := 0
	for i < len(p.lines) && (skippable(p.lines[i]) || footerBy(p.lines[i], p.cls(i))) {
		i++
	}
	if i == len(p.lines) {
		return i
	}
	p.art.Title = p.lines[i]
	i++
	for ; i < len(p.lines); i++ {
		s := p.lines[i]
		switch {
		case skippable(s), repeatsTitle(s, p.art.Title):
		case isSourceLine(s), p.art.Published == nil && p.meta(s), p.dateline(s):
			if p.art.Outlet == "" {
				p.art.Outlet = outletIn(s) // the date/source slot: 2025-12-08 21:39:27 来源：观察者网
			}
		case p.byline(s):
		case navBy(s, p.cls(i)):
		default:
			if p.art.Lead == "" && isQuoteLine(s) && !p.endsBody(i) {
				p.art.Lead = s
				continue
			}
			return i
		}
	}
	return i
}

// dateline reads a line near the title that dates the article, such as
// "2005-04-05 06:40更新 来源：转载文章"; a line with a source and no date
// is taken too.
func (p *page) dateline(s string) bool {
	if t, ok := isDateline(s, p.loc); ok {
		if p.art.Published == nil {
			p.art.Published = &t
		}
		return true
	}
	return runeLen(s) <= 60 && phrases.classes(s)&phraseSource != 0
}

// byline reads a line naming the authors: 作者：…, "By …", 本报记者 ….
func (p *page) byline(s string) bool {
	names, ok := authorLine(s)
	if !ok {
		names, ok = reporterLine(s)
	}
	if ok && p.art.Authors == nil {
		p.art.Authors = names
	}
	return ok
}

// meta reads a time-stamp line under the title: "2025-12-08 21:39:27
// 来源：观察者网" or "2025-12-08 21:39 科技前沿". It sets the article's
// publication time and column.
func (p *page) meta(s string) bool {
	t, rest, ok := parseStamp(s, p.loc)
	if !ok {
		return false
	}
	p.art.Published = &t
	if c := stampColumn(rest); c != "" {
		p.art.Column = c
	}
	return true
}

// endsBody reports whether line i starts the page's end matter: a
// disclaimer, an editor line, a list header, or the first headline item.
func (p *page) endsBody(i int) bool {
	s, c := p.lines[i], p.cls(i)
	if disclaimerBy(s, c) || footerBy(s, c) {
		return true
	}
	if _, ok := editorLine(s); ok {
		return true
	}
	if _, ok := matchHeader(s); ok {
		return true
	}
	if _, _, ok := splitGluedHeader(s); ok {
		return true
	}
	if _, _, ok := commentItem(s); ok {
		return true
	}
	return p.stampAt(i + 1)
}

// endMatterInMarkup takes a disclaimer, editor or copyright line out of
// an HTML page's article text. The extractor has already cut the article
// from the page, so such a line is the article's own end matter — and
// text may follow it: it does not end the body as it does in raw text.
func (p *page) endMatterInMarkup(i int) bool {
	s, c := p.lines[i], p.cls(i)
	if name, ok := editorLine(s); ok {
		if p.art.Editor == "" {
			p.art.Editor = name
		}
		return true
	}
	if disclaimerBy(s, c) || footerBy(s, c) {
		if p.art.Disclaimer == "" {
			p.art.Disclaimer = s
		}
		return true
	}
	return false
}

// startsList reports a list header, alone or glued to the line's end.
func (p *page) startsList(s string) bool {
	if _, ok := matchHeader(s); ok {
		return true
	}
	_, _, ok := splitGluedHeader(s)
	return ok
}

// stampAt reports whether line i is a headline's time-stamp line.
func (p *page) stampAt(i int) bool {
	if i >= len(p.lines) {
		return false
	}
	_, _, ok := parseStamp(p.lines[i], p.loc)
	return ok
}

// body collects paragraphs and captions up to the end matter and returns
// the index where the end matter starts.
func (p *page) body(i int) int {
	for ; i < len(p.lines); i++ {
		s := p.lines[i]
		if skippable(s) {
			continue
		}
		if p.markup && len(p.art.Paragraphs) < 2 && (p.dateline(s) || p.byline(s)) {
			continue // metadata between the title and the text
		}
		if navBy(s, p.cls(i)) || repeatsTitle(s, p.art.Title) {
			continue
		}
		if p.markup {
			if p.endMatterInMarkup(i) {
				continue
			}
			if p.startsList(s) {
				return i
			}
		} else if p.endsBody(i) {
			return i
		}
		if p.isCaption(i) {
			p.art.Captions = append(p.art.Captions, s)
			continue
		}
		p.art.Paragraphs = append(p.art.Paragraphs, s)
	}
	return i
}

// isCaption reports a body line that captions an image.
func (p *page) isCaption(i int) bool {
	s := p.lines[i]
	if p.captions[s] {
		return true
	}
	if _, _, labelled := splitLabel(s); labelled {
		return false
	}
	if p.markup {
		return len(s) <= 360 && p.cls(i)&phraseCaption != 0
	}
	return captionBy(s, p.cls(i))
}

// tail reads the end matter: disclaimer, editor, and the headline lists.
// Items of the related list are a title line followed by a time-stamp
// line; recommended items end in a comment count; other items belong to
// the list whose header came last. A blank line after an item ends a list
// whose items are not themselves separated by blank lines.
func (p *page) tail(i int) {
	var (
		cur        record.List // the list the last header opened
		items      int         // items seen since that header
		blankGap   bool        // a blank line since the last item
		blankStyle bool        // the list's items are separated by blank lines
	)
	startList := func(l record.List) { cur, items, blankGap, blankStyle = l, 0, false, false }
	item := func(title string, list record.List, published *time.Time, column string, comments *int) {
		if items == 1 && blankGap {
			blankStyle = true
		}
		items++
		blankGap = false
		p.addHeadline(title, list, published, column, comments, "")
	}
	for ; i < len(p.lines); i++ {
		s := p.lines[i]
		switch {
		case s == "":
			if cur != "" && items > 1 && !blankStyle {
				cur = "" // the list is over; what follows is the footer
			}
			blankGap = true
			continue
		case isSeparator(s):
			continue
		case footerBy(s, p.cls(i)):
			cur = ""
			if p.markup && p.art.Disclaimer == "" {
				// Inside an article's markup a copyright line is the
				// article's own notice, not the site's footer.
				p.art.Disclaimer = s
			}
			continue
		}
		if disclaimerBy(s, p.cls(i)) {
			if p.art.Disclaimer == "" {
				p.art.Disclaimer = s
			}
			continue
		}
		if name, ok := editorLine(s); ok {
			if p.art.Editor == "" {
				p.art.Editor = name
			}
			continue
		}
		if l, ok := matchHeader(s); ok {
			startList(l)
			continue
		}
		next := record.List("")
		if before, l, ok := splitGluedHeader(s); ok {
			s, next = before, l
		}
		if p.stampAt(i + 1) {
			i++
			stamp := p.lines[i]
			if before, l, ok := splitGluedHeader(stamp); ok {
				stamp, next = before, l
			}
			t, rest, _ := parseStamp(stamp, p.loc)
			item(s, listOr(cur, record.ListRelated), &t, stampColumn(rest), nil)
		} else if title, n, ok := commentItem(s); ok {
			item(title, listOr(cur, record.ListRecommended), nil, "", &n)
		} else if cur != "" {
			item(s, cur, nil, "", nil)
		}
		if next != "" {
			startList(next)
		}
	}
}

func listOr(l, def record.List) record.List {
	if l != "" {
		return l
	}
	return def
}

// addHeadline records one list item, merging it with an earlier sighting
// of the same headline on this page. link is canonical or "".
func (p *page) addHeadline(title string, list record.List, published *time.Time, column string, comments *int, link string) {
	title = strings.TrimSpace(title)
	if title == "" {
		return
	}
	id := record.HeadlineID(p.opts.Site, title)
	h := p.byID[id]
	if h == nil {
		h = &record.Headline{ID: id, Site: p.opts.Site, Title: title}
		if p.byID == nil {
			p.byID = make(map[string]*record.Headline)
		}
		p.byID[id] = h
		p.headlines = append(p.headlines, h)
	}
	if !h.HasList(list) {
		h.Lists = append(h.Lists, list)
	}
	if h.Published == nil {
		h.Published = published
	}
	if h.Column == "" {
		h.Column = column
	}
	if h.URL == "" {
		h.URL = link // canonical already: see resolve
	}
	if comments != nil {
		h.Comments = comments
	}
	switch list {
	case record.ListRelated:
		p.art.Related = append(p.art.Related, id)
	case record.ListRecommended:
		p.art.Recommended = append(p.art.Recommended, id)
	case record.ListHot:
		p.art.Hot = append(p.art.Hot, id)
	}
}
