// The classifier: every page, raw text or HTML, becomes lines, and
// head, body and tail read them in order. See doc.go.

package parse

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"newsfeed/parse/htmlpage"
	"newsfeed/record"
)

// lineParser is the parser's state while it walks a lineParser's lines.
type lineParser struct {
	opts  Options
	lines []string
	loc   *time.Location

	art       *record.Article
	headlines []*record.Headline
	byID      map[string]*record.Headline

	// hints say what the format knows about the lines beyond their text.
	hints lineHints

	// out builds the article's blocks.
	out bodyWriter

	// classes caches the phrase classes of each line (phraseKnown set
	// once computed): a line is looked at by several classifiers.
	classes []uint16
}

// lineHints are what a format tells the classifier about its lines beyond
// their text. Raw text gives none; an HTML reading gives all three.
type lineHints struct {
	// captions are the lines the source marks as image captions.
	captions map[string]bool
	// captionsMarked says the source marks its captions: the text's
	// caption heuristic is then used only for lines that carry a
	// caption's phrases.
	captionsMarked bool
	// container says the lines are one article's container, cut from
	// the page by a profile or an extractor: the dateline and byline may
	// stand among the first paragraphs, end matter (editor lines, the
	// article's own copyright notice) stands inside the body rather than
	// ending it, and only a headline list ends the body.
	container bool
	// info is what an HTML reading said of each line (its structure and
	// the pictures before it), aligned with the lines; nil for raw text
	// and for lines it did not give (the title). trailing are the
	// pictures after the last line.
	info     []*htmlpage.Block
	trailing []record.Block
}

// phraseKnown marks a cached entry of page.classes.
const phraseKnown = 0x100

// cls returns the phrase classes of line i.
func (p *lineParser) cls(i int) uint8 {
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

// parseLines reads a raw text's lines. Its errors, but bud's, do not
// name the page.
func parseLines(lines []string, opts Options, bud *budget) (*Result, error) {
	p := newPage(lines, opts)
	i := p.head()
	if p.art.Title == "" {
		return nil, ErrNoTitle
	}
	if err := bud.check("reading the title"); err != nil {
		return nil, err
	}
	i = p.body(i)
	if err := bud.check("reading the body"); err != nil {
		return nil, err
	}
	p.tail(i)
	if err := bud.check("reading the end matter"); err != nil {
		return nil, err
	}
	return p.finish(), nil
}

// newPage starts parsing lines: the text's language decides the zone of
// times the page gives without one.
func newPage(lines []string, opts Options) *lineParser {
	p := &lineParser{
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
		p.loc = ZoneOf(p.art.Language)
	}
	return p
}

// finish gives the article its id and hash and finds the interview.
func (p *lineParser) finish() *Result {
	p.art.ContentHash = contentHash(p.lines, p.headlines, p.out.blocks)
	p.art.ID = record.ArticleID(p.opts.Site, p.opts.URL, p.art.Title)
	res := &Result{Article: p.art, Headlines: p.headlines}
	p.art.Blocks = p.out.blocks
	if iv := findInterview(p.out.paras, p.opts.Site); iv != nil {
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
// the headlines that did not come from the lines (an HTML page's lists)
// with their links, and the body's pictures (an HTML page's): a page
// whose pictures changed, or that an older newsfeed read without them,
// is read again. A page with no pictures hashes as it did before them.
func contentHash(lines []string, headlines []*record.Headline, blocks []record.Block) string {
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
	for i := range blocks {
		if b := &blocks[i]; b.Src != "" {
			buf = append(append(append(buf, "\x00picture\t"...), b.Src...), '\n')
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
func (p *lineParser) head() int {
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
func (p *lineParser) dateline(s string) bool {
	if t, ok := isDateline(s, p.loc); ok {
		if p.art.Published == nil {
			p.art.Published = &t
		}
		return true
	}
	return runeLen(s) <= 60 && phrases.classes(s)&phraseSource != 0
}

// byline reads a line naming the authors: 作者：…, "By …", 本报记者 ….
func (p *lineParser) byline(s string) bool {
	names, ok := bylineLine(s)
	if ok && p.art.Authors == nil {
		p.art.Authors = filterAuthors(names, p.opts.Site)
	}
	return ok
}

// meta reads a time-stamp line under the title: "2025-12-08 21:39:27
// 来源：观察者网" or "2025-12-08 21:39 科技前沿". It sets the article's
// publication time and column.
func (p *lineParser) meta(s string) bool {
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

// body collects the body's blocks up to the end matter and returns the
// index where the end matter starts. The pictures an HTML reading placed
// among the lines come with them: those before the body's first line
// (beside the title and byline) at its start, those after its last line
// only when the body runs to the end of the lines.
func (p *lineParser) body(i int) int {
	for j := 0; j < i && j < len(p.hints.info); j++ {
		p.picturesAt(j)
	}
	for ; i < len(p.lines); i++ {
		s := p.lines[i]
		p.picturesAt(i)
		if skippable(s) {
			continue
		}
		if p.hints.container && len(p.out.paras) < 2 && (p.dateline(s) || p.byline(s)) {
			continue // metadata between the title and the text
		}
		if navBy(s, p.cls(i)) || repeatsTitle(s, p.art.Title) {
			continue
		}
		if p.hints.container {
			if p.endMatterInContainer(i) {
				continue
			}
			if p.startsList(s) {
				return i
			}
		} else if p.endsBody(i) {
			return i
		}
		if p.isCaption(i) {
			p.out.caption(s)
			continue
		}
		p.out.text(s, p.infoAt(i))
	}
	p.out.pictures(p.hints.trailing)
	return i
}

// infoAt returns what the HTML reading said of line i, or nil.
func (p *lineParser) infoAt(i int) *htmlpage.Block {
	if i < len(p.hints.info) {
		return p.hints.info[i]
	}
	return nil
}

// picturesAt adds the pictures placed before line i.
func (p *lineParser) picturesAt(i int) {
	if b := p.infoAt(i); b != nil {
		p.out.pictures(b.Images)
	}
}

// isCaption reports a body line that captions an image.
func (p *lineParser) isCaption(i int) bool {
	s := p.lines[i]
	if p.hints.captions[s] {
		return true
	}
	if _, _, labelled := splitLabel(s); labelled {
		return false
	}
	if p.hints.captionsMarked {
		return len(s) <= 360 && p.cls(i)&phraseCaption != 0
	}
	return captionBy(s, p.cls(i))
}

// tail reads the end matter: disclaimer, editor, and the headline lists.
// Items of the related list are a title line followed by a time-stamp
// line; recommended items end in a comment count; other items belong to
// the list whose header came last. A blank line after an item ends a list
// whose items are not themselves separated by blank lines.
func (p *lineParser) tail(i int) {
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
			if p.hints.container && p.art.Disclaimer == "" {
				// Inside an article's container a copyright line is the
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
