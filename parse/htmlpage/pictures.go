// Pictures as a browser shows them: the URL it finally loads, and only
// the article's own.

package htmlpage

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsfeed/record"
)

// pictures reads the pictures of one body: base resolves their URLs and
// root bounds the walk up from a picture to the boxes holding it.
type pictures struct {
	base *url.URL
	root *html.Node
}

func newPictures(base *url.URL, root *html.Node) *pictures {
	return &pictures{base: base, root: root}
}

// lazyAttrs are where lazy loaders keep a picture's URL until a script
// moves it into src, in the order they are tried.
var lazyAttrs = []string{"data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-url", "_src", "original"}

// read returns the picture an <img> or <picture> shows, and false for
// one that is not the article's own or has no URL a reader can load.
func (p *pictures) read(n *html.Node, a atom.Atom) (record.Block, bool) {
	img := n
	var raw string
	if a == atom.Picture {
		img = nil
		var sources []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch elemAtom(c) {
			case atom.Img:
				if img == nil {
					img = c
				}
			case atom.Source:
				for _, k := range []string{"srcset", "data-srcset"} {
					if v, ok := Attr(c, k); ok {
						if u := widest(v); u != "" {
							sources = append(sources, u)
							break
						}
					}
				}
			}
		}
		if img != nil {
			raw = imgURL(img)
		}
		if raw == "" && len(sources) > 0 {
			raw = sources[0]
		}
		if img == nil {
			img = n
		}
	} else {
		raw = imgURL(n)
		if raw == "" {
			// The <noscript> fallback a lazy loader leaves beside it.
			if ns := nextElement(n); ns != nil && elemAtom(ns) == atom.Noscript {
				for _, fb := range findAll(ns, atom.Img, 0) {
					if raw = imgURL(fb); raw != "" {
						break
					}
				}
			}
		}
	}
	src := p.resolve(raw)
	if src == "" {
		return record.Block{}, false
	}
	b := record.Block{Type: record.BlockImage, Src: src}
	if v, ok := Attr(img, "alt"); ok {
		b.Alt = oneLine(v)
	}
	b.Width, b.Height = dimension(img, "width"), dimension(img, "height")
	if p.junk(img, src, b) {
		return record.Block{}, false
	}
	return b, true
}

// imgURL returns the URL an <img> finally loads, as written: src unless
// it is a placeholder, else the first lazy-load attribute, else the
// widest candidate of data-srcset or srcset; "" when it has none.
func imgURL(n *html.Node) string {
	if src, _ := writtenAttr(n, "src"); !placeholder(src) {
		return strings.TrimSpace(src)
	}
	for _, k := range lazyAttrs {
		if v, ok := Attr(n, k); ok && !placeholder(v) {
			return strings.TrimSpace(v)
		}
	}
	for _, k := range []string{"data-srcset", "srcset"} {
		if v, ok := writtenAttr(n, k); ok {
			if u := widest(v); u != "" && !placeholder(u) {
				return u
			}
		}
	}
	return ""
}

// writtenPrefix starts the attributes in which MarkJunkPictures keeps an
// <img>'s src and srcset as the page wrote them: readeck rewrites them
// against the page's address, and against none at all when it is unknown.
const writtenPrefix = "data-newsfeed-"

// writtenAttr returns the value of attribute key as the page wrote it.
func writtenAttr(n *html.Node, key string) (string, bool) {
	if v, ok := Attr(n, writtenPrefix+key); ok {
		return v, true
	}
	return Attr(n, key)
}

// placeholderWords mark the file name of a picture that stands in for
// the real one until a script loads it.
var placeholderWords = []string{"blank", "spacer", "placeholder", "loading", "lazy", "transparent",
	"pixel", "1x1", "empty", "grey.", "gray.", "clear.gif", "s.gif", "dot.gif", "preload", "missing",
	"noimage", "no-image", "no_image"}

