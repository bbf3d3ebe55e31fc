package parse

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"

	"newsfeed/parse/charset"
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
	body      []block
	lists     []listItem
}

// listItem is one headline of a page's list, with its link.
type listItem struct {
	list     record.List
	title    string
	link     string
	stamp    *time.Time
	column   string
	comments *int
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
	text, enc, err := charset.Decode(data, charset.Hints{ContentType: opts.ContentType, Markup: true, MaxBytes: opts.MaxBytes})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	root, err := html.ParseWithOptions(strings.NewReader(text), html.ParseOptionEnableScripting(false))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", src, ErrMarkup, err)
	}
	meta := readMeta(root)

	if opts.URL == "" {
		opts.URL = meta.canonical
	}
	base, _ := url.Parse(opts.URL)
	profiles := opts.Profiles
	if profiles == nil {
		profiles = BuiltinProfiles()
	}
	var ex *extraction
	if prof := profiles.Match(hostOf(opts.URL)); prof != nil {
		if opts.Site == "" {
			opts.Site = prof.Site
		}
		opts.URL = resolve(nil, opts.URL, prof.TrackingParams)
		ex = prof.extract(root, base)
	}
	if ex == nil {
		ex = extractGeneric(root, meta, base)
	}
	if ex.title == "" {
		ex.title = meta.title
	}
	if ex.title == "" {
		return nil, fmt.Errorf("%s: %w", src, ErrNoTitle)
	}
	if opts.Site == "" {
		opts.Site = hostOf(opts.URL)
	}
	res := ex.build(opts, meta)
	res.Encoding = enc
	return res, nil
}

// build classifies the extraction's lines as the text parser does and
// fills in what the markup said.
func (ex *extraction) build(opts Options, meta pageMeta) *Result {
	lines := make([]string, 0, len(ex.body)+1)
	lines = append(lines, ex.title)
	captions := map[string]bool{}
	for _, b := range ex.body {
		if b.text == ex.title {
			continue // the headline repeated inside the article
		}
		lines = append(lines, b.text)
		if b.caption {
			captions[b.text] = true
		}
	}
	if opts.Location == nil && meta.lang != "" {
		if strings.HasPrefix(strings.ToLower(meta.lang), "zh") {
			opts.Location = Beijing
		}
	}
	p := newPage(lines, opts)
	p.hints = lineHints{captions: captions, captionsMarked: true, container: true}
	i := p.head()
	i = p.body(i)
	p.tail(i)

	a := p.art
	if ex.published != nil {
		a.Published = ex.published // the markup's time beats a stamp in the text
	} else if a.Published == nil {
		a.Published = meta.published(p.loc)
	}
	if ex.editor != "" {
		a.Editor = ex.editor
	}
	if ex.outlet != "" {
		a.Outlet = ex.outlet
	}
	if len(ex.authors) > 0 {
		a.Authors = ex.authors
	} else if len(a.Authors) == 0 && len(meta.authors) > 0 {
		a.Authors = meta.authors
	}
	// Whatever named them, the site and the outlet are no authors.
	a.Authors = filterAuthors(a.Authors, opts.Site, meta.siteName, a.Outlet)
	if ex.column != "" {
		a.Column = ex.column
	} else if a.Column == "" {
		a.Column = meta.section
	}
	if a.Lead == "" {
		a.Lead = ex.lead
	}
	if a.Language == "" {
		// The text decides; the lang attribute only when the text cannot
		// (pages declare zh-CN on English text and the reverse).
		a.Language = normLang(meta.lang)
	}
	for _, it := range ex.lists {
		p.addHeadline(it.title, it.list, it.stamp, it.column, it.comments, it.link)
	}
	return p.finish()
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

// hostOf returns the lower-case host of rawURL, or "".
func hostOf(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// resolve makes href absolute against base and canonical (see
// record.CanonicalizeURL), dropping the query parameters in drop; it
// returns "" for links that lead nowhere a reader can go.
func resolve(base *url.URL, href string, drop []string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return record.CanonicalizeURL(u, drop)
}
