package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"newsfeed/feed"
	"newsfeed/internal/timeutil"
	"newsfeed/record"
	"newsfeed/store"
)

// snapshot is everything the server answers without the database: each
// feed, the index page, the stylesheet and the stats, built in one
// read-only visit.
type snapshot struct {
	// assets maps a URL path under the base path ("articles.atom",
	// "headlines/航空航天.rss", "", "index.html", "feed.xsl",
	// "feeds.opml", "items/<id>.html") to its response. A feed's page
	// for browsers is its asset's page, and is kept here too under the
	// feed's path in pages, where the next snapshot finds it.
	assets map[string]*asset
	pages  map[string]*asset
	// stats is the /api/stats body; kinds its counts for the metrics.
	stats     []byte
	kinds     []store.Count
	lastWrite time.Time
	lastSeq   uint64
	feeds     int
	// version is the database file as it was before the build; built
	// is when the build ended.
	version fileVersion
	built   time.Time
}

// fileVersion is what says that the database file changed: a write
// changes its modification time (and usually its size), a restore or a
// compaction its inode. With Config.Store, the store's own version says
// it instead (seq and lastWrite).
type fileVersion struct {
	size      int64
	modTime   time.Time
	ino       uint64
	exists    bool
	seq       uint64
	lastWrite string
}

// dbVersion returns the version of the database: Config.Store's, or the
// file's.
func (s *Server) dbVersion(ctx context.Context) (fileVersion, error) {
	if s.cfg.Store == nil {
		return statDB(s.cfg.DB)
	}
	seq, lastWrite, err := s.cfg.Store.Version(ctx)
	if err != nil {
		return fileVersion{}, fmt.Errorf("serve: %w", err)
	}
	return fileVersion{exists: true, seq: seq, lastWrite: lastWrite}, nil
}

// statDB returns the version of the file at path; a missing file is a
// version too (exists false).
func statDB(path string) (fileVersion, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileVersion{}, nil
	}
	if err != nil {
		return fileVersion{}, fmt.Errorf("serve: %w", err)
	}
	v := fileVersion{size: fi.Size(), modTime: fi.ModTime(), exists: true}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		v.ino = st.Ino
	}
	return v, nil
}

// emptySnapshot is what is served before a database exists: the index
// page and the stylesheet, no feeds.
func (s *Server) emptySnapshot(v fileVersion) (*snapshot, error) {
	return s.assemble(nil, store.Stats{Path: s.cfg.DB}, v, nil)
}

// build opens the database read-only (or takes Config.Store), builds
// every feed in every format, the index page and the stats, and closes
// the database before rendering. prev is the snapshot being replaced
// (nil at first), whose Last-Modified times the new one never goes
// behind.
func (s *Server) build(ctx context.Context, v fileVersion, prev *snapshot) (*snapshot, error) {
	if !v.exists {
		return s.emptySnapshot(v)
	}
	var (
		feeds []*feed.Feed
		stats store.Stats
	)
	err := s.withStore(ctx, func(st *store.Store) error {
		var err error
		feeds, stats, err = s.read(ctx, st)
		return err
	})
	if err != nil {
		s.noteDamage(err)
		return nil, err
	}
	snap, err := s.assemble(feeds, stats, v, prev)
	if err == nil {
		s.clearDamage()
	}
	return snap, err
}

// read builds every feed and reads the stats from st.
func (s *Server) read(ctx context.Context, st *store.Store) ([]*feed.Feed, store.Stats, error) {
	b, err := feed.NewBuilder(st, s.feedOpts)
	if err != nil {
		return nil, store.Stats{}, err
	}
	specs, err := feed.Specs(ctx, st, s.feedOpts.Site)
	if err != nil {
		return nil, store.Stats{}, err
	}
	feeds := make([]*feed.Feed, 0, len(specs))
	for _, spec := range specs {
		f, err := b.Build(ctx, spec)
		if err != nil {
			return nil, store.Stats{}, err
		}
		feeds = append(feeds, f)
	}
	if s.proxy != nil {
		feed.ProxyImages(feeds, s.proxy.URL)
	}
	stats, err := st.Stats(ctx)
	return feeds, stats, err
}

// assemble renders feeds, the index page, the stylesheet and the stats
// into a snapshot.
func (s *Server) assemble(feeds []*feed.Feed, stats store.Stats, v fileVersion, prev *snapshot) (*snapshot, error) {
	as := &assembler{s: s, prev: prev, now: s.now(), snap: &snapshot{
		assets:    make(map[string]*asset, 3*len(feeds)+3),
		pages:     make(map[string]*asset, 3*len(feeds)),
		kinds:     stats.Kinds,
		lastWrite: stats.LastWrite,
		lastSeq:   stats.LastSeq,
		feeds:     len(feeds),
		version:   v,
	}}
	newestAll, err := as.feeds(feeds)
	if err != nil {
		return nil, err
	}
	if err := as.itemPages(feeds); err != nil {
		return nil, err
	}
	if err := as.indexAndOPML(feeds, newestAll); err != nil {
		return nil, err
	}
	snap := as.snap
	snap.assets[feed.StylesheetFile] = s.stylesheet
	snap.assets[feed.FaviconFile] = s.favicon
	snap.assets[feed.IconFile] = s.icon
	body, err := json.Marshal(statsJSON(stats))
	if err != nil {
		return nil, fmt.Errorf("serve: stats: %w", err)
	}
	snap.stats = append(body, '\n')
	snap.built = s.now()
	return snap, nil
}

