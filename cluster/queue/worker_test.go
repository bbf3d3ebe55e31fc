package queue

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/article"
	"newsfeed/cluster"
	"newsfeed/cluster/sharedfetch"
	"newsfeed/internal/natstest"
	"newsfeed/internal/testsite"
	"newsfeed/record"
)

// Every article of the site goes through schedule and three workers to
// the records stream exactly once; a second schedule of the unchanged
// site within the duplicate window queues nothing.
func TestScheduleWorkers_EveryArticleOnce(t *testing.T) {
	site := testsite.New(t, 20)
	c := newConn(t, cluster.Config{Prefix: "T"})
	lists := sectionLists(t, site, "")
	sum, counts := schedule(t, c, lists, nil)
	if sum.Enqueued != 20 || counts.Enqueued != 20 || counts.Duplicates != 0 || sum.Lists.Polled != 1 {
		t.Fatalf("first schedule: %+v, %+v", sum, counts)
	}
	// No fetch state: the list is read whole again, and the stream drops
	// every article as a duplicate (same URL, same list).
	sum, counts = schedule(t, c, lists, nil)
	if sum.Enqueued != 20 || counts.Enqueued != 0 || counts.Duplicates != 20 {
		t.Fatalf("second schedule: %+v, %+v", sum, counts)
	}
	if n := streamMsgs(t, c, c.Names.WorkStream); n != 20 {
		t.Fatalf("%d work messages queued, want 20", n)
	}
	site.Reset()
	ws := runWorkers(t, c, 3, nil, WorkerConfig{Fetchers: 4})
	if ws.Stored != 20 || ws.Dead+ws.Retried+ws.Skipped != 0 {
		t.Errorf("workers: %s", ws)
	}
	if got := site.Stats().Articles; got != 20 {
		t.Errorf("the site served %d article pages, want 20", got)
	}
	pages := recordPages(t, c)
	seen := map[string]int{}
	for _, p := range pages {
		seen[p.Source]++
		if p.Article == nil || p.Article.Site != "观察者网" || len(p.Article.Texts()) != 6 || p.Seen.IsZero() {
			t.Errorf("%s: article %+v, seen %v", p.Source, p.Article, p.Seen)
		}
	}
	for i := range 20 {
		if u := site.ArticleURL(i); seen[u] != 1 {
			t.Errorf("%s on the records stream %d times", u, seen[u])
		}
	}
	if len(pages) != 20 {
		t.Errorf("%d pages on the records stream, want 20", len(pages))
	}
	if n := streamMsgs(t, c, c.Names.WorkStream); n != 0 {
		t.Errorf("%d work messages left", n)
	}
}

// With the fetch state shared, a later schedule with refresh queues each
// article again (its marker holds when it was fetched), every worker's
// request is conditional, and nothing is published: the site answered 304.
func TestScheduleWorkers_ConditionalRefresh(t *testing.T) {
	site := testsite.New(t, 6)
	c := newConn(t, cluster.Config{Prefix: "T"})
	state := openState(t)
	lists := sectionLists(t, site, "refresh = \"30d\"")
	if sum, _ := schedule(t, c, lists, state); sum.Enqueued != 6 {
		t.Fatalf("first schedule: %+v", sum)
	}
	if ws := runWorkers(t, c, 2, state, WorkerConfig{}); ws.Stored != 6 {
		t.Fatalf("first round: %s", ws)
	}
	site.Reset()
	sum, counts := schedule(t, c, lists, state)
	if sum.Enqueued != 6 || counts.Enqueued != 6 || sum.Fetch.NotModified != 1 {
		t.Fatalf("refresh schedule: %+v, %+v", sum, counts)
	}
	ws := runWorkers(t, c, 2, state, WorkerConfig{})
	if ws.NotModified != 6 || ws.Stored != 0 {
		t.Errorf("refresh round: %s", ws)
	}
	for _, r := range site.Requests() {
		if r.Path != "/robots.txt" && r.IfNoneMatch == "" {
			t.Errorf("%s asked unconditionally", r.Path)
		}
	}
	if n := len(recordPages(t, c)); n != 6 {
		t.Errorf("%d pages on the records stream, want 6", n)
	}
}

