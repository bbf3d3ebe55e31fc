package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"

	"newsfeed/store"
)

// DefaultFile is the sources file read from the working directory when
// no --config names one.
const DefaultFile = "newsfeed.toml"

// Defaults for a source's settings left out of the file.
const (
	DefaultMaxArticles = 50
	DefaultEvery       = 10 * time.Minute
)

// ErrConfig marks every error in a sources file; test with errors.Is.
var ErrConfig = errors.New("bad sources file")

// Kind is the shape of a list page: how its article links are found.
type Kind string

// The kinds of list page.
const (
	KindFeed    Kind = "feed"    // RSS, Atom or JSON Feed: the items' links
	KindSitemap Kind = "sitemap" // sitemap, sitemap index or news sitemap
	KindHTML    Kind = "html"    // a section page: links by selector, pattern or the profile's links key
	KindURLs    Kind = "urls"    // a fixed list of article URLs
	// KindSite is a site known by its address alone (type = "site"):
	// the poller discovers at its first poll how to follow it (package
	// discover) and polls it as the feed, sitemap or html source found.
	KindSite Kind = "site"
)

// TypeSite is the one value of a source's type key: a site source.
const TypeSite = "site"

// Config is a sources file: run-wide settings, then the sources. Zero
// fields mean the command line's (or the built-in) defaults.
type Config struct {
	// Path is the file the config was read from.
	Path string `toml:"-"`

	DB       string `toml:"db"`       // the database file
	Out      string `toml:"out"`      // the feed folder
	BaseURL  string `toml:"base_url"` // where the feed folder is served
	Profiles string `toml:"profiles"` // a site profile file, relative to the sources file
	// Contact is a URL (or mail address) where site owners reach whoever
	// runs this newsfeed; it goes into the User-Agent.
	Contact string `toml:"contact"`

	// Politeness and limits of the fetcher.
	PerHost int `toml:"per_host"`
	// Delay is nil when the file does not set it: "0s" asks for none.
	Delay          *Duration `toml:"delay"`
	Retries        *int      `toml:"retries"`
	Timeout        Duration  `toml:"timeout"`
	ConnectTimeout Duration  `toml:"connect_timeout"`
	MaxRetryWait   Duration  `toml:"max_retry_wait"`
	// MaxRetryAfter caps a server's Retry-After (zero: the fetcher's
	// default, 24h): a host asking for more is deferred this long.
	MaxRetryAfter Duration `toml:"max_retry_after"`
	MaxBytes      int      `toml:"max_bytes"`
	AllowPrivate  bool     `toml:"allow_private"`
	IgnoreRobots  bool     `toml:"ignore_robots"`

	// Retention is how long run keeps records (the [retention] table:
	// per kind, the age past which run deletes a record, and "log", the
	// age of superseded change-log entries and tombstones; a kind left out
	// is kept forever), nil when the file has none. CompactAbove is when
	// run compacts the database, nil when not set. The --retention and
	// --compact-above flags win over both.
	Retention    *store.Retention `toml:"-"`
	CompactAbove *float64         `toml:"compact_above"`

	// Defaults are the settings of every source that does not set its own.
	Defaults Settings `toml:"defaults"`
	// Sources are the list pages, in the file's order.
	Sources []*Source `toml:"source"`
}

// Settings are what a source may set and [defaults] sets for all.
type Settings struct {
	Site    string `toml:"site"`    // the name records carry in site
	Profile string `toml:"profile"` // a site profile file for this source's pages, relative to the sources file
	// MaxArticles is the most articles fetched from the source in one run.
	MaxArticles int `toml:"max_articles"`
	// MaxAge skips articles older than this, when the list shows a date.
	MaxAge Duration `toml:"max_age"`
	// Every is the shortest time between two polls of the list page.
	Every Duration `toml:"every"`
	// Refresh re-fetches stored articles (conditionally) while they are
	// younger than this: comment counts and hot lists change. Zero: never.
	Refresh Duration `toml:"refresh"`
}

// Source is one list page and how to read it. Exactly one of Feed,
// Sitemap, HTML and URLs is set, or Type is "site" and URL is set; Kind
// says which.
type Source struct {
	Name    string `toml:"name"`
	Feed    *URL   `toml:"feed"`
	Sitemap *URL   `toml:"sitemap"`
	HTML    *URL   `toml:"html"`
	URLs    []URL  `toml:"urls"`
	// Type "site" (TypeSite) makes a site source: URL is the site's
	// address (a home or section page), and how to follow it is
	// discovered when it is polled.
	Type string `toml:"type"`
	URL  *URL   `toml:"url"`
	// Links selects the article links on an HTML page (an <a>, or an
	// element holding them; a group "a.x, .list a" selects either);
	// Pattern keeps every link whose absolute URL it matches. With
	// neither, the site profile's links key is used.
	Links   *Selector `toml:"links"`
	Pattern *Pattern  `toml:"pattern"`
	Settings

	// Kind is the source's shape and Line the line of its [[source]]
	// header; both are set by Load.
	Kind Kind `toml:"-"`
	Line int  `toml:"-"`
}

