package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"newsfeed/feed"
	"newsfeed/store"
)

// Defaults for Config.
const (
	DefaultAddr              = "127.0.0.1:8080"
	DefaultMaxAge            = 300 * time.Second
	DefaultPoll              = time.Second
	DefaultLockTimeout       = 2 * time.Second
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 10 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 16 << 10
	DefaultShutdownTimeout   = 10 * time.Second
)

// Config configures a Server. Zero fields take the defaults above.
type Config struct {
	// DB is the database file. It need not exist yet: until it does,
	// the server serves an index page with no feeds.
	DB string
	// Store, when set, is the database already open, by a process that
	// also writes it (serve --nats): bbolt's lock keeps that process
	// from opening the file again read-only. Feeds are then built from
	// it whenever Refresh finds its records changed (call Refresh after
	// each write; the poll does too), and API reads use it; DB defaults
	// to its path.
	Store *store.Store
	// BaseURL is the absolute URL the feeds are served at: their self
	// links, and the page items without a URL link to. Its path is the
	// prefix feeds are served under.
	BaseURL string
	// Limit, Site and Title are the feed options, as for publish.
	Limit       int
	Site, Title string
	// MaxAge is the Cache-Control max-age of feeds and pages.
	MaxAge time.Duration
	// Poll is how often the database file is checked for changes.
	Poll time.Duration
	// LockTimeout bounds how long a build or an API read waits for a
	// writer's lock before giving up (the build is retried at the next
	// poll; the API answers 503).
	LockTimeout time.Duration
	// The HTTP server's limits.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                                            int
	// ShutdownTimeout bounds how long requests in flight may take to
	// finish once the context is done.
	ShutdownTimeout time.Duration
	// Log gets the server's own events (builds, errors); AccessLog one
	// line per request. Nil means slog.Default() and no access log.
	Log, AccessLog *slog.Logger
	// Registry gets the server's metrics; nil means a new registry with
	// the Go and process collectors.
	Registry *prometheus.Registry
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ImageProxy makes the served feeds' pictures load through the
	// server (/img/…, see imageProxy); published files never do.
	// ImageMaxBytes caps a picture (default DefaultImageMaxBytes),
	// ImageCacheBytes the disk cache beside the database (default
	// DefaultImageCacheBytes). ImageAllow lets the proxy fetch from these
	// private addresses (tests' own servers).
	ImageProxy                     bool
	ImageMaxBytes, ImageCacheBytes int64
	ImageAllow                     []netip.AddrPort
}

// Server serves feeds from snapshots of the database; see the package
// doc. Its methods are safe for concurrent use.
type Server struct {
	cfg        Config
	feedOpts   feed.Options
	builder    *feed.Builder // for the index page; never reads a store
	prefix     string        // the base URL's path, with its slashes
	stylesheet *asset
	// proxy is the picture proxy; nil unless Config.ImageProxy.
	proxy *imageProxy
	// favicon and icon are the icons' assets, the same in every
	// snapshot.
	favicon, icon *asset
	snap          atomic.Pointer[snapshot]
	metrics       *metrics
	log           *slog.Logger
	now           func() time.Time
	// refreshMu makes refreshes one at a time.
	refreshMu sync.Mutex
	// lastErr is the last refresh's error, for /healthz.
	lastErr atomic.Pointer[string]

	// cacheControl is the Cache-Control value of assets.
	cacheControl []byte
	// other answers every request but a GET or HEAD of an asset: route,
	// through fasthttpadaptor (see serveOther).
	other fasthttp.RequestHandler
	// baseCtx is the context of requests other answers: Serve's, never
	// cancelled.
	baseCtx context.Context
	// hold, when set, runs first for every request: a test holds a
	// request in flight with it.
	hold atomic.Pointer[func(*fasthttp.RequestCtx)]
}

