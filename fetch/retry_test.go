package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestGet_RetryAfterSeconds(t *testing.T) {
	var n atomic.Int32
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("ok"))
	})
	f := newFetcher(t, testConfig(t, s))
	mustGetOK(t, f, s.URL+"/p", "ok")
	reqs := s.requests(true)
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	// A timer never fires early; the upper bound is only a sanity check.
	if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second || gap > 30*time.Second {
		t.Errorf("retried after %v, want about 1s", gap)
	}
	if st := f.Stats(); st.Retries != 1 || st.Requests != 2 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestGet_RetryAfterDate(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	var n atomic.Int32
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", now.Add(time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	})
	cfg := testConfig(t, s)
	cfg.Now = func() time.Time { return now }
	f := newFetcher(t, cfg)
	if _, err := f.Get(context.Background(), s.URL+"/p", Validators{}); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests(true)
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second || gap > 30*time.Second {
		t.Errorf("retried after %v, want about 1s", gap)
	}
}

// TestGet_RetryAfterDefers: a Retry-After longer than MaxRetryWait defers
// the host: the Get fails with a DeferredError at once, a later Get to the
// host sends nothing, and Deferrals reports it.
func TestGet_RetryAfterDefers(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ name, header string }{
		{"seconds", "3600"},
		{"date", now.Add(time.Hour).Format(http.TimeFormat)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.header)
				w.WriteHeader(http.StatusTooManyRequests)
			})
			cfg := testConfig(t, s)
			cfg.Now = func() time.Time { return now }
			f := newFetcher(t, cfg)
			_, err := f.Get(context.Background(), s.URL+"/a", Validators{})
			var de *DeferredError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a DeferredError", err)
			}
			host := s.Listener.Addr().String()
			if de.Host != host || !de.Until.Equal(now.Add(time.Hour)) {
				t.Errorf("DeferredError = %+v", de)
			}
			if n := len(s.requests(true)); n != 1 {
				t.Errorf("server got %d requests, want 1 (no retry)", n)
			}
			_, err = f.Get(context.Background(), s.URL+"/b", Validators{})
			if !errors.As(err, &de) {
				t.Fatalf("second Get: err = %v, want a DeferredError", err)
			}
			if n := len(s.requests(true)); n != 1 {
				t.Errorf("second Get sent a request")
			}
			if d := f.Deferrals(); len(d) != 1 || !d[host].Equal(now.Add(time.Hour)) {
				t.Errorf("Deferrals = %v", d)
			}
			if st := f.Stats(); st.DeferredHosts != 1 || st.Retries != 0 {
				t.Errorf("Stats = %+v", st)
			}
		})
	}
}

func TestGet_ServerErrorsThenOK(t *testing.T) {
	var n atomic.Int32
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok"))
	})
	f := newFetcher(t, testConfig(t, s))
	mustGetOK(t, f, s.URL+"/p", "ok")
	if st := f.Stats(); st.Retries != 3 || st.Requests != 4 {
		t.Errorf("Stats = %+v, want 3 retries of 4 requests", st)
	}
	// The back-off doubles: 10ms, 20ms, 40ms, each at least half that.
	reqs := s.requests(true)
	for i, min := range []time.Duration{5, 10, 20} {
		if gap := reqs[i+1].At.Sub(reqs[i].At); gap < min*time.Millisecond {
			t.Errorf("retry %d after %v, want at least %v", i+1, gap, min*time.Millisecond)
		}
	}
}

// TestGet_RetriesExhausted: the last answer is the error; a 404 is not
// retried.
func TestGet_RetriesExhausted(t *testing.T) {
	for _, tt := range []struct {
		code, retries, wantRequests int
	}{
		{http.StatusBadGateway, 2, 3},
		{http.StatusTooManyRequests, -1, 1},
		{http.StatusNotFound, 3, 1},
		{http.StatusForbidden, 3, 1},
	} {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			s := newSite(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.code) })
			cfg := testConfig(t, s)
			cfg.Retries = tt.retries
			f := newFetcher(t, cfg)
			_, err := f.Get(context.Background(), s.URL+"/p", Validators{})
			var se *StatusError
			if !errors.As(err, &se) || se.Code != tt.code || se.URL != s.URL+"/p" {
				t.Fatalf("err = %v, want StatusError %d", err, tt.code)
			}
			if n := len(s.requests(true)); n != tt.wantRequests {
				t.Errorf("server got %d requests, want %d", n, tt.wantRequests)
			}
			if retries := tt.wantRequests - 1; retries > 0 && !strings.Contains(err.Error(), fmt.Sprintf("after %d retries", retries)) {
				t.Errorf("error %q does not say how many retries", err)
			}
		})
	}
}