// ListURL returns the list page's URL (a site source's address), or ""
// for a urls source.
func (s *Source) ListURL() string {
	for _, u := range []*URL{s.Feed, s.Sitemap, s.HTML, s.URL} {
		if u != nil {
			return u.String()
		}
	}
	return ""
}

// Load reads the sources file at path. Unknown keys, values of the
// wrong type, bad URLs, selectors, patterns and durations are errors
// wrapping ErrConfig that name the file, the line and the key.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err) // *PathError names the file
	}
	return Parse(data, path)
}

// Parse reads a sources file's bytes; name names it in errors.
//
// Every value is checked before it is decoded (see lint): a value of the
// wrong TOML type, a negative count or duration, a duration too long to
// hold, a bad URL, selector or pattern, or a control character in a
// string sent in a header (contact, base_url, a name) is an error that
// names the line and the key.
func Parse(data []byte, name string) (*Config, error) {
	keys, err := lint(data, name)
	if err != nil {
		return nil, err
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, decodeError(name, err)
	}
	c := &f.Config
	c.Path, c.Retention = name, f.Retention.retention()
	headers := sourceLines(data)
	seen := map[string]int{}
	for i, s := range c.Sources {
		if i < len(headers) {
			s.Line = headers[i]
		}
		// keyAt is the line of the source's key, or of its header.
		keyAt := func(key string) int {
			if n := keys["source."+strconv.Itoa(i)+"."+key]; n > 0 {
				return n
			}
			return s.Line
		}
		if key, err := c.check(s, i); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %w", ErrConfig, name, keyAt(key), err)
		}
		if prev, ok := seen[s.Name]; ok {
			return nil, fmt.Errorf("%w: %s:%d: name: %q is already the name of the source on line %d",
				ErrConfig, name, keyAt("name"), s.Name, prev)
		}
		seen[s.Name] = s.Line
	}
	return c, nil
}

// file is a sources file as written: Config, with the [retention] table
// in its own shape.
type file struct {
	Config
	Retention *retentionTable `toml:"retention"`
}

// check fills in the source's kind, name and defaults, and refuses a
// source that is not exactly one kind; key is the key the error is about
// ("" for the source as a whole).
func (c *Config) check(s *Source, i int) (key string, err error) {
	if key, err := s.kind(); err != nil {
		return key, err
	}
	if s.Name == "" {
		s.Name = s.ListURL()
		if s.Kind == KindURLs {
			s.Name = "source" + strconv.Itoa(i+1)
		}
	}
	if key, err := s.checkSite(); err != nil {
		return key, err
	}
	if s.Links != nil && s.Kind != KindHTML {
		return "links", fmt.Errorf("links: only for html sources, not %s", s.Kind)
	}
	if s.Pattern != nil && s.Kind != KindHTML {
		return "pattern", fmt.Errorf("pattern: only for html sources, not %s", s.Kind)
	}
	d := c.Defaults
	if s.Site == "" {
		s.Site = d.Site
	}
	if s.Profile == "" {
		s.Profile = d.Profile
	}
	if s.MaxArticles == 0 {
		s.MaxArticles = cmp(d.MaxArticles, DefaultMaxArticles)
	}
	if s.MaxAge == 0 {
		s.MaxAge = d.MaxAge
	}
	if s.Every == 0 {
		s.Every = Duration(cmp(time.Duration(d.Every), DefaultEvery))
	}
	if s.Refresh == 0 {
		s.Refresh = d.Refresh
	}
	return "", nil
}

