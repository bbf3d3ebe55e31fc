package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsfeed/internal/testpages"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// testTimeout bounds every wait: generous, for a loaded machine.
const testTimeout = 30 * time.Second

// page parses generated page i (testpages.Page; -1 is the seed page)
// as stored from source, with a URL for odd pages so that some articles
// have canonical URLs.
func page(tb testing.TB, i int) *record.Page {
	tb.Helper()
	var data []byte
	var err error
	opts := parse.Options{Site: "观察者网"}
	if i < 0 {
		data, err = testpages.Seed()
		opts.Source = "seeds/" + testpages.SeedName
	} else {
		data, err = testpages.Page(i)
		opts.Source = fmt.Sprintf("pages/page_%06d.txt", i)
		if i%2 == 1 {
			opts.URL = fmt.Sprintf("https://www.guancha.cn/test/page_%d.shtml", i)
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	res, err := parse.Text(data, opts)
	if err != nil {
		tb.Fatalf("parse %s: %v", opts.Source, err)
	}
	return &record.Page{Source: opts.Source, ContentHash: res.Article.ContentHash,
		Article: res.Article, Interview: res.Interview, Headlines: res.Headlines}
}

// writePages stores pages first..first+n-1 (the seed for -1) into the
// database at path, creating it, with the clock at now, and closes it.
func writePages(tb testing.TB, path string, now time.Time, first, n int) {
	tb.Helper()
	s, err := store.Open(context.Background(), path, store.Options{Now: func() time.Time { return now }, NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	var pages []*record.Page
	for i := first; i < first+n; i++ {
		pages = append(pages, page(tb, i))
	}
	if _, err := s.WritePages(context.Background(), pages); err != nil {
		tb.Fatal(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
}

// testNow is when test databases store their first pages.
var testNow = time.Date(2026, 1, 14, 9, 30, 0, 0, time.UTC)

// newDB returns the path of a new database holding the seed page and
// generated pages 0..n-1.
func newDB(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "newsfeed.db")
	writePages(tb, path, testNow, -1, n+1)
	return path
}

// testServer is a Server serving on 127.0.0.1.
type testServer struct {
	*Server
	// url is the base URL, with its trailing slash.
	url string
	// stop shuts the server down and returns Serve's error.
	stop func() error
}

// startServer serves cfg (DB set by the caller; BaseURL under prefix,
// "/" by default) on a free port of 127.0.0.1 until the test ends.
func startServer(tb testing.TB, cfg Config, prefix string) *testServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if prefix == "" {
		prefix = "/"
	}
	cfg.BaseURL = "http://" + ln.Addr().String() + prefix
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll == 0 {
		cfg.Poll = 50 * time.Millisecond
	}
	srv, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	stopped := false
	var stopErr error
	stop := func() error {
		if stopped {
			return stopErr
		}
		stopped = true
		cancel()
		select {
		case stopErr = <-errc:
		case <-time.After(testTimeout):
			stopErr = fmt.Errorf("server did not stop within %v", testTimeout)
		}
		return stopErr
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
	return &testServer{Server: srv, url: cfg.BaseURL, stop: stop}
}

// client does not decompress: the tests look at the bytes sent.
var client = &http.Client{
	Timeout:   testTimeout,
	Transport: &http.Transport{DisableCompression: true},
}

// get sends method to url with headers (name, value pairs) and returns
// the response with its body read.
func get(tb testing.TB, method, url string, headers ...string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

// waitFor polls cond every 20ms until it holds, failing after
// testTimeout.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v", what, testTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lines splits NDJSON into its lines.
func lines(body []byte) []string {
	s := strings.TrimSuffix(string(body), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
