package parse

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"

	"newsfeed/parse/charset"
	"newsfeed/parse/htmlpage"
	"newsfeed/record"
)

// extraction is what one reading of an HTML page found: a site profile's
// or the generic extractor's. The body becomes lines that the text
// parser's classifier reads, so captions, end matter and interviews are
// found the same way in both formats.
type extraction struct {
	title     string
	published *time.Time
	authors   []string
	editor    string
	outlet    string
	column    string
	lead      string
	body      []htmlpage.Block
	lists     []htmlpage.Item
}

// HTML parses an HTML news page. The page's site profile (matched by the
// host of opts.URL or of the page's canonical link) says where its parts
// are; pages of other sites go through generic main-content extraction.
// Errors name opts.Source.
func HTML(data []byte, opts Options) (*Result, error) {
	src := opts.Source
	if src == "" {
		src = "input"
	}
	bud := newBudget(src, opts)
	text, enc, err := charset.Decode(data, charset.Hints{ContentType: opts.ContentType, Markup: true, MaxBytes: opts.MaxBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if _, err := bud.countElements(text); err != nil {
		return nil, err
	}
	root, err := html.ParseWithOptions(strings.NewReader(text), html.ParseOptionEnableScripting(false))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", src, ErrMarkup, err)
	}
	nodes, err := bud.countTree(root)
	if err == nil {
		err = bud.overNodes(nodes)
	}
	if err != nil {
		return nil, err
	}
	meta := htmlpage.ReadMeta(root)

	opts.URL = pageURL(text, meta, opts)
	base, _ := url.Parse(opts.URL)
	profiles := opts.Profiles
	if profiles == nil {
		profiles = BuiltinProfiles()
	}
	var ex *extraction
	if prof := profiles.Match(record.Host(opts.URL)); prof != nil {
		if opts.Site == "" {
			opts.Site = prof.Site
		}
		opts.URL = htmlpage.Resolve(nil, opts.URL, prof.TrackingParams)
		if f := prof.Extract(root, base); f != nil {
			ex = fromProfile(f)
		}
	}
	if ex == nil {
		if ex, err = extractGeneric(root, meta, base, bud, nodes > libraryNodes); err != nil {
			return nil, err
		}
	}
	if ex.title == "" {
		ex.title = metaTitle(meta)
		gave("title", "metadata title")
	}
	if ex.title == "" {
		ex.title = firstSentence(ex.body)
		gave("title", "first sentence")
	}
	if ex.title = cleanTitle(ex.title); ex.title == "" {
		return nil, fmt.Errorf("%s: %w", src, ErrNoText)
	}
	if opts.Site == "" {
		opts.Site = record.Host(opts.URL)
	}
	if err := bud.overBlocks(len(ex.body)); err != nil {
		return nil, err
	}
	if err := bud.check("reading the page"); err != nil {
		return nil, err
	}
	res, err := ex.build(opts, meta, bud)
	if err != nil {
		return nil, err
	}
	if a := res.Article; a.Published != nil {
		t := PageZone(metaZone(*a.Published, meta), data)
		a.Published = notFuture(&t, time.Now())
	}
	res.Encoding, res.URL = enc, opts.URL
	return res, nil
}

// build classifies the extraction's lines as the text parser does and
// fills in what the markup said.
func (ex *extraction) build(opts Options, meta htmlpage.Meta, bud *budget) (*Result, error) {
	lines := make([]string, 0, len(ex.body)+1)
	lines = append(lines, ex.title)
	info := make([]*htmlpage.Block, 1, len(ex.body)+1)
	captions := map[string]bool{}
	var carried []record.Block // pictures before a line that is left out
	for i := range ex.body {
		b := &ex.body[i]
		if b.Text == ex.title || b.Text == "" {
			// The headline repeated inside the article, or the
			// pictures after the last line: its pictures go on.
			carried = append(carried, b.Images...)
			continue
		}
		if len(carried) > 0 {
			b.Images, carried = append(carried, b.Images...), nil
		}
		lines = append(lines, b.Text)
		info = append(info, b)
		if b.Caption {
			captions[b.Text] = true
		}
	}
	if opts.Location == nil && meta.Lang != "" {
		if z := ZoneOf(meta.Lang); z != time.UTC {
			opts.Location = z
		}
	}
	p := newPage(lines, opts)
	p.hints = lineHints{captions: captions, captionsMarked: true, container: true, info: info, trailing: carried}
	i := p.head()
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

	ex.fill(p, meta, opts.Site)
	for _, it := range ex.lists {
		var stamp *time.Time
		if t, ok := stampIn(it.Time, Beijing); ok {
			stamp = &t
		}
		var comments *int
		if n, ok := commentCount(it.Comments); ok {
			comments = &n
		}
		p.addHeadline(it.Title, it.List, stamp, it.Column, comments, it.Link)
	}
	return p.finish(), nil
}

// fill completes the article the text parser read from the extraction's
// lines with what the markup said: the extraction's fields beat the
// lines', and the metadata fills what both leave empty.
func (ex *extraction) fill(p *lineParser, meta htmlpage.Meta, site string) {
	a := p.art
	if ex.published != nil {
		a.Published = ex.published // the markup's time beats a stamp in the text
	} else if a.Published == nil {
		if a.Published = declaredTime(meta, p.loc); a.Published != nil {
			gave("published", "metadata time")
		}
	}
	if ex.editor != "" {
		a.Editor = ex.editor
	}
	if ex.outlet != "" {
		a.Outlet = ex.outlet
	}
	if len(ex.authors) > 0 {
		a.Authors = ex.authors
	} else if len(a.Authors) == 0 && len(meta.Authors) > 0 {
		a.Authors = meta.Authors
		gave("author", "metadata author")
	}
	// Whatever named them, the site and the outlet are no authors.
	a.Authors = filterAuthors(a.Authors, site, meta.SiteName, a.Outlet)
	if ex.column != "" {
		a.Column = ex.column
	} else if a.Column == "" {
		a.Column = meta.Section
	}
	if a.Lead == "" {
		a.Lead = ex.lead
	}
	if a.Image = p.out.leadImage(); a.Image == "" {
		a.Image = htmlpage.LeadImage(meta)
	}
	if a.Language == "" {
		// The text decides; the lang attribute only when the text cannot
		// (pages declare zh-CN on English text and the reverse).
		a.Language = normLang(meta.Lang)
	}
}

// normLang turns a page's lang attribute (zh-CN, en_US) into a language
// tag (zh, en).
func normLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	return lang
}

// fromProfile reads what a site profile's selectors found: the date in
// the date element's text (Beijing time unless it gives a zone: profiles
// so far are of Chinese sites), the editor from the editor elements (a
// 责任编辑 line, else the one short element's text).
func fromProfile(f *htmlpage.Found) *extraction {
	ex := &extraction{title: f.Title, lead: f.Lead, column: f.Column, authors: f.Authors, body: f.Body, lists: f.Items}
	for _, field := range []string{"title", "published", "author", "editor"} {
		gave(field, "site profile")
	}
	if ts, ok := stampIn(f.Date, Beijing); ok {
		ex.published = &ts
	}
	for _, t := range f.Editors {
		if name, ok := editorLine(t); ok {
			ex.editor = name
			break
		}
	}
	if ex.editor == "" && len(f.Editors) == 1 && runeLen(f.Editors[0]) <= 20 {
		ex.editor = f.Editors[0]
	}
	return ex
}
