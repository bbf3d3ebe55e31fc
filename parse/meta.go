package parse

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageMeta is what an HTML page says about itself outside its text:
// <meta> tags, Open Graph, JSON-LD, <link rel=canonical>, <html lang>.
type pageMeta struct {
	title       string // og:title, else <title> less the site's name
	siteName    string
	canonical   string
	lang        string
	description string
	section     string
	authors     []string
	// dates are publication-time candidates in order of trust, as
	// written; published picks the first that parses.
	dates []string
	// machineTimes are every time the page writes for machines (any
	// <meta> whose name says date or time, updates included): they give
	// a visible dateline without a year its year.
	machineTimes []string
	// h1 is the page's only <h1>, when it has exactly one.
	h1 string
	// declared is the title the page declares for sharing (og:title,
	// JSON-LD headline); tag is its <title>; headings its first <h1>–<h3>.
	declared, tag string
	headings      []string
}

// published returns the first date candidate that parses, in loc when it
// gives no zone.
func (m pageMeta) published(loc *time.Location) *time.Time {
	for _, d := range m.dates {
		if t, ok := parseTime(d, loc); ok {
			return &t
		}
	}
	return nil
}

// metaDateNames are <meta name|property|itemprop> values that carry the
// publication time, most trusted first.
var metaDateNames = []string{
	"article:published_time", "og:article:published_time", "datepublished", "publishdate",
	"publish_date", "pubdate", "publication_date", "sailthru.date", "parsely-pub-date",
	"dc.date.issued", "dc.date", "dcterms.date", "date", "article.published", "published_time",
}

// rawMeta is what one walk over a page collects for readMeta.
type rawMeta struct {
	metas           map[string]string // <meta> name/property/itemprop/http-equiv → content
	canonical, lang string
	title           string
	ldJSON          []string
	h1              []string
	headings        []string // the first <h1>–<h3>, at most 12
	times           []string // <time datetime>, at most 32
}

// walk collects the page's metadata in one pass over the node tree, with
// no selector engine: a page is read this way on every path, profiled or
// not.
func (r *rawMeta) walk(n *html.Node, depth int) {
	if depth > maxDepth || n.Type != html.ElementNode && n.Type != html.DocumentNode {
		return
	}
	if n.Type == html.ElementNode {
		switch elemAtom(n) {
		case atom.Html:
			if v, ok := attr(n, "lang"); ok && r.lang == "" {
				r.lang = v
			}
		case atom.Meta:
			content, _ := attr(n, "content")
			if content = strings.TrimSpace(content); content != "" {
				for _, a := range [...]string{"property", "name", "itemprop", "http-equiv"} {
					if k, ok := attr(n, a); ok {
						if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
							if _, seen := r.metas[k]; !seen {
								r.metas[k] = content
							}
						}
					}
				}
			}
			return
		case atom.Link:
			if rel, _ := attr(n, "rel"); strings.EqualFold(strings.TrimSpace(rel), "canonical") && r.canonical == "" {
				r.canonical, _ = attr(n, "href")
			}
			return
		case atom.Title:
			if r.title == "" {
				r.title = oneLine(nodeTextRaw(n))
			}
			return
		case atom.Script:
			if t, _ := attr(n, "type"); strings.EqualFold(strings.TrimSpace(t), "application/ld+json") {
				r.ldJSON = append(r.ldJSON, nodeTextRaw(n))
			}
			return
		case atom.H1, atom.H2, atom.H3:
			t := oneLine(nodeText(n))
			if elemAtom(n) == atom.H1 {
				r.h1 = append(r.h1, t)
			}
			if t != "" && runeLen(t) <= 80 && len(r.headings) < 12 {
				r.headings = append(r.headings, t)
			}
			return
		case atom.Time:
			if v, ok := attr(n, "datetime"); ok && v != "" && len(r.times) < 32 {
				r.times = append(r.times, v)
			}
		case atom.Style, atom.Noscript, atom.Template:
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, depth+1)
	}
}

