package store

import (
	"reflect"
	"testing"
	"time"

	"newsfeed/record"
)

func TestMergeHeadline(t *testing.T) {
	t0 := time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Hour)
	pub := time.Date(2025, 11, 30, 21, 6, 0, 0, beijing)
	base := func() record.Headline {
		return record.Headline{ID: "h_1", Site: "s", Title: "T", Lists: []record.List{record.ListRelated},
			FirstSeen: t0, LastSeen: t0}
	}
	tests := []struct {
		name     string
		stored   func() record.Headline
		sighting record.Headline
		want     func() record.Headline
		visible  bool
	}{
		{
			name:     "OK_SameAgainOnlyLastSeenMoves",
			stored:   base,
			sighting: record.Headline{ID: "h_1", Title: "T", Lists: []record.List{record.ListRelated}},
			want:     func() record.Headline { h := base(); h.LastSeen = t1; return h },
		},
		{
			name:     "OK_ListsGrowInOrderFirstSeen",
			stored:   base,
			sighting: record.Headline{ID: "h_1", Title: "T", Lists: []record.List{record.ListHot, record.ListRelated, record.ListRecommended}},
			want: func() record.Headline {
				h := base()
				h.Lists = []record.List{record.ListRelated, record.ListHot, record.ListRecommended}
				h.LastSeen = t1
				return h
			},
			visible: true,
		},
		{
			name:     "OK_CommentsTakeTheNewest",
			stored:   func() record.Headline { h := base(); h.Comments = ptr(53); return h },
			sighting: record.Headline{ID: "h_1", Title: "T", Comments: ptr(40)},
			want:     func() record.Headline { h := base(); h.Comments = ptr(40); h.LastSeen = t1; return h },
			visible:  true,
		},
		{
			name:     "OK_SameCommentsNotVisible",
			stored:   func() record.Headline { h := base(); h.Comments = ptr(53); return h },
			sighting: record.Headline{ID: "h_1", Title: "T", Comments: ptr(53)},
			want:     func() record.Headline { h := base(); h.Comments = ptr(53); h.LastSeen = t1; return h },
		},
		{
			name:     "OK_NoCountKeepsTheStoredOne",
			stored:   func() record.Headline { h := base(); h.Comments = ptr(53); return h },
			sighting: record.Headline{ID: "h_1", Title: "T"},
			want:     func() record.Headline { h := base(); h.Comments = ptr(53); h.LastSeen = t1; return h },
		},
		{
			name:     "OK_PublishedAndURLFilledIn",
			stored:   base,
			sighting: record.Headline{ID: "h_1", Title: "T", URL: "https://example.com/a", Published: &pub},
			want: func() record.Headline {
				h := base()
				h.URL, h.Published, h.LastSeen = "https://example.com/a", &pub, t1
				return h
			},
			visible: true,
		},
		{
			name: "OK_UnknownPublishedAndURLKeepTheStoredOnes",
			stored: func() record.Headline {
				h := base()
				h.URL, h.Published, h.Column = "https://example.com/a", &pub, "航空航天"
				return h
			},
			sighting: record.Headline{ID: "h_1", Title: "T"},
			want: func() record.Headline {
				h := base()
				h.URL, h.Published, h.Column, h.LastSeen = "https://example.com/a", &pub, "航空航天", t1
				return h
			},
		},
		{
			name:     "OK_SamePublishedInAnotherZoneNotVisible",
			stored:   func() record.Headline { h := base(); h.Published = &pub; return h },
			sighting: record.Headline{ID: "h_1", Title: "T", Published: ptr(pub.UTC())},
			want:     func() record.Headline { h := base(); h.Published = &pub; h.LastSeen = t1; return h },
		},
		{
			name:     "OK_TitleAndColumnChange",
			stored:   base,
			sighting: record.Headline{ID: "h_1", Title: "T2", Column: "天文"},
			want:     func() record.Headline { h := base(); h.Title, h.Column, h.LastSeen = "T2", "天文", t1; return h },
			visible:  true,
		},
		{
			name:     "OK_LastSeenNeverMovesBack",
			stored:   func() record.Headline { h := base(); h.LastSeen = t1.Add(time.Hour); return h },
			sighting: record.Headline{ID: "h_1", Title: "T"},
			want:     func() record.Headline { h := base(); h.LastSeen = t1.Add(time.Hour); return h },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored := tt.stored()
			before := tt.stored()
			got, visible := MergeHeadline(&stored, &tt.sighting, t1)
			if visible != tt.visible {
				t.Errorf("visible = %v, want %v", visible, tt.visible)
			}
			if want := tt.want(); !reflect.DeepEqual(got, want) {
				t.Errorf("merged =\n%+v\nwant\n%+v", got, want)
			}
			if !reflect.DeepEqual(stored, before) {
				t.Errorf("stored record was modified: %+v", stored)
			}
		})
	}
}