// kind sets the source's Kind from the keys it sets, and refuses a
// source that is not exactly one kind.
func (s *Source) kind() (key string, err error) {
	var kinds []Kind
	if s.Feed != nil {
		kinds = append(kinds, KindFeed)
	}
	if s.Sitemap != nil {
		kinds = append(kinds, KindSitemap)
	}
	if s.HTML != nil {
		kinds = append(kinds, KindHTML)
	}
	if s.URLs != nil {
		kinds = append(kinds, KindURLs)
	}
	if s.Type != "" || s.URL != nil {
		kinds = append(kinds, KindSite)
	}
	switch len(kinds) {
	case 0:
		return "", errors.New(`source: needs one of feed, sitemap, html or urls (or type = "site" and a url)`)
	case 1:
		s.Kind = kinds[0]
	default:
		if kinds[1] == KindSite {
			k := "type"
			if s.Type == "" {
				k = "url"
			}
			return k, fmt.Errorf("%s: %s sources have no %s; a site source (type = %q) has only a url",
				k, kinds[0], k, TypeSite)
		}
		return string(kinds[1]), fmt.Errorf("source: has both %s and %s; a source is one list page", kinds[0], kinds[1])
	}
	if s.Kind == KindURLs && len(s.URLs) == 0 {
		return "urls", errors.New("urls: the list is empty")
	}
	return "", nil
}

// checkSite refuses a site source without type = "site" or without a
// url, and one with links or a pattern: discovery finds its links.
func (s *Source) checkSite() (key string, err error) {
	if s.Kind != KindSite {
		return "", nil
	}
	switch {
	case s.Type != TypeSite:
		if s.Type == "" {
			return "url", fmt.Errorf(`url: only for a site source: add type = %q, or name the list page's kind (feed, sitemap or html)`, TypeSite)
		}
		return "type", fmt.Errorf("type: %q: the one type is %q (other sources name their list page's kind: feed, sitemap, html or urls)", s.Type, TypeSite)
	case s.URL == nil:
		return "type", fmt.Errorf("type: source %s is a site source but has no url", s.Name)
	case s.Links != nil:
		return "links", fmt.Errorf("links: source %s is a site source, whose links discovery finds; for a selector of your own make it an html source", s.Name)
	case s.Pattern != nil:
		return "pattern", fmt.Errorf("pattern: source %s is a site source, whose links discovery finds; for a pattern of your own make it an html source", s.Name)
	}
	return "", nil
}

// cmp returns v, or def when v is zero.
func cmp[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// decodeError turns the TOML decoder's error into one naming the file,
// the line and the key.
func decodeError(name string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		var msgs []string
		for _, e := range strict.Errors {
			row, _ := e.Position()
			msgs = append(msgs, fmt.Sprintf("%s:%d: %s: unknown key", name, row, strings.Join(e.Key(), ".")))
		}
		return fmt.Errorf("%w: %s", ErrConfig, strings.Join(msgs, "; "))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		msg := goTypes.ReplaceAllStringFunc(strings.TrimPrefix(de.Error(), "toml: "), tomlTypes)
		if key := de.Key(); len(key) > 0 {
			return fmt.Errorf("%w: %s:%d: %s: %s", ErrConfig, name, row, strings.Join(key, "."), msg)
		}
		return fmt.Errorf("%w: %s:%d: %s", ErrConfig, name, row, msg)
	}
	return fmt.Errorf("%w: %s: %w", ErrConfig, name, err)
}

// goTypes is the decoder's message for a value of the wrong type, which
// names Go's types; lint catches these first, and tomlTypes rewrites any
// it does not in TOML's words.
var goTypes = regexp.MustCompile(`cannot decode TOML ([a-z ]+) into (?:struct field \S+ of type )?(\S+)`)

func tomlTypes(msg string) string {
	m := goTypes.FindStringSubmatch(msg)
	want := "another type"
	switch t := strings.TrimLeft(m[2], "*"); {
	case t == "string", t == "config.Duration", t == "config.age", strings.HasPrefix(t, "config.URL"),
		t == "config.Selector", t == "config.Pattern":
		want = "a string"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		want = "an integer"
	case t == "bool":
		want = "a boolean"
	case strings.HasPrefix(t, "float"):
		want = "a number"
	case strings.HasPrefix(t, "[]"):
		want = "an array"
	case strings.HasPrefix(t, "config."):
		want = "a table"
	}
	got := m[1]
	if strings.HasPrefix(got, "a") || strings.HasPrefix(got, "i") {
		got = "an " + got
	} else {
		got = "a " + got
	}
	return "expected " + want + ", got " + got
}

// sourceHeader is a [[source]] line.
var sourceHeader = regexp.MustCompile(`^\s*\[\[\s*source\s*\]\]`)

// sourceLines returns the line number of each [[source]] header, in
// order: the decoder does not keep positions, and errors found after
// decoding name the source's line.
func sourceLines(data []byte) []int { return matchLines(data, sourceHeader) }

// matchLines returns the numbers of the lines re matches, in order.
func matchLines(data []byte, re *regexp.Regexp) []int {
	var lines []int
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		if re.Match(sc.Bytes()) {
			lines = append(lines, n)
		}
	}
	return lines
}