// New checks cfg and returns a Server. It builds the first snapshot
// only when serving starts (or Refresh is called).
func New(cfg Config) (*Server, error) {
	if cfg.DB == "" && cfg.Store != nil {
		cfg.DB = cfg.Store.Path()
	}
	if cfg.DB == "" {
		return nil, errors.New("serve: no database path")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = feed.DefaultBaseURL
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.MaxAge < 0 {
		return nil, fmt.Errorf("serve: max-age %v is negative", cfg.MaxAge)
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	def(&cfg.Poll, DefaultPoll)
	def(&cfg.LockTimeout, DefaultLockTimeout)
	def(&cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&cfg.ReadTimeout, DefaultReadTimeout)
	def(&cfg.WriteTimeout, DefaultWriteTimeout)
	def(&cfg.IdleTimeout, DefaultIdleTimeout)
	def(&cfg.ShutdownTimeout, DefaultShutdownTimeout)
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	s := &Server{cfg: cfg, log: cfg.Log, now: cfg.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.feedOpts = feed.Options{BaseURL: cfg.BaseURL, Limit: cfg.Limit, Site: cfg.Site, Title: cfg.Title}
	b, err := feed.NewBuilder(nil, s.feedOpts)
	if err != nil {
		return nil, err
	}
	s.builder = b
	base, err := url.Parse(b.BaseURL())
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.prefix = base.Path
	if cfg.ImageProxy {
		if s.proxy, err = newImageProxy(cfg.DB, b.BaseURL(), s.prefix, cfg.ImageMaxBytes, cfg.ImageCacheBytes, cfg.ImageAllow); err != nil {
			return nil, err
		}
	}
	s.stylesheet = newAsset(feed.Stylesheet(), feed.StylesheetMediaType+"; charset=utf-8", time.Time{})
	s.cacheControl = []byte("public, max-age=" + strconv.Itoa(int(cfg.MaxAge/time.Second)))
	s.other = fasthttpadaptor.NewFastHTTPHandlerFunc(s.serveOther)
	s.baseCtx = context.Background()
	reg := cfg.Registry
	if reg == nil {
		reg = newRegistry()
	}
	s.metrics = newMetrics(reg)
	s.stylesheet.counters = s.metrics.forRoute(routeXSL)
	s.favicon = newAsset(feed.FaviconICO(), "image/x-icon", time.Time{})
	s.icon = newAsset(feed.IconPNG(), "image/png", time.Time{})
	s.favicon.counters, s.icon.counters = s.metrics.forRoute(routeIcon), s.metrics.forRoute(routeIcon)
	return s, nil
}

// Refresh builds a new snapshot when the database file changed since
// the current one was built (or when there is none yet). A build that
// fails keeps the current snapshot and returns the error.
func (s *Server) Refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	v, err := s.dbVersion(ctx)
	if err != nil {
		return s.refreshed(err)
	}
	prev := s.snap.Load()
	if prev != nil && prev.version == v {
		return s.refreshed(nil)
	}
	t0 := time.Now()
	snap, err := s.safeBuild(ctx, v, prev)
	s.metrics.build(time.Since(t0), err)
	if err != nil {
		return s.refreshed(fmt.Errorf("serve: build from %s: %w", s.cfg.DB, err))
	}
	s.snap.Store(snap)
	s.metrics.snapshot(snap)
	s.log.Info("feeds built", slog.Int("feeds", snap.feeds), slog.Uint64("last_seq", snap.lastSeq),
		slog.Duration("took", time.Since(t0).Round(time.Microsecond)))
	return s.refreshed(nil)
}

// refreshed records err as the last refresh's outcome and returns it.
func (s *Server) refreshed(err error) error {
	if err == nil {
		s.lastErr.Store(nil)
		return nil
	}
	msg := err.Error()
	s.lastErr.Store(&msg)
	return err
}

// poll refreshes every cfg.Poll until ctx is done. A database locked by
// a writer is expected (cron): it is logged at debug level and tried
// again at the next poll. Any other failure is logged once, not every
// second, until it changes or a build succeeds.
func (s *Server) poll(ctx context.Context) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	var last string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := s.Refresh(ctx)
		switch {
		case err == nil:
			last = ""
		case ctx.Err() != nil:
		case errors.Is(err, store.ErrLocked):
			s.log.Debug("database locked by a writer; serving the previous feeds", slog.Any("error", err))
		case err.Error() != last:
			last = err.Error()
			s.log.Warn("refresh failed; serving the previous feeds until it succeeds", slog.Any("error", err))
		}
	}
}

