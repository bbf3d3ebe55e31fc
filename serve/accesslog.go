package serve

import (
	"log/slog"
	"net/http"
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

// accessLog wraps next: every request is counted in the metrics and,
// when an access log is set, logged in one line.
func (s *Server) accessLog(next http.Handler) http.Handler {
	log := s.cfg.AccessLog
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		rec := &recorder{ResponseWriter: w, route: routeNone}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		s.metrics.request(rec.route, rec.status, rec.bytes)
		if log != nil {
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.RequestURI()),
				slog.Int("status", rec.status),
				slog.Int("bytes", rec.bytes),
				slog.Duration("took", time.Since(t0)),
				slog.String("remote", r.RemoteAddr),
				slog.String("route", rec.route),
				slog.String("user_agent", r.UserAgent()),
			)
		}
	})
}
