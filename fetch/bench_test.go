package fetch

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"newsfeed/internal/testpages"
)

// BenchmarkGet fetches the seed page over loopback with no delay, PerHost
// 8, from 8 goroutines per CPU, plain and gzip-encoded: requests/s and MB/s
// of decoded body.
func BenchmarkGet(b *testing.B) {
	page, err := testpages.Seed()
	if err != nil {
		b.Fatal(err)
	}
	for _, enc := range []string{"identity", "gzip", "br"} {
		b.Run(enc, func(b *testing.B) {
			body := page
			switch enc {
			case "gzip":
				body = gzipped(b, page)
			case "br":
				body = brotlied(b, page)
			}
			s := newSite(b, func(w http.ResponseWriter, r *http.Request) {
				if enc != "identity" {
					w.Header().Set("Content-Encoding", enc)
				}
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Write(body)
			})
			cfg := testConfig(b, s)
			cfg.PerHost = 8
			f := newFetcher(b, cfg)
			var failed atomic.Int64
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if resp, err := f.Get(context.Background(), s.URL+"/page", Validators{}); err != nil || len(resp.Body) != len(page) {
						failed.Add(1)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d Gets failed", n)
			}
		})
	}
}

// BenchmarkHostAcquire takes and frees a request slot of one host in
// memory, as a Fetcher without Config.Gate does before each request, from
// 8 goroutines per CPU, PerHost 64, no delay: the in-memory side of
// cluster's BenchmarkHostGate.
func BenchmarkHostAcquire(b *testing.B) {
	h := newHost("example.com", 64, 0)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := h.acquire(context.Background()); err != nil {
				b.Error(err)
				return
			}
			h.release()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acquires/s")
}
