package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync"
	"testing"
	"time"
)

// site is a test server on 127.0.0.1 that records every request it gets.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

// recorded is what the server saw of one request.
type recorded struct {
	Path   string
	Header http.Header
	At     time.Time
}

// newSite starts a server running handler, recording each request first.
// The server is closed when the test ends.
func newSite(t testing.TB, handler http.HandlerFunc) *site {
	t.Helper()
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{Path: r.URL.RequestURI(), Header: r.Header.Clone(), At: time.Now()})
		s.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns the requests so far, robots.txt left out unless all.
func (s *site) requests(all bool) []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recorded
	for _, r := range s.reqs {
		if all || r.Path != "/robots.txt" {
			out = append(out, r)
		}
	}
	return out
}

// count returns how many requests for path the server got.
func (s *site) count(path string) int {
	n := 0
	for _, r := range s.requests(true) {
		if r.Path == path {
			n++
		}
	}
	return n
}

// addr is the server's IP:port, for Config.AllowAddrs.
func (s *site) addr(t testing.TB) netip.AddrPort {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// testConfig is a Config for tests against s: only s's address allowed,
// robots.txt ignored, no delay, short back-off.
func testConfig(t testing.TB, s ...*site) Config {
	cfg := Config{
		UserAgent:    UserAgent("test", "https://example.org/contact"),
		Delay:        -1,
		Backoff:      10 * time.Millisecond,
		IgnoreRobots: true,
	}
	for _, x := range s {
		cfg.AllowAddrs = append(cfg.AllowAddrs, x.addr(t))
	}
	return cfg
}

// newFetcher returns New(cfg), closed at the end of the test.
func newFetcher(t testing.TB, cfg Config) *Fetcher {
	f := New(cfg)
	t.Cleanup(f.Close)
	return f
}

// mustGetOK Gets u unconditionally and fails the test unless the body is
// want.
func mustGetOK(t *testing.T, f *Fetcher, u, want string) *Response {
	t.Helper()
	resp, err := f.Get(context.Background(), u, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != want {
		t.Errorf("Body = %q, want %q", resp.Body, want)
	}
	return resp
}

// getPages Gets n pages of s at once, /p0 … /p(n-1), each expected to
// answer "ok".
func getPages(t *testing.T, f *Fetcher, s *site, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := f.Get(context.Background(), fmt.Sprintf("%s/p%d", s.URL, i), Validators{})
			if err != nil {
				t.Error(err)
			} else if string(resp.Body) != "ok" {
				t.Errorf("/p%d: Body = %q", i, resp.Body)
			}
		})
	}
	wg.Wait()
}