// ListenAndServe listens on addr and serves until ctx is done; see Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve builds the first snapshot, then serves HTTP on ln until ctx is
// done, while polling the database. When ctx is done it stops accepting
// connections and waits up to cfg.ShutdownTimeout for requests in
// flight, and returns nil after a clean shutdown. A first build that
// fails is logged, and tried again at each poll.
//
// The server is fasthttp's, HTTP/1.1 only: it serves a poll without
// allocating and without a goroutine per request, which net/http does
// not (see `make bench-serve`). Its one read timeout covers a request's
// header and body from the first byte, so it is the smaller of
// cfg.ReadHeaderTimeout and cfg.ReadTimeout (no route takes a body);
// cfg.MaxHeaderBytes is the read buffer, which bounds the header (431
// beyond it).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.Refresh(ctx); err != nil {
		s.log.Warn("first build failed; retrying every poll", slog.Any("error", err))
	}
	s.baseCtx = context.WithoutCancel(ctx)
	hs := &fasthttp.Server{
		Handler:                      s.safeHandler(s.handle),
		ReadTimeout:                  min(s.cfg.ReadHeaderTimeout, s.cfg.ReadTimeout),
		WriteTimeout:                 s.cfg.WriteTimeout,
		IdleTimeout:                  s.cfg.IdleTimeout,
		ReadBufferSize:               s.cfg.MaxHeaderBytes,
		MaxRequestBodySize:           maxRequestBody,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		DisablePreParseMultipartForm: true,
		CloseOnShutdown:              true,
		Logger:                       slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	pollCtx, stopPoll := context.WithCancel(ctx)
	defer stopPoll()
	go s.poll(pollCtx)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("base_url", s.builder.BaseURL()),
		slog.String("db", s.cfg.DB))
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stopPoll()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.ShutdownWithContext(sctx)
	<-errc // nil once the listener is closed
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// maxRequestBody bounds a request's body; no route reads one.
const maxRequestBody = 64 << 10

// Routes with metrics of their own.
const (
	routeFeed     = "feed"
	routeIndex    = "index"
	routeXSL      = "stylesheet"
	routeFeedPage = "feed_page"
	routeItemPage = "item_page"
	routeOPML     = "opml"
	routeIcon     = "icon"
	routeImage    = "image_proxy"
	routeRecords  = "api_records"
	routeRecord   = "api_record"
	routeStats    = "api_stats"
	routeHealth   = "healthz"
	routeMetrics  = "metrics"
	routeNone     = "not_found"
)

// route dispatches a request that is not a GET or HEAD of an asset
// (see handle). Paths are matched exactly, after
// percent-decoding and nothing else: "/../etc/passwd" is no asset's
// path, so it is a 404 like any other unknown path.
func (s *Server) route(rec *recorder, r *http.Request) {
	w := http.ResponseWriter(rec)
	p := r.URL.Path
	switch p {
	case "/healthz":
		rec.route = routeHealth
		s.health(w, r)
		return
	case "/metrics":
		rec.route = routeMetrics
		s.metrics.handler.ServeHTTP(w, r)
		return
	}
	rel, ok := strings.CutPrefix(p, s.prefix)
	if !ok {
		rec.route = routeNone
		notFound(w)
		return
	}
	switch {
	case rel == "api/records":
		rec.route = routeRecords
		s.records(w, r)
		return
	case rel == "api/stats":
		rec.route = routeStats
		s.statsAPI(w, r)
		return
	case s.proxy != nil && strings.HasPrefix(rel, "img/"):
		rec.route = routeImage
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w)
			return
		}
		s.proxy.serve(w, r, strings.TrimPrefix(rel, "img/"))
		return
	case strings.HasPrefix(rel, "api/records/"):
		rec.route = routeRecord
		s.record(w, r, strings.TrimPrefix(rel, "api/records/"))
		return
	}
	snap := s.snap.Load()
	if snap == nil {
		// The first build has not succeeded yet (a writer held the
		// database at start): no path is known to be missing.
		w.Header().Set("Retry-After", "1")
		http.Error(w, "503 the feeds are being built; retry in a second", http.StatusServiceUnavailable)
		return
	}
	if snap.assets[rel] != nil {
		// Assets are served by handle; only other methods get here.
		rec.route = routeFeed
		methodNotAllowed(w)
		return
	}
	notFound(w)
}

// notFound answers 404 in plain text.
func notFound(w http.ResponseWriter) {
	http.Error(w, "404 not found", http.StatusNotFound)
}

// methodNotAllowed answers 405 naming the methods allowed.
func methodNotAllowed(w http.ResponseWriter) {
	w.Header()["Allow"] = hAllowGET
	http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
}
