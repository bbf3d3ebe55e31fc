package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"newsfeed/article"
	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// MaxChildSitemaps is how many of a sitemap index's sitemaps a poll reads:
// the newest by lastmod, as news sites add a sitemap a day.
const MaxChildSitemaps = 5

// HostReasons is what a fetch state may keep besides HostDeferrals: why
// each host is deferred, and whether because it failed. *store.Store
// does; a poll without it loads deferrals without their reasons.
type HostReasons interface {
	HostReasons(ctx context.Context) (map[string]store.HostDeferral, error)
	PutHostReasons(ctx context.Context, hosts []store.HostDeferral) error
}

// Config configures a Poller.
type Config struct {
	// Fetcher fetches the list pages; URL sources and lists are refused
	// without one (see Run).
	Fetcher *fetch.Fetcher
	// State keeps fetch state between runs (validators, host deferrals,
	// list polls); nil keeps none, and every fetch is unconditional.
	State article.FetchState
	// Lists are the sources file's list pages to poll.
	Lists []ListSource
	// Lists polled at once; zero means one.
	Polls int
	// Glob filters the files found in folders by base name, as
	// path.Match does; empty means every file. Names starting with "."
	// are skipped in folders.
	Glob string
	// Site is the site of the work of URL sources and of lists without
	// their own.
	Site string
	// Profiles are the run's site profiles; nil means the built-in ones.
	Profiles *parse.Profiles
	// Now is the clock for max_age, every and refresh; nil means time.Now.
	Now func() time.Time
	// Log receives a line per list skipped, and per site source
	// discovered; nil discards.
	Log *slog.Logger
	// Stale is how long a site source's method may give no new article
	// before the site is discovered again; zero means DefaultStale.
	Stale time.Duration
}

// Sink takes what a poll finds. Work and File block until the work is
// taken; an error means the caller is stopping (ctx done), and ends the
// poll.
type Sink struct {
	// Work takes an article to fetch.
	Work func(ctx context.Context, w article.Work) error
	// File takes a file or stdin to read.
	File func(ctx context.Context, f article.File) error
	// Failed takes an input that could not be walked (list false) or a
	// list page that failed (list true). The error names the source.
	Failed func(ctx context.Context, err error, list bool)
}

// ListCounts counts what became of a run's list pages: polled, skipped
// because polled less than their every ago, skipped because their host is
// deferred, and failed.
type ListCounts struct {
	Polled, NotDue, Deferred, Failed int
}

// Poller polls one run's sources. Make one with New, Load the fetch
// state, Run it, report the articles that failed later with Failed, and
// Save what it learnt.
type Poller struct {
	cfg    Config
	now    time.Time
	lists  []*listSource
	byName map[string]*listSource

	claimed sync.Map // URL → true: each URL is fetched once per run

	// fetchTime adds up the time spent in Gets, in nanoseconds.
	fetchTime atomic.Int64

	mu     sync.Mutex
	polls  map[string]time.Time
	counts ListCounts

	// sites are the site sources' states as Load read them.
	sites map[string]record.SiteState
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
	// article.Work.Marker); set before its articles are picked.
	marker string
	// list is the source whose list page is read: nil for the source
	// itself, a site source's method as a source (see use) for a site.
	list *config.Source
	// site is a site source's poll; nil for the others.
	site *siteSource
}

// listSrc returns the source whose list page is read.
func (src *listSource) listSrc() *config.Source {
	if src.list != nil {
		return src.list
	}
	return src.Source
}

// New returns a poller of cfg's sources.
func New(cfg Config) *Poller {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Polls <= 0 {
		cfg.Polls = 1
	}
	p := &Poller{cfg: cfg, now: cfg.Now(), polls: map[string]time.Time{}, byName: map[string]*listSource{}}
	for _, l := range cfg.Lists {
		src := &listSource{Source: l.Source, profiles: l.Profiles}
		p.lists = append(p.lists, src)
		p.byName[l.Name] = src
	}
	return p
}

