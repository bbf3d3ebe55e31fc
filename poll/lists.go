package poll

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"newsfeed/article"
	"newsfeed/config"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/sources"
)

// poll reads one list source and hands the sink an article for each to
// fetch: new ones first, in the list's order, then ones the list says
// changed, then, with refresh, the stored ones still young enough; at
// most MaxArticles in all. A source that fails is handed to
// sink.Failed and counted. A site source is polled through its method
// (see pollSite).
func (p *Poller) poll(ctx context.Context, src *listSource, sink Sink) {
	if last, ok := p.pollTime(src.Name); ok && p.now.Sub(last) < src.Every.D() {
		p.count(func(c *ListCounts) { c.NotDue++ })
		p.cfg.Log.Info("list not due", slog.String("source", src.Name), slog.Time("polled", last))
		return
	}
	if src.Kind == config.KindSite {
		p.pollSite(ctx, src, sink)
		return
	}
	if _, err := p.read(ctx, src, sink); err != nil {
		p.listFailed(ctx, src, err, sink)
	}
}

// read reads the source's list pages and hands on their articles. It
// returns the error of a list page that failed, not yet handed to the
// sink (with polled false), or polled false and no error when the run
// is stopping or the host is deferred. A site's list page read whole
// that gives no link is an error too (errNoLinks).
func (p *Poller) read(ctx context.Context, src *listSource, sink Sink) (polled bool, err error) {
	links, complete, err := p.listLinks(ctx, src, sink)
	switch {
	case ctx.Err() != nil:
		return false, nil
	case err != nil && p.deferred(src, err):
		return false, nil
	case err != nil:
		return false, err
	case src.site != nil && src.site.read > 0 && len(links) == 0:
		return false, fmt.Errorf("%s %s: %w", src.listSrc().Kind, src.listSrc().ListURL(), errNoLinks)
	}
	p.mu.Lock()
	p.polls[src.Name] = p.now
	p.counts.Polled++
	p.mu.Unlock()

	src.marker = listMarker(src.listState)
	capped, err := p.pick(ctx, src, links, func(w article.Work) bool { return sink.Work(ctx, w) == nil })
	if err != nil {
		p.listFailed(ctx, src, err, sink)
		return true, nil
	}
	if capped || !complete {
		src.failed.Add(1) // read the list whole next time
	}
	return true, nil
}

// listFailed counts a list page of src that failed and hands its error
// to the sink.
func (p *Poller) listFailed(ctx context.Context, src *listSource, err error, sink Sink) {
	p.count(func(c *ListCounts) { c.Failed++ })
	sink.Failed(ctx, SourceErr(src.Name, err), true)
}

func (p *Poller) count(fn func(*ListCounts)) {
	p.mu.Lock()
	fn(&p.counts)
	p.mu.Unlock()
}

func (p *Poller) pollTime(name string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.polls[name]
	return t, ok
}

// listLinks fetches the source's list page (and a sitemap index's newest
// sitemaps) conditionally and returns its links: none when it is
// unchanged since the last poll. complete is false when a child sitemap
// failed.
func (p *Poller) listLinks(ctx context.Context, src *listSource, sink Sink) (links []sources.Link, complete bool, err error) {
	if src.Kind == config.KindURLs {
		l, err := sources.Discover(src.Source, nil, "", "", profileFunc(p.cfg.Profiles, src))
		if err != nil {
			return nil, false, err
		}
		return l.Links, true, nil
	}
	list, err := p.getList(ctx, src, src.listSrc().ListURL())
	if err != nil || list == nil {
		return nil, true, err
	}
	links, complete = list.Links, true
	children := list.Sitemaps // newest first; undated last
	slices.SortStableFunc(children, func(a, b sources.Link) int { return b.Updated.Compare(a.Updated) })
	for _, c := range children[:min(len(children), MaxChildSitemaps)] {
		l, err := p.getList(ctx, src, c.URL)
		if err != nil {
			p.listFailed(ctx, src, err, sink)
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
func (p *Poller) getList(ctx context.Context, src *listSource, u string) (*sources.List, error) {
	var old record.URLState
	if p.cfg.State != nil {
		m, err := p.cfg.State.URLStates(ctx, []string{u})
		if err != nil {
			return nil, err
		}
		old = m[u]
	}
	resp, err := p.get(ctx, u, old)
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
	if hash := article.BodyHash(resp.Body); hash != old.BodyHash {
		st.BodyHash, st.LastChanged = hash, resp.Date
	}
	list, err := sources.Discover(src.listSrc(), resp.Body, resp.URL, resp.ContentType, profileFunc(p.cfg.Profiles, src))
	if err != nil {
		return nil, err
	}
	if src.site != nil {
		src.site.read++
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
func (p *Poller) pick(ctx context.Context, src *listSource, links []sources.Link, send func(article.Work) bool) (capped bool, err error) {
	var fresh []sources.Link
	for _, lk := range links {
		if src.MaxAge > 0 && !lk.Published.IsZero() && p.now.Sub(lk.Published) > src.MaxAge.D() {
			continue // too old
		}
		fresh = append(fresh, lk)
	}
	picked := 0
	// offer sends the article unless MaxArticles are out already (full)
	// or the run is stopping (stop).
	offer := func(u string, old *record.URLState) (full, stop bool) {
		if picked == src.MaxArticles {
			return true, false
		}
		if !p.claim(u) {
			return false, false
		}
		picked++
		if src.site != nil && old.LastFetched.IsZero() {
			src.site.fresh++
		}
		return false, !send(p.work(src, u, old))
	}
	type updatedLink struct {
		url string
		old *record.URLState
	}
	var updated []updatedLink
	for start := 0; start < len(fresh); start += pickChunk {
		chunk := fresh[start:min(start+pickChunk, len(fresh))]
		known := map[string]record.URLState{}
		if p.cfg.State != nil {
			urls := make([]string, len(chunk))
			for i, lk := range chunk {
				urls[i] = lk.URL
			}
			if known, err = p.cfg.State.URLStates(ctx, urls); err != nil {
				return false, err
			}
		}
		for _, lk := range chunk {
			st, ok := known[lk.URL]
			switch {
			case !ok:
				// Left-out new or changed articles need the list read
				// whole again.
				if full, stop := offer(lk.URL, &record.URLState{}); full || stop {
					return full, nil
				}
			case !lk.Updated.IsZero() && lk.Updated.After(st.LastFetched):
				updated = append(updated, updatedLink{lk.URL, &st})
			}
		}
	}
	for _, u := range updated {
		if full, stop := offer(u.url, u.old); full || stop {
			return full, nil
		}
	}
	if src.Refresh > 0 && p.cfg.State != nil {
		states, err := p.cfg.State.SourceURLs(ctx, src.Name, p.now.Add(-src.Refresh.D()))
		if err != nil {
			return false, err
		}
		for i := range states {
			// Left-out refreshes wait for the next run.
			if full, stop := offer(states[i].URL, &states[i]); full || stop {
				return false, nil
			}
		}
	}
	return false, nil
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

// profileFunc returns the site profile for a host as src reads it (src
// nil: no source): its own profile file first, then profiles (nil: the
// built-in ones).
func profileFunc(profiles *parse.Profiles, src *listSource) sources.ProfileFunc {
	return func(host string) *parse.Profile {
		if src != nil {
			if p := src.profiles.Match(host); p != nil {
				return p
			}
		}
		ps := profiles
		if ps == nil {
			ps = parse.BuiltinProfiles()
		}
		return ps.Match(host)
	}
}
