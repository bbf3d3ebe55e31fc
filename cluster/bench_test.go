package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"newsfeed/fetch"
	"newsfeed/ingest"
	"newsfeed/internal/natstest"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/store"
)

// benchArticles is the number of articles each path takes per iteration.
const benchArticles = 500

// BenchmarkQueue sends the articles of a local test site that answers at
// once through schedule → N workers (in this process, each with its own
// fetcher, per_host 8) → the records stream, and, in the same iteration,
// through the one-machine run (ingest.Run fetching and storing into
// bbolt, per_host 8), so that both see the same load on a shared
// machine. It reports queue-urls/s (from the schedule's start to the
// last page acknowledged by the records stream), run-pages/s, and their
// ratio x-run. The queue path stops at the records stream: materialising
// it into bbolt is the feed servers' work, done beside.
func BenchmarkQueue(b *testing.B) {
	site := testsite.New(b, benchArticles)
	srv := natstest.Start(b)
	lists := sectionLists(b, site, fmt.Sprintf("max_articles = %d", benchArticles))
	profiles := siteProfiles(b)
	iter := 0
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var queueTime, runTime time.Duration
			for b.Loop() {
				b.StopTimer()
				iter++
				c, err := Connect(context.Background(), Config{URL: srv.ClientURL(), Prefix: fmt.Sprintf("B%d", iter)})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				queueTime += queueOnce(b, c, lists, workers)
				b.StopTimer()
				c.Close()

				s := storetest.Open(b, store.Options{NoSync: true})
				f := fetch.New(fetch.Config{PerHost: 8, Delay: -1, AllowPrivate: true, IgnoreRobots: true})
				sum, err := ingest.Run(context.Background(), s, nil, ingest.Options{
					Fetcher: f, State: s, Lists: lists, Profiles: profiles,
					OnError: func(err error) { b.Error(err) },
				})
				f.Close()
				if err != nil || sum.New != benchArticles {
					b.Fatalf("run: %v: %s", err, sum)
				}
				runTime += sum.Elapsed
				b.StartTimer()
			}
			n := float64(b.N * benchArticles)
			b.ReportMetric(n/queueTime.Seconds(), "queue-urls/s")
			b.ReportMetric(n/runTime.Seconds(), "run-pages/s")
			b.ReportMetric(runTime.Seconds()/queueTime.Seconds(), "x-run")
		})
	}
}

// queueOnce runs n workers, schedules the lists, and returns the time
// until every article is on the records stream.
func queueOnce(b *testing.B, c *Conn, lists []ingest.ListSource, n int) time.Duration {
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	var stored sync.WaitGroup
	stored.Add(benchArticles)
	var wg sync.WaitGroup
	for range n {
		f := fetch.New(fetch.Config{PerHost: 8, Delay: -1, AllowPrivate: true, IgnoreRobots: true})
		w, err := NewWorker(ctx, c, WorkerConfig{Fetchers: 16, Ingest: ingest.Options{Fetcher: f, Profiles: siteProfiles(b)},
			OnMessage: func(o Outcome) {
				if o != Stored {
					b.Errorf("outcome %d", o)
				}
				stored.Done()
			}})
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer f.Close()
			if err := w.Run(ctx); err != nil {
				b.Error(err)
			}
		})
	}
	sf := fetch.New(fetch.Config{PerHost: 8, Delay: -1, AllowPrivate: true, IgnoreRobots: true})
	defer sf.Close()
	sum, err := runSchedule(NewScheduler(c, nil), lists, nil, siteProfiles(b), sf)
	if err != nil || sum.Enqueued != benchArticles {
		b.Fatalf("schedule: %v, %d enqueued", err, sum.Enqueued)
	}
	stored.Wait()
	d := time.Since(start)
	cancel()
	wg.Wait()
	return d
}
