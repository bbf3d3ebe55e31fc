// Package textline cleans lines of page text, for raw text and HTML
// alike, so that pages that differ only in invisible characters or kinds
// of white space read the same.
package textline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// suspect marks the bytes Clean must look at: ASCII control bytes, and
// the lead bytes of U+0080–U+00BF, U+1680, U+2000–U+206F, U+3000 and
// U+FEFF, the only characters that can be white space or invisible. The
// lead bytes of CJK ideographs (E4–E9) are not suspect.
var suspect = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte{0x7f, 0xC2, 0xE1, 0xE2, 0xE3, 0xEF} {
		t[c] = true
	}
	return t
}()

// Clean trims and cleans one line: white space at both ends (no-break
// and ideographic spaces included) goes, no-break spaces inside become
// ordinary ones, and invisible format characters (zero-width spaces, stray
// byte-order marks) and control characters are removed. Lines with nothing to clean, most
// lines of most pages, are returned without copying.
func Clean(s string) string {
	s = strings.TrimFunc(s, isSpace)
	for i := 0; i < len(s); i++ {
		if !suspect[s[i]] {
			continue
		}
		if s[i] < utf8.RuneSelf {
			return rebuildLine(s)
		}
		r, _ := utf8.DecodeRuneInString(s[i:])
		if r == '\u00a0' || isInvisible(r) || unicode.IsSpace(r) {
			return rebuildLine(s)
		}
	}
	return s
}

// rebuildLine is Clean's slow path for lines that need changing.
func rebuildLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case isInvisible(r) || r < 0x20 && r != '\t' || r == 0x7f:
			// dropped
		case isSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimFunc(b.String(), isSpace)
}

// isSpace reports white space, including the no-break space U+00A0 and the
// ideographic space U+3000 that Chinese pages indent paragraphs with.
func isSpace(r rune) bool { return unicode.IsSpace(r) }

// isInvisible reports format characters that copy-and-paste leaves in
// text: zero-width spaces and joiners, word joiners, byte-order marks.
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return false
}

// OneLine cleans s and folds its runs of white space into one space.
func OneLine(s string) string {
	return strings.Join(strings.Fields(Clean(s)), " ")
}
