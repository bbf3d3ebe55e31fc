package sharedfetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"newsfeed/cluster"
	"newsfeed/fetch"
	"newsfeed/internal/natstest"
)

// testSite is a server on 127.0.0.1 that records when each request
// arrived and how many were in flight at most.
type testSite struct {
	*httptest.Server
	mu             sync.Mutex
	arrivals       map[string][]time.Time // path → arrival times
	inFlight, most atomic.Int32
}

func newTestSite(t testing.TB, handler http.HandlerFunc) *testSite {
	t.Helper()
	s := &testSite{arrivals: map[string][]time.Time{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
		}
		s.mu.Lock()
		s.arrivals[r.URL.Path] = append(s.arrivals[r.URL.Path], now)
		s.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// count is how many requests for path arrived.
func (s *testSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.arrivals[path])
}

// pageArrivals are the arrival times of every request but robots.txt's, in order.
func (s *testSite) pageArrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for p, ts := range s.arrivals {
		if p != "/robots.txt" {
			out = append(out, ts...)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

func (s *testSite) host() string { return strings.TrimPrefix(s.URL, "http://") }

// fetchConfig is a fetch.Config for tests against s: only its address
// allowed, robots.txt ignored, no delay, short back-off.
func fetchConfig(t testing.TB, s *testSite) fetch.Config {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	return fetch.Config{
		UserAgent:    fetch.UserAgent("test", ""),
		Delay:        -1,
		Backoff:      10 * time.Millisecond,
		IgnoreRobots: true,
		AllowAddrs:   []netip.AddrPort{ap},
	}
}

// workers returns n Fetchers with cfg, each with its own connection,
// HostGate and RobotsCache, as n worker processes have.
func workers(t testing.TB, srv *server.Server, n int, cfg fetch.Config, o GateOptions) []*fetch.Fetcher {
	fs, _ := workersGates(t, srv, n, cfg, o)
	return fs
}

// workersGates is workers, with each worker's gate.
func workersGates(t testing.TB, srv *server.Server, n int, cfg fetch.Config, o GateOptions) ([]*fetch.Fetcher, []*HostGate) {
	t.Helper()
	// Built under a context that ends at once, as a setup timeout does:
	// the gates go on watching.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fs, gates := make([]*fetch.Fetcher, n), make([]*HostGate, n)
	for i := range fs {
		c := connect(t, srv.ClientURL())
		gate, err := NewHostGate(ctx, c, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(gate.Close)
		robots, err := NewRobotsCache(ctx, c, o.Lease)
		if err != nil {
			t.Fatal(err)
		}
		cfg := cfg
		cfg.Gate, cfg.Robots = gate, robots
		fs[i], gates[i] = fetch.New(cfg), gate
		t.Cleanup(fs[i].Close)
	}
	return fs, gates
}

// getAll has each fetcher Get perFetcher pages of s at once, /p<i>-<k>,
// and returns the errors.
func getAll(fs []*fetch.Fetcher, s *testSite, paths ...string) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for i, f := range fs {
		for _, p := range paths {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				_, err := f.Get(ctx, fmt.Sprintf("%s%s?w=%d", s.URL, p, i), fetch.Validators{})
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	return errs
}

func pages(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("/p%d", i)
	}
	return out
}

// checkSpacing checks that the k-th request (in arrival order) reached
// the server no sooner than start + k·delay: a robust lower bound, as a
// wait never ends early and a late request only makes later ones later.
func checkSpacing(t *testing.T, arrivals []time.Time, start time.Time, delay time.Duration) {
	t.Helper()
	for k, at := range arrivals {
		if d := at.Sub(start); d < time.Duration(k)*delay {
			t.Errorf("request %d arrived %v after the start, want at least %v", k, d, time.Duration(k)*delay)
		}
	}
}

// Three workers with per_host = 2: the site never has more than 2
// requests in flight, and has 2 at times (each handler waits, up to a
// bound, for the second).
func TestHostGate_PerHostAcrossWorkers(t *testing.T) {
	srv := natstest.Start(t)
	deadline := time.Now().Add(10 * time.Second)
	var s *testSite
	s = newTestSite(t, func(w http.ResponseWriter, r *http.Request) {
		for s.most.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond)
		fmt.Fprint(w, "ok")
	})
	cfg := fetchConfig(t, s)
	cfg.PerHost = 2
	fs := workers(t, srv, 3, cfg, GateOptions{})
	for _, err := range getAll(fs, s, pages(10)...) {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(s.pageArrivals()); n != 30 {
		t.Errorf("site got %d requests, want 30", n)
	}
	if m := s.most.Load(); m != 2 {
		t.Errorf("at most %d requests in flight, want 2", m)
	}
}

// Request starts from three workers are at least Delay apart.
func TestHostGate_DelayAcrossWorkers(t *testing.T) {
	const delay = 60 * time.Millisecond
	srv := natstest.Start(t)
	s := newTestSite(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	cfg := fetchConfig(t, s)
	cfg.PerHost = 2
	cfg.Delay = delay
	fs := workers(t, srv, 3, cfg, GateOptions{})
	start := time.Now()
	for _, err := range getAll(fs, s, pages(4)...) {
		if err != nil {
			t.Error(err)
		}
	}
	checkSpacing(t, s.pageArrivals(), start, delay)
}

// A Retry-After one worker is told holds the others back too.
func TestHostGate_RetryAfterHoldsAllBack(t *testing.T) {
	srv := natstest.Start(t)
	var told atomic.Bool
	refused := make(chan time.Time, 1)
	s := newTestSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/busy" && !told.Swap(true) {
			refused <- time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	})
	cfg := fetchConfig(t, s)
	fs, gates := workersGates(t, srv, 2, cfg, GateOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := fs[0].Get(ctx, s.URL+"/busy", fetch.Validators{})
		done <- err
	}()
	at := <-refused
	// Wait until the pause has reached the other worker, then ask from it.
	for {
		gates[1].mu.Lock()
		paused := gates[1].paused[s.host()]
		gates[1].mu.Unlock()
		if !paused.IsZero() {
			break
		}
		if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
			t.Fatal("the pause never reached the other worker")
		}
	}
	if _, err := fs[1].Get(ctx, s.URL+"/other", fetch.Validators{}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	other := s.arrivals["/other"][0]
	s.mu.Unlock()
	if d := other.Sub(at); d < time.Second {
		t.Errorf("the other worker's request came %v after the Retry-After: 1, want at least 1s", d)
	}
}

// robots.txt is read once for three workers, a disallowed path is
// refused by each, and its Crawl-delay spaces all their requests.
func TestRobotsCache_OnceForAllWorkers(t *testing.T) {
	const crawlDelay = 150 * time.Millisecond
	srv := natstest.Start(t)
	s := newTestSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			time.Sleep(50 * time.Millisecond) // let the workers pile up behind the reader
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\nCrawl-delay: 0.15\n")
			return
		}
		fmt.Fprint(w, "ok")
	})
	cfg := fetchConfig(t, s)
	cfg.IgnoreRobots = false
	cfg.Delay = time.Millisecond
	cfg.PerHost = 2
	fs := workers(t, srv, 3, cfg, GateOptions{})
	start := time.Now()
	errs := getAll(fs, s, "/private/a", "/p1", "/private/b", "/p2")
	var refused int
	for _, err := range errs {
		switch {
		case errors.Is(err, fetch.ErrRobots):
			refused++
		case err != nil:
			t.Error(err)
		}
	}
	if refused != 6 {
		t.Errorf("%d Gets refused by robots.txt, want 6", refused)
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt read %d times, want once for all", n)
	}
	if n := s.count("/private/a") + s.count("/private/b"); n != 0 {
		t.Errorf("the site got %d requests for disallowed paths", n)
	}
	arrivals := s.pageArrivals()
	if len(arrivals) != 6 {
		t.Fatalf("site got %d page requests, want 6", len(arrivals))
	}
	checkSpacing(t, arrivals, start, crawlDelay)
}

