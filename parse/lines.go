package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"newsfeed/parse/textline"
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
		lines = append(lines, textline.Clean(line))
	}
	return lines
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

// detectLanguage returns "ja" when the text is CJK and kana make up a
// fifth or more of it, "ko" when Hangul outnumbers the other CJK
// characters, "zh" when Han characters (with either) outnumber Latin
// letters, "en" when Latin letters dominate, and "" when it has neither.
// It counts bytes, not runes: in UTF-8 the common Han ideographs
// (U+4E00–U+9FFF) are exactly the characters that start with E4 to E9,
// kana (U+3040–U+30FF) start with E3 81, E3 82 or E3 83, and Hangul
// syllables (U+AC00–U+D7A3) with EA to ED.
func detectLanguage(lines []string) string {
	var han, kana, hangul, latin int
	for _, l := range lines {
		for i := 0; i < len(l); i++ {
			switch c := l[i]; {
			case c >= 0xE4 && c <= 0xE9:
				han++
			case c == 0xE3 && i+1 < len(l) && l[i+1] >= 0x81 && l[i+1] <= 0x83:
				kana++
			case c >= 0xEA && c <= 0xED:
				hangul++
			case c|0x20 >= 'a' && c|0x20 <= 'z':
				latin++
			}
		}
		if han+kana+hangul+latin > 1000 {
			break // enough to decide
		}
	}
	cjk := han + kana + hangul
	switch {
	case cjk == 0 && latin == 0:
		return ""
	case cjk*3 < latin: // a CJK character carries about as much as a word
		return "en"
	case hangul > han+kana:
		return "ko"
	case kana*5 >= cjk:
		return "ja"
	default:
		return "zh"
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
