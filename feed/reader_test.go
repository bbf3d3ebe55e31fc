package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"newsfeed/record"
)

// mixedArticle returns the mixed store's article with every block type,
// as gofeed reads it from the articles feed in format, and the feed.
func mixedArticle(t *testing.T, format Format) (*gofeed.Feed, *gofeed.Item, *gofeed.Item) {
	t.Helper()
	s := mustMixedStore(t)
	b := mustBuilder(t, s, Options{})
	data := mustRender(t, b, Spec{Kind: record.KindArticle, Site: "example.com"}, format)
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var full, bare *gofeed.Item
	for _, it := range f.Items {
		switch it.Title {
		case "Markets & the year ahead":
			full = it
		case "Talking to the mayor":
			bare = it
		}
	}
	if full == nil || bare == nil {
		t.Fatalf("%s: articles missing: %d items", format, len(f.Items))
	}
	return f, full, bare
}

// TestBuild_BodyBlocksInEveryFormat: every block type reaches readers
// as its HTML element, pictures with their size, caption, lazy loading
// and no referrer; a picture without an http(s) URL shows its caption
// only; the title is not repeated.
func TestBuild_BodyBlocksInEveryFormat(t *testing.T) {
	for _, format := range Formats {
		_, it, _ := mixedArticle(t, format)
		for _, want := range []string{
			`<figure><img src="https://img.example.com/trader.jpg" alt="A trader" width="640" height="480" loading="lazy" referrerpolicy="no-referrer"><figcaption>A trader at work.</figcaption></figure>`,
			"<h2>The outlook</h2>", "<h4>Fine print</h4>", "<blockquote><p>Rates stay put.</p></blockquote>",
			"<ul><li>stocks</li><li>bonds</li></ul>", "<ol><li>first</li><li>second</li></ol>",
			"<table><tbody><tr><td>year</td><td>rate</td></tr><tr><td>2026</td><td>4%</td></tr></tbody></table>",
			"<pre>a  b\n  c</pre>", "<p><em>A caption with no picture.</em></p>", "<p><em>A script, not a picture.</em></p>",
		} {
			if !strings.Contains(it.Content, want) {
				t.Errorf("%s: content lacks %q:\n%s", format, want, it.Content)
			}
		}
		if strings.Contains(it.Content, "javascript") || strings.Contains(it.Content, "Markets &amp; the year") {
			t.Errorf("%s: content holds a javascript: URL or the title:\n%s", format, it.Content)
		}
	}
}

// TestBuild_LeadImageCategoriesAuthors: the lead picture is where each
// format puts one, the outlet and column are categories, and each item
// has exactly its own authors (none for an article without), with no
// author for the feed that readers would give to items without one.
func TestBuild_LeadImageCategoriesAuthors(t *testing.T) {
	const lead = "https://img.example.com/lead.png"
	for _, format := range Formats {
		f, it, bare := mixedArticle(t, format)
		switch format {
		case JSON:
			if it.Image == nil || it.Image.URL != lead {
				t.Errorf("%s: image %+v, want %s", format, it.Image, lead)
			}
		default:
			if len(it.Enclosures) != 1 || it.Enclosures[0].URL != lead || it.Enclosures[0].Type != "image/png" ||
				it.Enclosures[0].Length != "0" {
				t.Errorf("%s: enclosures %+v, want %s image/png length 0", format, it.Enclosures, lead)
			}
		}
		if !slices.Equal(it.Categories, []string{"Example Wire", "Business"}) {
			t.Errorf("%s: categories %q", format, it.Categories)
		}
		var names []string
		for _, a := range it.Authors {
			names = append(names, a.Name)
		}
		want := []string{"Ann Lee", "Bo Chen"}
		if format == RSS {
			want = []string{"Ann Lee, Bo Chen"} // one dc:creator: readers show only the last of several
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: authors %q, want %q", format, names, want)
		}
		if len(bare.Authors) != 0 || bare.Author != nil {
			t.Errorf("%s: an article without authors has %+v %+v", format, bare.Authors, bare.Author)
		}
		if len(f.Authors) != 0 || f.Author != nil {
			t.Errorf("%s: the feed has authors %+v: readers give them to items without", format, f.Authors)
		}
	}
	// JSON Feed 1.1: authors only, never the deprecated author.
	s := mustMixedStore(t)
	data := mustRender(t, mustBuilder(t, s, Options{}), Spec{Kind: record.KindArticle}, JSON)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["author"]; ok {
		t.Error("JSON Feed has a feed author")
	}
	for _, x := range doc["items"].([]any) {
		if _, ok := x.(map[string]any)["author"]; ok {
			t.Errorf("JSON Feed item has the deprecated author: %v", x)
		}
	}
}