// placeholder reports a src no reader wants: empty, a data: URI, or a
// spacer, loading or 1×1 image.
func placeholder(src string) bool {
	s := strings.ToLower(strings.TrimSpace(src))
	if s == "" || s == "#" || s == "about:blank" || strings.HasPrefix(s, "data:") {
		return true
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	name := path.Base(s)
	for _, w := range placeholderWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// widest returns the URL of a srcset's widest candidate (the largest
// "w", else the largest "x" descriptor), or "".
func widest(srcset string) string {
	var best string
	bestW, bestX := -1.0, -1.0
	s := srcset
	for {
		s = strings.TrimLeft(s, " \t\n\r\f,")
		if s == "" {
			break
		}
		i := strings.IndexAny(s, " \t\n\r\f")
		if i < 0 {
			i = len(s)
		}
		u := s[:i]
		s = s[i:]
		desc := ""
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else {
			j := strings.IndexByte(s, ',')
			if j < 0 {
				j = len(s)
			}
			desc, s = strings.TrimSpace(s[:j]), s[j:]
		}
		w, x := -1.0, 1.0
		for _, d := range strings.Fields(desc) {
			if len(d) < 2 {
				continue
			}
			v, err := strconv.ParseFloat(d[:len(d)-1], 64)
			if err != nil {
				continue
			}
			switch d[len(d)-1] {
			case 'w':
				w = v
			case 'x':
				x = v
			}
		}
		if u == "" {
			continue
		}
		if w > bestW || (w == bestW && x > bestX) {
			best, bestW, bestX = u, w, x
		}
	}
	return best
}

// resolve makes raw an absolute http(s) URL against the base the way a
// browser does, or returns "": data:, javascript: and other schemes never
// reach a record. With no base to resolve against, a relative reference
// is kept as written (a path, never a scheme or host of its own).
func (p *pictures) resolve(raw string) string {
	return resolvePicture(p.base, raw)
}

func resolvePicture(base *url.URL, raw string) string {
	raw = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(raw))
	if raw == "" || placeholder(raw) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	switch {
	case u.Scheme != "":
	case u.Host != "": // protocol-relative: the page's scheme
		u.Scheme = "https"
		if base != nil && (base.Scheme == "http" || base.Scheme == "https") {
			u.Scheme = base.Scheme
		}
	case base == nil || !base.IsAbs():
		// The page's address is unknown: the reference as written, which
		// a reader of the record who knows the address can resolve. Feeds
		// never carry it (feed drops every picture that is not absolute).
		if u.Path == "" || u.Opaque != "" {
			return ""
		}
		u.Fragment = ""
		return u.String()
	default:
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// dimension reads a width or height attribute in CSS pixels ("600",
// "600px"); 0 when absent or relative ("100%").
func dimension(n *html.Node, key string) int {
	v, ok := Attr(n, key)
	if !ok {
		return 0
	}
	v = strings.TrimSuffix(strings.TrimSpace(strings.ToLower(v)), "px")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 100000 {
		return 0
	}
	return int(f)
}

// junkWords, as words of a picture's class, id or file name, say it is
// no photo of the article: a logo, an icon, an avatar, a share button, a
// QR code, an ad, a tracking pixel, an emoji, a pager's arrow.
var junkWords = wordSet("logo", "logos", "icon", "icons", "ico", "favicon", "avatar", "avatars", "gravatar",
	"headimg", "emoji", "emoticon", "emoticons", "smiley", "smilies", "qrcode", "qr", "erweima", "ewm",
	"share", "sharing", "sprite", "sprites", "badge", "btn", "button", "ad", "ads", "advert", "adv",
	"advertisement", "pixel", "tracking", "tracker", "beacon", "spacer", "placeholder",
	"next", "prev", "previous", "arrow", "arrows", "banner", "banners", "bg", "background")

// adHosts, as words of a picture's host, say an ad server sends it.
var adHosts = wordSet("ad", "ads", "adserver", "adservice", "adsrv", "doubleclick")

// boxWords, as words of the class or id of a box a picture stands in,
// say the box is not the article's: related stories, recommendations,
// share bars, ads, comments, side bars.
var boxWords = wordSet("related", "relate", "relates", "recommend", "recommends", "recommended",
	"recommendation", "recommendations", "recom", "tuijian", "xiangguan", "share", "sharing", "social",
	"ad", "ads", "advert", "adv", "advertisement", "sponsor", "sponsored", "promo", "comment", "comments",
	"qrcode", "toolbar", "sidebar")

// chromeDirs, as words of the directories of a picture's path, say it is
// part of the site's look (its style sheets, skin or templates), not a
// photo of the article.
var chromeDirs = wordSet("css", "skin", "skins", "template", "templates", "theme", "themes")

// junkAlt are alt texts' words of junk pictures.
var junkAlt = []string{"二维码", "扫码", "扫一扫", "头像", "图标", "分享到", "广告", "logo", "icon", "avatar", "qr code", "qrcode"}

// junkMark is the attribute MarkJunkPictures sets on the pictures it
// finds are not the article's.
const junkMark = "data-newsfeed-junk"

// junk reports a picture that is not the article's own.
func (p *pictures) junk(img *html.Node, src string, b record.Block) bool {
	if _, ok := Attr(img, junkMark); ok {
		return true
	}
	// Tracking pixels and icons are tiny.
	if (b.Width > 0 && b.Width < 32) || (b.Height > 0 && b.Height < 32) {
		return true
	}
	alt := strings.ToLower(b.Alt)
	for _, w := range junkAlt {
		if strings.Contains(alt, w) {
			return true
		}
	}
	if u, err := url.Parse(src); err == nil {
		dir := path.Dir(u.Path)
		if hasWord(junkWords, path.Base(u.Path)) || hasWord(junkWords, dir) || hasWord(chromeDirs, dir) ||
			hasWord(adHosts, u.Hostname()) {
			return true
		}
	}
	for _, k := range []string{"class", "id"} {
		if v, ok := Attr(img, k); ok && hasWord(junkWords, v) {
			return true
		}
	}
	return inJunkBox(img, p.root)
}

// inJunkBox reports a picture whose boxes, up to stop, say it is not the
// article's: a related-stories, share, ad or comment box, an <aside>,
// <nav> or <footer>, a heading (an icon beside its text), or a link to
// another story.
func inJunkBox(img, stop *html.Node) bool {
	depth := 0
	for n := img.Parent; n != nil && n != stop && depth < 12; n = n.Parent {
		depth++
		if n.Type != html.ElementNode {
			continue
		}
		switch elemAtom(n) {
		case atom.Body, atom.Html:
			return false
		case atom.Aside, atom.Nav, atom.Footer, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			return true
		case atom.A:
			if linkedStory(n) {
				return true
			}
		}
		for _, k := range []string{"class", "id"} {
			if v, ok := Attr(n, k); ok && hasWord(boxWords, v) {
				return true
			}
		}
	}
	return false
}

// MarkJunkPictures marks the pictures of a page that are not its
// article's, judged by the boxes they stand in, before an extractor that
// drops those boxes' classes (readeck) cuts the article out: BodyBlocks
// then leaves them out. It also keeps every picture's src and srcset as
// written (writtenAttr), which readeck rewrites.
func MarkJunkPictures(root *html.Node) {
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch elemAtom(c) {
			case atom.Img:
				for _, k := range []string{"src", "srcset"} {
					if v, ok := Attr(c, k); ok {
						c.Attr = append(c.Attr, html.Attribute{Key: writtenPrefix + k, Val: v})
					}
				}
				if inJunkBox(c, nil) {
					c.Attr = append(c.Attr, html.Attribute{Key: junkMark, Val: "1"})
				}
				continue
			case atom.Script, atom.Style, atom.Head:
				continue
			}
			walk(c, depth+1)
		}
	}
	walk(root, 0)
}

// linkedStory reports a link that leads to another story: it, or a link
// beside it to the same page, holds a headline's worth of text, and it
// leads to a page, not to the picture's larger copy.
func linkedStory(a *html.Node) bool {
	raw, _ := Attr(a, "href")
	href := strings.ToLower(strings.TrimSpace(raw))
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "javascript:") {
		return false
	}
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		href = href[:i]
	}
	switch path.Ext(href) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".avif":
		return false
	}
	if headline(a) {
		return true
	}
	// A thumbnail's link and its title's link side by side.
	box := a.Parent
	for i := 0; i < 2 && box != nil && box.Parent != nil; i++ {
		box = box.Parent
	}
	if box == nil {
		return false
	}
	for _, other := range findAll(box, atom.A, 0) {
		if h, _ := Attr(other, "href"); other != a && strings.TrimSpace(h) == strings.TrimSpace(raw) && headline(other) {
			return true
		}
	}
	return false
}