// A work queue smaller than the list: the scheduler waits for room and
// everything still arrives.
func TestSchedule_BackPressure(t *testing.T) {
	site := testsite.New(t, 12)
	c := newConn(t, cluster.Config{Prefix: "T", WorkMaxMsgs: 3})
	s := NewScheduler(c, nil)
	done := make(chan struct{})
	var sumEnqueued atomic.Int64
	lists, profiles, f := sectionLists(t, site, ""), siteProfiles(t), newFetcher(t)
	go func() {
		defer close(done)
		sum, err := runSchedule(s, lists, nil, profiles, f)
		if err != nil {
			t.Error(err)
		}
		sumEnqueued.Store(int64(sum.Enqueued))
	}()
	waitFor(t, "the scheduler to find the queue full", func() bool { return s.Counts().FullWaits > 0 })
	if n := streamMsgs(t, c, c.Names.WorkStream); n != 3 {
		t.Fatalf("%d messages in a queue bounded at 3", n)
	}
	runUntil(t, newWorker(t, c, nil, WorkerConfig{Fetchers: 2}), "every page and the scheduler's end", func() bool {
		select {
		case <-done:
			return streamMsgs(t, c, c.Names.RecordStream) == 12
		default:
			return false
		}
	})
	if got := s.Counts(); got.Enqueued != 12 || sumEnqueued.Load() != 12 {
		t.Errorf("scheduler: %+v, summary %d enqueued", got, sumEnqueued.Load())
	}
	if n := len(recordPages(t, c)); n != 12 {
		t.Errorf("%d pages, want 12", n)
	}
}

// A page the site answers 500 every time goes to the dead letters after
// MaxDeliver deliveries, with its URL and error; the others are stored.
// A 404, and a page robots.txt disallows, are acknowledged and skipped,
// not retried.
func TestWorker_MaxDeliverDeadLetter(t *testing.T) {
	site := testsite.New(t, 5)
	c := newConn(t, cluster.Config{Prefix: "T", MaxDeliver: 3})
	broken, gone, disallowed := site.ArticleURL(1), site.ArticleURL(2), site.ArticleURL(3)
	site.Handle(strings.TrimPrefix(broken, site.URL("")), func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	})
	site.Handle(strings.TrimPrefix(gone, site.URL("")), http.NotFound)
	schedule(t, c, sectionLists(t, site, ""), nil)
	site.Handle("/robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nDisallow: %s\n", strings.TrimPrefix(disallowed, site.URL("")))
	})
	ws := runWorkers(t, c, 2, nil, WorkerConfig{})
	if ws.Stored != 2 || ws.Skipped != 2 || ws.Dead != 1 || ws.Retried != 2 {
		t.Errorf("workers: %s", ws)
	}
	st, err := c.Status(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dead.Messages != 1 || len(st.Letters) != 1 || st.Work.Messages != 0 || st.Records.Messages != 2 {
		t.Fatalf("status: %+v", st)
	}
	d := st.Letters[0]
	if d.URL != broken || d.Deliveries != 3 || !strings.Contains(d.Error, "HTTP 500") || !strings.Contains(d.Error, broken) ||
		!strings.HasPrefix(d.Worker, "w") {
		t.Errorf("dead letter: %+v", d)
	}
	if m, err := DecodeWork(d.Work); err != nil || m.URL != broken {
		t.Errorf("dead letter body: %v, %+v", err, m)
	}
}

