package parse

import (
	"bytes"
	"errors"
	"time"

	"newsfeed/parse/charset"
	"newsfeed/record"
)

// Options tell the parser what it cannot see in the bytes.
type Options struct {
	// Site is the site's name or host; it goes into every record's site
	// and so into headline ids. Optional.
	Site string
	// URL is the page's address; when set, the article's id comes from it.
	URL string
	// Fetched says URL is the address the page was fetched from: the
	// page's canonical link, when on the same site, is chosen over it
	// (see Result.URL).
	Fetched bool
	// Source names the input (a path or URL) in records and errors.
	Source string
	// MaxBytes limits the input's size; 0 means DefaultMaxBytes. Larger
	// input fails with ErrTooLarge rather than being truncated.
	MaxBytes int
	// Location is the zone of times the page gives without one. When nil,
	// it follows the page's language (see ZoneOf): +08:00 for Chinese,
	// +09:00 for Japanese and Korean, else the time as the page shows it.
	Location *time.Location
	// ContentType is the HTTP Content-Type the page came with, if it was
	// fetched: its charset is one witness of an HTML page's encoding.
	ContentType string
	// Profiles are the site profiles HTML pages are read with; nil means
	// the built-in ones.
	Profiles *Profiles
	// Timeout is the time budget of the page's parse; 0 means
	// DefaultTimeout, a negative value none. A parse that spends it fails
	// with ErrBudget: the parser reads the clock between its stages and
	// inside its loops, and bounds the input of the library calls it
	// cannot interrupt (see MaxNodes), so a caller waits little longer.
	Timeout time.Duration
	// MaxNodes is the number of elements an HTML page may have; 0 means
	// DefaultMaxNodes, a negative value no bound. A larger page fails with
	// ErrBudget before its tree is built. Pages of more than 20,000
	// elements are read by a cheaper main-content path than the libraries'.
	MaxNodes int
	// MaxBlocks is the number of lines of text (paragraphs, headings, list
	// items, table rows) an HTML page may show, or a raw text may have;
	// 0 means DefaultMaxBlocks, a negative value no bound. A page with
	// more fails with ErrBudget.
	MaxBlocks int
}

// Result is what one page yields.
type Result struct {
	Article *record.Article
	// Interview is nil when the article holds no question-and-answer turns.
	Interview *record.Interview
	// Headlines are the page's list items, each once, in order of first
	// appearance; one seen in several lists has them all in Lists.
	Headlines []*record.Headline
	// Encoding is the character encoding the page was read from.
	Encoding string
	// URL is the address the records were made from: Options.URL, or
	// the page's canonical link chosen over it (Options.Fetched).
	URL string
}

// Records returns the result's records in output order: the article, the
// interview if any, then the headlines.
func (r *Result) Records() []record.Record {
	out := make([]record.Record, 0, 2+len(r.Headlines))
	out = append(out, r.Article)
	if r.Interview != nil {
		out = append(out, r.Interview)
	}
	for _, h := range r.Headlines {
		out = append(out, h)
	}
	return out
}

// Page parses a news page in either format, HTML or raw text, decided
// from the bytes.
func Page(data []byte, opts Options) (*Result, error) {
	if looksHTML(data) {
		return HTML(data, opts)
	}
	res, err := Text(data, opts)
	if res != nil {
		res.URL = opts.URL
	}
	return res, err
}

// DefaultMaxBytes is the size limit used when Options.MaxBytes is zero.
const DefaultMaxBytes = charset.DefaultMaxBytes

// Errors for input that cannot be a news page. Parse wraps them with the
// input's name; test for them with errors.Is.
var (
	ErrEmpty    = charset.ErrEmpty
	ErrTooLarge = charset.ErrTooLarge
	ErrNotText  = charset.ErrNotText
	ErrNoTitle  = errors.New("parse: no title found")
	// ErrNoText is an HTML page with no article text to title (a bot
	// challenge, a page of scripts). It is also ErrNoTitle, which callers
	// already test for.
	ErrNoText error = noTextError{}
	// ErrMarkup is HTML the HTML parser gives up on, such as elements
	// nested more than 512 deep.
	ErrMarkup = errors.New("parse: unreadable markup")
)

// noTextError is ErrNoText's type: errors.Is matches it to ErrNoTitle.
type noTextError struct{}

func (noTextError) Error() string        { return "parse: no article text" }
func (noTextError) Is(target error) bool { return target == ErrNoTitle }

// htmlMarks are what an HTML page has near its start and raw text does
// not: the first non-blank byte is "<" and one of these follows soon.
var htmlMarks = [][]byte{
	[]byte("<!doctype html"), []byte("<html"), []byte("<head"), []byte("<body"),
	[]byte("<meta"), []byte("<title"), []byte("<div"), []byte("<p>"), []byte("<p "),
	[]byte("<script"), []byte("<table"), []byte("<!--"), []byte("<link"), []byte("<article"),
}

// looksHTML reports whether data is an HTML page rather than raw text.
func looksHTML(data []byte) bool {
	data = narrowUTF16(data)
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
