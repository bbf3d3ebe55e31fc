package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"newsfeed/record"
)

func TestStore_Changes(t *testing.T) {
	ctx := context.Background()
	s, c := mustOpenStore(t)
	mustWrite(t, s, page("a.txt", "A", "a", hl("one", record.ListRelated), hl("two", record.ListRelated)))
	c.t = c.t.Add(time.Minute)
	mustWrite(t, s, page("b.txt", "B", "b", hl("one", record.ListHot)))
	// Log: 1 one, 2 two, 3 A, 4 one (update), 5 B: in each batch the
	// headlines come before the articles that list them.
	collect := func(q ChangeQuery) []string {
		var out []string
		err := s.Changes(ctx, q, func(ch Change) error {
			out = append(out, fmt.Sprintf("%d:%s:%s", ch.Seq, ch.Op, ch.Kind))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name string
		q    ChangeQuery
		want string
	}{
		{"All", ChangeQuery{}, "[2:insert:headline 3:insert:article 4:update:headline 5:insert:article]"},
		{"Since", ChangeQuery{Since: 3}, "[4:update:headline 5:insert:article]"},
		{"SinceLast", ChangeQuery{Since: 5}, "[]"},
		{"Kind", ChangeQuery{Kind: record.KindHeadline}, "[2:insert:headline 4:update:headline]"},
		{"Limit", ChangeQuery{Limit: 2}, "[2:insert:headline 3:insert:article]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(collect(tt.q)); got != tt.want {
				t.Errorf("changes = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("ExportJSON", func(t *testing.T) {
		var lines [][]byte
		s.Changes(ctx, ChangeQuery{Since: 3, Kind: record.KindHeadline}, func(ch Change) error {
			lines = append(lines, ch.ExportJSON())
			return nil
		})
		if len(lines) != 1 {
			t.Fatalf("%d lines", len(lines))
		}
		want := `{"kind":"headline","seq":4,"op":"update","id":"` + hl("one").ID + `"`
		if got := string(lines[0]); len(got) < len(want) || got[:len(want)] != want {
			t.Errorf("line = %s\nwant prefix %s", got, want)
		}
		var h record.Headline
		if err := json.Unmarshal(lines[0], &h); err != nil || len(h.Lists) != 2 {
			t.Errorf("line does not decode to the merged headline: %v %+v", err, h)
		}
	})
	t.Run("ErrStopsOnCallbackError", func(t *testing.T) {
		boom := errors.New("boom")
		if err := s.Changes(ctx, ChangeQuery{}, func(Change) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestStore_LatestAndStats(t *testing.T) {
	ctx := context.Background()
	s, c := mustOpenStore(t)
	var pages []*record.Page
	for i := range 5 {
		h := hl(fmt.Sprintf("h%d", i), record.ListRelated)
		h.Published = ptr(time.Date(2025, 11, 1+i, 0, 0, 0, 0, beijing))
		if i%2 == 0 {
			h.Column = "even"
		}
		pages = append(pages, page(fmt.Sprintf("p%d", i), fmt.Sprintf("P%d", i), "x", h))
	}
	mustWrite(t, s, pages...)
	c.t = c.t.Add(time.Hour)

	ids := func(q Query) []string {
		recs, err := s.Latest(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs {
			out = append(out, r.(*record.Headline).Title)
		}
		return out
	}
	if got := fmt.Sprint(ids(Query{Kind: record.KindHeadline, Limit: 3})); got != "[h4 h3 h2]" {
		t.Errorf("latest 3 = %s", got)
	}
	if got := fmt.Sprint(ids(Query{Kind: record.KindHeadline, Column: "even"})); got != "[h4 h2 h0]" {
		t.Errorf("latest in column = %s", got)
	}
	if got := fmt.Sprint(ids(Query{Kind: record.KindHeadline, Site: "example", Column: "even", Limit: 2})); got != "[h4 h2]" {
		t.Errorf("latest in site and column = %s", got)
	}
	if got := ids(Query{Kind: record.KindHeadline, Site: "nowhere"}); len(got) != 0 {
		t.Errorf("latest of unknown site = %v", got)
	}

	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages != 5 || st.LastSeq != 10 || st.Schema != SchemaVersion || st.Size == 0 {
		t.Errorf("stats = %+v", st)
	}
	if k := st.Kinds[2]; k.Kind != record.KindHeadline || k.N != 5 || !k.Newest.Equal(time.Date(2025, 11, 5, 0, 0, 0, 0, beijing)) {
		t.Errorf("headline count = %+v", k)
	}
	if len(st.Sites) != 2 || st.Sites[0].Name != "example" || st.Sites[0].N != 5 {
		t.Errorf("sites = %+v", st.Sites)
	}
	if got := fmt.Sprint(st.Columns); got == "" || len(st.Columns) != 2 { // tech/article, even/headline
		t.Errorf("columns = %+v", st.Columns)
	}
}

func TestStore_Get(t *testing.T) {
	s, _ := mustOpenStore(t)
	for _, id := range []string{"h_missing", "x_bad", ""} {
		if _, err := s.Get(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) err = %v, want ErrNotFound", id, err)
		}
	}
}