// nodeTextRaw returns the text of n's text children as written, for
// elements whose content is not markup (<title>, <script>).
func nodeTextRaw(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// readMeta reads the page's metadata.
func readMeta(root *html.Node) pageMeta {
	var m pageMeta
	r := &rawMeta{metas: map[string]string{}}
	r.walk(root, 0)
	metas := r.metas
	var ld jsonLD
	for _, text := range r.ldJSON {
		var v any
		if json.Unmarshal([]byte(text), &v) == nil {
			walkJSONLD(v, &ld, 0)
		}
	}

	m.siteName = firstOf(metas["og:site_name"], metas["application-name"], ld.publisher)
	m.canonical = firstOf(r.canonical, metas["og:url"])
	m.lang = firstOf(r.lang, metas["content-language"], metas["og:locale"], ld.language)
	m.description = firstOf(metas["description"], metas["og:description"], metas["twitter:description"], ld.description)
	m.section = firstOf(metas["article:section"], ld.section)
	if len(r.h1) == 1 {
		m.h1 = r.h1[0]
	}
	m.headings = r.headings
	m.declared = oneLine(firstOf(metas["og:title"], metas["twitter:title"], ld.headline))
	m.tag = r.title
	m.title = m.declared
	if m.title == "" {
		m.title = titleFromTag(m.tag, m.h1, m.siteName)
	}

	for _, name := range metaDateNames {
		if v := metas[name]; v != "" {
			m.dates = append(m.dates, v)
		}
		if name == "article:published_time" && ld.published != "" {
			m.dates = append(m.dates, ld.published) // JSON-LD right after the Open Graph tag
		}
	}
	m.dates = append(m.dates, r.times...)
	for k, v := range metas {
		if strings.Contains(k, "date") || strings.Contains(k, "time") {
			m.machineTimes = append(m.machineTimes, v)
		}
	}
	m.machineTimes = append(m.machineTimes, r.times...)

	for _, a := range append([]string{metas["author"], metas["article:author"], metas["dc.creator"], metas["byl"]}, ld.authors...) {
		a = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(a), "By "))
		if a == "" || strings.Contains(a, "://") || strings.ContainsAny(a, "0123456789") || contains(m.authors, a) {
			continue
		}
		m.authors = append(m.authors, a)
	}
	return m
}

// titleFromTag removes the site's name from a <title>: "Headline - Site",
// "Headline | Site", "Headline_频道_网站". With an <h1> that matches a part,
// that part wins; else the longest part.
func titleFromTag(title, h1, site string) string {
	if title == "" {
		return h1
	}
	parts := splitTitle(title)
	if len(parts) == 1 {
		return title
	}
	best := ""
	for _, p := range parts {
		if h1 != "" && (p == h1 || strings.Contains(h1, p) && runeLen(p)*2 > runeLen(h1)) {
			return p
		}
		if p == site {
			continue
		}
		if runeLen(p) > runeLen(best) {
			best = p
		}
	}
	return best
}

var titleSeparators = []string{" | ", " - ", " – ", " — ", "--", "——", "_", " :: ", " » ", "｜", "－", "—", "|"}

func splitTitle(t string) []string {
	for _, sep := range titleSeparators {
		if strings.Contains(t, sep) {
			var out []string
			for _, p := range strings.Split(t, sep) {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			if len(out) > 1 {
				return out
			}
		}
	}
	return []string{t}
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// jsonLD is what newsfeed reads of a page's JSON-LD article object.
type jsonLD struct {
	headline, published, description, section, publisher, language string
	authors                                                        []string
}

// articleTypes are the schema.org types of a news page's main object.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true, "blogposting": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "webpage": true, "report": true,
	"liveblogposting": true, "socialmediaposting": true, "backgroundnewsarticle": true,
}

func walkJSONLD(v any, out *jsonLD, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkJSONLD(e, out, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			walkJSONLD(g, out, depth+1)
		}
		if !articleTypes[strings.ToLower(ldString(x["@type"]))] {
			return
		}
		set := func(dst *string, v any) {
			if *dst == "" {
				*dst = ldString(v)
			}
		}
		set(&out.headline, x["headline"])
		set(&out.published, x["datePublished"])
		set(&out.description, x["description"])
		set(&out.section, x["articleSection"])
		set(&out.language, x["inLanguage"])
		if p, ok := x["publisher"].(map[string]any); ok {
			set(&out.publisher, p["name"])
		}
		if len(out.authors) == 0 {
			out.authors = ldNames(x["author"])
		}
	}
}

// ldString reads a JSON-LD value that should be one string: a string, the
// first of a list, or an object's name.
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	case map[string]any:
		return ldString(x["name"])
	}
	return ""
}

// ldNames reads authors: a name, a Person, or a list of either.
func ldNames(v any) []string {
	switch x := v.(type) {
	case string:
		if x = strings.TrimSpace(x); x != "" {
			return []string{x}
		}
	case map[string]any:
		return ldNames(x["name"])
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
		return out
	}
	return nil
}

// stampPattern finds a date, and maybe a time, anywhere in a line:
// 2025-12-08 21:39:27, 2005/5/7, 2005年5月7日 21:23, 2025-12-08T21:39:00+08:00.
var stampPattern = regexp.MustCompile(`((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*T?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?`)

