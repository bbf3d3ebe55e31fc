package discover

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"newsfeed/config"
)

// Block returns the method as a [[source]] block of the sources file,
// ending in a newline.
func (m *Method) Block(name string) string {
	var b strings.Builder
	b.WriteString("[[source]]\n")
	fmt.Fprintf(&b, "name = %s\n", Quote(name))
	fmt.Fprintf(&b, "%s = %s\n", m.Kind, Quote(m.URL))
	if m.Links != "" {
		fmt.Fprintf(&b, "links = %s\n", Quote(m.Links))
	}
	if m.Pattern != "" {
		fmt.Fprintf(&b, "pattern = %s\n", Quote(m.Pattern))
	}
	return b.String()
}

// Comment returns text with every line commented out ("# ").
func Comment(text string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString("# " + l)
		}
	}
	return b.String()
}

// Source returns the method as the sources file's parser makes it of
// Block(name): the proof that the block is a valid source.
func (m *Method) Source(name string) (*config.Source, error) {
	c, err := config.Parse([]byte(m.Block(name)), "discovered source")
	if err != nil {
		return nil, err
	}
	return c.Sources[0], nil
}

// Quote writes s as a TOML string: a literal string ('…') when s holds a
// backslash or a quote and no apostrophe (patterns read best so), else a
// basic string with its escapes.
func Quote(s string) string {
	if strings.ContainsAny(s, `\"`) && !strings.ContainsAny(s, "'\n\r\t") && !hasControl(s) {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// nameChars are what a source name keeps of a host and path.
var nameChars = regexp.MustCompile(`[^\p{L}\p{N}.]+`)

// Name returns a source name for a page: its host without "www." and,
// for a page below the root, its path ("example.org-world-europe").
func Name(pageURL string) string {
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return "site"
	}
	name := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := strings.Trim(nameChars.ReplaceAllString(u.Path, "-"), "-."); p != "" {
		name += "-" + p
	}
	return name
}

// Same says m and o read the same list page the same way (their Found,
// Score and Articles aside): a poller that discovers a site again tells
// by it whether the method changed.
func (m *Method) Same(o *Method) bool {
	if m == nil || o == nil {
		return m == o
	}
	return m.Kind == o.Kind && m.URL == o.URL && m.Links == o.Links && m.Pattern == o.Pattern && m.News == o.News
}

// String names the method as a log line or a listing does: "feed URL",
// "news sitemap URL", `html URL links "…" pattern "…"`.
func (m *Method) String() string {
	var b strings.Builder
	if m.News {
		b.WriteString("news ")
	}
	b.WriteString(string(m.Kind) + " " + m.URL)
	if m.Links != "" {
		b.WriteString(" links " + strconv.Quote(m.Links))
	}
	if m.Pattern != "" {
		b.WriteString(" pattern " + strconv.Quote(m.Pattern))
	}
	return b.String()
}
