package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/sources"
	"newsfeed/store"
)

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

// HostReasons is what a FetchState may keep besides HostDeferrals: why
// each host is deferred, and whether because it failed. *store.Store
// does; a run without it loads deferrals without their reasons.
type HostReasons interface {
	HostReasons(ctx context.Context) (map[string]store.HostDeferral, error)
	PutHostReasons(ctx context.Context, hosts []store.HostDeferral) error
}

// DefaultFetchers is the number of fetches in flight when
// Options.Fetchers is zero; the fetcher's per-host limit holds below it.
const DefaultFetchers = 16

// DefaultEnqueuers is the number of articles handed to Options.Enqueue at
// once when Options.Enqueuers is zero.
const DefaultEnqueuers = 256

// MaxChildSitemaps is how many of a sitemap index's sitemaps a poll reads:
// the newest by lastmod, as news sites add a sitemap a day.
const MaxChildSitemaps = 5

// IsURL reports whether a source names a URL rather than a file.
func IsURL(src string) bool {
	l := strings.ToLower(src)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// listSource is a sources-file source during a run.
type listSource struct {
	*config.Source
	profiles *parse.Profiles // its own profile file's, or nil
	// failed counts its articles that failed or were not fetched; a list
	// whose articles did not all get through keeps no validators, so the
	// next poll reads it whole again rather than getting a 304.
	failed    atomic.Int64
	listState []record.URLState
	// marker stands for the list pages as this poll read them (see
	// Work.Marker); set before its articles are picked.
	marker string
}

// fetcher is a run's fetching side: the fetch jobs from the walker and
// the lists, the pool of goroutines that fetch them, and what is saved
// when the run ends.
type fetcher struct {
	opts  Options
	f     *fetch.Fetcher
	state FetchState
	now   time.Time

	claimed sync.Map // URL → true: each URL is fetched once per run

	// fetchTime adds up the time spent in Gets, in nanoseconds.
	fetchTime atomic.Int64

	mu    sync.Mutex
	polls map[string]time.Time
	lists ListCounts
}

// get is f.Get, timed.
func (fr *fetcher) get(ctx context.Context, u string, old record.URLState) (*fetch.Response, error) {
	t0 := time.Now()
	defer func() { fr.fetchTime.Add(int64(time.Since(t0))) }()
	return fr.f.Get(ctx, u, fetch.Validators{ETag: old.ETag, LastModified: old.LastModified})
}

// ListCounts counts what became of a run's list pages: polled, skipped
// because polled less than their every ago, skipped because their host is
// deferred, and failed.
type ListCounts struct {
	Polled, NotDue, Deferred, Failed int
}

// claim reports whether u is still to be fetched in this run, and marks
// it fetched.
func (fr *fetcher) claim(u string) bool {
	_, dup := fr.claimed.LoadOrStore(u, true)
	return !dup
}

// fetchJobs fetches jobs until they run out: a page whose body changed
// goes on to the parse workers (out); a 304, or a 200 with the body of
// last time, goes straight to the writer as a state update. With
// Options.Enqueue, jobs are handed to it instead, unfetched.
func (fr *fetcher) fetchJobs(ctx context.Context, in <-chan job, out chan<- job, items chan<- item) {
	for j := range in {
		if ctx.Err() != nil {
			continue // drain
		}
		if fr.opts.Enqueue != nil {
			fr.enqueue(ctx, j, items)
			continue
		}
		j, unchanged, err := fr.fetchArticle(ctx, j)
		fr.opts.OnFetch()
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			var de *fetch.DeferredError
			switch {
			case errors.Is(err, fetch.ErrRobots):
				// The site's wish, not a failure: counted in the
				// fetcher's robots refusals, and asked again next run.
				fr.opts.Log.Info("robots.txt disallows", slog.String("url", j.name))
				items <- item{skipped: true}
				continue
			case fetch.Gone(err):
				// Taken down (a refreshed article, most often): the site's
				// answer, not a failure. Nothing is saved, so a list that
				// still links it has it asked for again.
				fr.opts.Log.Info("page gone", slog.String("url", j.name), slog.Any("err", err))
				items <- item{gone: true}
				continue
			case errors.As(err, &de) && !de.Failing:
				// The host asked for time (a long Retry-After): not a
				// failure, but named in the summary.
				items <- item{deferred: true}
			case errors.As(err, &de):
				// The host is down: an outage is a failure, reported once
				// per host however many of its articles wait.
				items <- item{err: sourceErr(j.src, err), failingHost: de.Host}
			default:
				items <- item{err: sourceErr(j.src, err)}
			}
			if j.src != nil {
				j.src.failed.Add(1)
			}
			continue
		}
		if unchanged != nil {
			items <- item{state: unchanged, notParsed: true}
			continue
		}
		out <- j
	}
}

