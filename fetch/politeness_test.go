package fetch

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestGet_PerHost: the server counts requests in flight; the most it sees
// is PerHost. Handlers wait (up to a generous bound) until PerHost have
// been in flight at once, so the limit is also reached, not only respected.
func TestGet_PerHost(t *testing.T) {
	const perHost = 3
	var inFlight, most atomic.Int32
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		for deadline := time.Now().Add(5 * time.Second); most.Load() < perHost && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(10 * time.Millisecond)
		fmt.Fprint(w, "ok")
	})
	cfg := testConfig(t, s)
	cfg.PerHost = perHost
	f := newFetcher(t, cfg)
	getPages(t, f, s, 4*perHost)
	if m := most.Load(); m != perHost {
		t.Errorf("at most %d requests in flight, want %d", m, perHost)
	}
}

// TestGet_Delay: request starts to one host are at least Delay apart, even
// with free slots; another host is not held back.
func TestGet_Delay(t *testing.T) {
	const delay = 150 * time.Millisecond
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	cfg := testConfig(t, s)
	cfg.Delay = delay
	cfg.PerHost = 4
	f := newFetcher(t, cfg)
	start := time.Now()
	getPages(t, f, s, 4)
	checkSpacing(t, s.requests(true), start, delay)
}

// checkSpacing checks that the k-th request (in arrival order) reached the
// server no sooner than start + k·delay: a robust lower bound, as a timer
// never fires early and a late request only makes later ones later.
func checkSpacing(t *testing.T, reqs []recorded, start time.Time, delay time.Duration) {
	t.Helper()
	at := make([]time.Duration, len(reqs))
	for i, r := range reqs {
		at[i] = r.At.Sub(start)
	}
	slices.Sort(at)
	for k, d := range at {
		if d < time.Duration(k)*delay {
			t.Errorf("request %d arrived %v after the start, want at least %v (all: %v)", k, d, time.Duration(k)*delay, at)
		}
	}
}
