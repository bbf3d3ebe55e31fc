package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// hostileTitle holds markup, a CDATA end, an ampersand, control
// characters XML 1.0 forbids and invalid UTF-8.
const hostileTitle = "Breaking <script>alert(1)</script> ]]> & \x01\x1b\x7f news \xff\xfe end"

// hostileTitleText is what a reader must show of hostileTitle: the
// markup as text, the forbidden characters gone, invalid bytes replaced.
const hostileTitleText = "Breaking <script>alert(1)</script> ]]> & \x7f news \uFFFD\uFFFD end"

// mustHostileStore returns a store holding hostile records, written
// directly and also parsed from a hostile page.
func mustHostileStore(tb testing.TB) *store.Store {
	tb.Helper()
	s := mustOpenStore(tb)
	const site = "evil.example"
	h := &record.Headline{
		ID: record.HeadlineID(site, hostileTitle), Site: site, Title: hostileTitle,
		URL: "javascript:alert(1)", Column: "<b>col</b> & \x00co",
		Lists: []record.List{record.ListHot, "<i>list</i>"}, Comments: ptr(3),
		Published: ptr(time.Date(2026, 1, 1, 0, 0, 0, 0, newYork)),
	}
	a := &record.Article{
		ID: record.ArticleID(site, "", hostileTitle), Site: site, Title: hostileTitle,
		URL:  "/relative/path",
		Lead: "<b>lead</b> ]]> &amp; \x0b",
		Blocks: record.LegacyBlocks([]string{"<script>alert('p')</script>", "]]><![CDATA[ & \x1f\xc3\x28 <p onclick=x>", "line one\nline two"},
			[]string{`<img src=x onerror="alert(1)">`}), Authors: []string{"<i>Eve</i> & Co"},
		Editor: "\x08ed", Disclaimer: "</em></p><script>", Column: "<b>col</b> & \x00co", Language: "en",
		Published: ptr(time.Date(2026, 1, 2, 3, 4, 5, 0, newYork)),
	}
	iv := &record.Interview{
		ID: record.InterviewID(a.ID), ArticleID: a.ID, Title: hostileTitle, Note: "<!-- note -->",
		Turns: []record.Turn{{Speaker: "<b>Q</b>", Role: record.RoleQuestion, Paragraphs: []string{"]]>"}},
			{Speaker: "A&B", Role: record.RoleAnswer, Paragraphs: []string{"<a href='javascript:x'>x</a>"}}},
	}
	page := "Breaking <script>alert(1)</script> ]]> & \x01 news \xff\xfe\n\n" +
		"<p>Paragraph with <b>markup</b> & ]]> and \x02 control.</p>\n\n" +
		"Another paragraph <img src=x onerror=alert(1)> \xc3\x28.\n"
	mustWrite(tb, s,
		&record.Page{Source: "hostile", ContentHash: "h", Article: a, Interview: iv, Headlines: []*record.Headline{h}},
		parsePage(tb, []byte(page), "hostile-page.txt", parse.Options{Site: site}),
	)
	return s
}

func TestBuild_HostileContent(t *testing.T) {
	s := mustHostileStore(t)
	b := mustBuilder(t, s, Options{})
	for _, kind := range Kinds {
		for _, format := range Formats {
			t.Run(string(kind)+"/"+string(format), func(t *testing.T) {
				data := mustRender(t, b, Spec{Kind: kind}, format)
				if format == JSON {
					if !json.Valid(data) {
						t.Fatalf("invalid JSON:\n%s", data)
					}
				} else {
					checkWellFormed(t, data)
				}
				f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("gofeed: %v", err)
				}
				if len(f.Items) == 0 {
					t.Fatal("no items")
				}
				found := false
				for _, it := range f.Items {
					if it.Title == hostileTitleText {
						found = true
					}
					if err := onlyOurMarkup(it.Content); err != nil {
						t.Errorf("item %s: %v:\n%s", it.GUID, err, it.Content)
					}
					if !strings.HasPrefix(it.Link, "https://") {
						t.Errorf("item %s: link %q", it.GUID, it.Link)
					}
				}
				if !found {
					var titles []string
					for _, it := range f.Items {
						titles = append(titles, it.Title)
					}
					t.Errorf("no item titled %q (markup as text); titles: %q", hostileTitleText, titles)
				}
			})
		}
	}
}

func TestBuild_HostileMarkupShownAsText(t *testing.T) {
	s := mustHostileStore(t)
	b := mustBuilder(t, s, Options{})
	f, err := b.Build(t.Context(), Spec{Kind: record.KindArticle, Site: "evil.example"})
	if err != nil {
		t.Fatal(err)
	}
	var it *Item
	for _, x := range f.Items {
		if x.Title == hostileTitleText {
			it = x
		}
	}
	if it == nil {
		t.Fatal("hostile article missing")
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#39;p&#39;)&lt;/script&gt;",
		"]]&gt;&lt;![CDATA[ &amp; \uFFFD(",
		"line one<br>line two",
		"&lt;img src=x onerror=&#34;alert(1)&#34;&gt;",
		"&lt;/em&gt;&lt;/p&gt;&lt;script&gt;",
	} {
		if !strings.Contains(it.Content, want) {
			t.Errorf("content lacks %q:\n%s", want, it.Content)
		}
	}
	if it.Link != testBase+"#"+it.ID {
		t.Errorf("relative URL kept as link: %q", it.Link)
	}
}

// ourElements are the elements content may hold: what the renderers
// write. Any other element, any attribute, or a comment means markup
// from a record got through as markup.
var ourElements = map[string]bool{
	"p": true, "br": true, "strong": true, "em": true, "blockquote": true,
	"figure": true, "figcaption": true, "h2": true,
}

// onlyOurMarkup tokenizes content as HTML and reports the first element,
// attribute or comment that the renderers do not write.
func onlyOurMarkup(content string) error {
	z := html.NewTokenizer(strings.NewReader(content))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return nil
			}
			return z.Err()
		case html.CommentToken, html.DoctypeToken:
			return fmt.Errorf("markup survived: %s", z.Token())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !ourElements[tok.Data] || len(tok.Attr) > 0 {
				return fmt.Errorf("markup survived: %s", tok)
			}
		}
	}
}

// checkWellFormed decodes data with encoding/xml in strict mode, which
// refuses characters XML 1.0 forbids.
func checkWellFormed(t *testing.T, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
	}
}
