package queue

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"newsfeed/app"
	"newsfeed/article"
	"newsfeed/cluster"
	"newsfeed/cluster/sharedfetch"
	"newsfeed/fetch"
	"newsfeed/internal/natstest"
	"newsfeed/internal/storetest"
	"newsfeed/internal/testsite"
	"newsfeed/poll"
	"newsfeed/store"
)

// queueBenchArticles is the number of articles each path takes per iteration.
const queueBenchArticles = 2000

// BenchmarkQueue sends the articles of a local test site that answers at
// once through schedule → N workers (in this process, each with its own
// NATS connection and fetcher, per_host 8) → the records stream, and, in
// the same iteration, through the one-machine run (app.Ingest fetching
// and storing into bbolt, per_host 8), so that both see the same load on
// a shared machine. It reports queue-urls/s (from the schedule's start to
// the last page acknowledged by the records stream), run-pages/s, and
// their ratio x-run, and the CPU time each path took per page (this
// process holds the site and the NATS server too). The queue path stops
// at the records stream: materialising it into bbolt is the feed
// servers' work, done beside. nats-msgs/url counts the messages the
// server received per URL (publishes, API requests, acks, key-value
// reads and writes), set-up included: the round trips the path costs.
//
// gate=kv is the path `newsfeed schedule` and `newsfeed worker` take:
// the fetch-state bucket's HostGate, RobotsCache and State (each
// worker its own, as each process has), robots.txt read; both paths then
// read robots.txt. gate=local gives each worker's fetcher its in-memory
// politeness and no fetch state: the cost of the queue alone.
func BenchmarkQueue(b *testing.B) {
	site := testsite.New(b, queueBenchArticles)
	srv := natstest.Start(b)
	lists := sectionLists(b, site, fmt.Sprintf("max_articles = %d", queueBenchArticles))
	profiles := siteProfiles(b)
	iter := 0
	for _, kv := range []bool{false, true} {
		for _, workers := range []int{1, 2, 4} {
			name := fmt.Sprintf("gate=local/workers=%d", workers)
			if kv {
				name = fmt.Sprintf("gate=kv/workers=%d", workers)
			}
			b.Run(name, func(b *testing.B) {
				var queueTime, runTime, queueCPU, runCPU time.Duration
				var natsIn int64
				for b.Loop() {
					b.StopTimer()
					iter++
					prefix := fmt.Sprintf("B%d", iter)
					in0 := natsInMsgs(b, srv)
					wall, cpu := queueOnce(b, srv.ClientURL(), prefix, lists, workers, kv)
					natsIn += natsInMsgs(b, srv) - in0
					queueTime, queueCPU = queueTime+wall, queueCPU+cpu
					b.StopTimer()

					s := storetest.Open(b, store.Options{NoSync: true})
					f := fetch.New(fetch.Config{PerHost: 8, Delay: -1, AllowPrivate: true, IgnoreRobots: !kv})
					cpu0 := cpuTime(b)
					sum, err := app.Ingest(context.Background(), s, nil, app.Options{
						Fetcher: f, State: s, Lists: lists, Profiles: profiles,
						OnError: func(err error) { b.Error(err) },
					})
					f.Close()
					if err != nil || sum.New != queueBenchArticles {
						b.Fatalf("run: %v: %s", err, sum)
					}
					runTime += sum.Elapsed
					runCPU += cpuTime(b) - cpu0
					b.StartTimer()
				}
				n := float64(b.N * queueBenchArticles)
				b.ReportMetric(n/queueTime.Seconds(), "queue-urls/s")
				b.ReportMetric(n/runTime.Seconds(), "run-pages/s")
				b.ReportMetric(runTime.Seconds()/queueTime.Seconds(), "x-run")
				b.ReportMetric(float64(queueCPU.Microseconds())/n, "queue-cpu-µs/url")
				b.ReportMetric(float64(runCPU.Microseconds())/n, "run-cpu-µs/page")
				b.ReportMetric(float64(natsIn)/n, "nats-msgs/url")
			})
		}
	}
}