// A worker killed while it held every slot (its slots taken and never
// released) blocks the others only until its leases run out.
func TestHostGate_KilledHolderLeaseRunsOut(t *testing.T) {
	const lease = 400 * time.Millisecond
	srv := natstest.Start(t)
	s := newTestSite(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	cfg := fetchConfig(t, s)
	cfg.PerHost = 2
	fs := workers(t, srv, 1, cfg, GateOptions{Lease: lease})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := connect(t, srv.ClientURL())
	kv, err := c.JS.KeyValue(ctx, c.Names.FetchBucket)
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(lease)
	for i := range cfg.PerHost {
		key := fmt.Sprintf("%s%d.%s", keySlot, i, keyPart(s.host(), true))
		if _, err := kv.Create(ctx, key, encodeValue(leaseValue{Owner: "killed", Until: until})); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fs[0].Get(ctx, s.URL+"/p", fetch.Validators{}); err != nil {
		t.Fatal(err)
	}
	if at := s.pageArrivals()[0]; at.Before(until) {
		t.Errorf("request sent %v before the dead holder's lease ran out", until.Sub(at))
	}
}

// A request that lasts longer than the lease keeps its slot: the holder
// renews it, so no other worker takes it over.
func TestHostGate_LongRequestRenewsLease(t *testing.T) {
	const lease = 300 * time.Millisecond
	srv := natstest.Start(t)
	started := make(chan struct{})
	s := newTestSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			time.Sleep(4 * lease)
		}
		fmt.Fprint(w, "ok")
	})
	cfg := fetchConfig(t, s)
	cfg.PerHost = 1
	fs := workers(t, srv, 2, cfg, GateOptions{Lease: lease})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := fs[0].Get(ctx, s.URL+"/slow", fetch.Validators{}); err != nil {
			t.Error(err)
		}
	})
	<-started
	if _, err := fs[1].Get(ctx, s.URL+"/fast", fetch.Validators{}); err != nil {
		t.Error(err)
	}
	wg.Wait()
	if m := s.most.Load(); m != 1 {
		t.Errorf("%d requests in flight at once with per_host 1", m)
	}
}

