package sharedfetch

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsfeed/fetch"
	"newsfeed/internal/natstest"
	"newsfeed/record"
)

// BenchmarkHostGate takes and frees a request slot of one host through
// the fetch-state bucket (an embedded server on loopback), from 8
// goroutines per CPU, per_host 64, no delay: what each request costs a
// worker in the bucket. fetch's BenchmarkHostAcquire is the in-memory side.
func BenchmarkHostGate(b *testing.B) {
	srv := natstest.Start(b)
	gate, err := NewHostGate(context.Background(), connect(b, srv.ClientURL()), GateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer gate.Close()
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			release, err := gate.Acquire(context.Background(), "example.com", 64, 0)
			if err != nil {
				b.Error(err)
				return
			}
			release()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acquires/s")
}

// BenchmarkWorkersFetch fetches a small page from a loopback server with
// per_host 64 and no delay, 16 Gets in flight per worker: one Fetcher
// with its in-memory politeness ("memory"), and 1 and 3 workers, each
// with its own connection, sharing the bucket's gate.
func BenchmarkWorkersFetch(b *testing.B) {
	srv := natstest.Start(b)
	s := newTestSite(b, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<p>ok</p>") })
	cfg := fetchConfig(b, s)
	cfg.PerHost = 64
	for _, tc := range []struct {
		name    string
		workers int
		gate    bool
	}{{"memory", 1, false}, {"gate-1", 1, true}, {"gate-3", 3, true}} {
		b.Run(tc.name, func(b *testing.B) {
			fs := []*fetch.Fetcher{fetch.New(cfg)}
			defer fs[0].Close()
			if tc.gate {
				fs = workers(b, srv, tc.workers, cfg, GateOptions{})
			}
			var next, failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for _, f := range fs {
				for range 16 {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							if _, err := f.Get(context.Background(), s.URL+"/page", fetch.Validators{}); err != nil {
								failed.Add(1)
							}
						}
					})
				}
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d Gets failed", n)
			}
		})
	}
}

// BenchmarkStatePut keeps the states of a batch of 500 pages, then
// reads them back, as a worker does around each batch: states/s.
func BenchmarkStatePut(b *testing.B) {
	srv := natstest.Start(b)
	st, err := NewState(context.Background(), connect(b, srv.ClientURL()))
	if err != nil {
		b.Fatal(err)
	}
	states := make([]record.URLState, 500)
	urls := make([]string, len(states))
	now := time.Now()
	for i := range states {
		urls[i] = fmt.Sprintf("https://example.com/news/%d.html", i)
		states[i] = record.URLState{URL: urls[i], Source: "example", ETag: `"abc"`, Status: 200,
			FirstFetched: now, LastFetched: now, LastChanged: now}
	}
	b.ResetTimer()
	for b.Loop() {
		if err := st.PutURLStates(context.Background(), states); err != nil {
			b.Fatal(err)
		}
		if got, err := st.URLStates(context.Background(), urls); err != nil || len(got) != len(urls) {
			b.Fatalf("URLStates: %d, %v", len(got), err)
		}
	}
	b.ReportMetric(float64(b.N*len(states))/b.Elapsed().Seconds(), "states/s")
}