// abandon takes one work message and never answers, as a worker killed
// mid-fetch would.
func abandon(t *testing.T, c *cluster.Conn) {
	t.Helper()
	cons, err := EnsureWorkConsumer(context.Background(), c, DefaultMaxAckPending)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(1, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range batch.Messages() {
		n++
	}
	if n != 1 {
		t.Fatalf("fetched %d messages, want 1 (%v)", n, batch.Error())
	}
}

// A message whose worker dies on its last delivery is dead-lettered by a
// running worker when the server's max-deliveries advisory comes, and
// deleted from the work stream.
func TestWorker_AdvisoryDeadLetter(t *testing.T) {
	site := testsite.New(t, 1)
	c := newConn(t, cluster.Config{Prefix: "T", MaxDeliver: 1, AckWait: time.Second})
	schedule(t, c, sectionLists(t, site, ""), nil)
	abandon(t, c)
	runUntil(t, newWorker(t, c, nil, WorkerConfig{Name: "watcher"}), "the dead letter",
		func() bool { return streamMsgs(t, c, c.Names.DeadStream) == 1 })
	_, letters, err := c.DeadLetters(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	d := letters[0]
	if d.URL != site.ArticleURL(0) || d.Deliveries != 1 || d.Worker != "watcher" || !strings.Contains(d.Error, "never answered") {
		t.Errorf("dead letter: %+v", d)
	}
	if n := streamMsgs(t, c, c.Names.WorkStream); n != 0 {
		t.Errorf("%d work messages left", n)
	}
}

// When no worker heard the advisory, a worker finds the parked message
// when it is idle and dead-letters it: one with Once before it returns,
// a long-running one too.
func TestWorker_SweepsParked(t *testing.T) {
	for _, once := range []bool{true, false} {
		t.Run(fmt.Sprintf("once=%v", once), func(t *testing.T) {
			site := testsite.New(t, 2)
			c := newConn(t, cluster.Config{Prefix: "T", MaxDeliver: 1, AckWait: 500 * time.Millisecond})
			schedule(t, c, sectionLists(t, site, ""), nil)
			abandon(t, c)
			cons, err := c.JS.Consumer(context.Background(), c.Names.WorkStream, c.Names.WorkConsumer)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the server to give up on the message", func() bool {
				info, err := cons.Info(context.Background())
				return err == nil && info.NumAckPending == 0
			})
			var ws WorkerStats
			if once {
				ws = runWorkers(t, c, 1, nil, WorkerConfig{})
			} else {
				w := newWorker(t, c, nil, WorkerConfig{})
				runUntil(t, w, "the dead letter", func() bool { return streamMsgs(t, c, c.Names.DeadStream) == 1 })
				ws = w.Stats()
			}
			if ws.Stored != 1 || ws.Dead != 1 {
				t.Errorf("worker: %s", ws)
			}
			if n := streamMsgs(t, c, c.Names.WorkStream); n != 0 {
				t.Errorf("%d work messages left", n)
			}
		})
	}
}

