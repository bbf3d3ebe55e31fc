package serve

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"newsfeed/feed"
)

// recorder is the ResponseWriter handlers get: it keeps the status and
// the bytes written for the access log and the metrics, and the route
// the request was dispatched to.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	route  string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap gives http.ResponseController the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// handle answers a request. Feeds, the index page and the stylesheet,
// which readers poll, take a short path on fasthttp itself: one map
// look-up in the snapshot, headers that are already made, counters
// already resolved, the body shared and never copied. Every other route
// is net/http code (route), run through fasthttpadaptor by serveOther.
// Either way a request is counted and, with an access log, logged in one
// line.
func (s *Server) handle(c *fasthttp.RequestCtx) {
	var t0 time.Time
	if s.cfg.AccessLog != nil {
		t0 = time.Now()
	}
	if hold := s.hold.Load(); hold != nil {
		(*hold)(c)
	}
	if c.IsGet() || c.IsHead() {
		if a := s.assetFor(c); a != nil {
			a = pageFor(&c.Request.Header, a)
			code, n := serveAsset(c, a, s.cacheControl)
			a.counters.count(code, n)
			if s.cfg.AccessLog != nil {
				s.logRequest(string(c.Method()), string(c.RequestURI()), c.RemoteAddr().String(),
					string(c.UserAgent()), code, n, a.counters.route, t0)
			}
			return
		}
	}
	if _, err := url.ParseRequestURI(b2s(c.RequestURI())); err != nil {
		// What net/http answers to a target it cannot parse (the
		// adaptor would say 500).
		c.Error("400 bad request: malformed request target", fasthttp.StatusBadRequest)
		s.metrics.request(routeNone, fasthttp.StatusBadRequest, 0)
		if s.cfg.AccessLog != nil {
			s.logRequest(string(c.Method()), string(c.RequestURI()), c.RemoteAddr().String(),
				string(c.UserAgent()), fasthttp.StatusBadRequest, 0, routeNone, t0)
		}
		return
	}
	s.other(c)
}

// assetFor returns the asset at the request's path, or nil. The path
// is matched exactly, after percent-decoding and nothing else (fasthttp's
// own path normalisation is not used): "/headlines/../articles.atom" and
// "//articles.atom" are no asset's path.
func (s *Server) assetFor(c *fasthttp.RequestCtx) *asset {
	snap := s.snap.Load()
	if snap == nil {
		return nil
	}
	p := b2s(c.URI().PathOriginal())
	if strings.IndexByte(p, '%') >= 0 {
		var err error
		if p, err = url.PathUnescape(p); err != nil {
			return nil
		}
	}
	rel, ok := strings.CutPrefix(p, s.prefix)
	if !ok {
		if p == "/"+feed.FaviconFile {
			// Browsers and readers look for it at the root.
			return snap.assets[feed.FaviconFile]
		}
		return nil
	}
	return snap.assets[rel]
}

// serveOther answers, through fasthttpadaptor, every request that is
// not a GET or HEAD of an asset. A recorder keeps the status and bytes
// for the metrics and the access log. The request's context is the
// server's base context, not fasthttp's, which is cancelled as soon as
// shutdown starts: a request in flight then still finishes.
func (s *Server) serveOther(w http.ResponseWriter, r *http.Request) {
	var t0 time.Time
	if s.cfg.AccessLog != nil {
		t0 = time.Now()
	}
	r = r.WithContext(s.baseCtx)
	rec := &recorder{ResponseWriter: w, route: routeNone}
	s.route(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	s.metrics.request(rec.route, rec.status, rec.bytes)
	if s.cfg.AccessLog != nil {
		s.logRequest(r.Method, r.RequestURI, r.RemoteAddr, r.UserAgent(), rec.status, rec.bytes, rec.route, t0)
	}
}

// logRequest writes the access log's line for a request; the caller
// checks that there is an access log.
func (s *Server) logRequest(method, uri, remote, userAgent string, code, n int, route string, t0 time.Time) {
	s.cfg.AccessLog.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("method", method),
		slog.String("path", uri),
		slog.Int("status", code),
		slog.Int("bytes", n),
		slog.Duration("took", time.Since(t0)),
		slog.String("remote", remote),
		slog.String("route", route),
		slog.String("user_agent", userAgent),
	)
}