// TestPublish_SiteAndSourceFeeds: a feed per site holds its articles
// and interviews; a feed per source holds the articles fetched from the
// URLs it found, as the fetch state and the pages tie them.
func TestPublish_SiteAndSourceFeeds(t *testing.T) {
	s := mustMixedStore(t)
	out := t.TempDir()
	res, err := Publish(context.Background(), s, out, Options{BaseURL: testBase}, nil)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]*Feed{}
	for _, f := range res.Feeds {
		byPath[f.Spec.Path()] = f
	}
	site := byPath["sites/"+slug("example.com")]
	if site == nil {
		t.Fatalf("no site feed among %v", keys(byPath))
	}
	var ids []string
	for _, it := range site.Items {
		ids = append(ids, it.ID)
	}
	a1 := record.ArticleID("example.com", "https://example.com/a/1", "")
	a2 := record.ArticleID("example.com", "", "Talking to the mayor")
	for _, id := range []string{a1, a2, record.InterviewID(a2)} {
		if !slices.Contains(ids, id) {
			t.Errorf("site feed lacks %s: %q", id, ids)
		}
	}
	src := byPath["sources/"+slug(mixedSource)]
	if src == nil {
		t.Fatalf("no source feed among %v", keys(byPath))
	}
	if len(src.Items) != 1 || src.Items[0].ID != a1 {
		t.Errorf("source feed holds %d items, want %s only", len(src.Items), a1)
	}
	// gofeed reads every feed, the new ones too, with the items built.
	for _, f := range []*Feed{site, src} {
		for _, format := range Formats {
			data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(f.Spec.Path()+"."+string(format))))
			if err != nil {
				t.Fatal(err)
			}
			g, err := gofeed.NewParser().Parse(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("gofeed: %s.%s: %v", f.Spec.Path(), format, err)
			}
			if len(g.Items) != len(f.Items) || g.Title != f.Title {
				t.Errorf("gofeed: %s.%s: %d items titled %q, want %d, %q", f.Spec.Path(), format, len(g.Items), g.Title, len(f.Items), f.Title)
			}
			for i, it := range g.Items {
				if want := f.Items[i].Title; it.Title != want {
					t.Errorf("gofeed: %s.%s: item %d %q, want %q", f.Spec.Path(), format, i, it.Title, want)
				}
			}
		}
	}
	// The seed has no site: no site feed is made of it.
	seed, _ := mustSeedStore(t)
	specs, err := Specs(context.Background(), seed, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs {
		if sp.PerSite || sp.Source != "" {
			t.Errorf("seed store: unexpected feed %s", sp.Path())
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestPublish_OPMLIconsItemPages: feeds.opml lists every feed once, in
// Atom, grouped by site, with absolute URLs; the icons are an ICO and a
// PNG; every item without a URL of its own links to a page that exists
// and shows it.
func TestPublish_OPMLIconsItemPages(t *testing.T) {
	s := mustMixedStore(t)
	out := t.TempDir()
	res, err := Publish(context.Background(), s, out, Options{BaseURL: testBase}, nil)
	if err != nil {
		t.Fatal(err)
	}
	type outline struct {
		Text     string    `xml:"text,attr"`
		XMLURL   string    `xml:"xmlUrl,attr"`
		Outlines []outline `xml:"outline"`
	}
	var doc struct {
		XMLName xml.Name
		Version string    `xml:"version,attr"`
		Body    []outline `xml:"body>outline"`
	}
	if err := xml.Unmarshal(mustReadFile(t, filepath.Join(out, OPMLFile)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.XMLName.Local != "opml" || doc.Version != "2.0" {
		t.Errorf("OPML root %s version %q", doc.XMLName.Local, doc.Version)
	}
	listed := map[string]string{}
	var groups []string
	for _, g := range doc.Body {
		groups = append(groups, g.Text)
		for _, o := range g.Outlines {
			listed[o.XMLURL] = g.Text
		}
	}
	if !slices.Equal(groups, []string{"All sites", "example.com", "Sources"}) {
		t.Errorf("groups %q", groups)
	}
	for _, f := range res.Feeds {
		if _, ok := listed[f.URL(Atom)]; !ok {
			t.Errorf("OPML lacks %s", f.URL(Atom))
		}
	}
	if len(listed) != len(res.Feeds) {
		t.Errorf("OPML lists %d feeds, Publish wrote %d", len(listed), len(res.Feeds))
	}
	if ico := mustReadFile(t, filepath.Join(out, FaviconFile)); !bytes.HasPrefix(ico, []byte{0, 0, 1, 0, 1, 0}) {
		t.Errorf("favicon.ico starts %x", ico[:min(6, len(ico))])
	}
	img, err := png.Decode(bytes.NewReader(mustReadFile(t, filepath.Join(out, IconFile))))
	if err != nil || img.Bounds().Dx() != iconSize || img.Bounds().Dy() != iconSize {
		t.Errorf("icon.png: %v", err)
	}
	index := string(mustReadFile(t, filepath.Join(out, IndexFile)))
	for _, want := range []string{`<link rel="icon" href="` + testBase + FaviconFile + `">`, testBase + OPMLFile, "<h3>example.com</h3>", "<h3>Sources</h3>"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	pages := 0
	for _, f := range res.Feeds {
		for _, it := range f.Items {
			rel, ok := strings.CutPrefix(it.Link, testBase)
			if !ok {
				continue
			}
			data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
			if err != nil {
				t.Errorf("%s links to %s, which is not there: %v", it.ID, it.Link, err)
				continue
			}
			pages++
			if !strings.Contains(string(data), `<article id="`+it.ID+`">`) {
				t.Errorf("%s: the page does not show it", rel)
			}
		}
	}
	if pages == 0 {
		t.Error("no item links to its own page")
	}
}
