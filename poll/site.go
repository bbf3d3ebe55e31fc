package poll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"newsfeed/config"
	"newsfeed/discover"
	"newsfeed/fetch"
	"newsfeed/internal/timeutil"
	"newsfeed/record"
)

// A site source (type = "site") is discovered again when the polls
// through its method have given no new article for DefaultStale (or
// Config.Stale) since the last new one or the last discovery, over at
// least StalePolls polls; and whenever a poll through it finds the
// method broken (see outage): a list page gone or refused, or one that
// no longer reads as its kind or gives no link. An outage (no answer, a
// 5xx, a 429) is reported as any list's failure and changes nothing.
const (
	DefaultStale = 7 * 24 * time.Hour
	StalePolls   = 3
)

// errNoLinks is a site method's list page read whole that gave no
// article link.
var errNoLinks = errors.New("no article links on the list page")

// SiteStates is what a fetch state may keep besides article.FetchState:
// the method each site source polls with. *store.Store and
// *sharedfetch.State do; a poll whose fetch state lacks it discovers
// each site source at every run.
type SiteStates interface {
	SiteStates(ctx context.Context) (map[string]record.SiteState, error)
	PutSiteStates(ctx context.Context, states []record.SiteState) error
}

// siteSource is what a poll knows of a site source.
type siteSource struct {
	// state is the source's state, as loaded and then as this poll
	// changed it; dirty says it is to be saved.
	state record.SiteState
	dirty bool
	// fresh counts the articles not fetched before that the poll handed
	// on; read counts the list pages it read whole.
	fresh, read int
}

// loadSites reads the site sources' states, when there are site sources
// and the fetch state keeps them.
func (p *Poller) loadSites(ctx context.Context) error {
	ss, ok := p.cfg.State.(SiteStates)
	if !ok {
		return nil
	}
	for _, src := range p.lists {
		if src.Kind == config.KindSite {
			var err error
			p.sites, err = ss.SiteStates(ctx)
			return err
		}
	}
	return nil
}

// saveSites keeps the site sources' states this run changed.
func (p *Poller) saveSites(ctx context.Context) error {
	ss, ok := p.cfg.State.(SiteStates)
	if !ok {
		return nil
	}
	var states []record.SiteState
	for _, src := range p.lists {
		if src.site != nil && src.site.dirty {
			states = append(states, src.site.state)
		}
	}
	return ss.PutSiteStates(ctx, states)
}

// pollSite polls a site source through the method stored for it, or
// through one it discovers first; a method that fails, or has long
// given nothing new, is replaced by what discovery finds again.
func (p *Poller) pollSite(ctx context.Context, src *listSource, sink Sink) {
	site := &siteSource{state: p.sites[src.Name]}
	src.site = site
	m := p.storedMethod(src)
	found := m == nil // discovered in this poll
	if found {
		var err error
		if m, err = p.discoverSite(ctx, src, nil, "first poll"); err != nil {
			if ctx.Err() == nil && !p.deferred(src, err) {
				p.listFailed(ctx, src, err, sink)
			}
			return
		}
	}
	polled, err := p.read(ctx, src, sink)
	if ctx.Err() != nil || (!polled && err == nil) {
		return // stopping, or the host is deferred
	}
	st := &site.state
	if site.fresh > 0 {
		st.LastNew, st.Empty = p.now, 0
	} else {
		st.Empty++
	}
	site.dirty = true
	var why string
	switch {
	case err != nil && (found || outage(err)): // discovery confirmed it a moment ago, or the site is down
		p.listFailed(ctx, src, err, sink)
		return
	case err != nil:
		why = "failed: " + err.Error()
	case st.Empty >= StalePolls && p.now.Sub(timeutil.Later(st.LastNew, st.Checked)) >= p.stale():
		why = fmt.Sprintf("no new article in %d polls since %s", st.Empty, timeutil.Later(st.LastNew, st.Checked).Format(time.RFC3339))
	default:
		return
	}
	nm, derr := p.discoverSite(ctx, src, m, why)
	switch {
	case ctx.Err() != nil, derr != nil && p.deferred(src, derr):
	case derr != nil:
		p.listFailed(ctx, src, derr, sink)
	case nm.Same(m):
		if err != nil {
			p.listFailed(ctx, src, err, sink)
		}
	default:
		if _, err := p.read(ctx, src, sink); err != nil && ctx.Err() == nil {
			p.listFailed(ctx, src, err, sink)
		}
	}
}

