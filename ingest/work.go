package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"newsfeed/config"
	"newsfeed/parse"
	"newsfeed/record"
)

// Work is one article to fetch and parse, as Run hands it to
// Options.Enqueue and as FetchArticle takes it: everything a process
// other than the one that polled the list needs to read the page as Run
// would.
type Work struct {
	// URL is the article's canonical URL.
	URL string
	// Source is the name of the sources-file source that listed it; ""
	// for a URL named on the command line.
	Source string
	// Site is the name records carry in site: the source's site setting,
	// else Options.Site; "" leaves it to the profile or the host.
	Site string
	// Profiles are the source's own profile file's profiles; nil: none.
	Profiles *parse.Profiles
	// Marker stands for the list as this poll read it: the list pages'
	// body hashes, and for an article fetched before, when it was last
	// fetched. The same article of an unchanged list gives the same
	// marker, so a queue can drop it as a duplicate; "" for a URL
	// source.
	Marker string
	// New says the poll's fetch state had no record of the URL: the
	// article was never fetched, so FetchArticle reads no state for it
	// and fetches unconditionally. Run sets it only with Options.State;
	// a queue clears it on a redelivery, which may follow a fetch whose
	// state was saved.
	New bool
	// Refresh says the source refreshes its articles (a refresh
	// setting): their fetch state must be found from the source's name
	// as well as from the URL (FetchState.SourceURLs).
	Refresh bool
}

// enqueue hands j to opts.Enqueue and tells the writer goroutine.
func (fr *fetcher) enqueue(ctx context.Context, j job, items chan<- item) {
	w := Work{URL: j.name, Site: fr.opts.Site}
	if src := j.src; src != nil {
		w.Source, w.Profiles, w.Marker, w.Refresh = src.Name, src.profiles, src.marker, src.Refresh > 0
		if src.Site != "" {
			w.Site = src.Site
		}
	}
	if j.old != nil && !j.old.LastFetched.IsZero() {
		w.Marker += "@" + strconv.FormatInt(j.old.LastFetched.UnixNano(), 36)
	}
	w.New = fr.state != nil && j.old != nil && j.old.LastFetched.IsZero()
	err := fr.opts.Enqueue(ctx, w)
	fr.opts.OnFetch()
	switch {
	case err == nil:
		items <- item{enqueued: true}
	case ctx.Err() != nil:
	default:
		if j.src != nil {
			j.src.failed.Add(1)
		}
		items <- item{err: sourceErr(j.src, fmt.Errorf("enqueue %s: %w", j.name, err))}
	}
}

// listMarker is the marker of a list read as states: the SHA-256 of
// their body hashes (or, for a list page never read whole, its
// validators), 16 bytes in hex; "" when there is no list page.
func listMarker(states []record.URLState) string {
	if len(states) == 0 {
		return ""
	}
	h := sha256.New()
	for _, st := range states {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\n", st.URL, st.BodyHash, st.ETag, st.LastModified)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Fetched is what FetchArticle made of one article.
type Fetched struct {
	// Page is the parsed page; nil when the page had not changed (a 304,
	// or a 200 with the body of last time).
	Page *record.Page
	// State is the URL's new fetch state, to save once Page is stored.
	State record.URLState
}

// ParseError is a fetched page that could not be parsed. It is
// permanent: the same bytes fail the same way.
type ParseError struct {
	URL string
	Err error
}

func (e *ParseError) Error() string { return e.Err.Error() }

func (e *ParseError) Unwrap() error { return e.Err }

// FetchArticle fetches one article conditionally, with opts.Fetcher and
// the validators opts.State keeps (nil, or w.New: unconditionally), and parses it
// exactly as Run does: the same profiles, site and URL rules, so a page
// gives the same records whichever process reads it. The page's Seen is
// when it was fetched. It saves nothing: the caller saves State once the
// page is stored. A fetch error is returned as the fetcher gave it
// (errors.Is fetch.ErrRobots, errors.As *fetch.StatusError, ...); a page
// that cannot be parsed is a *ParseError.
func FetchArticle(ctx context.Context, w Work, opts Options) (Fetched, error) {
	if opts.Fetcher == nil {
		return Fetched{}, fmt.Errorf("ingest: fetch %s: no fetcher", w.URL)
	}
	opts = opts.withDefaults()
	fr := &fetcher{opts: opts, f: opts.Fetcher, state: opts.State}
	j := job{name: w.URL, url: true}
	if w.New {
		j.old = &record.URLState{} // known to have none: no read
	}
	if w.Source != "" || w.Site != "" || w.Profiles != nil {
		j.src = &listSource{Source: &config.Source{Name: w.Source, Settings: config.Settings{Site: w.Site}}, profiles: w.Profiles}
	}
	j, unchanged, err := fr.fetchArticle(ctx, j)
	if err != nil {
		return Fetched{}, err
	}
	if unchanged != nil {
		return Fetched{State: *unchanged}, nil
	}
	page, err := parsePage(j.data, j, opts)
	if err != nil {
		return Fetched{State: *j.state}, &ParseError{URL: w.URL, Err: err}
	}
	page.Seen = j.state.LastFetched
	return Fetched{Page: page, State: *j.state}, nil
}