// fetchArticle fetches j's URL conditionally. A page whose body changed
// comes back on the job (data, contentType, pageURL and the state to save
// once it is stored); a 304, or a 200 with the body of last time, gives
// only the new state (unchanged).
func (fr *fetcher) fetchArticle(ctx context.Context, j job) (_ job, unchanged *record.URLState, err error) {
	old := fr.oldState(ctx, j)
	resp, err := fr.get(ctx, j.name, old)
	if err != nil {
		return j, nil, err
	}
	st := old
	st.URL, st.Status, st.LastFetched = j.name, resp.Status, resp.Date
	st.ETag, st.LastModified = resp.Validators.ETag, resp.Validators.LastModified
	if st.FirstFetched.IsZero() {
		st.FirstFetched = resp.Date
	}
	if j.src != nil {
		st.Source = j.src.Name
	}
	if resp.NotModified {
		return j, &st, nil
	}
	hash := bodyHash(resp.Body)
	if hash == old.BodyHash {
		return j, &st, nil
	}
	st.BodyHash, st.LastChanged = hash, resp.Date
	j.data, j.contentType, j.pageURL, j.state = resp.Body, resp.ContentType, resp.URL, &st
	return j, nil, nil
}

// bodyHash is the hash of a body kept in the fetch state: SHA-256, hex.
func bodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// oldState returns the stored state of the job's URL, or the zero state.
func (fr *fetcher) oldState(ctx context.Context, j job) record.URLState {
	if j.old != nil {
		return *j.old
	}
	if fr.state == nil {
		return record.URLState{}
	}
	m, err := fr.state.URLStates(ctx, []string{j.name})
	if err != nil {
		fr.opts.Log.Warn("fetch state", slog.String("url", j.name), slog.Any("err", err))
	}
	return m[j.name]
}

// sourceErr names the source a failed article came from.
func sourceErr(src *listSource, err error) error {
	if src == nil {
		return err
	}
	return fmt.Errorf("source %s: %w", src.Name, err)
}

// poll reads one list source and sends a fetch job for each article to
// fetch: new ones first, in the list's order, then ones the list says
// changed, then, with refresh, the stored ones still young enough; at
// most MaxArticles in all. A source that fails is reported as an item
// on items (so the writer goroutine reports it) and counted.
func (fr *fetcher) poll(ctx context.Context, src *listSource, jobs chan<- job, items chan<- item) {
	if last, ok := fr.pollTime(src.Name); ok && fr.now.Sub(last) < src.Every.D() {
		fr.count(func(c *ListCounts) { c.NotDue++ })
		fr.opts.Log.Info("list not due", slog.String("source", src.Name), slog.Time("polled", last))
		return
	}
	links, complete, err := fr.discover(ctx, src, items)
	var de *fetch.DeferredError
	switch {
	case ctx.Err() != nil:
		return
	case errors.As(err, &de) && !de.Failing:
		fr.count(func(c *ListCounts) { c.Deferred++ })
		fr.opts.Log.Info("list skipped: host deferred", slog.String("source", src.Name), slog.Time("until", de.Until))
		return
	case err != nil:
		fr.listFailed(src, err, items)
		return
	}
	fr.mu.Lock()
	fr.polls[src.Name] = fr.now
	fr.lists.Polled++
	fr.mu.Unlock()

	src.marker = listMarker(src.listState)
	capped, err := fr.pick(ctx, src, links, func(j job) bool {
		select {
		case jobs <- j:
			return true
		case <-ctx.Done():
			return false
		}
	})
	if err != nil {
		fr.listFailed(src, err, items)
		return
	}
	if capped || !complete {
		src.failed.Add(1) // read the list whole next time
	}
}

// listFailed counts a list page of src that failed and hands its error
// to the writer goroutine, which reports it.
func (fr *fetcher) listFailed(src *listSource, err error, items chan<- item) {
	fr.count(func(c *ListCounts) { c.Failed++ })
	items <- item{err: sourceErr(src, err), list: true}
}

func (fr *fetcher) count(fn func(*ListCounts)) {
	fr.mu.Lock()
	fn(&fr.lists)
	fr.mu.Unlock()
}

