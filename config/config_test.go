package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"newsfeed/record"
)

const goodConfig = `# a comment
contact = "https://example.org/bot"
per_host = 4
delay = "2s"
retries = 1

[defaults]
every = "5m"
max_age = "7d"

[[source]]
name = "intl"
html = "https://www.guancha.cn/internation"
links = "h4.module-title a, .list a"
refresh = "2h"

[[source]]
feed = "https://example.org/rss.xml"
max_articles = 5

[[source]]
name = "sitemap"
sitemap = "https://example.org/sitemap.xml"

[[source]]
urls = ["https://example.org/a/1", "https://example.org/a/2"]
`

func TestParse_OK(t *testing.T) {
	c, err := Parse([]byte(goodConfig), "newsfeed.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Contact != "https://example.org/bot" || c.PerHost != 4 || c.Delay.D() != 2*time.Second || *c.Retries != 1 {
		t.Errorf("settings: %+v", c)
	}
	want := []struct {
		name  string
		kind  Kind
		line  int
		every time.Duration
		max   int
	}{
		{"intl", KindHTML, 11, 5 * time.Minute, DefaultMaxArticles},
		{"https://example.org/rss.xml", KindFeed, 17, 5 * time.Minute, 5},
		{"sitemap", KindSitemap, 21, 5 * time.Minute, DefaultMaxArticles},
		{"source4", KindURLs, 25, 5 * time.Minute, DefaultMaxArticles},
	}
	if len(c.Sources) != len(want) {
		t.Fatalf("%d sources, want %d", len(c.Sources), len(want))
	}
	for i, w := range want {
		s := c.Sources[i]
		if s.Name != w.name || s.Kind != w.kind || s.Line != w.line || s.Every.D() != w.every || s.MaxArticles != w.max {
			t.Errorf("source %d: %q %s line %d every %v max %d; want %+v", i, s.Name, s.Kind, s.Line, s.Every.D(), s.MaxArticles, w)
		}
		if s.MaxAge.D() != 7*24*time.Hour {
			t.Errorf("source %d: max_age %v, want the default 7d", i, s.MaxAge.D())
		}
	}
	if s := c.Sources[0]; s.Links == nil || s.Links.String() != "h4.module-title a, .list a" || s.Refresh.D() != 2*time.Hour {
		t.Errorf("intl: links %v refresh %v", s.Links, s.Refresh.D())
	}
}

func TestParse_Retention(t *testing.T) {
	c, err := Parse([]byte("compact_above = 30\n[retention]\nheadline = \"30d\"\ninterview = \"12h\"\nlog = \"400d\"\n"), "f.toml")
	if err != nil {
		t.Fatal(err)
	}
	r := c.Retention
	if r == nil || r.Ages[record.KindHeadline] != 30*24*time.Hour || r.Ages[record.KindArticle] != 0 || r.Ages[record.KindInterview] != 12*time.Hour || r.Log != 400*24*time.Hour {
		t.Errorf("retention %+v", r)
	}
	if c.CompactAbove == nil || *c.CompactAbove != 30 {
		t.Errorf("compact_above %v, want 30", c.CompactAbove)
	}
	if c, err := Parse([]byte(goodConfig), "f.toml"); err != nil || c.Retention != nil || c.CompactAbove != nil {
		t.Errorf("a file with neither: retention %v, compact_above %v, %v", c.Retention, c.CompactAbove, err)
	}
}

