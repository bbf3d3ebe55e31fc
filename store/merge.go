package store

import (
	"slices"
	"time"

	"newsfeed/record"
)

// MergeHeadline merges a new sighting of a headline into the stored
// record and reports whether a field a reader sees changed (title, url,
// published, column, lists, comments).
//
// The stored record keeps its id, site and first_seen; lists grow (in the
// order first seen); title, column and comments take the sighting's value
// when it has one; url and published are filled in or corrected when the
// sighting knows them; last_seen moves to seen if that is later. Neither
// argument is modified.
func MergeHeadline(stored, sighting *record.Headline, seen time.Time) (merged record.Headline, visible bool) {
	m := *stored
	m.Lists = slices.Clone(stored.Lists)
	if sighting.Title != "" && sighting.Title != m.Title {
		m.Title, visible = sighting.Title, true
	}
	if sighting.URL != "" && sighting.URL != m.URL {
		m.URL, visible = sighting.URL, true
	}
	if p := sighting.Published; p != nil && (m.Published == nil || !p.Equal(*m.Published)) {
		t := *p
		m.Published, visible = &t, true
	}
	if sighting.Column != "" && sighting.Column != m.Column {
		m.Column, visible = sighting.Column, true
	}
	for _, l := range sighting.Lists {
		if !slices.Contains(m.Lists, l) {
			m.Lists, visible = append(m.Lists, l), true
		}
	}
	if c := sighting.Comments; c != nil && (m.Comments == nil || *c != *m.Comments) {
		n := *c
		m.Comments, visible = &n, true
	}
	if m.Site == "" && sighting.Site != "" {
		m.Site = sighting.Site
	}
	if m.FirstSeen.IsZero() {
		m.FirstSeen = seen
	}
	if seen.After(m.LastSeen) {
		m.LastSeen = seen
	}
	return m, visible
}

// newHeadline is a headline's first stored form: its lists without
// repeats, first_seen and last_seen set to seen.
func newHeadline(h *record.Headline, seen time.Time) record.Headline {
	m := *h
	m.Lists = make([]record.List, 0, len(h.Lists))
	for _, l := range h.Lists {
		if !slices.Contains(m.Lists, l) {
			m.Lists = append(m.Lists, l)
		}
	}
	m.FirstSeen, m.LastSeen = seen, seen
	return m
}