// storedMethod returns the method stored for a site source, set to poll
// with; nil when there is none, or it was found for another address.
func (p *Poller) storedMethod(src *listSource) *discover.Method {
	st := src.site.state
	if st.URL != src.ListURL() || len(st.Method) == 0 {
		return nil
	}
	m := new(discover.Method)
	if err := json.Unmarshal(st.Method, m); err != nil {
		p.cfg.Log.Warn("site method stored cannot be read: discovering again",
			slog.String("source", src.Name), slog.String("error", err.Error()))
		return nil
	}
	if err := src.use(m); err != nil {
		p.cfg.Log.Warn("site method stored is no source: discovering again",
			slog.String("source", src.Name), slog.String("error", err.Error()))
		return nil
	}
	return m
}

// discoverSite discovers how to follow a site source (old is its method
// so far, nil at the first poll; why says why it is discovered again),
// sets the method found to poll with and notes it in the source's state.
// When discovery fails the old method stays, and the error names the
// source's address; the time of the attempt is kept all the same, so
// that a stale method is not discovered again at every poll.
func (p *Poller) discoverSite(ctx context.Context, src *listSource, old *discover.Method, why string) (*discover.Method, error) {
	res, err := discover.Site(ctx, timedGetter{p}, src.ListURL(),
		discover.Options{Profile: profileFunc(p.cfg.Profiles, src), Logger: p.cfg.Log})
	var de *fetch.DeferredError
	if ctx.Err() != nil || errors.As(err, &de) && !de.Failing {
		return nil, err // not tried: the next poll tries
	}
	site := src.site
	site.state.Source, site.state.Checked, site.state.Empty = src.Name, p.now, 0
	site.dirty = true
	if err == nil {
		err = src.use(res.Best)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "discover ") {
		err = fmt.Errorf("discover %s: %w", src.ListURL(), err)
	}
	if err != nil && old != nil {
		err = fmt.Errorf("method %s %s; %w", old.String(), why, err)
	}
	if err != nil {
		return nil, err
	}
	m := res.Best
	data, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("site %s: %w", src.ListURL(), err)
	}
	site.state.URL, site.state.Method = src.ListURL(), data
	attrs := []any{slog.String("source", src.Name), slog.String("found", m.Found), slog.Int("requests", res.Requests)}
	switch {
	case old == nil:
		p.cfg.Log.Info(fmt.Sprintf("site %s: method %s", src.Name, m.String()), attrs...)
	case m.Same(old):
		p.cfg.Log.Info(fmt.Sprintf("site %s: method %s unchanged", src.Name, m.String()), append(attrs, slog.String("why", why))...)
	default:
		p.cfg.Log.Info(fmt.Sprintf("site %s: method %s → %s", src.Name, old.String(), m.String()), append(attrs, slog.String("why", why))...)
	}
	return m, nil
}

// use sets the method m to poll the site source with: its list page is
// read as the equivalent feed, sitemap or html source, under the site
// source's name and with its settings.
func (src *listSource) use(m *discover.Method) error {
	s, err := m.Source(src.Name)
	if err != nil {
		return err
	}
	s.Settings, s.Line = src.Settings, src.Line
	src.list = s
	if src.site != nil {
		src.site.read = 0
	}
	return nil
}

// deferred reports whether err is a host deferred (not failing): the
// list is skipped, counted and logged, as no failure.
func (p *Poller) deferred(src *listSource, err error) bool {
	var de *fetch.DeferredError
	if !errors.As(err, &de) || de.Failing {
		return false
	}
	p.count(func(c *ListCounts) { c.Deferred++ })
	p.cfg.Log.Info("list skipped: host deferred", slog.String("source", src.Name), slog.Time("until", de.Until))
	return true
}

// stale is how long a site method may give nothing new.
func (p *Poller) stale() time.Duration {
	if p.cfg.Stale > 0 {
		return p.cfg.Stale
	}
	return DefaultStale
}

// outage reports whether a list page's error is the site being down
// rather than the method broken: no answer, a failing or deferred host,
// a 5xx, 408 or 429. A 404, 410 or other refusal, or a page that does
// not read as its kind, is the method broken.
func outage(err error) bool {
	var (
		se *fetch.StatusError
		he *fetch.HostError
		de *fetch.DeferredError
		ne net.Error
	)
	switch {
	case errors.As(err, &se):
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout
	case errors.As(err, &he), errors.As(err, &de), errors.As(err, &ne):
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}

// timedGetter is the run's fetcher as discover's Getter: its Gets are
// the poll's, timed with the rest.
type timedGetter struct{ p *Poller }

func (g timedGetter) Get(ctx context.Context, u string, old fetch.Validators) (*fetch.Response, error) {
	t0 := time.Now()
	defer func() { g.p.fetchTime.Add(int64(time.Since(t0))) }()
	return g.p.cfg.Fetcher.Get(ctx, u, old)
}
