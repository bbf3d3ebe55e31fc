// Package charset turns a page's bytes into UTF-8 text, for raw text and
// HTML alike, with one decision order and one set of refusals.
//
// The order: a byte-order mark; then what the page's sender and the page
// itself declare — the transport's Content-Type and, in HTML, the <meta>
// charset — each checked against the bytes, because pages lie (a page
// declared GB2312 whose bytes are valid UTF-8 is UTF-8, and the reverse);
// then the bytes alone. The refusals: empty input, input over the size
// limit (never silently truncated), NUL bytes, and text that decodes to
// mostly control or replacement characters.
package charset

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	xcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// DefaultMaxBytes is the size limit used when Hints.MaxBytes is zero.
const DefaultMaxBytes = 16 << 20

// Errors for input that cannot be a page. Package parse exports the same
// values; test for them with errors.Is.
var (
	ErrEmpty    = errors.New("parse: empty input")
	ErrTooLarge = errors.New("parse: input too large")
	ErrNotText  = errors.New("parse: input is neither text nor HTML")
)

// Hints are what is known about a page besides its bytes.
type Hints struct {
	// ContentType is the HTTP Content-Type the page came with, if any.
	ContentType string
	// Markup says the page is HTML: its <meta> charset is read too.
	Markup bool
	// MaxBytes limits the input's size; 0 means DefaultMaxBytes.
	MaxBytes int
}

// Decode returns data as UTF-8 text and the name of the encoding it was
// read from, or an error wrapping ErrEmpty, ErrTooLarge or ErrNotText.
func Decode(data []byte, h Hints) (text, enc string, err error) {
	if err := checkSize(data, h.MaxBytes); err != nil {
		return "", "", err
	}
	if e, name, ok := bomEncoding(data); ok {
		text, err := decodeWith(e, name, data)
		if err != nil {
			return "", "", err
		}
		return checkText(text, name)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", "", fmt.Errorf("%w: NUL bytes", ErrNotText)
	}
	declared, name := declaredEncoding(data, h)
	switch {
	case utf8.Valid(data):
		// Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page
		// says; legacy CJK text is almost never valid UTF-8 by chance.
		return checkText(string(data), "utf-8")
	case mostlyUTF8(data):
		// A UTF-8 page with a few broken bytes (a bad copy, a truncated
		// character) is still UTF-8: keep its text, mark the damage.
		return checkText(strings.ToValidUTF8(string(data), "\uFFFD"), "utf-8")
	case declared != nil:
		if out, ok := decodeCleanly(declared, data); ok {
			return checkText(out, name)
		}
	}
	// The bytes decide; the declaration, then HTML's default, are the
	// fall-backs. The first reading that is text wins.
	type reading struct {
		e    encoding.Encoding
		name string
	}
	var tries []reading
	if e, detected := detectEncoding(data); e != nil {
		tries = append(tries, reading{e, detected})
	}
	if declared != nil {
		tries = append(tries, reading{declared, name})
	}
	if h.Markup && declared == nil {
		tries = append(tries, reading{charmap.Windows1252, "windows-1252"})
	}
	err = fmt.Errorf("%w: not UTF-8 and no known encoding fits", ErrNotText)
	for _, r := range tries {
		var out string
		if out, err = decodeWith(r.e, r.name, data); err != nil {
			continue
		}
		if text, enc, err = checkText(out, r.name); err == nil {
			return text, enc, nil
		}
	}
	return "", "", err
}

// declaredEncoding returns the legacy encoding the Content-Type or, in
// HTML, the <meta> charset declares, or nil when they declare UTF-8 or
// nothing (windows-1252 is also what HTML's rules fall back to when
// nothing is declared, so it counts as nothing). GBK and GB2312 come back
// as GB18030: pages so labelled hold GB18030 text as often as not, and it
// reads all three.
func declaredEncoding(data []byte, h Hints) (encoding.Encoding, string) {
	var e encoding.Encoding
	var name string
	switch {
	case h.Markup:
		e, name, _ = xcharset.DetermineEncoding(data[:min(len(data), 4096)], h.ContentType)
	case h.ContentType != "":
		e, name, _ = xcharset.DetermineEncoding(nil, h.ContentType)
	}
	switch name {
	case "", "utf-8", "windows-1252":
		return nil, ""
	case "gbk", "gb2312":
		return simplifiedchinese.GB18030, "gb18030"
	}
	if e == encoding.Nop {
		return nil, ""
	}
	return e, name
}

