package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"newsfeed/cluster"
	"newsfeed/cluster/records"
	"newsfeed/cluster/sharedfetch"
	"newsfeed/internal/natstest"
	"newsfeed/internal/testsite"
	"newsfeed/record"
)

// dialR3 connects to the cluster at url as one process does, with
// streams of three replicas; owner as the scheduler.
func dialR3(t *testing.T, ctx context.Context, url string, owner bool) *cluster.Conn {
	t.Helper()
	return connectPlaced(t, ctx, cluster.Config{URL: url, Prefix: "R3", Replicas: 3, AckWait: 5 * time.Second, Owner: owner})
}

// exportedArticles returns how often each source is in an export as an
// article.
func exportedArticles(t *testing.T, export string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for line := range strings.Lines(export) {
		var l struct {
			Kind   record.Kind `json:"kind"`
			Source string      `json:"source"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("export line: %v: %.80s", err, line)
		}
		if l.Kind == record.KindArticle {
			seen[l.Source]++
		}
	}
	return seen
}

// Three servers with routes, every stream and the fetch-state bucket at
// R3, as production runs. schedule queues the site's articles; three
// workers, each on its own connection, fetch them while a follow
// materializer applies the records stream to a store; once a third of
// the pages are on the records stream, the server leading it is shut
// down. The workers and the materializer carry on through the election,
// and at the end no record is lost and none doubled: every article is
// on the records stream once and in the store once, the work queue and
// the dead letters are empty, and a second store read from the stream
// afterwards exports the same bytes.
func TestR3_ServerShutDownMidRun(t *testing.T) {
	if os.Getenv(clusterTestEnv) != "1" {
		t.Skip("a three-server cluster losing a server: make test-cluster runs it (" + clusterTestEnv + "=1)")
	}
	const n = 40
	servers := natstest.Cluster(t, 3)
	url := natstest.URLs(servers...)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	site := testsite.New(t, n)
	// Each answer takes a while, so that the run is under way when the
	// server goes.
	site.SetLatency(50 * time.Millisecond)

	owner := dialR3(t, ctx, url, true)
	sum, counts := schedule(t, owner, sectionLists(t, site, ""), newR3State(t, ctx, owner))
	if sum.Enqueued != n || counts.Enqueued != n {
		t.Fatalf("schedule: %+v, %+v", sum, counts)
	}

	s := openStore(t)
	m := &records.Materializer{Conn: dialR3(t, ctx, url, false), Store: s, Follow: true, FlushInterval: 10 * time.Millisecond}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	wg.Go(func() { _, errs[0] = m.Run(wctx) })
	workers := make([]*Worker, 3)
	for i := range workers {
		c := dialR3(t, ctx, url, false)
		workers[i] = newWorker(t, c, newR3State(t, ctx, c), WorkerConfig{Fetchers: 2, Name: fmt.Sprintf("w%d", i)})
		wg.Go(func() { errs[i+1] = workers[i].Run(wctx) })
	}

	waitFor(t, "a third of the pages on the records stream", func() bool { return m.Stats().New >= n/3 })
	st, err := owner.JS.Stream(ctx, owner.Names.RecordStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Replicas != 3 || info.Cluster == nil {
		t.Fatalf("records stream: %d replicas, cluster %+v", info.Config.Replicas, info.Cluster)
	}
	leader, queued, applied := info.Cluster.Leader, streamMsgs(t, owner, owner.Names.WorkStream), m.Stats().New
	for _, srv := range servers {
		if srv.Name() == leader {
			srv.Shutdown()
		}
	}
	t.Logf("server %s, the records stream's leader, shut down with %d of %d pages stored, %d articles queued",
		leader, applied, n, queued)

	shutDown := time.Now()
	// Inside ctx's testTimeout, so that the workers still run when the
	// test says where they stand.
	deadline := shutDown.Add(testTimeout / 2)
	for m.Stats().New < n {
		if time.Now().After(deadline) {
			var ws []string
			for _, w := range workers {
				ws = append(ws, w.cfg.Name+": "+w.Stats().String())
			}
			var buf strings.Builder
			pprof.Lookup("goroutine").WriteTo(&buf, 1)
			t.Logf("goroutines:\n%s", buf.String())
			t.Fatalf("not every page in the store %v after the shutdown: materializer %s; workers %s; work queue %d, records %d, dead %d",
				testTimeout/2, m.Stats(), strings.Join(ws, "; "), streamMsgs(t, owner, owner.Names.WorkStream),
				streamMsgs(t, owner, owner.Names.RecordStream), streamMsgs(t, owner, owner.Names.DeadStream))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("every page stored %v after the shutdown", time.Since(shutDown).Round(time.Millisecond))
	// A worker's ack is sent once, unconfirmed: one lost with the server
	// comes back after AckWait, and a worker takes it again (a 304: no
	// page published) and acks it. The queue drains before the workers
	// stop.
	for streamMsgs(t, owner, owner.Names.WorkStream) != 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	var ws WorkerStats
	for _, w := range workers {
		ws.Stored += w.Stats().Stored
		ws.Retried += w.Stats().Retried
		ws.Dead += w.Stats().Dead
	}
	t.Logf("workers: %s; materializer: %s", ws, m.Stats())

	seen := map[string]int{}
	for _, p := range recordPages(t, owner) {
		seen[p.Source]++
	}
	stored := exportedArticles(t, export(t, s))
	for i := range n {
		u := site.ArticleURL(i)
		if seen[u] != 1 || stored[u] != 1 {
			t.Errorf("%s: %d times on the records stream, %d times in the store; want once", u, seen[u], stored[u])
		}
	}
	if len(seen) != n || len(stored) != n {
		t.Errorf("%d pages on the records stream, %d articles stored; want %d", len(seen), len(stored), n)
	}
	if w, d := streamMsgs(t, owner, owner.Names.WorkStream), streamMsgs(t, owner, owner.Names.DeadStream); w != 0 || d != 0 {
		t.Errorf("%d articles left on the work queue, %d dead letters", w, d)
	}
	if st := m.Stats(); st.Lost != 0 || st.Bad != 0 {
		t.Errorf("materializer: %d lost, %d bad", st.Lost, st.Bad)
	}

	// A store read from the stream after the fact, on the two servers
	// left, holds the same.
	again := openStore(t)
	follower := &records.Materializer{Conn: dialR3(t, ctx, url, false), Store: again, BatchSize: 7}
	if _, err := follower.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a, b := export(t, s), export(t, again); a != b {
		t.Errorf("the store that followed the run exports %d bytes, one read afterwards %d: they differ", len(a), len(b))
	}
}

// newR3State returns the fetch state in c's bucket, as each schedule and
// worker process opens it.
func newR3State(t *testing.T, ctx context.Context, c *cluster.Conn) *sharedfetch.State {
	t.Helper()
	st, err := sharedfetch.NewState(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
