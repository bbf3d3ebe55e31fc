package article

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/record"
)

// Work is one article to fetch and parse, as package poll hands it to its
// sink and as Fetch takes it: everything a process other than the one
// that polled the list needs to read the page as a local run would.
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
	// article was never fetched, so Fetch reads no state for it and
	// fetches unconditionally. A poll sets it only with a fetch state; a
	// queue clears it on a redelivery, which may follow a fetch whose
	// state was saved.
	New bool
	// Refresh says the source refreshes its articles (a refresh
	// setting): their fetch state must be found from the source's name
	// as well as from the URL (FetchState.SourceURLs).
	Refresh bool
}

// FetchState keeps what a run needs to remember of the web between
// runs; *store.Store is one.
type FetchState interface {
	URLStates(ctx context.Context, urls []string) (map[string]record.URLState, error)
	SourceURLs(ctx context.Context, source string, since time.Time) ([]record.URLState, error)
	PutURLStates(ctx context.Context, states []record.URLState) error
	HostDeferrals(ctx context.Context) (map[string]time.Time, error)
	PutHostDeferrals(ctx context.Context, until map[string]time.Time) error
	ListPolls(ctx context.Context) (map[string]time.Time, error)
	PutListPolls(ctx context.Context, polled map[string]time.Time) error
}

// Options are what fetching and parsing one article needs. Only Fetcher
// is required to fetch; reading files needs none of the fetch fields.
type Options struct {
	// Site is passed to the parser for records' site and ids, unless the
	// work names its own.
	Site string
	// URL is the page's URL when one file is read (see parse.Options).
	URL string
	// MaxBytes refuses pages larger than this; zero means the parser's
	// default.
	MaxBytes int
	// Location is the parser's zone for times a page gives without one.
	Location *time.Location
	// ParseTimeout is the time one page's parse may take (see
	// parse.Options.Timeout: 0 means parse.DefaultTimeout, negative no
	// limit).
	ParseTimeout time.Duration
	// Profiles are the site profiles pages are read with; nil means the
	// built-in ones.
	Profiles *parse.Profiles
	// ContentType is the Content-Type files are read as (a fetched page
	// has its own).
	ContentType string
	// Fetcher fetches articles.
	Fetcher *fetch.Fetcher
	// State keeps the validators between runs; nil keeps none, and every
	// fetch is unconditional.
	State FetchState
	// Log receives a warning when a stored state cannot be read; nil
	// discards.
	Log *slog.Logger
}

// Fetched is what Fetch made of one article.
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

// Body is a fetched article whose body changed since it was last
// fetched: still to parse.
type Body struct {
	// Work is what was fetched.
	Work Work
	// Data is the body, ContentType its Content-Type, URL the URL after
	// redirects.
	Data        []byte
	ContentType string
	URL         string
	// State is the URL's new fetch state, to save once the page is
	// stored.
	State record.URLState
}

// Fetch fetches one article conditionally, with opts.Fetcher and the
// validators opts.State keeps (nil, or w.New: unconditionally), and
// parses it exactly as a local run does: the same profiles, site and URL
// rules. The page's Seen is when it was fetched. It saves nothing: the
// caller saves State once the page is stored. A fetch error is returned
// as the fetcher gave it (errors.Is fetch.ErrRobots, errors.As
// *fetch.StatusError, ...); a page that cannot be parsed is a
// *ParseError.
func Fetch(ctx context.Context, w Work, opts Options) (Fetched, error) {
	body, unchanged, err := Get(ctx, w, opts)
	if err != nil {
		return Fetched{}, err
	}
	if unchanged != nil {
		return Fetched{State: *unchanged}, nil
	}
	page, err := body.Parse(opts)
	if err != nil {
		return Fetched{State: body.State}, &ParseError{URL: w.URL, Err: err}
	}
	page.Seen = body.State.LastFetched
	return Fetched{Page: page, State: body.State}, nil
}

// Get fetches w's URL conditionally. A page whose body changed comes
// back as a Body to parse; a 304, or a 200 with the body of last time,
// gives only the new state (unchanged).
func Get(ctx context.Context, w Work, opts Options) (_ *Body, unchanged *record.URLState, err error) {
	if opts.Fetcher == nil {
		return nil, nil, fmt.Errorf("article: fetch %s: no fetcher", w.URL)
	}
	old := oldState(ctx, w, opts)
	resp, err := opts.Fetcher.Get(ctx, w.URL, fetch.Validators{ETag: old.ETag, LastModified: old.LastModified})
	if err != nil {
		return nil, nil, err
	}
	st := old
	st.URL, st.Status, st.LastFetched = w.URL, resp.Status, resp.Date
	st.ETag, st.LastModified = resp.Validators.ETag, resp.Validators.LastModified
	if st.FirstFetched.IsZero() {
		st.FirstFetched = resp.Date
	}
	if w.Source != "" {
		st.Source = w.Source
	}
	if resp.NotModified {
		return nil, &st, nil
	}
	hash := BodyHash(resp.Body)
	if hash == old.BodyHash {
		return nil, &st, nil
	}
	st.BodyHash, st.LastChanged = hash, resp.Date
	return &Body{Work: w, Data: resp.Body, ContentType: resp.ContentType, URL: resp.URL, State: st}, nil, nil
}

// oldState returns the stored state of w's URL, or the zero state when
// there is no fetch state or w is new.
func oldState(ctx context.Context, w Work, opts Options) record.URLState {
	if w.New || opts.State == nil {
		return record.URLState{}
	}
	m, err := opts.State.URLStates(ctx, []string{w.URL})
	if err != nil && opts.Log != nil {
		opts.Log.Warn("fetch state", slog.String("url", w.URL), slog.Any("err", err))
	}
	return m[w.URL]
}

// BodyHash is the hash of a body kept in the fetch state: SHA-256, hex.
func BodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Parse parses the fetched body into what a store takes. The records
// take their URL from the page's canonical link when it is on the same
// site, else from the URL it was fetched from (parse decides); their
// source is the URL asked for.
func (b *Body) Parse(opts Options) (*record.Page, error) {
	po := parse.Options{
		Site: opts.Site, URL: b.URL, Fetched: true, Source: b.Work.URL, MaxBytes: opts.MaxBytes,
		Location: opts.Location, ContentType: b.ContentType, Profiles: opts.Profiles, Timeout: opts.ParseTimeout,
	}
	if w := b.Work; w.Source != "" || w.Site != "" || w.Profiles != nil {
		if w.Site != "" {
			po.Site = w.Site
		}
		if w.Profiles.Match(record.Host(po.URL)) != nil {
			po.Profiles = w.Profiles
		}
	}
	return parsePage(b.Data, po)
}

// parsePage parses one page's bytes, HTML or raw text, into what a store
// takes, its JSON encoded.
func parsePage(data []byte, po parse.Options) (*record.Page, error) {
	res, err := parse.Page(data, po)
	if err != nil {
		return nil, err
	}
	name := po.Source
	page := &record.Page{
		Source:      name,
		ContentHash: res.Article.ContentHash,
		Article:     res.Article,
		Interview:   res.Interview,
		Headlines:   res.Headlines,
	}
	// Encoded here, on a parsing goroutine, rather than by the one writer.
	if page.ArticleJSON, err = res.Article.MarshalJSON(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	if res.Interview != nil {
		if page.InterviewJSON, err = res.Interview.MarshalJSON(); err != nil {
			return nil, fmt.Errorf("encode %s: %w", name, err)
		}
	}
	return page, nil
}