// headline reports a link with a headline's worth of text (or title).
func headline(a *html.Node) bool {
	if t, _ := Attr(a, "title"); utf8.RuneCountInString(strings.TrimSpace(t)) >= 8 {
		return true
	}
	return utf8.RuneCountInString(NodeText(a)) >= 8
}

// wordSet builds a set of words.
func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// hasWord reports whether s, split into words at anything that is not a
// letter or digit and at lower-to-upper case changes ("shareBox" is
// share, box), holds a word of set.
func hasWord(set map[string]bool, s string) bool {
	start := -1
	var prev rune
	for i, r := range s + " " {
		letter := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		split := !letter || (start >= 0 && unicode.IsUpper(r) && unicode.IsLower(prev))
		if split && start >= 0 {
			if set[strings.ToLower(s[start:i])] {
				return true
			}
			start = -1
		}
		if letter && start < 0 {
			start = i
		}
		prev = r
	}
	return false
}

// LeadImage returns the picture a page declares for sharing (og:image,
// twitter:image, JSON-LD image), when it is an absolute http(s) URL that
// is not a logo or an icon; else "".
func LeadImage(m Meta) string {
	for _, c := range m.Images {
		c = strings.TrimSpace(c)
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if hasWord(junkWords, path.Base(u.Path)) || hasWord(junkWords, path.Dir(u.Path)) || placeholder(c) {
			continue
		}
		return u.String()
	}
	return ""
}