func TestParse_Errors(t *testing.T) {
	tests := map[string]struct {
		in   string
		want string // the error must contain it
	}{
		"UnknownKey":       {"per_host = 2\n[[source]]\nfeed = \"https://a.example/f\"\nevry = \"1m\"\n", "f.toml:4: source.evry: unknown key"},
		"UnknownTopKey":    {"\n\nusr_agent = \"x\"\n", "f.toml:3: usr_agent: unknown key"},
		"BadURL":           {"[[source]]\nhtml = \"/relative\"\n", "f.toml:2: source.html: bad URL \"/relative\""},
		"BadScheme":        {"[[source]]\nfeed = \"ftp://a.example/f\"\n", "f.toml:2: source.feed: bad URL"},
		"BadURLInList":     {"[[source]]\nurls = [\"https://a.example/1\",\n  \"mailto:x@y\"]\n", "source.urls: bad URL \"mailto:x@y\""},
		"BadSelector":      {"[[source]]\nhtml = \"https://a.example/\"\nlinks = \"h4[\"\n", "f.toml:3: source.links: bad selector \"h4[\""},
		"BadPattern":       {"[[source]]\nhtml = \"https://a.example/\"\npattern = \"(\"\n", "f.toml:3: source.pattern: bad pattern"},
		"BadDuration":      {"[defaults]\nevery = \"often\"\n", "f.toml:2: defaults.every: bad duration \"often\""},
		"WrongType":        {"per_host = \"two\"\n", "f.toml:1: per_host:"},
		"Syntax":           {"per_host = \n", "f.toml:1:"},
		"NoKind":           {"[[source]]\nname = \"x\"\n", "f.toml:1: source: needs one of feed, sitemap, html or urls"},
		"TwoKinds":         {"\n[[source]]\nfeed = \"https://a.example/f\"\nhtml = \"https://a.example/\"\n", "f.toml:4: source: has both feed and html"},
		"LinksOnFeed":      {"[[source]]\nfeed = \"https://a.example/f\"\nlinks = \"a\"\n", "f.toml:3: links: only for html sources"},
		"DuplicateName":    {"[[source]]\nname = \"a\"\nfeed = \"https://a.example/f\"\n[[source]]\nname = \"a\"\nfeed = \"https://a.example/g\"\n", "f.toml:5: name: \"a\" is already the name of the source on line 1"},
		"NegativeArticles": {"[[source]]\nfeed = \"https://a.example/f\"\nmax_articles = -1\n", "f.toml:3: source.max_articles: -1: cannot be negative"},
		"EmptyURLs":        {"[[source]]\nurls = []\n", "f.toml:2: urls: the list is empty"},
		"BadRetention":     {"db = \"x.db\"\n[retention]\nheadline = \"30d\"\narticle = \"a year\"\n", "f.toml:4: retention.article: bad duration \"a year\""},
		"ZeroRetention":    {"[retention]\nlog = \"0\"\n", "f.toml:2: retention.log: bad age \"0\": must be positive"},
		"RetentionKind":    {"[retention]\n\nheadlines = \"30d\"\n", "f.toml:3: retention.headlines: unknown key"},
		"RetentionString":  {"retention = \"headline=30d\"\n", "f.toml:1: retention:"},
		"CompactAbove":     {"db = \"x.db\"\ncompact_above = 150\n", "f.toml:2: compact_above: 150: want a percentage from 0 to 100"},
		"CompactAboveNaN":  {"compact_above = nan\n", "f.toml:1: compact_above: NaN: want a percentage"},
		"CompactAboveType": {"compact_above = \"half\"\n", "f.toml:1: compact_above:"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			wantParseError(t, tt.in, tt.want)
		})
	}
}

// wantParseError parses in as f.toml and checks that the error wraps
// ErrConfig and contains want; it returns the error.
func wantParseError(t *testing.T, in, want string) error {
	t.Helper()
	_, err := Parse([]byte(in), "f.toml")
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, ErrConfig) {
		t.Errorf("error %v does not wrap ErrConfig", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\nwant it to contain %q", err, want)
	}
	return err
}

func TestLoad_MissingFile(t *testing.T) {
	_, err := Load("/nonexistent/newsfeed.toml")
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "/nonexistent/newsfeed.toml") {
		t.Errorf("err = %v", err)
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "90s": 90 * time.Second, "1h30m": 90 * time.Minute, "7d": 7 * 24 * time.Hour} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err != nil || d.D() != want {
			t.Errorf("%q: %v, %v; want %v", in, d.D(), err, want)
		}
		// Written back, it reads as the same duration.
		text, err := d.MarshalText()
		var again Duration
		if err != nil || again.UnmarshalText(text) != nil || again != d {
			t.Errorf("%q: written %q (%v), read back %v", in, text, err, again.D())
		}
	}
	if text, _ := Duration(90 * 24 * time.Hour).MarshalText(); string(text) != "90d" {
		t.Errorf("90 days written %q, want 90d", text)
	}
	for _, in := range []string{"", "d", "1.5d", "1w", "99999999999999d", "9999999999999h"} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// FuzzParse: any bytes give a config or an error wrapping ErrConfig,
// and every source of a config has exactly one kind and a name.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Add([]byte("[[source]]\nurls = [\"https://a.example/1\"]\n"))
	f.Add([]byte("[defaults]\nevery = \"3d\"\n"))
	f.Add([]byte("per_host = \"2\"\ncontact = 5\n[retention]\nheadline = 5\n[[source]]\nfeed = 7\nevery = \"-1s\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "f.toml")
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			if strings.Contains(err.Error(), "config.") || strings.Contains(err.Error(), "struct field") {
				t.Fatalf("error %q names Go types, not TOML ones", err)
			}
			return
		}
		for _, s := range c.Sources {
			if s.Kind == "" || s.Name == "" || (s.Kind != KindURLs) == (s.ListURL() == "") {
				t.Fatalf("source %+v", s)
			}
		}
	})
}

// The example sources file in the repository is valid.
func TestLoad_Example(t *testing.T) {
	c, err := Load("../newsfeed.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) == 0 || c.Contact == "" || c.Defaults.Site != "观察者网" {
		t.Errorf("example: %d sources, contact %q", len(c.Sources), c.Contact)
	}
	if c.Retention == nil || c.Retention.Ages[record.KindHeadline] != 30*24*time.Hour || c.CompactAbove == nil || *c.CompactAbove != 50 {
		t.Errorf("example: retention %+v, compact_above %v", c.Retention, c.CompactAbove)
	}
	for _, s := range c.Sources {
		if s.Kind == KindSite {
			if s.URL == nil {
				t.Errorf("%s (line %d): site source with no url", s.Name, s.Line)
			}
			continue
		}
		if s.Kind != KindHTML || s.Links == nil && s.Pattern == nil {
			t.Errorf("%s (line %d): %s source with no links rule", s.Name, s.Line, s.Kind)
		}
	}
}
