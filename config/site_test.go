package config

import "testing"

// A site source is type = "site" and a url: its kind is site, its name
// defaults to its address, and it takes the usual settings.
func TestParse_Site(t *testing.T) {
	c, err := Parse([]byte("[defaults]\nevery = \"1h\"\n\n[[source]]\ntype = \"site\"\nurl = \"https://example.org/news/\"\nmax_articles = 7\n\n[[source]]\nname = \"b\"\ntype = \"site\"\nurl = \"https://b.example/\"\n"), "f.toml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sources[0]
	if s.Kind != KindSite || s.Name != "https://example.org/news/" || s.ListURL() != "https://example.org/news/" ||
		s.MaxArticles != 7 || s.Every.D().Hours() != 1 || s.Line != 4 {
		t.Errorf("site source: %+v", s)
	}
	if b := c.Sources[1]; b.Kind != KindSite || b.Name != "b" || b.MaxArticles != DefaultMaxArticles {
		t.Errorf("second site source: %+v", b)
	}
}

// A site source with a selector or a pattern, without a url, with
// another kind's key, or of another type is an error naming the line,
// the key and, where it matters, the source.
func TestParse_SiteErrors(t *testing.T) {
	const site = "[[source]]\nname = \"ex\"\ntype = \"site\"\nurl = \"https://example.org/\"\n"
	for name, tt := range map[string]struct{ in, want string }{
		"Links":      {site + "links = \"h2 a\"\n", `f.toml:5: links: source ex is a site source, whose links discovery finds`},
		"Pattern":    {site + "pattern = \"/a/\"\n", `f.toml:5: pattern: source ex is a site source, whose links discovery finds`},
		"NoURL":      {"[[source]]\nname = \"ex\"\ntype = \"site\"\n", "f.toml:3: type: source ex is a site source but has no url"},
		"NoType":     {"[[source]]\n\nurl = \"https://example.org/\"\n", `f.toml:3: url: only for a site source: add type = "site"`},
		"OtherType":  {"[[source]]\ntype = \"rss\"\nurl = \"https://example.org/\"\n", `f.toml:2: type: "rss": the one type is "site"`},
		"AndFeed":    {site + "feed = \"https://example.org/f\"\n", `f.toml:3: type: feed sources have no type; a site source (type = "site") has only a url`},
		"HTMLAndURL": {"[[source]]\nhtml = \"https://example.org/\"\nurl = \"https://example.org/\"\n", "f.toml:3: url: html sources have no url"},
		"BadURL":     {"[[source]]\ntype = \"site\"\nurl = \"example.org\"\n", `f.toml:3: source.url: bad URL "example.org"`},
		"TypeInt":    {"[[source]]\ntype = 1\n", "f.toml:2: source.type: expected a string, got an integer"},
		"NoKind":     {"[[source]]\nname = \"x\"\n", `source: needs one of feed, sitemap, html or urls (or type = "site" and a url)`},
	} {
		t.Run(name, func(t *testing.T) { wantParseError(t, tt.in, tt.want) })
	}
}
