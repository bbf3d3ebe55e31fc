package serve

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
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

// ServeHTTP answers a request. Feeds, the index page and the
// stylesheet, which readers poll, take a short path: one map look-up in
// the snapshot, headers that are already made, counters already
// resolved. Every other route goes through a recorder that keeps the
// status and bytes for the metrics. Either way a request is counted and,
// with an access log, logged in one line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var t0 time.Time
	if s.cfg.AccessLog != nil {
		t0 = time.Now()
	}
	if hold := s.hold.Load(); hold != nil {
		(*hold)(r)
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if snap := s.snap.Load(); snap != nil {
			if rel, ok := strings.CutPrefix(r.URL.Path, s.prefix); ok {
				if a := snap.assets[rel]; a != nil {
					code, n := serveAsset(w, r, a, s.cacheControl)
					a.counters.count(code, n)
					s.logRequest(r, code, n, a.counters.route, t0)
					return
				}
			}
		}
	}
	rec := &recorder{ResponseWriter: w, route: routeNone}
	s.route(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	s.metrics.request(rec.route, rec.status, rec.bytes)
	s.logRequest(r, rec.status, rec.bytes, rec.route, t0)
}

// logRequest writes the access log's line for a request, if there is an
// access log.
func (s *Server) logRequest(r *http.Request, code, n int, route string, t0 time.Time) {
	if s.cfg.AccessLog == nil {
		return
	}
	s.cfg.AccessLog.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.RequestURI()),
		slog.Int("status", code),
		slog.Int("bytes", n),
		slog.Duration("took", time.Since(t0)),
		slog.String("remote", r.RemoteAddr),
		slog.String("route", route),
		slog.String("user_agent", r.UserAgent()),
	)
}
