package queue

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/app"
	"newsfeed/article"
	"newsfeed/cluster"
	"newsfeed/cluster/internal/clustertest"
	"newsfeed/cluster/records"
	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/internal/testsite"
	"newsfeed/parse"
	"newsfeed/poll"
	"newsfeed/record"
	"newsfeed/store"
)

// The shared helpers of the cluster tests, by the names these tests use.
var (
	newConn       = clustertest.NewConn
	connectPlaced = clustertest.ConnectPlaced
	openStore     = clustertest.OpenStore
	waitFor       = clustertest.WaitFor
	export        = clustertest.Export
)

const (
	testTimeout    = clustertest.Timeout
	clusterTestEnv = clustertest.ClusterEnv
)

// siteProfiles returns the test site's profiles over the built-in ones,
// as --profiles gives them to run and to each worker.
func siteProfiles(t testing.TB) *parse.Profiles {
	t.Helper()
	text, err := testsite.ProfileText()
	if err != nil {
		t.Fatal(err)
	}
	p, err := parse.ParseProfiles(strings.NewReader(text), "site-profiles.txt")
	if err != nil {
		t.Fatal(err)
	}
	return parse.BuiltinProfiles().Overlay(p)
}

// sectionLists returns the sources-file source of the site's section
// page, with settings (TOML lines) added.
func sectionLists(t testing.TB, site *testsite.Site, settings string) []poll.ListSource {
	t.Helper()
	text := fmt.Sprintf("[[source]]\nname = \"section\"\nhtml = %q\nevery = \"1ns\"\n%s\n", site.URL(testsite.SectionPath), settings)
	sc, err := config.Parse([]byte(text), "newsfeed.toml")
	if err != nil {
		t.Fatal(err)
	}
	return []poll.ListSource{{Source: sc.Sources[0]}}
}

// newFetcher returns a fetcher for the loopback test site: no retries,
// no delay.
func newFetcher(t testing.TB) *fetch.Fetcher {
	f := fetch.New(fetch.Config{AllowPrivate: true, Retries: -1, Delay: -1, PerHost: 64, Timeout: time.Minute})
	t.Cleanup(f.Close)
	return f
}

// openState opens a bbolt store in the test's temp dir as the shared
// fetch state.
func openState(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// schedule polls the lists once, as newsfeed schedule does, and returns
// the run's summary and the scheduler's counts.
func schedule(t testing.TB, c *cluster.Conn, lists []poll.ListSource, state article.FetchState) (app.Report, ScheduleCounts) {
	t.Helper()
	s := NewScheduler(c, nil)
	sum, err := runSchedule(s, lists, state, siteProfiles(t), newFetcher(t))
	if err != nil {
		t.Fatal(err)
	}
	return sum, s.Counts()
}

// runSchedule polls lists once with s; a list or article that fails is
// an error.
func runSchedule(s *Scheduler, lists []poll.ListSource, state article.FetchState, profiles *parse.Profiles, f *fetch.Fetcher) (app.Report, error) {
	var errs []error
	opts := app.Options{Fetcher: f, Lists: lists, State: state, Profiles: profiles,
		OnError: func(err error) { errs = append(errs, err) }}
	sum, err := app.Schedule(context.Background(), nil, opts, s.Enqueue)
	return sum, errors.Join(append(errs, err)...)
}

// fetchWith fetches articles with article.Fetch and opts, as
// newsfeed worker does.
func fetchWith(opts article.Options) FetchFunc {
	return func(ctx context.Context, w article.Work) (article.Fetched, error) {
		return article.Fetch(ctx, w, opts)
	}
}

// newWorker returns a worker with the site's profiles.
func newWorker(t testing.TB, c *cluster.Conn, state article.FetchState, cfg WorkerConfig) *Worker {
	t.Helper()
	opts := article.Options{Fetcher: newFetcher(t), Profiles: siteProfiles(t), State: state}
	cfg.Fetch = func(ctx context.Context, w article.Work) (article.Fetched, error) {
		return article.Fetch(ctx, w, opts)
	}
	cfg.State = state
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 10 * time.Millisecond
	}
	w, err := NewWorker(context.Background(), c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// runWorkers runs n workers with Once until the queue is empty and
// returns their stats added up.
func runWorkers(t testing.TB, c *cluster.Conn, n int, state article.FetchState, cfg WorkerConfig) WorkerStats {
	t.Helper()
	cfg.Once = true
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var wg sync.WaitGroup
	workers := make([]*Worker, n)
	errs := make([]error, n)
	for i := range workers {
		cfg.Name = fmt.Sprintf("w%d", i)
		workers[i] = newWorker(t, c, state, cfg)
		wg.Go(func() { errs[i] = workers[i].Run(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("workers did not finish the queue in time")
	}
	var sum WorkerStats
	for _, w := range workers {
		s := w.Stats()
		sum.Stored += s.Stored
		sum.NotModified += s.NotModified
		sum.Skipped += s.Skipped
		sum.Retried += s.Retried
		sum.Dead += s.Dead
	}
	return sum
}

// runUntil runs w until cond holds, then stops it as SIGTERM would.
func runUntil(t testing.TB, w *Worker, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()
	waitFor(t, what, cond)
	cancel()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

// recordPages returns the pages on the records stream, in order.
func recordPages(t testing.TB, c *cluster.Conn) []*record.Page {
	t.Helper()
	ctx := context.Background()
	st, err := c.JS.Stream(ctx, c.Names.RecordStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pages []*record.Page
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		raw, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		p, err := records.DecodePage(raw.Data, raw.Header)
		if err != nil {
			t.Fatalf("record %d: %v", seq, err)
		}
		pages = append(pages, p)
	}
	return pages
}

// streamMsgs returns the number of messages in a stream.
func streamMsgs(t testing.TB, c *cluster.Conn, name string) uint64 {
	t.Helper()
	st, err := c.JS.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}
