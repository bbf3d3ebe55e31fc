package feed

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"newsfeed/record"
	"newsfeed/store"
)

// want is what a reader must see of one record.
type want struct {
	id, title, link, text string
	date                  time.Time
	// atomID is the Atom entry id: the article's URL when its id was
	// made from it, else a tag URI.
	atomID string
}

// testTagPrefix starts the tag URIs of entries published under testBase.
const testTagPrefix = "tag:feeds.example.org,2025:"

// withAtomIDs sets each want's atomID: a tag URI unless set.
func withAtomIDs(ws []want) []want {
	for i := range ws {
		if ws[i].atomID == "" {
			ws[i].atomID = testTagPrefix + ws[i].id
		}
	}
	return ws
}

// expected computes, from the store and independently of the builder,
// what each item of spec's feed must be, newest first.
func expected(t *testing.T, s *store.Store, spec Spec, limit int) []want {
	t.Helper()
	ctx := context.Background()
	recs, err := s.Latest(ctx, store.Query{Kind: spec.Kind, Site: spec.Site, Column: spec.Column, Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	link := func(u, id string) string {
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			return u
		}
		return testBase + "#" + id
	}
	date := func(p *time.Time) time.Time {
		if p != nil {
			return *p
		}
		return testNow
	}
	var out []want
	for _, r := range recs {
		switch r := r.(type) {
		case *record.Article:
			w := want{r.ID, r.Title, link(r.URL, r.ID), r.Texts()[len(r.Texts())-1], date(r.Published), ""}
			if r.URL != "" && record.ArticleID(r.Site, r.URL, r.Title) == r.ID {
				w.atomID = record.CanonicalURL(r.URL)
			}
			out = append(out, w)
		case *record.Interview:
			ar, err := s.Get(ctx, r.ArticleID)
			if err != nil {
				t.Fatal(err)
			}
			a := ar.(*record.Article)
			last := r.Turns[len(r.Turns)-1]
			out = append(out, want{r.ID, r.Title, link(a.URL, r.ID), last.Paragraphs[len(last.Paragraphs)-1], date(a.Published), ""})
		case *record.Headline:
			text := labelsFor("zh").listName(r.Lists[0])
			if !hasHan(r.Title) {
				text = labelsFor("en").listName(r.Lists[0])
			}
			if r.Column != "" {
				text = r.Column
			}
			out = append(out, want{r.ID, r.Title, link(r.URL, r.ID), text, date(r.Published), ""})
		}
	}
	return withAtomIDs(out)
}

// zoned matches a date string that names its zone: RFC 1123 with a
// numeric zone, or RFC 3339 with Z or an offset.
var zoned = regexp.MustCompile(`([+-]\d{4}|[+-]\d\d:\d\d|Z)$`)

// checkWithGofeed parses data with gofeed and checks it against ws.
func checkWithGofeed(t *testing.T, data []byte, format Format, spec Spec, ws []want) {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("gofeed: %v\n%.400s", err, data)
	}
	wantType := map[Format]string{RSS: "rss", Atom: "atom", JSON: "json"}[format]
	if f.FeedType != wantType {
		t.Errorf("feed type %q, want %q", f.FeedType, wantType)
	}
	if f.Title == "" || !strings.HasPrefix(f.Link, testBase) {
		t.Errorf("channel title %q, link %q", f.Title, f.Link)
	}
	if len(ws) > 0 && hasHan(ws[0].title) && f.Language != "zh-CN" {
		t.Errorf("language %q, want zh-CN", f.Language)
	}
	if f.UpdatedParsed == nil && format != JSON {
		t.Errorf("no updated/lastBuildDate")
	}
	if len(f.Items) != len(ws) {
		t.Fatalf("%d items, want %d", len(f.Items), len(ws))
	}
	for i, it := range f.Items {
		w := ws[i]
		if wantID := w.id; it.GUID != wantID && (format != Atom || it.GUID != w.atomID) {
			if format == Atom {
				wantID = w.atomID
			}
			t.Errorf("item %d: id %q, want %q", i, it.GUID, wantID)
		}
		if it.Title != w.title {
			t.Errorf("item %d: title %q, want %q", i, it.Title, w.title)
		}
		if it.Link != w.link {
			t.Errorf("item %d: link %q, want %q", i, it.Link, w.link)
		}
		if u, err := url.Parse(it.Link); err != nil || !u.IsAbs() || u.Host == "" {
			t.Errorf("item %d: link %q is not absolute", i, it.Link)
		}
		if it.PublishedParsed == nil || !it.PublishedParsed.Equal(w.date) {
			t.Errorf("item %d: published %v (%q), want %v", i, it.PublishedParsed, it.Published, w.date)
		}
		if !zoned.MatchString(it.Published) {
			t.Errorf("item %d: date %q names no zone", i, it.Published)
		}
		// Entries that share a date differ in their updated time's
		// sub-second digits (atomUpdated).
		if format == Atom && (it.UpdatedParsed == nil || !it.UpdatedParsed.Truncate(time.Second).Equal(w.date)) {
			t.Errorf("item %d: updated %q, want %v", i, it.Updated, w.date)
		}
		if !strings.Contains(it.Content, w.text) {
			t.Errorf("item %d: content lacks %q:\n%.300s", i, w.text, it.Content)
		}
	}
}

