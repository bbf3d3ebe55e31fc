package serve

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"newsfeed/feed"
	"newsfeed/store"
)

// benchServer returns a Server over a database of the seed and 59
// generated pages, its first snapshot built. With warm, publish has
// filled the item cache for the server's base URL first, as a cron
// `newsfeed run` with the same --base-url does.
func benchServer(b *testing.B, warm bool) *Server {
	b.Helper()
	db := newDB(b, 59)
	cfg := Config{DB: db, BaseURL: "http://127.0.0.1:8080/", Log: slog.New(slog.DiscardHandler)}
	if warm {
		s, err := store.Open(context.Background(), db, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := feed.Publish(context.Background(), s, b.TempDir(), feed.Options{BaseURL: cfg.BaseURL}, nil); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	srv, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	return srv
}

// BenchmarkBuild measures a rebuild after the database changed: open
// read-only, build 9 feeds in 3 formats, the index and the stats,
// compress each, close. Cold renders every item (the read-only server
// cannot keep them); warm reads them from publish's item cache.
func BenchmarkBuild(b *testing.B) {
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		b.Run(name, func(b *testing.B) {
			srv := benchServer(b, warm)
			v, err := statDB(srv.cfg.DB)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			t0 := time.Now()
			for b.Loop() {
				if _, err := srv.build(context.Background(), v, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "builds/s")
		})
	}
}

// discardWriter is a ResponseWriter that keeps the headers and drops
// the body: what the handler itself costs, without the network.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkServeHTTP measures the handler for the requests feed readers
// make: a 200 with gzip, and a 304 by ETag.
func BenchmarkServeHTTP(b *testing.B) {
	srv := benchServer(b, true)
	a := srv.snap.Load().assets["articles.atom"]
	for _, c := range []struct {
		name   string
		header http.Header
		code   int
	}{
		{"200gzip", http.Header{"Accept-Encoding": {"gzip, deflate"}}, 200},
		{"304", http.Header{"If-None-Match": {a.gzETag}, "Accept-Encoding": {"gzip"}}, 304},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, err := http.NewRequest("GET", "http://127.0.0.1:8080/articles.atom", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header = c.header
			b.ReportAllocs()
			t0 := time.Now()
			for b.Loop() {
				w := &discardWriter{h: make(http.Header, 8)}
				srv.ServeHTTP(w, req)
				if w.code != c.code {
					b.Fatalf("status %d, want %d", w.code, c.code)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "requests/s")
		})
	}
}
