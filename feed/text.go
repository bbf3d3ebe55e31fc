package feed

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes s safe for any feed format: invalid UTF-8 becomes U+FFFD,
// characters XML 1.0 forbids (C0 controls other than tab, newline and
// carriage return; U+FFFE and U+FFFF) are dropped, and surrounding white
// space is trimmed. It returns s itself when there is nothing to change.
func clean(s string) string {
	if isClean(s) {
		return strings.TrimSpace(s)
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(s)
}

// isClean reports whether s is valid UTF-8 holding only XML characters.
// It looks at bytes only: in valid UTF-8 the characters XML forbids are
// the C0 controls (single bytes) and U+FFFE and U+FFFF (EF BF BE, EF BF
// BF); surrogates cannot occur.
func isClean(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return false
		case c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF):
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s)
}

// xmlChar reports whether r is a Char of the XML 1.0 grammar.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// oneLine cleans s and folds every run of white space into one space: for
// titles and summaries.
func oneLine(s string) string {
	s = clean(s)
	if !strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) &&
		!strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// summaryRunes is the most characters a summary keeps.
const summaryRunes = 200

// truncate cuts s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return strings.TrimSpace(s[:i]) + "…"
}

// hasHan reports whether s contains a Han character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// languageTag returns the feed language for a record's BCP 47 language:
// a bare "zh" becomes "zh-CN", the tag readers and the RSS spec use for
// simplified Chinese.
func languageTag(lang string) string {
	switch strings.ToLower(lang) {
	case "":
		return ""
	case "zh", "zh-hans", "cmn":
		return "zh-CN"
	}
	return lang
}
