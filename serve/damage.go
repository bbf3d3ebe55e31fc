package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/valyala/fasthttp"

	"newsfeed/store"
)

// A damaged database (store.ErrDamaged) never ends the server: the last
// good snapshot goes on being served, the JSON API answers 503 with a
// JSON error, /healthz says "damaged" (503) and newsfeed_db_damaged is
// 1, until a build from a replaced file succeeds, which clears it.

// noteDamage records err when it says the database is damaged, and
// reports whether it did.
func (s *Server) noteDamage(err error) bool {
	if !errors.Is(err, store.ErrDamaged) {
		return false
	}
	msg := err.Error()
	if prev := s.metrics.dbDamaged.Swap(&msg); prev == nil || *prev != msg {
		s.log.Error("database damaged; serving the last good feeds until the file is replaced", slog.Any("error", err))
	}
	s.metrics.damaged.Set(1)
	return true
}

// clearDamage forgets a damaged database: a build from the file
// succeeded.
func (s *Server) clearDamage() {
	if s.metrics.dbDamaged.Swap(nil) != nil {
		s.log.Info("database readable again")
	}
	s.metrics.damaged.Set(0)
}

// damage returns what is known to be damaged, or "".
func (s *Server) damage() string {
	if msg := s.metrics.dbDamaged.Load(); msg != nil {
		return *msg
	}
	return ""
}

// damagedAPI answers an API request on a damaged database: 503 with a
// JSON error.
func damagedAPI(w http.ResponseWriter, err error) {
	apiError(w, http.StatusServiceUnavailable, fmt.Sprintf("the database is damaged; the feeds are the last good ones: %v", err))
}

// safeHandler wraps a fasthttp handler so that a panic or a memory
// fault in one request (the store turns a damaged page into an error,
// so none should get here) answers 500 and is logged, instead of ending
// the process: fasthttp does not recover.
func (s *Server) safeHandler(h fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(c *fasthttp.RequestCtx) {
		old := debug.SetPanicOnFault(true)
		defer func() {
			debug.SetPanicOnFault(old)
			if r := recover(); r != nil {
				s.log.Error("request failed: panic", slog.String("path", string(c.Path())), slog.Any("panic", r))
				c.Response.Reset()
				c.SetStatusCode(http.StatusInternalServerError)
				c.SetContentType("application/json; charset=utf-8")
				c.SetBodyString(`{"error":"internal error"}` + "\n")
			}
		}()
		h(c)
	}
}

// safeBuild runs build, turning a panic into an error.
func (s *Server) safeBuild(ctx context.Context, v fileVersion, prev *snapshot) (snap *snapshot, err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			err = fmt.Errorf("serve: build panicked: %v", r)
		}
	}()
	return s.build(ctx, v, prev)
}