// natsInMsgs returns the messages the server has received from clients:
// publishes, API requests, acks, key-value reads and writes.
func natsInMsgs(b *testing.B, srv *server.Server) int64 {
	v, err := srv.Varz(nil)
	if err != nil {
		b.Fatal(err)
	}
	return v.InMsgs
}

// cpuTime returns the CPU time this process has used (user and system):
// the test site, the NATS server and newsfeed, all in this process.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// queueProc is what one schedule or worker process of the benchmark
// holds: its connection, fetcher and, with the bucket, its gate and fetch
// state.
type queueProc struct {
	c     *cluster.Conn
	f     *fetch.Fetcher
	gate  *sharedfetch.HostGate
	state *sharedfetch.State
}

// openQueueProc connects as a process of `newsfeed worker` does: with kv,
// the fetcher's gate and robots.txt are the fetch-state bucket's and the
// fetch state is the bucket's too.
func openQueueProc(b *testing.B, url, prefix string, kv bool) *queueProc {
	ctx := context.Background()
	c, err := cluster.Connect(ctx, cluster.Config{URL: url, Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	p := &queueProc{c: c}
	cfg := fetch.Config{PerHost: 8, Delay: -1, AllowPrivate: true, IgnoreRobots: !kv}
	if kv {
		if p.gate, err = sharedfetch.NewHostGate(ctx, c, sharedfetch.GateOptions{}); err != nil {
			b.Fatal(err)
		}
		robots, err := sharedfetch.NewRobotsCache(ctx, c, 0)
		if err != nil {
			b.Fatal(err)
		}
		if p.state, err = sharedfetch.NewState(ctx, c); err != nil {
			b.Fatal(err)
		}
		cfg.Gate, cfg.Robots = p.gate, robots
	}
	p.f = fetch.New(cfg)
	return p
}

// fetchState returns the process's fetch state for article.Options: nil
// without the bucket.
func (p *queueProc) fetchState() article.FetchState {
	if p.state == nil {
		return nil
	}
	return p.state
}

func (p *queueProc) close() {
	p.f.Close()
	if p.gate != nil {
		p.gate.Close()
	}
	p.c.Close()
}

// queueOnce sets up n workers (the consumer, as a deployment has it
// before work comes) and a scheduler, each its own process's connection,
// then starts the timer, runs them, schedules the lists, and returns the
// wall and CPU time until every article is on the records stream.
func queueOnce(b *testing.B, url, prefix string, lists []poll.ListSource, n int, kv bool) (wall, cpu time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stored sync.WaitGroup
	stored.Add(queueBenchArticles)
	workers := make([]*Worker, n)
	for i := range workers {
		p := openQueueProc(b, url, prefix, kv)
		defer p.close()
		w, err := NewWorker(ctx, p.c, WorkerConfig{Fetchers: 16,
			Fetch: fetchWith(article.Options{Fetcher: p.f, State: p.fetchState(), Profiles: siteProfiles(b)}),
			State: p.fetchState(),
			OnMessage: func(o Outcome) {
				if o != Stored {
					b.Errorf("outcome %d", o)
				}
				stored.Done()
			}})
		if err != nil {
			b.Fatal(err)
		}
		workers[i] = w
	}
	sp := openQueueProc(b, url, prefix, kv)
	defer sp.close()
	s, profiles := NewScheduler(sp.c, nil), siteProfiles(b)
	time.Sleep(100 * time.Millisecond) // the server's file work of the set-up is done

	b.StartTimer()
	start, cpu0 := time.Now(), cpuTime(b)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			if err := w.Run(ctx); err != nil {
				b.Error(err)
			}
		})
	}
	sum, err := runSchedule(s, lists, sp.fetchState(), profiles, sp.f)
	if err != nil || sum.Enqueued != queueBenchArticles {
		b.Fatalf("schedule: %v, %d enqueued", err, sum.Enqueued)
	}
	stored.Wait()
	wall, cpu = time.Since(start), cpuTime(b)-cpu0
	cancel()
	wg.Wait()
	return wall, cpu
}