// Load gives the fetcher the host deferrals and the lists' poll times
// that earlier runs stored. Without a fetch state it does nothing.
func (p *Poller) Load(ctx context.Context) error {
	st := p.cfg.State
	if st == nil {
		return nil
	}
	deferred, err := st.HostDeferrals(ctx)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	var why map[string]store.HostDeferral
	if hr, ok := st.(HostReasons); ok {
		if why, err = hr.HostReasons(ctx); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	for host, until := range deferred {
		d := why[host]
		p.cfg.Fetcher.LoadDeferral(fetch.Deferral{Host: host, Until: until, Reason: d.Reason, Failing: d.Failing})
	}
	if p.polls, err = st.ListPolls(ctx); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if err := p.loadSites(ctx); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	return nil
}

// Run walks srcs and polls the lists, cfg.Polls at once, handing the
// sink what it finds; it returns when all are done or the sink refuses.
func (p *Poller) Run(ctx context.Context, srcs []string, sink Sink) {
	var wg sync.WaitGroup
	wg.Go(func() { p.walk(ctx, srcs, sink) })
	polls := make(chan struct{}, p.cfg.Polls)
	for _, src := range p.lists {
		wg.Go(func() {
			polls <- struct{}{}
			defer func() { <-polls }()
			p.poll(ctx, src, sink)
		})
	}
	wg.Wait()
}

// Failed notes that an article of the named source failed or was not
// fetched after it was handed on: the source's list keeps no validators.
func (p *Poller) Failed(source string) {
	if src := p.byName[source]; src != nil {
		src.failed.Add(1)
	}
}

// FetchTime is the time spent fetching list pages, over every goroutine.
func (p *Poller) FetchTime() time.Duration { return time.Duration(p.fetchTime.Load()) }

// Counts returns what became of the list pages.
func (p *Poller) Counts() ListCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts
}

// claim reports whether u is still to be fetched in this run, and marks
// it fetched.
func (p *Poller) claim(u string) bool {
	_, dup := p.claimed.LoadOrStore(u, true)
	return !dup
}

// Save stores what the run learnt: the host deferrals, and, when the
// run finished (complete), the poll times and the validators of the lists
// whose articles all got through. An unfinished run keeps neither, so
// that the next run polls its lists again and reads them whole: a 304
// would hide the articles not yet fetched.
func (p *Poller) Save(ctx context.Context, complete bool) error {
	st := p.cfg.State
	if st == nil {
		return nil
	}
	f := p.cfg.Fetcher
	made := f.Deferrals()
	err := st.PutHostDeferrals(ctx, made)
	if hr, ok := st.(HostReasons); ok && err == nil {
		var why []store.HostDeferral
		for _, d := range f.Deferred() {
			if _, ok := made[d.Host]; ok {
				why = append(why, store.HostDeferral{Host: d.Host, Until: d.Until, Reason: d.Reason, Failing: d.Failing})
			}
		}
		err = hr.PutHostReasons(ctx, why)
	}
	// A site's method is kept whatever became of the articles.
	err = errors.Join(err, p.saveSites(ctx))
	if !complete {
		return err
	}
	var states []record.URLState
	for _, src := range p.lists {
		if src.failed.Load() == 0 {
			states = append(states, src.listState...)
		}
	}
	return errors.Join(err, st.PutListPolls(ctx, p.polls), st.PutURLStates(ctx, states))
}

// get is the fetcher's Get, timed.
func (p *Poller) get(ctx context.Context, u string, old record.URLState) (*fetch.Response, error) {
	t0 := time.Now()
	defer func() { p.fetchTime.Add(int64(time.Since(t0))) }()
	return p.cfg.Fetcher.Get(ctx, u, fetch.Validators{ETag: old.ETag, LastModified: old.LastModified})
}

// work is the article.Work of an article src lists, old its stored
// state (nil: not read; zero: none).
func (p *Poller) work(src *listSource, u string, old *record.URLState) article.Work {
	w := article.Work{URL: u, Site: p.cfg.Site}
	w.Source, w.Profiles, w.Marker, w.Refresh = src.Name, src.profiles, src.marker, src.Refresh > 0
	if src.Site != "" {
		w.Site = src.Site
	}
	if old != nil && !old.LastFetched.IsZero() {
		w.Marker += "@" + strconv.FormatInt(old.LastFetched.UnixNano(), 36)
	}
	w.New = p.cfg.State != nil && old != nil && old.LastFetched.IsZero()
	return w
}

// SourceErr names the source a failed article came from ("" for none).
func SourceErr(source string, err error) error {
	if source == "" {
		return err
	}
	return fmt.Errorf("source %s: %w", source, err)
}
