package feed

import (
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
		Lead: "What 2026 holds.", Blocks: record.LegacyBlocks([]string{"First paragraph.", "Second paragraph."}, []string{"A trader at work."}),
		Authors: []string{"Ann Lee", "Bo Chen"},
		Editor:  "Cy", Column: "Business", Language: "en",
		Published: ptr(time.Date(2026, 1, 10, 8, 0, 0, 0, newYork)),
		Related:   []string{h1.ID}, Recommended: []string{h2.ID},
	}
	a2 := &record.Article{
		ID: record.ArticleID(site, "", "Talking to the mayor"), Site: site,
		Title: "Talking to the mayor", Blocks: record.LegacyBlocks([]string{"Q: How is the city?", "A: Fine."}, nil),
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
	return s
}