// TestGet_RepeatedFailuresDefer: DeferAfter failed Gets in a row defer the
// host for FailureDeferral; a success in between resets the count.
func TestGet_RepeatedFailuresDefer(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	var fail atomic.Bool
	fail.Store(true)
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	cfg := testConfig(t, s)
	cfg.Retries = -1
	cfg.DeferAfter = 2
	cfg.FailureDeferral = 30 * time.Minute
	cfg.Now = func() time.Time { return now }
	f := newFetcher(t, cfg)
	get := func() error {
		_, err := f.Get(context.Background(), s.URL+"/p", Validators{})
		return err
	}
	var se *StatusError
	if err := get(); !errors.As(err, &se) {
		t.Fatalf("1st: %v", err)
	}
	fail.Store(false)
	if err := get(); err != nil {
		t.Fatalf("2nd: %v", err)
	}
	fail.Store(true)
	if err := get(); !errors.As(err, &se) {
		t.Fatalf("3rd: %v", err)
	}
	if err := get(); !errors.As(err, &se) {
		t.Fatalf("4th: %v", err)
	}
	var de *DeferredError
	if err := get(); !errors.As(err, &de) || !de.Until.Equal(now.Add(30*time.Minute)) || !de.Failing {
		t.Fatalf("5th: %v (%+v), want a failing DeferredError until %v", err, de, now.Add(30*time.Minute))
	}
	if d := f.Deferred(); len(d) != 1 || !d[0].Failing || !d[0].Until.Equal(now.Add(30*time.Minute)) {
		t.Errorf("Deferred = %+v", d)
	}
	if n := len(s.requests(true)); n != 4 {
		t.Errorf("server got %d requests, want 4", n)
	}
}

// TestGet_NeverAnswers: a server that accepts and never answers is
// abandoned at HeaderTimeout, and one that stops mid-body at Timeout.
func TestGet_NeverAnswers(t *testing.T) {
	release := make(chan struct{})
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	cfg := testConfig(t, s)
	cfg.Retries = -1
	cfg.HeaderTimeout = 300 * time.Millisecond
	cfg.Timeout = 600 * time.Millisecond
	f := newFetcher(t, cfg)
	for _, path := range []string{"/headers", "/body"} {
		start := time.Now()
		_, err := f.Get(context.Background(), s.URL+path, Validators{})
		if err == nil {
			t.Fatalf("%s: no error", path)
		}
		if d := time.Since(start); d < 300*time.Millisecond || d > 30*time.Second {
			t.Errorf("%s: gave up after %v", path, d)
		}
		t.Logf("%s: %v", path, err)
	}
}

// TestGet_ContextCancelled: the caller's context ending stops a Get at
// once, with no retry.
func TestGet_ContextCancelled(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	f := newFetcher(t, testConfig(t, s))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := f.Get(ctx, s.URL+"/p", Validators{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if st := f.Stats(); st.Retries != 0 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"3600", time.Hour, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999999", maxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Tuesday, 01-Jan-30 12:00:10 GMT", 10 * time.Second, true}, // RFC 850
		{"Tue Jan  1 12:00:10 2030", 10 * time.Second, true},        // asctime
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseRetryAfter: any header gives a wait in [0, maxRetryAfter], and a
// plain number of seconds gives exactly that many, up to maxRetryAfter.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "3600", "Tue, 01 Jul 2025 08:00:00 GMT", "Tuesday, 01-Jul-25 08:00:00 GMT", "", "-5", "1e3", "１"} {
		f.Add(s)
	}
	now := time.Date(2025, 7, 1, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 || d > maxRetryAfter || !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", s, d, ok)
		}
		if n, err := strconv.ParseUint(s, 10, 32); err == nil && d != min(time.Duration(n)*time.Second, maxRetryAfter) {
			t.Fatalf("parseRetryAfter(%q) = %v, want %ds", s, d, n)
		}
	})
}

func TestBackoff(t *testing.T) {
	base := 100 * time.Millisecond
	for n := range 5 {
		full := base << n
		for range 50 {
			if d := backoff(base, n); d < full/2 || d >= full {
				t.Fatalf("backoff(%v, %d) = %v, want in [%v, %v)", base, n, d, full/2, full)
			}
		}
	}
	if d := backoff(time.Hour, 1000); d <= 0 {
		t.Errorf("backoff overflowed: %v", d)
	}
}