func (fr *fetcher) pollTime(name string) (time.Time, bool) {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	t, ok := fr.polls[name]
	return t, ok
}

// discover fetches the source's list page (and a sitemap index's newest
// sitemaps) conditionally and returns its links: none when it is
// unchanged since the last poll. complete is false when a child sitemap
// failed.
func (fr *fetcher) discover(ctx context.Context, src *listSource, items chan<- item) (links []sources.Link, complete bool, err error) {
	if src.Kind == config.KindURLs {
		l, err := sources.Discover(src.Source, nil, "", "", fr.profileFunc(src))
		if err != nil {
			return nil, false, err
		}
		return l.Links, true, nil
	}
	list, err := fr.getList(ctx, src, src.ListURL())
	if err != nil || list == nil {
		return nil, true, err
	}
	links, complete = list.Links, true
	children := list.Sitemaps // newest first; undated last
	slices.SortStableFunc(children, func(a, b sources.Link) int { return b.Updated.Compare(a.Updated) })
	for _, c := range children[:min(len(children), MaxChildSitemaps)] {
		l, err := fr.getList(ctx, src, c.URL)
		if err != nil {
			fr.listFailed(src, err, items)
			complete = false
			continue
		}
		if l != nil {
			links = append(links, l.Links...)
		}
	}
	return links, complete, nil
}

// getList fetches one list page conditionally and discovers its links;
// a 304 gives a nil list. The page's new state is kept on src, to be
// saved if all its articles get through.
func (fr *fetcher) getList(ctx context.Context, src *listSource, u string) (*sources.List, error) {
	var old record.URLState
	if fr.state != nil {
		m, err := fr.state.URLStates(ctx, []string{u})
		if err != nil {
			return nil, err
		}
		old = m[u]
	}
	resp, err := fr.get(ctx, u, old)
	if err != nil {
		return nil, err
	}
	st := record.URLState{URL: u, ETag: resp.Validators.ETag, LastModified: resp.Validators.LastModified,
		Status: resp.Status, FirstFetched: old.FirstFetched, LastFetched: resp.Date, LastChanged: old.LastChanged, BodyHash: old.BodyHash}
	if st.FirstFetched.IsZero() {
		st.FirstFetched = resp.Date
	}
	if resp.NotModified {
		src.listState = append(src.listState, st)
		return nil, nil
	}
	if hash := bodyHash(resp.Body); hash != old.BodyHash {
		st.BodyHash, st.LastChanged = hash, resp.Date
	}
	list, err := sources.Discover(src.Source, resp.Body, resp.URL, resp.ContentType, fr.profileFunc(src))
	if err != nil {
		return nil, err
	}
	src.listState = append(src.listState, st)
	return list, nil
}

// pickChunk is how many links' states pick reads at a time: the new
// articles among them go out to be fetched (or queued) while it reads
// the next ones.
const pickChunk = 256

// pick chooses the articles to fetch from a list's links and hands each
// to send, which returns false when the run is stopping: the new ones
// first, in the list's order, then those the list says changed since
// they were fetched, then, with refresh, the stored ones still young
// enough; at most MaxArticles in all. It reads the links' states a chunk
// at a time and sends each chunk's new articles before it reads the
// next. capped reports that MaxArticles left some out.
func (fr *fetcher) pick(ctx context.Context, src *listSource, links []sources.Link, send func(job) bool) (capped bool, err error) {
	var fresh []sources.Link
	for _, lk := range links {
		if src.MaxAge > 0 && !lk.Published.IsZero() && fr.now.Sub(lk.Published) > src.MaxAge.D() {
			continue // too old
		}
		fresh = append(fresh, lk)
	}
	picked := 0
	// offer sends j unless MaxArticles are out already (full) or the run
	// is stopping (stop).
	offer := func(j job) (full, stop bool) {
		if picked == src.MaxArticles {
			return true, false
		}
		if !fr.claim(j.name) {
			return false, false
		}
		picked++
		return false, !send(j)
	}
	var updated []job
	for start := 0; start < len(fresh); start += pickChunk {
		chunk := fresh[start:min(start+pickChunk, len(fresh))]
		known := map[string]record.URLState{}
		if fr.state != nil {
			urls := make([]string, len(chunk))
			for i, lk := range chunk {
				urls[i] = lk.URL
			}
			if known, err = fr.state.URLStates(ctx, urls); err != nil {
				return false, err
			}
		}
		for _, lk := range chunk {
			st, ok := known[lk.URL]
			switch {
			case !ok:
				// Left-out new or changed articles need the list read
				// whole again.
				if full, stop := offer(job{name: lk.URL, url: true, src: src, old: &record.URLState{}}); full || stop {
					return full, nil
				}
			case !lk.Updated.IsZero() && lk.Updated.After(st.LastFetched):
				updated = append(updated, job{name: lk.URL, url: true, src: src, old: &st})
			}
		}
	}
	for _, j := range updated {
		if full, stop := offer(j); full || stop {
			return full, nil
		}
	}
	if src.Refresh > 0 && fr.state != nil {
		states, err := fr.state.SourceURLs(ctx, src.Name, fr.now.Add(-src.Refresh.D()))
		if err != nil {
			return false, err
		}
		for i := range states {
			// Left-out refreshes wait for the next run.
			if full, stop := offer(job{name: states[i].URL, url: true, src: src, old: &states[i]}); full || stop {
				return false, nil
			}
		}
	}
	return false, nil
}