// A host one worker defers (a long Retry-After) is deferred for all: the
// others send it nothing, and State lists the deferral.
func TestHostGate_DeferralShared(t *testing.T) {
	srv := natstest.Start(t)
	s := newTestSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	fs, gates := workersGates(t, srv, 2, fetchConfig(t, s), GateOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var de *fetch.DeferredError
	if _, err := fs[0].Get(ctx, s.URL+"/a", fetch.Validators{}); !errors.As(err, &de) {
		t.Fatalf("first worker: err = %v, want a DeferredError", err)
	}
	// The deferral reaches the other worker's gate as the server pushes it.
	for {
		if until, _, _ := gates[1].Deferral(ctx, s.host()); !until.IsZero() {
			break
		}
		if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
			t.Fatal("the deferral never reached the other worker")
		}
	}
	if _, err := fs[1].Get(ctx, s.URL+"/b", fetch.Validators{}); !errors.As(err, &de) {
		t.Fatalf("second worker: err = %v, want a DeferredError", err)
	} else if !strings.Contains(de.Reason, "asked to wait 2h") {
		t.Errorf("reason %q does not carry the first worker's", de.Reason)
	}
	if n := len(s.pageArrivals()); n != 1 {
		t.Errorf("site got %d requests, want 1", n)
	}
	st, err := NewState(ctx, connect(t, srv.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.HostDeferrals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if until := got[s.host()]; until.Before(time.Now().Add(time.Hour)) {
		t.Errorf("HostDeferrals = %v, want %s deferred about 2h", got, s.host())
	}
}

// A robots.txt over the cache's limit is kept up to its last whole line
// within it; one within the limit is kept whole.
func TestCutRobots(t *testing.T) {
	line := "Disallow: /" + strings.Repeat("x", 88) + "\n" // 100 bytes
	big := []byte(strings.Repeat(line, maxRobotsBody/100+10))
	got := cutRobots(big)
	if len(got) > maxRobotsBody || len(got)%100 != 0 || len(got) < maxRobotsBody-100 {
		t.Errorf("cut to %d bytes, want whole lines up to %d", len(got), maxRobotsBody)
	}
	if small := []byte(line); string(cutRobots(small)) != line {
		t.Error("a small robots.txt was cut")
	}
}

// On three servers with R3 buckets, as production runs, with each worker
// connected to another server: per_host holds, robots.txt is read once,
// and a dead holder's slots are taken over (a replicated stream reports a
// lost compare-and-set with another error code than a single server).
func TestHostGate_R3(t *testing.T) {
	if testing.Short() {
		t.Skip("three servers")
	}
	servers := natstest.Cluster(t, 3)
	deadline := time.Now().Add(10 * time.Second)
	var s *testSite
	s = newTestSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
			return
		}
		for s.most.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		fmt.Fprint(w, "ok")
	})
	cfg := fetchConfig(t, s)
	cfg.PerHost = 2
	cfg.IgnoreRobots = false
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var fs []*fetch.Fetcher
	for i, srv := range servers {
		c := connectPlaced(t, ctx, cluster.Config{URL: srv.ClientURL(), Prefix: "T", Replicas: 3})
		gate, err := NewHostGate(ctx, c, GateOptions{Lease: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(gate.Close)
		robots, err := NewRobotsCache(ctx, c, 0)
		if err != nil {
			t.Fatal(err)
		}
		cfg := cfg
		cfg.Gate, cfg.Robots = gate, robots
		fs = append(fs, fetch.New(cfg))
		t.Cleanup(fs[i].Close)
		if i == 0 {
			// A worker that died holding slot 0: taken over after its lease.
			kv, err := c.JS.KeyValue(ctx, c.Names.FetchBucket)
			if err != nil {
				t.Fatal(err)
			}
			key := keySlot + "0." + keyPart(s.host(), true)
			if _, err := kv.Create(ctx, key, encodeValue(leaseValue{Owner: "killed", Until: time.Now().Add(time.Second)})); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, err := range getAll(fs, s, append(pages(8), "/private/x")...) {
		if err != nil && !errors.Is(err, fetch.ErrRobots) {
			t.Error(err)
		}
	}
	if m := s.most.Load(); m != 2 {
		t.Errorf("at most %d requests in flight, want 2", m)
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt read %d times", n)
	}
	if n := s.count("/private/x"); n != 0 {
		t.Errorf("%d requests for a disallowed path", n)
	}
}
