package parse

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// htmlMarks are what an HTML page has near its start and raw text does
// not: the first non-blank byte is "<" and one of these follows soon.
var htmlMarks = [][]byte{
	[]byte("<!doctype html"), []byte("<html"), []byte("<head"), []byte("<body"),
	[]byte("<meta"), []byte("<title"), []byte("<div"), []byte("<p>"), []byte("<p "),
	[]byte("<script"), []byte("<table"), []byte("<!--"), []byte("<link"), []byte("<article"),
}

// looksHTML reports whether data is an HTML page rather than raw text.
func looksHTML(data []byte) bool {
	for _, bom := range [][]byte{{0xEF, 0xBB, 0xBF}, {0xFF, 0xFE}, {0xFE, 0xFF}} {
		data = bytes.TrimPrefix(data, bom)
	}
	data = bytes.TrimLeft(data, " \t\r\n\f")
	if len(data) == 0 || data[0] != '<' {
		return false
	}
	head := bytes.ToLower(data[:min(len(data), 4096)])
	for _, m := range htmlMarks {
		if bytes.Contains(head, m) {
			return true
		}
	}
	return false
}

// decodeHTML returns an HTML page as UTF-8. The encoding comes from, in
// order: a byte-order mark, the HTTP Content-Type, a <meta> charset — each
// checked against the bytes, because pages lie — and then the bytes alone.
// A page declared GB2312 whose bytes are valid UTF-8 is UTF-8; a page
// declared UTF-8 whose bytes are not is detected like raw text.
func decodeHTML(data []byte, contentType string, maxBytes int) (text, enc string, err error) {
	if err := checkSize(data, maxBytes); err != nil {
		return "", "", err
	}
	if e, name, ok := bomEncoding(data); ok {
		return decodeNamed(e, name, data)
	}
	if bytes.IndexByte(data, 0) >= 0 && !utf8.Valid(data) {
		return "", "", fmt.Errorf("%w: NUL bytes", ErrNotText)
	}
	declared, name, _ := charset.DetermineEncoding(data[:min(len(data), 4096)], contentType)
	declaredUTF8 := name == "utf-8" || declared == encoding.Nop
	if name == "gbk" || name == "gb2312" {
		// Pages labelled GB2312 or GBK hold GB18030 text as often as not;
		// GB18030 reads all three.
		declared, name = simplifiedchinese.GB18030, "gb18030"
	}
	switch {
	case utf8.Valid(data):
		// Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page
		// says; legacy CJK text is almost never valid UTF-8 by chance.
		return string(data), "utf-8", nil
	case mostlyUTF8(data):
		return strings.ToValidUTF8(string(data), "\uFFFD"), "utf-8", nil
	case !declaredUTF8 && name != "windows-1252":
		// windows-1252 is also the default when nothing is declared.
		if out, ok := decodeCleanly(declared, data); ok {
			return out, name, nil
		}
	}
	if looksGB2312(data) {
		return decodeNamed(simplifiedchinese.GB18030, "gb18030", data)
	}
	if e, n := detectEncoding(data); e != nil {
		return decodeNamed(e, n, data)
	}
	return decodeNamed(declared, name, data)
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

// decodeNamed is decodeWith that also returns the encoding's name.
func decodeNamed(e encoding.Encoding, name string, data []byte) (string, string, error) {
	text, err := decodeWith(e, name, data)
	return text, name, err
}