// checkSize refuses input over maxBytes (0: DefaultMaxBytes), wrapped in
// ErrTooLarge rather than silently truncated, and input that is empty or
// only white space.
func checkSize(data []byte, maxBytes int) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if len(data) > maxBytes {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), maxBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return ErrEmpty
	}
	return nil
}

// decodeWith decodes data with e, which name names.
func decodeWith(e encoding.Encoding, name string, data []byte) (string, error) {
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("%w: bad %s: %v", ErrNotText, name, err)
	}
	return string(out), nil
}

// bomEncoding recognises a UTF-8 or UTF-16 byte-order mark. The decoders it
// returns drop the mark.
func bomEncoding(data []byte) (encoding.Encoding, string, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8BOM, "utf-8", true
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le", true
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be", true
	}
	return nil, "", false
}

// detectSample bounds the bytes the statistical detector reads: its cost
// grows with the input, and 16 KiB of a page decide its encoding.
const detectSample = 16 << 10

// detectEncoding guesses the legacy encoding of data from its bytes. Text
// that is plainly GB2312-range Chinese, the common case for Chinese news
// sites, is recognised directly; anything else goes to the ICU detector's
// statistics, and the best candidate that the WHATWG encoding index knows
// wins. GBK and GB2312 text is decoded as GB18030, their superset, so one
// decoder reads all three.
func detectEncoding(data []byte) (encoding.Encoding, string) {
	if looksGB2312(data) {
		return simplifiedchinese.GB18030, "gb18030"
	}
	sample := data
	if len(sample) > detectSample {
		sample = sample[:detectSample]
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i]
		}
	}
	results, err := chardet.NewTextDetector().DetectAll(sample)
	if err != nil {
		return nil, ""
	}
	for _, r := range results {
		if r.Confidence < 10 {
			break
		}
		if r.Charset == "UTF-8" || r.Charset == "" {
			continue // the bytes were checked: not valid UTF-8
		}
		if e, name := xcharset.Lookup(r.Charset); e != nil {
			return e, name
		}
	}
	return nil, ""
}

// mostlyUTF8 reports whether data is UTF-8 but for a few broken bytes:
// valid multi-byte sequences outnumber invalid bytes fifty to one. Legacy
// CJK encodings almost never form valid UTF-8 sequences by chance.
func mostlyUTF8(data []byte) bool {
	var multi, bad int
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			multi++
		}
		i += n
	}
	return multi >= 50*bad
}

// looksGB2312 reports text whose non-ASCII bytes are, nearly all, GB2312
// characters (both bytes A1–FE) with the spread of lead bytes that
// Chinese prose has. It is a fast path, not a detector: it says no to
// anything less clear — Big5 and Shift_JIS use trail bytes below A1, and
// EUC-KR's Hangul keeps its lead bytes below C9, where "是", "在", "中"
// never are — and the statistical detector decides those.
func looksGB2312(data []byte) bool {
	var pairs, gb, high int
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c < 0x80 {
			continue
		}
		if i+1 == len(data) {
			return false
		}
		pairs++
		t := data[i+1]
		if c >= 0xA1 && c <= 0xF7 && t >= 0xA1 && t <= 0xFE {
			gb++
			if c >= 0xC9 {
				high++
			}
		}
		i++
	}
	return pairs >= 20 && gb*100 >= pairs*98 && high*10 >= gb
}

// decodeCleanly decodes data with e and reports whether it decoded with
// few replacement characters: under one in two hundred.
func decodeCleanly(e encoding.Encoding, data []byte) (string, bool) {
	if e == nil {
		return "", false
	}
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return "", false
	}
	bad := bytes.Count(out, []byte("\uFFFD"))
	return string(out), bad*200 <= utf8.RuneCount(out)
}

// checkText refuses decoded text that is mostly control characters or
// replacement characters: such input was binary, whatever its bytes
// happened to decode to.
func checkText(s, enc string) (string, string, error) {
	bad := strings.Count(s, "\uFFFD")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' || c == 0x7f {
			bad++
		}
	}
	if bad == 0 {
		return s, enc, nil
	}
	if total := utf8.RuneCountInString(s); bad*20 > total { // over 5%
		return "", "", fmt.Errorf("%w: %d of %d characters are control or undecodable (read as %s)",
			ErrNotText, bad, total, enc)
	}
	return s, enc, nil
}
