package queue

import (
	"context"
	"errors"

	"newsfeed/article"
	"newsfeed/parse"
)

// This file is the worker's one tie to the article stage: the work item
// it hands over, what comes back, and the error that means a page cannot
// be parsed.

// FetchFunc fetches one article conditionally (with the validators of
// the fetch state it reads; unconditionally for new work) and parses it,
// as the one-machine run does, saving nothing. cmd/newsfeed passes a
// closure over article.Fetch.
type FetchFunc func(context.Context, article.Work) (article.Fetched, error)

// articleWork is the work item of a work message delivered the
// delivered-th time, parsed with profiles (nil: the worker's own).
func articleWork(wm WorkMessage, delivered uint64, profiles *parse.Profiles) article.Work {
	// A redelivery may follow a fetch whose state was saved: it reads it.
	return article.Work{URL: wm.URL, Source: wm.Source, Site: wm.Site, Marker: wm.Marker,
		New: wm.New && delivered == 1, Refresh: wm.Refresh, Profiles: profiles}
}

// unparsable reports whether err says the page cannot be parsed.
func unparsable(err error) bool {
	var pe *article.ParseError
	return errors.As(err, &pe)
}