// assembler is one assemble's snapshot under construction, beside the
// previous one, whose unchanged assets it keeps.
type assembler struct {
	s    *Server
	snap *snapshot
	prev *snapshot // nil for the first
	now  time.Time
}

// put keeps body at path. An asset whose bytes did not change is the
// previous one, compressed already, with its Last-Modified. Else
// Last-Modified is the newest item's date, never in the future, and
// never behind (nor equal to) the previous snapshot's: a client
// sending only If-Modified-Since must not get a 304 for new bytes.
// route names its metrics; xml says that browsers that send no
// Sec-Fetch-Dest get it as generic XML (withPageType); page that it
// is a feed's page for browsers, kept in pages.
func (as *assembler) put(path string, body []byte, ctype string, newest time.Time, route string, xml, page bool) *asset {
	var old *asset
	if as.prev != nil {
		old = as.prev.assets[path]
		if page {
			old = as.prev.pages[path]
		}
	}
	keep := as.snap.assets
	if page {
		keep = as.snap.pages
	}
	if old != nil && bytes.Equal(old.body, body) {
		keep[path] = old
		return old
	}
	lm := newest
	if lm.After(as.now) {
		lm = as.now
	}
	lm = lm.Truncate(time.Second)
	if old != nil && !lm.After(old.lastModified) {
		lm = timeutil.Later(as.now.Truncate(time.Second), old.lastModified.Add(time.Second))
	}
	a := newAsset(body, ctype, lm)
	a.counters = as.s.metrics.forRoute(route)
	if xml {
		a.withPageType()
	}
	keep[path] = a
	return a
}

// feeds puts every feed in every format, each with its page for
// browsers, and returns the newest item's date of them all.
func (as *assembler) feeds(feeds []*feed.Feed) (newestAll time.Time, err error) {
	for _, f := range feeds {
		newest := time.Time{}
		if len(f.Items) > 0 {
			newest = f.Updated
		}
		newestAll = timeutil.Later(newestAll, newest)
		for _, format := range feed.Formats {
			var buf bytes.Buffer
			if err := f.Render(&buf, format); err != nil {
				return newestAll, err
			}
			path := f.Spec.Path() + "." + string(format)
			// An RSS or Atom feed's xml-stylesheet makes it a page.
			a := as.put(path, buf.Bytes(), format.MediaType()+"; charset=utf-8", newest, routeFeed, format != feed.JSON, false)
			// A browser's navigation gets the feed as a page (pageFor).
			var page bytes.Buffer
			if err := f.WritePage(&page, format); err != nil {
				return newestAll, err
			}
			a.withDocumentPage(as.put(path, page.Bytes(), "text/html; charset=utf-8", newest, routeFeedPage, false, true))
		}
	}
	return newestAll, nil
}

// itemPages puts the page of every item the feeds publish.
func (as *assembler) itemPages(feeds []*feed.Feed) error {
	for _, it := range as.s.builder.ItemPages(feeds) {
		var buf bytes.Buffer
		if err := as.s.builder.WriteItemPage(&buf, it); err != nil {
			return err
		}
		as.put(feed.ItemPagePath(it.ID), buf.Bytes(), "text/html; charset=utf-8", it.Date, routeItemPage, false, false)
	}
	return nil
}

// indexAndOPML puts the index page (also served at the root) and the
// OPML list of the feeds, both as new as the newest item.
func (as *assembler) indexAndOPML(feeds []*feed.Feed, newestAll time.Time) error {
	var buf bytes.Buffer
	if err := as.s.builder.WriteIndex(&buf, feeds); err != nil {
		return err
	}
	as.snap.assets[""] = as.put(feed.IndexFile, buf.Bytes(), "text/html; charset=utf-8", newestAll, routeIndex, false, false)
	buf = bytes.Buffer{}
	if err := as.s.builder.WriteOPML(&buf, feeds); err != nil {
		return err
	}
	as.put(feed.OPMLFile, buf.Bytes(), feed.OPMLMediaType+"; charset=utf-8", newestAll, routeOPML, false, false)
	return nil
}

// apiStats is the /api/stats body.
type apiStats struct {
	Size      int64      `json:"size_bytes"`
	Schema    uint64     `json:"schema"`
	LastSeq   uint64     `json:"last_seq"`
	LastWrite *time.Time `json:"last_write"`
	Pages     int        `json:"pages"`
	Kinds     []apiCount `json:"kinds"`
	Sites     []apiCount `json:"sites"`
	Columns   []apiCount `json:"columns"`
}

// apiCount is one count of /api/stats.
type apiCount struct {
	Name   string      `json:"name,omitempty"`
	Kind   record.Kind `json:"kind"`
	N      int         `json:"count"`
	Newest *time.Time  `json:"newest"`
}

// statsJSON returns st as the /api/stats body; times unknown are null.
func statsJSON(st store.Stats) apiStats {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	counts := func(cs []store.Count) []apiCount {
		out := make([]apiCount, 0, len(cs))
		for _, c := range cs {
			out = append(out, apiCount{Name: c.Name, Kind: c.Kind, N: c.N, Newest: opt(c.Newest)})
		}
		return out
	}
	return apiStats{Size: st.Size, Schema: st.Schema, LastSeq: st.LastSeq, LastWrite: opt(st.LastWrite),
		Pages: st.Pages, Kinds: counts(st.Kinds), Sites: counts(st.Sites), Columns: counts(st.Columns)}
}
