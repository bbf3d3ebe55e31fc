package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// API limits.
const (
	// DefaultRecordsLimit is how many lines /api/records returns when
	// limit is not given; MaxRecordsLimit the most it may ask for.
	DefaultRecordsLimit = 1000
	MaxRecordsLimit     = 10000
	// maxRecordsBytes ends a response early, after the line that
	// reaches it: the response is built in memory before it is sent,
	// so that the database is closed while a slow client reads.
	maxRecordsBytes = 8 << 20
)

// Header values of API responses.
var (
	hJSON    = []string{"application/json; charset=utf-8"}
	hNDJSON  = []string{"application/x-ndjson; charset=utf-8"}
	hNoCache = []string{"no-cache"}
)

// apiError writes {"error": msg} with status code.
func apiError(w http.ResponseWriter, code int, msg string) {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg}) // a struct of one string always encodes
	h := w.Header()
	h["Content-Type"] = hJSON
	h["Cache-Control"] = hNoCache
	h["X-Content-Type-Options"] = hNoSniff
	w.WriteHeader(code)
	w.Write(append(body, '\n'))
}

// apiBody writes body with status 200.
func apiBody(w http.ResponseWriter, r *http.Request, ctype []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = ctype
	h["Cache-Control"] = hNoCache
	h["X-Content-Type-Options"] = hNoSniff
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// apiMethod answers 405 unless r is a GET or HEAD.
func apiMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header()["Allow"] = hAllowGET
	apiError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use GET or HEAD")
	return false
}

// parseRecordsQuery reads /api/records' since, kind and limit, as the
// change-log query they make; any other parameter,
// or a value that is not valid, is an error naming it.
func parseRecordsQuery(r *http.Request) (store.ChangeQuery, error) {
	q := store.ChangeQuery{Limit: DefaultRecordsLimit}
	vals := r.URL.Query()
	for name, vs := range vals {
		if len(vs) != 1 {
			return q, fmt.Errorf("parameter %q given %d times", name, len(vs))
		}
		v := vs[0]
		switch name {
		case "since":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return q, fmt.Errorf("since=%q is not a sequence number (0 or more)", v)
			}
			q.Since = n
		case "kind":
			k := record.Kind(v)
			if k != record.KindArticle && k != record.KindInterview && k != record.KindHeadline {
				return q, fmt.Errorf("kind=%q is not article, interview or headline", v)
			}
			q.Kind = k
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxRecordsLimit {
				return q, fmt.Errorf("limit=%q is not a number from 1 to %d", v, MaxRecordsLimit)
			}
			q.Limit = n
		default:
			return q, fmt.Errorf("unknown parameter %q (since, kind, limit)", name)
		}
	}
	return q, nil
}

