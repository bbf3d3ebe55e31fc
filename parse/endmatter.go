// End matter: what closes an article's body — disclaimers, editor
// lines, source lines, copyright and footer lines.

package parse

// endsBody reports whether line i starts the page's end matter: a
// disclaimer, an editor line, a list header, or the first headline item.
func (p *lineParser) endsBody(i int) bool {
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

// endMatterInContainer takes a disclaimer, editor or copyright line out of
// an article container's text. A profile or an extractor has cut the article
// from the page, so such a line is the article's own end matter — and
// text may follow it: it does not end the body as it does in raw text.
func (p *lineParser) endMatterInContainer(i int) bool {
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

// disclaimerBy reports a line that disclaims or asserts rights over the
// article: 本文仅代表作者个人观点。, 本文系观察者网独家稿件…, "The views
// expressed…". classes are the line's phrase classes.
func disclaimerBy(s string, classes uint8) bool {
	return len(s) <= 600 && classes&phraseDisclaimer != 0 ||
		hasPrefixFold(s, "The views expressed") || hasPrefixFold(s, "Views expressed") ||
		hasPrefixFold(s, "This article reflects") || hasPrefixFold(s, "Opinions expressed")
}

// footerBy reports site boilerplate at the foot of a page: copyright and
// licence lines, complaint hotlines, navigation.
func footerBy(s string, classes uint8) bool { return len(s) <= 300 && classes&phraseFooter != 0 }
