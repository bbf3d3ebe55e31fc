package parse

import (
	"bytes"
	"errors"

	"newsfeed/parse/charset"
)

// DefaultMaxBytes is the size limit used when Options.MaxBytes is zero.
const DefaultMaxBytes = charset.DefaultMaxBytes

// Errors for input that cannot be a news page. Parse wraps them with the
// input's name; test for them with errors.Is.
var (
	ErrEmpty    = charset.ErrEmpty
	ErrTooLarge = charset.ErrTooLarge
	ErrNotText  = charset.ErrNotText
	ErrNoTitle  = errors.New("parse: no title found")
	// ErrMarkup is HTML the HTML parser gives up on, such as elements
	// nested more than 512 deep.
	ErrMarkup = errors.New("parse: unreadable markup")
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
