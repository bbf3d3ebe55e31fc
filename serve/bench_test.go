package serve

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

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

// BenchmarkHandle measures the handler for the requests feed readers
// make: a 200 with gzip, and a 304 by ETag, without the network.
func BenchmarkHandle(b *testing.B) {
	srv := benchServer(b, true)
	a := srv.snap.Load().assets["articles.atom"]
	for _, c := range []struct {
		name    string
		headers []string
		code    int
	}{
		{"200gzip", []string{"Accept-Encoding", "gzip, deflate"}, 200},
		{"304", []string{"If-None-Match", a.gzETag, "Accept-Encoding", "gzip"}, 304},
	} {
		b.Run(c.name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			var req fasthttp.Request
			req.SetRequestURI("http://127.0.0.1:8080/articles.atom")
			for i := 0; i+1 < len(c.headers); i += 2 {
				req.Header.Set(c.headers[i], c.headers[i+1])
			}
			ctx.Init(&req, nil, nil)
			b.ReportAllocs()
			t0 := time.Now()
			for b.Loop() {
				ctx.Response.Reset()
				srv.handle(&ctx)
				if ctx.Response.StatusCode() != c.code {
					b.Fatalf("status %d, want %d", ctx.Response.StatusCode(), c.code)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "requests/s")
		})
	}
}
