package feed

import (
	"context"
	"testing"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

var newYork = time.FixedZone("EST", -5*3600)

func ptr[T any](v T) *T { return &v }

// mustMixedStore returns a store holding the seed page and two pages of
// another site, in English, with URLs, authors, published times, an
// interview, a comment count and a column of their own.
func mustMixedStore(tb testing.TB) *store.Store {
	tb.Helper()
	s, _ := mustSeedStore(tb)
	const site = "example.com"
	h1 := &record.Headline{
		ID: record.HeadlineID(site, "Rates held"), Site: site,
		Title: "Rates held", URL: "https://example.com/h/1", Column: "Business",
		Published: ptr(time.Date(2026, 1, 9, 17, 0, 0, 0, newYork)),
		Lists:     []record.List{record.ListHot, record.ListRelated}, Comments: ptr(7),
	}
	h2 := &record.Headline{
		ID: record.HeadlineID(site, "Storm ahead"), Site: site, Title: "Storm ahead",
		Column: "Business", Lists: []record.List{record.ListRecommended},
	}
	a1 := &record.Article{
		ID: record.ArticleID(site, "https://example.com/a/1", ""), Site: site,
		URL: "https://example.com/a/1", Title: "Markets & the year ahead",
		Lead: "What 2026 holds.", Blocks: mixedBlocks, Image: "https://img.example.com/lead.png",
		Outlet: "Example Wire", Authors: []string{"Ann Lee", "Bo Chen"},
		Editor: "Cy", Column: "Business", Language: "en",
		Published: ptr(time.Date(2026, 1, 10, 8, 0, 0, 0, newYork)),
		Related:   []string{h1.ID}, Recommended: []string{h2.ID},
	}
	a2 := &record.Article{
		ID: record.ArticleID(site, "", "Talking to the mayor"), Site: site,
		Title:    "Talking to the mayor",
		Blocks:   []record.Block{{Type: record.BlockParagraph, Text: "Q: How is the city?"}, {Type: record.BlockParagraph, Text: "A: Fine."}},
		Language: "en",
	}
	iv := &record.Interview{
		ID: record.InterviewID(a2.ID), ArticleID: a2.ID, Title: a2.Title,
		Interviewer: "Q", Note: "Edited for length.",
		Turns: []record.Turn{
			{Speaker: "Q", Role: record.RoleQuestion, Paragraphs: []string{"How is the city?"}},
			{Speaker: "Mayor", Role: record.RoleAnswer, Paragraphs: []string{"Fine.", "Really fine."}},
		},
	}
	mustWrite(tb, s,
		&record.Page{Source: "https://example.com/a/1", ContentHash: "a1", Article: a1,
			Headlines: []*record.Headline{h1, h2}},
		&record.Page{Source: "mayor.txt", ContentHash: "a2", Article: a2, Interview: iv},
	)
	// A source of the sources file found a1: the fetch state says so,
	// as a run leaves it.
	ctx := context.Background()
	if err := s.PutURLStates(ctx, []record.URLState{
		{URL: "https://example.com/a/1", Source: mixedSource, Status: 200, FirstFetched: testNow, LastFetched: testNow},
		{URL: "https://example.com/gone", Source: mixedSource, Status: 200, FirstFetched: testNow, LastFetched: testNow},
	}); err != nil {
		tb.Fatal(err)
	}
	if err := s.PutListPolls(ctx, map[string]time.Time{mixedSource: testNow}); err != nil {
		tb.Fatal(err)
	}
	return s
}

// mixedSource is the source that found the mixed store's first article.
const mixedSource = "Example front page"

// mixedBlocks are a body with a block of every type: a picture with and
// one without a URL, a picture whose URL no feed may carry, a heading
// of each level feeds keep.
var mixedBlocks = []record.Block{
	{Type: record.BlockParagraph, Text: "First paragraph."},
	{Type: record.BlockImage, Src: "https://img.example.com/trader.jpg", Alt: "A trader", Caption: "A trader at work.", Width: 640, Height: 480},
	{Type: record.BlockHeading, Level: 2, Text: "The outlook"},
	{Type: record.BlockParagraph, Text: "Second paragraph."},
	{Type: record.BlockHeading, Level: 5, Text: "Fine print"},
	{Type: record.BlockQuote, Text: "Rates stay put."},
	{Type: record.BlockList, Items: []string{"stocks", "bonds"}},
	{Type: record.BlockList, Ordered: true, Items: []string{"first", "second"}},
	{Type: record.BlockTable, Rows: [][]string{{"year", "rate"}, {"2026", "4%"}}},
	{Type: record.BlockPre, Text: "a  b\n  c"},
	{Type: record.BlockImage, Caption: "A caption with no picture."},
	{Type: record.BlockImage, Src: "javascript:alert(1)", Caption: "A script, not a picture."},
}
