package fetch

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// A robots.txt that cannot be read because the host is failing (a 5xx,
// a 429, a refused connection) is an outage, a *HostError naming the
// host, not a refusal by robots.txt; a 4xx still allows everything.
func TestGet_RobotsUnreachableIsHostFailure(t *testing.T) {
	for _, code := range []int{500, 503, 429} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			s := robotsSite(t, code, "")
			cfg := testConfig(t, s)
			cfg.IgnoreRobots, cfg.Retries = false, -1
			f := newFetcher(t, cfg)
			_, err := f.Get(context.Background(), s.URL+"/x", Validators{})
			var he *HostError
			if !errors.As(err, &he) || errors.Is(err, ErrRobots) || he.Host != s.Listener.Addr().String() {
				t.Fatalf("err = %v, want a *HostError for %s, not ErrRobots", err, s.Listener.Addr())
			}
			if st := f.Stats(); st.RobotsRefused != 0 {
				t.Errorf("counted as %d robots refusals", st.RobotsRefused)
			}
			if s.count("/x") != 0 {
				t.Error("the page was fetched although robots.txt was not read")
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close() // nothing listens there now: connections are refused
		cfg := testConfig(t)
		cfg.AllowAddrs = []netip.AddrPort{netip.MustParseAddrPort(addr)}
		cfg.IgnoreRobots, cfg.Retries = false, -1
		f := newFetcher(t, cfg)
		_, err = f.Get(context.Background(), "http://"+addr+"/x", Validators{})
		var he *HostError
		if !errors.As(err, &he) || errors.Is(err, ErrRobots) || he.Host != addr || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("err = %v, want a *HostError for %s saying the connection was refused", err, addr)
		}
	})
}

// A Retry-After beyond MaxRetryAfter is capped: the host is deferred for
// the cap, not for 31 years, and a warning names the host and the value.
func TestGet_RetryAfterCapped(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "999999999")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	var logs bytes.Buffer
	cfg := testConfig(t, s)
	cfg.Now = func() time.Time { return now }
	cfg.MaxRetryAfter = 6 * time.Hour
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f := newFetcher(t, cfg)
	_, err := f.Get(context.Background(), s.URL+"/a", Validators{})
	var de *DeferredError
	if !errors.As(err, &de) || !de.Until.Equal(now.Add(6*time.Hour)) || de.Failing ||
		!strings.Contains(de.Reason, `(Retry-After: "999999999", capped)`) {
		t.Fatalf("err = %v (%+v), want a DeferredError until %v, not failing", err, de, now.Add(6*time.Hour))
	}
	host := s.Listener.Addr().String()
	if !strings.Contains(logs.String(), "Retry-After capped") || !strings.Contains(logs.String(), "host="+host) ||
		!strings.Contains(logs.String(), "retry_after=999999999") {
		t.Errorf("log does not name the host and the value:\n%s", logs.String())
	}
	if d := f.Deferred(); len(d) != 1 || d[0].Host != host || !d[0].Until.Equal(now.Add(6*time.Hour)) {
		t.Errorf("Deferred = %+v", d)
	}

	// The default cap is a day.
	cfg.MaxRetryAfter = 0
	f = newFetcher(t, cfg)
	if _, err := f.Get(context.Background(), s.URL+"/a", Validators{}); !errors.As(err, &de) || !de.Until.Equal(now.Add(24*time.Hour)) {
		t.Errorf("default cap: err = %v, want deferred until %v", err, now.Add(24*time.Hour))
	}
}

// A deferral loaded with its reason and failing flag comes back on the
// DeferredError and in Deferred once a Get runs into it.
func TestLoadDeferral(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	cfg := testConfig(t)
	cfg.Now = func() time.Time { return now }
	f := newFetcher(t, cfg)
	f.LoadDeferral(Deferral{Host: "Down.Example", Until: now.Add(time.Hour), Reason: "3 failed requests in a row", Failing: true})
	f.Defer("asked.example", now.Add(time.Hour))
	if d := f.Deferred(); len(d) != 0 {
		t.Errorf("Deferred before any Get = %+v, want none", d)
	}
	_, err := f.Get(context.Background(), "http://down.example/a", Validators{})
	var de *DeferredError
	if !errors.As(err, &de) || !de.Failing || de.Reason != "3 failed requests in a row" {
		t.Fatalf("err = %v (%+v)", err, de)
	}
	if d := f.Deferred(); len(d) != 1 || d[0].Host != "down.example" || !d[0].Failing {
		t.Errorf("Deferred = %+v", d)
	}
}