// findStamp finds the first date in s that is a real day, in loc unless
// s gives a zone.
func findStamp(s string, loc *time.Location) (time.Time, bool) {
	for _, m := range stampPattern.FindAllStringSubmatch(s, 4) {
		if t, ok := stampFrom(m, loc); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

func stampFrom(m []string, loc *time.Location) (time.Time, bool) {
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	y, mo, d := num(m[1]), num(m[2]), num(m[3])
	h, mi, sec := num(m[4]), num(m[5]), num(m[6])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	if z := m[7]; z != "" {
		if z == "Z" {
			loc = time.UTC
		} else {
			off := num(z[1:3])*3600 + num(strings.TrimPrefix(z[3:], ":"))*60
			if z[0] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// parseTime reads a machine-written time (RFC 3339, ISO 8601 with or
// without zone, or a date) or falls back to findStamp.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return findStamp(s, loc)
}

// titleParts drops from a <title>'s parts those that name the site: the
// site's declared name, and a short last part ("Headline - Site",
// "Headline_频道_网站") when it is the shortest.
func titleParts(parts []string, site string) []string {
	if len(parts) < 2 {
		return parts
	}
	var out []string
	for _, p := range parts {
		if p != site {
			out = append(out, p)
		}
	}
	last := out[len(out)-1]
	if len(out) > 1 && runeLen(last) <= 12 {
		shortest := true
		for _, p := range out[:len(out)-1] {
			if runeLen(p) < runeLen(last) {
				shortest = false
			}
		}
		if shortest {
			out = out[:len(out)-1]
		}
	}
	return out
}

// oneLine cleans s and folds its runs of white space into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(cleanLine(s)), " ")
}

// chooseTitle picks an article's title on a page that declares none: the
// part of its <title> that the page shows as a heading or a line of text;
// else a heading the <title> contains; else the first line of the
// content, when it is short and reads like a title (first is then true);
// else the longest part of the <title>.
func chooseTitle(m pageMeta, all, content []block) (title string, first bool) {
	parts := splitTitle(m.tag)
	shown := map[string]bool{}
	for _, h := range m.headings {
		shown[h] = true
	}
	for _, b := range all {
		if runeLen(b.text) <= 80 {
			shown[b.text] = true
		}
	}
	if m.declared != "" && !(m.tag != m.declared && strings.HasSuffix(m.tag, m.declared)) {
		// (A declared title that is only the <title>'s tail is the site's
		// name, which some pages put in og:title.)
		return longerShown(m.declared, parts, shown), false
	}
	if len(parts) == 1 {
		if t := shownPrefix(m.tag, all); t != "" {
			return t, false
		}
	}
	best := ""
	for _, p := range titleParts(parts, m.siteName) {
		if shown[p] && runeLen(p) > runeLen(best) {
			best = p
		}
	}
	if best != "" {
		return best, false
	}
	// A heading the <title> contains, long enough to be more than the
	// site's name beside the headline.
	for _, h := range m.headings {
		if runeLen(h) > runeLen(best) && strings.Contains(m.tag, h) {
			best = h
		}
	}
	if best != "" && runeLen(best)*10 >= runeLen(m.tag)*4 {
		return best, false
	}
	if len(content) > 0 {
		if c := content[0].text; runeLen(c) <= 40 && !terminal(lastRune(c)) {
			return c, true
		}
	}
	return titleFromTag(m.tag, m.h1, m.siteName), false
}

// longerShown returns the <title> part that the page shows as a line and
// that declared is a prefix of, else declared: an og:title cut short by
// an unescaped quote in the page's attribute ("…龙湖集团" of "…龙湖集团"暗伤"
// 曝露？") loses to the headline the reader sees.
func longerShown(declared string, parts []string, shown map[string]bool) string {
	for _, p := range parts {
		if len(p) > len(declared) && strings.HasPrefix(p, declared) && shown[p] {
			return p
		}
	}
	return declared
}

// shownPrefix returns the line of the page that a <title> with no
// separator begins with, when the rest after a space is the site's name
// shown elsewhere on the page ("Headline 某某医院", with 某某医院 in the
// logo or the copyright line); else "".
func shownPrefix(tag string, all []block) string {
	for _, b := range all {
		t := b.text
		if len(t) >= len(tag) || !strings.HasPrefix(tag, t) || runeLen(t)*2 < runeLen(tag) {
			continue
		}
		rest := tag[len(t):]
		if r := firstRune(rest); r != ' ' && r != '\u3000' {
			continue
		}
		site := strings.TrimSpace(rest)
		for _, o := range all {
			if o.text != tag && o.text != t && strings.Contains(o.text, site) {
				return t
			}
		}
	}
	return ""
}
