package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsAnyOf(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func hasAnySuffix(s string, sufs []string) bool {
	for _, x := range sufs {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func hasAnyPrefix(s string, pres []string) bool {
	for _, x := range pres {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

// splitLines cuts decoded page text into lines, each trimmed of white space
// at both ends (no-break and ideographic spaces included) with no-break
// spaces inside a line turned into ordinary ones and invisible format
// characters (zero-width spaces, stray byte-order marks) removed. Blank
// lines stay, as "", because they end some headline lists. CRLF, CR and LF
// all end a line.
func splitLines(text string) []string {
	lines := make([]string, 0, strings.Count(text, "\n")+1)
	hasCR := strings.IndexByte(text, '\r') >= 0
	for len(text) > 0 {
		var i int
		if hasCR {
			i = strings.IndexAny(text, "\r\n")
		} else {
			i = strings.IndexByte(text, '\n')
		}
		var line string
		if i < 0 {
			line, text = text, ""
		} else {
			line = text[:i]
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			text = text[i+1:]
		}
		lines = append(lines, cleanLine(line))
	}
	return lines
}

// suspect marks the bytes cleanLine must look at: ASCII control bytes, and
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

// cleanLine trims and cleans one line. Lines with nothing to clean, most
// lines of most pages, are returned without copying.
func cleanLine(s string) string {
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

// rebuildLine is cleanLine's slow path for lines that need changing.
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

// isSeparator reports a line made only of dashes, bullets or similar
// marks: the dividers a copied page keeps between its parts.
func isSeparator(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch r {
		case '-', '—', '–', '_', '*', '=', '·', '•', '|', '~', ' ', '─', '━':
		default:
			return false
		}
	}
	return true
}

// trimDash removes a trailing " -" (or "-", "—") divider from a line.
func trimDash(s string) string {
	for {
		t := strings.TrimRight(s, " ")
		t2 := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "-"), "—"), "–")
		if t2 == t {
			return t
		}
		s = t2
	}
}

// runeLen counts the runes in s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// lastRune returns the last rune of s, or 0.
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	if r == utf8.RuneError {
		return 0
	}
	return r
}

// firstRune returns the first rune of s, or 0.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return 0
	}
	return r
}

// isHan reports a CJK ideograph.
func isHan(r rune) bool { return r >= 0x3400 && unicode.Is(unicode.Han, r) }

// detectLanguage returns "zh" when Han characters outnumber Latin letters
// in text, "en" when Latin letters dominate, and "" when it has neither.
// It counts bytes, not runes: in UTF-8 the common Han ideographs
// (U+4E00–U+9FFF) are exactly the characters that start with E4 to E9.
func detectLanguage(lines []string) string {
	var han, latin int
	for _, l := range lines {
		for i := 0; i < len(l); i++ {
			switch c := l[i]; {
			case c >= 0xE4 && c <= 0xE9:
				han++
			case c|0x20 >= 'a' && c|0x20 <= 'z':
				latin++
			}
		}
		if han+latin > 1000 {
			break // enough to decide
		}
	}
	switch {
	case han == 0 && latin == 0:
		return ""
	case han*3 >= latin: // a Han character carries about as much as a word
		return "zh"
	default:
		return "en"
	}
}

// hasPrefixFold reports whether s starts with prefix, ignoring the case
// of ASCII letters; other bytes must match exactly.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if a != b && (a|0x20 != b|0x20 || a|0x20 < 'a' || a|0x20 > 'z') {
			return false
		}
	}
	return true
}

// cutColon removes a leading full-width or half-width colon.
func cutColon(s string) (string, bool) {
	if r, ok := strings.CutPrefix(s, ":"); ok {
		return r, true
	}
	return strings.CutPrefix(s, "：")
}

// terminal reports a rune that ends a sentence or clause: a line whose
// last rune is one of these is prose, not a caption or a heading.
func terminal(r rune) bool {
	switch r {
	case '。', '！', '？', '!', '?', '.', '…', '；', ';', ':', '：', '”', '"', '’', '」', '』', '，', ',', '、':
		return true
	}
	return false
}