// canonical returns rawURL's canonical form with its site profile's
// tracking parameters dropped, or "" when it is no http(s) URL.
func (fr *fetcher) canonical(rawURL string) string {
	return sources.CanonicalURL(nil, rawURL, fr.profileFunc(nil))
}

// profileFunc returns the site profile for a host as src reads it: its
// own profile file first, then the run's profiles.
func (fr *fetcher) profileFunc(src *listSource) sources.ProfileFunc {
	return func(host string) *parse.Profile {
		if src != nil {
			if p := src.profiles.Match(host); p != nil {
				return p
			}
		}
		ps := fr.opts.Profiles
		if ps == nil {
			ps = parse.BuiltinProfiles()
		}
		return ps.Match(host)
	}
}

// save stores what the run learnt: the host deferrals, and, when the
// run finished (complete), the poll times and the validators of the lists
// whose articles all got through. An unfinished run keeps neither, so
// that the next run polls its lists again and reads them whole: a 304
// would hide the articles not yet fetched.
func (fr *fetcher) save(ctx context.Context, lists []*listSource, complete bool) error {
	if fr.state == nil {
		return nil
	}
	made := fr.f.Deferrals()
	err := fr.state.PutHostDeferrals(ctx, made)
	if hr, ok := fr.state.(HostReasons); ok && err == nil {
		var why []store.HostDeferral
		for _, d := range fr.f.Deferred() {
			if _, ok := made[d.Host]; ok {
				why = append(why, store.HostDeferral{Host: d.Host, Until: d.Until, Reason: d.Reason, Failing: d.Failing})
			}
		}
		err = hr.PutHostReasons(ctx, why)
	}
	if !complete {
		return err
	}
	var states []record.URLState
	for _, src := range lists {
		if src.failed.Load() == 0 {
			states = append(states, src.listState...)
		}
	}
	return errors.Join(err, fr.state.PutListPolls(ctx, fr.polls), fr.state.PutURLStates(ctx, states))
}

// pageURL returns the URL a fetched page's records are made from: its
// <link rel="canonical"> when that is on the same site as the URL it
// was fetched from, else that URL.
func pageURL(body []byte, fetched string) string {
	canon := canonicalLink(body)
	if canon == "" {
		return fetched
	}
	f, err1 := url.Parse(fetched)
	c, err2 := url.Parse(canon)
	if err1 != nil || err2 != nil {
		return fetched
	}
	c = f.ResolveReference(c)
	if (c.Scheme != "http" && c.Scheme != "https") || siteHost(c.Host) != siteHost(f.Host) {
		return fetched
	}
	return c.String()
}

// siteHost folds the forms of one site's host: case and a leading www.
func siteHost(h string) string {
	return strings.TrimPrefix(strings.ToLower(h), "www.")
}

// canonicalLink returns the href of an HTML page's <link rel="canonical">,
// looking no further than the start of <body>. The bytes need no
// decoding: the markup is ASCII in every encoding a page may have.
func canonicalLink(body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Body {
				return ""
			}
			if a != atom.Link || !hasAttr {
				continue
			}
			var rel, href string
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "rel":
					rel = string(v)
				case "href":
					href = string(v)
				}
			}
			if strings.EqualFold(strings.TrimSpace(rel), "canonical") && strings.TrimSpace(href) != "" {
				return strings.TrimSpace(href)
			}
		}
	}
}