// records answers /api/records: the records changed after since, in
// change-log order, one JSON object a line with "seq" and "op" after
// "kind", exactly as `newsfeed export` prints them. An empty body means
// nothing changed. A response may stop before limit lines (at about
// 8 MiB): continue from the last seq, as with export --limit.
func (s *Server) records(w http.ResponseWriter, r *http.Request) {
	if !apiMethod(w, r) {
		return
	}
	q, err := parseRecordsQuery(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	var buf bytes.Buffer
	err = s.withStore(r.Context(), func(st *store.Store) error {
		return st.Changes(r.Context(), q, func(c store.Change) error {
			buf.Write(c.ExportJSON())
			buf.WriteByte('\n')
			if buf.Len() >= maxRecordsBytes {
				return errEnough
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, errEnough) {
		s.storeError(w, r, err)
		return
	}
	apiBody(w, r, hNDJSON, buf.Bytes())
}

// errEnough stops a change-log walk whose response is big enough.
var errEnough = errors.New("response is big enough")

// record answers /api/records/{id} with the record's JSON.
func (s *Server) record(w http.ResponseWriter, r *http.Request, id string) {
	if !apiMethod(w, r) {
		return
	}
	if !validID(id) {
		apiError(w, http.StatusBadRequest, fmt.Sprintf("%q is not a record id (a_, i_ or h_ and 20 hex digits)", id))
		return
	}
	var data []byte
	err := s.withStore(r.Context(), func(st *store.Store) error {
		var err error
		data, err = st.GetJSON(r.Context(), id)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		apiError(w, http.StatusNotFound, "no record "+id)
	case err != nil:
		s.storeError(w, r, err)
	default:
		apiBody(w, r, hJSON, append(data, '\n'))
	}
}

// validID reports whether id has the shape of a record id.
func validID(id string) bool {
	if len(id) != 22 || id[1] != '_' || store.KindOf(id) == "" {
		return false
	}
	for i := 2; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// statsAPI answers /api/stats from the current snapshot.
func (s *Server) statsAPI(w http.ResponseWriter, r *http.Request) {
	if !apiMethod(w, r) {
		return
	}
	if len(r.URL.RawQuery) > 0 {
		apiError(w, http.StatusBadRequest, "/api/stats takes no parameters")
		return
	}
	snap := s.snap.Load()
	if snap == nil {
		w.Header().Set("Retry-After", "1")
		apiError(w, http.StatusServiceUnavailable, "the first build has not finished; retry in a second")
		return
	}
	apiBody(w, r, hJSON, snap.stats)
}

// withStore opens the database read-only for fn and closes it before
// returning, so that it is never held while a response is written; with
// Config.Store, fn gets that.
func (s *Server) withStore(ctx context.Context, fn func(*store.Store) error) error {
	if s.cfg.Store != nil {
		return fn(s.cfg.Store)
	}
	st, err := store.Open(ctx, s.cfg.DB, store.Options{ReadOnly: true, LockTimeout: s.cfg.LockTimeout})
	if err != nil {
		return err
	}
	err = fn(st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// storeError answers a failed database read: 503 while a writer holds
// it or before it exists, 410 Gone for a since older than the change log
// keeps (the client reads everything again from since=0, as export's exit
// status 4 says), 500 otherwise (logged; the client sees only that the
// read failed).
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case s.noteDamage(err):
		damagedAPI(w, err)
	case errors.Is(err, store.ErrLocked):
		w.Header().Set("Retry-After", "1")
		apiError(w, http.StatusServiceUnavailable, "the database is busy; retry in a second")
	case errors.Is(err, store.ErrNoDatabase):
		w.Header().Set("Retry-After", "10")
		apiError(w, http.StatusServiceUnavailable, "no database yet")
	case errors.Is(err, store.ErrLogTooOld):
		apiError(w, http.StatusGone, fmt.Sprintf("the change log no longer reaches back to since=%s "+
			"(retention dropped deletions after it); read everything again from since=0", r.URL.Query().Get("since")))
	default:
		s.log.Error("api read failed", slog.String("path", r.URL.Path), slog.Any("error", err))
		apiError(w, http.StatusInternalServerError, "reading the database failed")
	}
}

// health answers /healthz: 200 while serving, with the snapshot's age
// and the last refresh's error, if any (the previous feeds are still
// served then).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if !apiMethod(w, r) {
		return
	}
	type healthBody struct {
		Status  string     `json:"status"`
		Feeds   int        `json:"feeds"`
		LastSeq uint64     `json:"last_seq"`
		Built   *time.Time `json:"built"`
		Error   string     `json:"error,omitempty"`
	}
	body := healthBody{Status: "ok"}
	if snap := s.snap.Load(); snap != nil {
		body.Feeds, body.LastSeq, body.Built = snap.feeds, snap.lastSeq, &snap.built
	} else {
		body.Status = "starting"
	}
	if e := s.lastErr.Load(); e != nil {
		body.Error = *e
	}
	damage := s.damage()
	if damage != "" {
		body.Status, body.Error = "damaged", damage
	}
	data, err := json.Marshal(body)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if damage != "" {
		// The feeds are still served, but an operator must act.
		h := w.Header()
		h["Content-Type"], h["Cache-Control"] = hJSON, hNoCache
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write(append(data, '\n'))
		return
	}
	apiBody(w, r, hJSON, append(data, '\n'))
}