func TestBuild_GofeedReadsWhatTheStoreHolds(t *testing.T) {
	s := mustMixedStore(t)
	specs := []Spec{
		{Kind: record.KindArticle}, {Kind: record.KindInterview}, {Kind: record.KindHeadline},
		{Kind: record.KindHeadline, Column: "航空航天"},
		{Kind: record.KindHeadline, Site: "example.com"},
		{Kind: record.KindArticle, Site: "example.com", Column: "Business"},
		{Kind: record.KindHeadline, Column: "no such column"},
	}
	for _, limit := range []int{0, 3} {
		b := mustBuilder(t, s, Options{Limit: limit})
		if limit == 0 {
			limit = DefaultLimit
		}
		for _, spec := range specs {
			ws := expected(t, s, spec, limit)
			for _, format := range Formats {
				t.Run(fmt.Sprintf("limit=%d/%s/%s", limit, spec.Path()+spec.Site, format), func(t *testing.T) {
					checkWithGofeed(t, mustRender(t, b, spec, format), format, spec, ws)
				})
			}
		}
	}
}

func TestBuild_Seed(t *testing.T) {
	s, p := mustSeedStore(t)
	b := mustBuilder(t, s, Options{})
	ctx := context.Background()

	f, err := b.Build(ctx, Spec{Kind: record.KindArticle})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || f.Language != "zh-CN" {
		t.Fatalf("%d items, language %q", len(f.Items), f.Language)
	}
	it := f.Items[0]
	for _, part := range []string{"<h2>", "<blockquote><p>", "<figure><figcaption>" + p.Article.Captions()[0],
		p.Article.Texts()[len(p.Article.Texts())-1], "责任编辑: " + p.Article.Editor} {
		if !strings.Contains(it.Content, part) {
			t.Errorf("article content lacks %q", part)
		}
	}
	if !it.Date.Equal(testNow) || it.Date.Location() != time.UTC {
		t.Errorf("undated article dated %v, want first seen %v", it.Date, testNow)
	}

	f, err = b.Build(ctx, Spec{Kind: record.KindInterview})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(f.Items[0].Content, "<strong>"); n != len(p.Interview.Turns) {
		t.Errorf("%d speakers in bold, want one per turn: %d", n, len(p.Interview.Turns))
	}
	if !strings.Contains(f.Items[0].Content, "<p><strong>薛澜:</strong> ") {
		t.Errorf("interview content: %.300s", f.Items[0].Content)
	}

	f, err = b.Build(ctx, Spec{Kind: record.KindHeadline})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != len(p.Headlines) {
		t.Errorf("%d headlines, want %d", len(f.Items), len(p.Headlines))
	}
	// Dated headlines come newest first, then those with no date, which
	// sort at their first-seen time.
	if !f.Updated.Equal(testNow) {
		t.Errorf("feed updated %v, want the newest item's date %v", f.Updated, testNow)
	}
	for _, it := range f.Items {
		if it.Content == "" || it.Summary == "" {
			t.Errorf("headline %s: no content or summary", it.ID)
		}
	}
}

func TestBuild_EmptyFeedIsStable(t *testing.T) {
	s := mustOpenStore(t)
	b := mustBuilder(t, s, Options{})
	for _, format := range Formats {
		data := mustRender(t, b, Spec{Kind: record.KindInterview}, format)
		checkWithGofeed(t, data, format, Spec{Kind: record.KindInterview}, nil)
		if format == JSON && !bytes.Contains(data, []byte(`"items":[]`)) {
			t.Errorf("JSON Feed without items array:\n%s", data)
		}
		if again := mustRender(t, b, Spec{Kind: record.KindInterview}, format); !bytes.Equal(again, data) {
			t.Errorf("%s: two renders differ", format)
		}
	}
}

func TestNewBuilder_Options(t *testing.T) {
	for name, tc := range map[string]struct {
		opts Options
		ok   bool
		base string
	}{
		"Default":       {Options{}, true, DefaultBaseURL},
		"AddsSlash":     {Options{BaseURL: "https://example.org/feeds"}, true, "https://example.org/feeds/"},
		"DropsQuery":    {Options{BaseURL: "https://example.org/?x=1#top"}, true, "https://example.org/"},
		"ErrRelative":   {Options{BaseURL: "/feeds/"}, false, ""},
		"ErrScheme":     {Options{BaseURL: "ftp://example.org/"}, false, ""},
		"ErrNegative":   {Options{Limit: -1}, false, ""},
		"ErrLimitLarge": {Options{Limit: MaxLimit + 1}, false, ""},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := NewBuilder(nil, tc.opts)
			if !tc.ok {
				if err == nil || !strings.Contains(err.Error(), "feed: bad options") {
					t.Errorf("err %v, want ErrOptions", err)
				}
				return
			}
			if err != nil || b.BaseURL() != tc.base {
				t.Errorf("base %v, err %v; want %s", b, err, tc.base)
			}
		})
	}
}