// Messages that cannot be read go to the dead letters with an error
// naming the message; they are not retried.
func TestWorker_BadMessages(t *testing.T) {
	c := newConn(t, cluster.Config{Prefix: "T"})
	ctx := context.Background()
	for _, body := range []string{`{"url":`, `{"source":"x"}`, `{"url":"ftp://a.example/x"}`, `{"url":"https://a.example/x","profiles":"[a.example]\ntitle: h1[\n"}`} {
		if _, err := c.JS.Publish(ctx, c.Names.WorkSubject, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	ws := runWorkers(t, c, 1, nil, WorkerConfig{})
	if ws.Dead != 4 || ws.Retried != 0 {
		t.Errorf("worker: %s", ws)
	}
	_, letters, err := c.DeadLetters(ctx, 0)
	if err != nil || len(letters) != 4 {
		t.Fatalf("%d letters, %v", len(letters), err)
	}
	want := []string{"work message 1: bad work message: unexpected end of JSON input", "work message 2: bad work message: no url",
		`work message 3: bad work message: url "ftp://a.example/x" is no http(s) URL`, "work message 4: source  profile:2: title: bad selector"}
	// Handled at once: the letters come in any order.
	slices.SortFunc(letters, func(a, b cluster.DeadLetter) int { return cmp.Compare(a.WorkSeq, b.WorkSeq) })
	for i, d := range letters {
		if !strings.HasPrefix(d.Error, want[i]) || d.WorkSeq != uint64(i+1) || d.Deliveries != 1 {
			t.Errorf("letter %d: %+v, want error %q", i, d, want[i])
		}
	}
}

// A fetch slower than AckWait is not delivered to another worker: the
// worker says it is in progress.
func TestWorker_SlowFetchHeartbeat(t *testing.T) {
	site := testsite.New(t, 1)
	c := newConn(t, cluster.Config{Prefix: "T", AckWait: time.Second})
	schedule(t, c, sectionLists(t, site, ""), nil)
	site.Reset()
	site.SetLatency(3 * time.Second)
	ws := runWorkers(t, c, 2, nil, WorkerConfig{})
	if ws.Stored != 1 || ws.Retried+ws.Dead != 0 {
		t.Errorf("workers: %s", ws)
	}
	if n := site.Stats().Articles; n != 1 {
		t.Errorf("the article was asked for %d times, want once", n)
	}
}

// With R3 streams on three servers, the work stream's leader going away
// holds the scheduler back only until another is elected: the article
// is queued, once.
func TestSchedule_LeaderLost(t *testing.T) {
	if testing.Short() {
		t.Skip("three servers")
	}
	ctx := context.Background()
	servers := natstest.Cluster(t, 3)
	c, err := cluster.Connect(ctx, cluster.Config{URL: natstest.URLs(servers...), Replicas: 3, Prefix: "T"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, err := c.JS.Stream(ctx, c.Names.WorkStream)
	if err != nil {
		t.Fatal(err)
	}
	leader := st.CachedInfo().Cluster.Leader
	for _, s := range servers {
		if s.Name() == leader {
			s.Shutdown()
		}
	}
	s := NewScheduler(c, nil)
	if err := s.Enqueue(ctx, article.Work{URL: "https://a.example/1", Marker: "m"}); err != nil {
		t.Fatalf("enqueue with the leader gone: %v", err)
	}
	if err := s.Enqueue(ctx, article.Work{URL: "https://a.example/1", Marker: "m"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Counts(); got.Enqueued != 1 || got.Duplicates != 1 {
		t.Errorf("counts %+v", got)
	}
	info, err := st.Info(ctx)
	if err != nil || info.State.Msgs != 1 || info.Cluster.Leader == leader {
		t.Errorf("work stream: %v, %+v", err, info)
	}
}

// countingState is a fetch state that counts the URL states read.
type countingState struct {
	article.FetchState
	reads atomic.Int64
}

func (s *countingState) URLStates(ctx context.Context, urls []string) (map[string]record.URLState, error) {
	s.reads.Add(int64(len(urls)))
	return s.FetchState.URLStates(ctx, urls)
}

// The scheduler marks the work of an article its fetch state has no
// record of as new, and the worker then reads no state for it, but for a
// redelivery: its first delivery may have saved one.
func TestWorker_NewWorkReadsNoState(t *testing.T) {
	site := testsite.New(t, 3)
	c := newConn(t, cluster.Config{Prefix: "T"})
	state := &countingState{FetchState: openState(t)}
	retried := site.ArticleURL(1)
	path := strings.TrimPrefix(retried, site.URL(""))
	site.Handle(path, func(w http.ResponseWriter, _ *http.Request) {
		site.Handle(path, nil) // the page itself from now on
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	schedule(t, c, sectionLists(t, site, ""), state.FetchState)

	work, err := c.JS.Stream(context.Background(), c.Names.WorkStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := work.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		raw, err := work.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := DecodeWork(raw.Data); err != nil || !m.New {
			t.Errorf("work %d: %v, %+v: want new", seq, err, m)
		}
	}

	ws := runWorkers(t, c, 1, state, WorkerConfig{})
	if ws.Stored != 3 || ws.Retried != 1 {
		t.Fatalf("workers: %s", ws)
	}
	if n := state.reads.Load(); n != 1 {
		t.Errorf("the worker read %d URL states, want 1: the redelivery's", n)
	}
}

// Workers index a URL's state under its source only for a source that
// refreshes its articles: its refresh finds them (SourceURLs), and no
// other source pays a second write per article.
func TestWorkers_IndexOnlyRefreshingSources(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		settings string
		indexed  int
	}{{"", 0}, {"refresh = \"30d\"", 4}} {
		t.Run(fmt.Sprintf("indexed=%d", tc.indexed), func(t *testing.T) {
			site := testsite.New(t, 4)
			c := newConn(t, cluster.Config{Prefix: "T"})
			state, err := sharedfetch.NewState(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			lists := sectionLists(t, site, tc.settings)
			if sum, _ := schedule(t, c, lists, state); sum.Enqueued != 4 {
				t.Fatalf("schedule: %+v", sum)
			}
			if ws := runWorkers(t, c, 2, state, WorkerConfig{}); ws.Stored != 4 {
				t.Fatalf("workers: %s", ws)
			}
			urls, index := bucketKeys(t, c, "url."), bucketKeys(t, c, "src.")
			// Four articles and the list page.
			if len(urls) != 5 || len(index) != tc.indexed {
				t.Errorf("%d url keys (want 5), %d index keys (want %d)", len(urls), len(index), tc.indexed)
			}
			refresh, err := state.SourceURLs(ctx, "section", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(refresh) != tc.indexed {
				t.Errorf("SourceURLs: %d states, want %d", len(refresh), tc.indexed)
			}
		})
	}
}

// Workers go on through a restart of the whole NATS deployment (its
// server on the same port and store) while they fetch: every article
// reaches the records stream once, and none goes to the dead letters.
func TestWorkers_GoOnThroughANATSRestart(t *testing.T) {
	const n = 30
	site := testsite.New(t, n)
	site.SetLatency(20 * time.Millisecond)
	srv := natstest.Start(t)
	c, err := cluster.Connect(context.Background(), cluster.Config{URL: srv.ClientURL(), Prefix: "T", AckWait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	state, err := sharedfetch.NewState(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if sum, _ := schedule(t, c, sectionLists(t, site, ""), state); sum.Enqueued != n {
		t.Fatalf("schedule: %+v", sum)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stored atomic.Int64
	workers := make([]*Worker, 2)
	errs := make(chan error, len(workers))
	for i := range workers {
		workers[i] = newWorker(t, c, state, WorkerConfig{Fetchers: 2, Name: fmt.Sprintf("w%d", i),
			OnMessage: func(o Outcome) {
				if o == Stored {
					stored.Add(1)
				}
			}})
		go func() { errs <- workers[i].Run(ctx) }()
	}
	waitFor(t, "5 pages stored", func() bool { return stored.Load() >= 5 })
	natstest.Restart(t, srv)
	waitFor(t, "the connection back", c.NC.IsConnected)
	// Work whose answer the restart lost comes back after AckWait.
	waitFor(t, "the queue done", func() bool {
		return streamMsgs(t, c, c.Names.WorkStream) == 0 && streamMsgs(t, c, c.Names.RecordStream) >= n
	})
	cancel()
	for range workers {
		if err := <-errs; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	seen := map[string]int{}
	for _, p := range recordPages(t, c) {
		seen[p.Source]++
	}
	for i := range n {
		if u := site.ArticleURL(i); seen[u] != 1 {
			t.Errorf("%s on the records stream %d times", u, seen[u])
		}
	}
	for _, w := range workers {
		if s := w.Stats(); s.Dead != 0 {
			t.Errorf("%s: %s", w.cfg.Name, s)
		}
	}
}

// bucketKeys returns the fetch-state bucket's keys that start with prefix.
func bucketKeys(t *testing.T, c *cluster.Conn, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	kv, err := c.JS.KeyValue(ctx, c.Names.FetchBucket)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kv.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}
