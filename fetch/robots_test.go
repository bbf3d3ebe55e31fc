package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// robotsSite serves robots (with status robotsStatus) and "ok" anywhere
// else, redirecting /go-private to /private/x.
func robotsSite(t *testing.T, robotsStatus int, robots string) *site {
	return newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.WriteHeader(robotsStatus)
			fmt.Fprint(w, robots)
		case "/go-private":
			http.Redirect(w, r, "/private/x", http.StatusFound)
		default:
			fmt.Fprint(w, "ok")
		}
	})
}

func TestGet_Robots(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		robots       string
		path         string
		wantRefused  bool
		wantRequests int // besides robots.txt
	}{
		{"disallowed for all", 200, "User-agent: *\nDisallow: /private\n", "/private/x", true, 0},
		{"allowed path", 200, "User-agent: *\nDisallow: /private\n", "/public", false, 1},
		{"redirect into a disallowed path", 200, "User-agent: *\nDisallow: /private\n", "/go-private", true, 1},
		{"query matters", 200, "User-agent: *\nDisallow: /*?print=\n", "/a?print=1", true, 0},
		{"our group wins over *", 200, "User-agent: *\nAllow: /\n\nUser-agent: newsfeed\nDisallow: /\n", "/x", true, 0},
		{"our group case-insensitive", 200, "User-agent: NewsFeed\nDisallow: /x\n", "/x", true, 0},
		{"another bot's group", 200, "User-agent: otherbot\nDisallow: /\n", "/x", false, 1},
		{"allow beats a shorter disallow", 200, "User-agent: *\nDisallow: /a\nAllow: /a/b\n", "/a/b/c", false, 1},
		{"empty robots.txt", 200, "", "/x", false, 1},
		{"404: no restriction", 404, "", "/x", false, 1},
		{"403: no restriction", 403, "", "/x", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := robotsSite(t, tt.status, tt.robots)
			cfg := testConfig(t, s)
			cfg.IgnoreRobots = false
			cfg.Retries = -1
			f := newFetcher(t, cfg)
			resp, err := f.Get(context.Background(), s.URL+tt.path, Validators{})
			if tt.wantRefused {
				if !errors.Is(err, ErrRobots) {
					t.Fatalf("err = %v, want ErrRobots", err)
				}
				t.Log(err)
				if st := f.Stats(); st.RobotsRefused != 1 {
					t.Errorf("Stats.RobotsRefused = %d", st.RobotsRefused)
				}
			} else if err != nil || string(resp.Body) != "ok" {
				t.Fatalf("got %v, %v", resp, err)
			}
			if n := s.count("/robots.txt"); n != 1 {
				t.Errorf("robots.txt fetched %d times", n)
			}
			if n := len(s.requests(false)); n != tt.wantRequests {
				t.Errorf("server got %d page requests, want %d", n, tt.wantRequests)
			}
		})
	}
}

// TestGet_RobotsOnce: many Gets at once to a new host read robots.txt once.
func TestGet_RobotsOnce(t *testing.T) {
	s := robotsSite(t, 200, "User-agent: *\nDisallow: /private\n")
	cfg := testConfig(t, s)
	cfg.IgnoreRobots = false
	cfg.PerHost = 4
	f := newFetcher(t, cfg)
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			path := fmt.Sprintf("/p%d", i)
			if i%3 == 0 {
				path = "/private" + path
			}
			_, err := f.Get(context.Background(), s.URL+path, Validators{})
			if i%3 == 0 != errors.Is(err, ErrRobots) {
				t.Errorf("%s: %v", path, err)
			}
		})
	}
	wg.Wait()
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times", n)
	}
	if st := f.Stats(); st.RobotsRefused != 4 || st.Requests != 9 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestGet_IgnoreRobots(t *testing.T) {
	s := robotsSite(t, 200, "User-agent: *\nDisallow: /\n")
	f := newFetcher(t, testConfig(t, s)) // IgnoreRobots is set
	if _, err := f.Get(context.Background(), s.URL+"/x", Validators{}); err != nil {
		t.Fatal(err)
	}
	if n := s.count("/robots.txt"); n != 0 {
		t.Errorf("robots.txt fetched %d times", n)
	}
}

// TestGet_CrawlDelay: a Crawl-delay longer than Delay spaces the requests.
// The k-th request cannot reach the server before start + k·delay.
func TestGet_CrawlDelay(t *testing.T) {
	const crawlDelay = 400 * time.Millisecond
	s := robotsSite(t, 200, "User-agent: *\nCrawl-delay: 0.4\n")
	cfg := testConfig(t, s)
	cfg.IgnoreRobots = false
	cfg.Delay = 10 * time.Millisecond
	cfg.PerHost = 3
	f := newFetcher(t, cfg)
	start := time.Now()
	getPages(t, f, s, 3)
	checkSpacing(t, s.requests(true), start, crawlDelay)
}

// TestGet_RobotsDeferred: a robots.txt answered with a long Retry-After
// defers the host, and the page is not asked for.
func TestGet_RobotsDeferred(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	cfg := testConfig(t, s)
	cfg.IgnoreRobots = false
	f := newFetcher(t, cfg)
	_, err := f.Get(context.Background(), s.URL+"/x", Validators{})
	var de *DeferredError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DeferredError", err)
	}
	if _, err := f.Get(context.Background(), s.URL+"/y", Validators{}); !errors.As(err, &de) {
		t.Fatalf("second Get: err = %v, want a DeferredError", err)
	}
	if n := len(s.requests(true)); n != 1 {
		t.Errorf("server got %d requests, want 1 (robots.txt)", n)
	}
}
