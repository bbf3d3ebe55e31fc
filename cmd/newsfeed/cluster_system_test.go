package main

// Whole-system tests of the NATS mode: one embedded NATS server, the test
// site on loopback, schedule in-process, and the built binary for three
// worker processes and two feed servers (serve --nats and
// ingest --from-nats --follow), all running at once.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"newsfeed/cluster"
	"newsfeed/internal/natstest"
	"newsfeed/record"
)

// systemArticles is the number of articles on the system tests' site.
const systemArticles = 30

// newSystemRun is a cluster run over a site of systemArticles articles
// whose sources file sets per_host = 2 and refreshes known articles, so
// that a second schedule queues them again.
func newSystemRun(t *testing.T) *clusterRun {
	t.Helper()
	return &clusterRun{siteRun: newSiteRun(t, systemArticles, "per_host = 2", section+"refresh = \"30d\"\n"),
		nats: natstest.Start(t).ClientURL()}
}

// runWorkerProcs runs n worker processes with --once at the same time
// and returns their stderr; each must exit 0.
func (r *clusterRun) runWorkerProcs(n int) []string {
	r.t.Helper()
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = startNewsfeed(r.t, false, "worker", "--config", r.config, "--nats", r.nats, "--once", "--fetchers", "4")
	}
	out := make([]string, n)
	for i, p := range procs {
		if code := p.wait(r.t); code != exitOK {
			r.t.Fatalf("worker %d: exit %d\n%s", i, code, p.errText())
		}
		out[i] = p.errText()
	}
	return out
}

// workerTotal adds up a count of the workers' summary lines ("stored").
func workerTotal(t *testing.T, stderrs []string, label string) int {
	t.Helper()
	total := 0
	for _, s := range stderrs {
		total += count(t, s, label)
	}
	return total
}

// articlesOnce fails the test unless each of the site's articles is in
// the database's change log exactly once, as an article, and nothing
// else is.
func (r *clusterRun) articlesOnce(db string) {
	r.t.Helper()
	seen := map[string]int{}
	for _, l := range exportLines(r.t, db) {
		if l.Kind == record.KindArticle {
			seen[l.Source]++
		}
	}
	for i := range r.site.Len() {
		if u := r.site.ArticleURL(i); seen[u] != 1 {
			r.t.Errorf("%s: %s in the change log %d times as an article", db, u, seen[u])
		}
	}
	if len(seen) != r.site.Len() {
		r.t.Errorf("%s: %d articles, the site has %d", db, len(seen), r.site.Len())
	}
}

// feedItemsOnce fails the test unless the JSON feed body lists each of
// the site's articles exactly once.
func (r *clusterRun) feedItemsOnce(body []byte) {
	r.t.Helper()
	var doc struct {
		Items []struct {
			URL string `json:"url"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		r.t.Fatalf("served feed: %v", err)
	}
	seen := map[string]int{}
	for _, it := range doc.Items {
		seen[it.URL]++
	}
	for i := range r.site.Len() {
		if u := r.site.ArticleURL(i); seen[u] != 1 {
			r.t.Errorf("served feed lists %s %d times", u, seen[u])
		}
	}
}

// TestSystem_ThreeWorkersTwoFeedServers: schedule queues the site's 30
// articles; three worker processes fetch them at once while two feed
// servers materialise the records stream: serve --nats (its feed read
// over HTTP) and ingest --from-nats --follow. Every article is on the
// records stream once, in both databases once and in the served feed
// once; the two databases export the same bytes; and the site, which
// measures concurrency itself, never had more than per_host = 2 requests
// in flight across the three workers.
//
// Then a second run against the unchanged site: schedule queues every
// article again (refresh), three new worker processes take them, and
// every article request is conditional and answered 304. The workers
// are new processes with nothing in memory: the validators each request
// carries came from the fetch-state bucket, written by whichever worker
// of the first run fetched the page. Nothing new reaches the records
// stream.
func TestSystem_ThreeWorkersTwoFeedServers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs six newsfeed processes")
	}
	r := newSystemRun(t)
	// Each answer takes a while, so that the workers' requests overlap.
	r.site.SetLatency(30 * time.Millisecond)
	code, _, stderr := r.cmd("schedule")
	if code != exitOK || !strings.Contains(stderr, fmt.Sprintf("schedule: %d articles queued, 0 already queued, 0 failed", systemArticles)) {
		t.Fatalf("schedule: exit %d\n%s", code, stderr)
	}

	// The feed servers start before the workers and follow the stream.
	served := filepath.Join(t.TempDir(), "served.db")
	ingested := filepath.Join(t.TempDir(), "ingested.db")
	addr := freeAddr(t)
	srv := startNewsfeed(t, false, "serve", "--nats", r.nats, "--db", served, "--addr", addr,
		"--access-log=false", "--limit", "100")
	ing := startNewsfeed(t, false, "ingest", "--from-nats", r.nats, "--follow", "--db", ingested, "-v")

	r.site.Reset()
	outs := r.runWorkerProcs(3)
	if got := workerTotal(t, outs, "stored"); got != systemArticles {
		t.Errorf("the workers stored %d articles, want %d:\n%s", got, systemArticles, strings.Join(outs, ""))
	}
	for i, out := range outs {
		t.Logf("worker %d: %s", i, strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]))
	}
	st := r.site.Stats()
	if st.MaxInFlight > 2 {
		t.Errorf("the site had %d requests in flight at once; per_host is 2 across all workers", st.MaxInFlight)
	}
	t.Logf("site: %d requests, at most %d in flight", st.Requests, st.MaxInFlight)
	r.eachPageOnce()
	status := r.status()
	last := status.Records.LastSeq
	if status.Work.Messages != 0 || status.Dead.Messages != 0 || last != systemArticles {
		t.Fatalf("status after the workers: %+v", status)
	}

	// Both feed servers catch up with the stream.
	feedURL := "http://" + addr + "/articles.json"
	body := waitServed(t, srv, feedURL, func(code int, _ string, body []byte) bool {
		return code == 200 && strings.Count(string(body), `"url":"`+r.site.URL("/internation/")) >= systemArticles
	})
	r.feedItemsOnce(body)
	waitServed(t, srv, "http://"+addr+"/metrics", func(code int, _ string, body []byte) bool {
		return code == 200 && strings.Contains(string(body), fmt.Sprintf("newsfeed_stream_seq %d\n", last))
	})
	stopServe(t, srv)
	ing.waitLine(t, fmt.Sprintf(`batch applied" seq=%d `, last))
	ing.cmd.Process.Signal(syscall.SIGTERM)
	if code := ing.wait(t); code != exitOK {
		t.Fatalf("ingest --follow after SIGTERM: exit %d\n%s", code, ing.errText())
	}
	r.articlesOnce(served)
	r.articlesOnce(ingested)
	if a, b := exportAll(t, served), exportAll(t, ingested); a != b {
		t.Errorf("serve --nats's database exports %d bytes, ingest --from-nats's %d: they differ", len(a), len(b))
	}
	if t.Failed() {
		return
	}

	// The second run: nothing changed on the site.
	r.site.Reset()
	code, _, stderr = r.cmd("schedule")
	if code != exitOK || !strings.Contains(stderr, fmt.Sprintf("schedule: %d articles queued, 0 already queued, 0 failed", systemArticles)) {
		t.Fatalf("second schedule: exit %d\n%s", code, stderr)
	}
	outs = r.runWorkerProcs(3)
	if stored, nm := workerTotal(t, outs, "stored"), workerTotal(t, outs, "not modified"); stored != 0 || nm != systemArticles {
		t.Errorf("second run: %d stored, %d not modified; want 0 and %d:\n%s", stored, nm, systemArticles, strings.Join(outs, ""))
	}
	reqs := pageRequests(r.site)
	for _, req := range reqs {
		if req.IfNoneMatch == "" && req.IfModifiedSince == "" {
			t.Errorf("second run: %s asked for without validators", req.Path)
		}
	}
	if st := r.site.Stats(); st.Articles != systemArticles || st.NotModified != len(reqs) || st.MaxInFlight > 2 {
		t.Errorf("second run: %d article requests (want %d), %d of %d page requests answered 304, %d in flight at most",
			st.Articles, systemArticles, st.NotModified, len(reqs), st.MaxInFlight)
	}
	if st := r.status(); st.Records.LastSeq != last || st.Work.Messages != 0 || st.Dead.Messages != 0 {
		t.Errorf("status after the second run: %+v (records stream was at seq %d)", st, last)
	}
}

// TestSystem_R3_ServerShutDown is the whole system on a cluster of three
// NATS servers with routes, as production runs it: schedule with
// --nats-replicas 3 (streams and the fetch-state bucket at R3), three
// worker processes with --once and ingest --from-nats --follow, each
// given the three servers' URLs. Once a third of the articles are on the
// records stream, the server leading it is shut down. The workers finish
// the queue through the election and exit 0; every article is on the
// records stream once and in the database once, which exports what a
// database read from the stream afterwards does. make test-cluster runs
// it.
func TestSystem_R3_ServerShutDown(t *testing.T) {
	if os.Getenv("NEWSFEED_TEST_CLUSTER") != "1" {
		t.Skip("a three-server cluster losing a server: make test-cluster runs it (NEWSFEED_TEST_CLUSTER=1)")
	}
	servers := natstest.Cluster(t, 3)
	r := &clusterRun{siteRun: newSiteRun(t, systemArticles, "per_host = 2", section), nats: natstest.URLs(servers...)}
	r.site.SetLatency(50 * time.Millisecond)
	r3 := []string{"--nats-replicas", "3", "--ack-wait", "5s"}
	if code, _, stderr := r.cmd("schedule", r3...); code != exitOK {
		t.Fatalf("schedule: exit %d\n%s", code, stderr)
	}
	db := filepath.Join(t.TempDir(), "ingested.db")
	ing := startNewsfeed(t, false, "ingest", "--from-nats", r.nats, "--nats-replicas", "3", "--follow", "--db", db, "-v")
	procs := make([]*proc, 3)
	for i := range procs {
		procs[i] = startNewsfeed(t, false, append([]string{"worker", "--config", r.config, "--nats", r.nats,
			"--once", "--fetchers", "4"}, r3...)...)
	}

	c := r.conn()
	ctx := context.Background()
	var before cluster.Status
	waitFor(t, "a third of the articles on the records stream", func() bool {
		st, err := c.Status(ctx, 0)
		before = st
		return err == nil && st.Records.Messages >= systemArticles/3
	})
	info, err := c.JS.Stream(ctx, c.Names.RecordStream)
	if err != nil {
		t.Fatal(err)
	}
	if ci := info.CachedInfo(); ci.Config.Replicas != 3 || ci.Cluster == nil {
		t.Fatalf("records stream: %d replicas, cluster %+v", ci.Config.Replicas, ci.Cluster)
	}
	leader := info.CachedInfo().Cluster.Leader
	for _, srv := range servers {
		if srv.Name() == leader {
			srv.Shutdown()
		}
	}
	t.Logf("server %s, the records stream's leader, shut down with %d of %d articles published, %d queued",
		leader, before.Records.Messages, systemArticles, before.Work.Messages)

	// Each article was stored at least once, or (its fetch state saved
	// by a write whose answer the shutdown lost, so that its worker tried
	// again later) found not modified by the worker it went to next; a
	// page fetched again is published once all the same.
	answered := 0
	var outs []string
	for i, p := range procs {
		if code := p.wait(t); code != exitOK {
			t.Fatalf("worker %d: exit %d\n%s", i, code, p.errText())
		}
		answered += count(t, p.errText(), "stored") + count(t, p.errText(), "not modified")
		outs = append(outs, p.errText())
	}
	if answered < systemArticles {
		t.Errorf("the workers stored or found not modified %d articles, want %d or more:\n%s",
			answered, systemArticles, strings.Join(outs, ""))
	}
	r.eachPageOnce()
	st := r.status()
	if st.Work.Messages != 0 || st.Dead.Messages != 0 || st.Records.Replicas != 3 {
		t.Fatalf("status after the workers: %+v", st)
	}
	ing.waitLine(t, fmt.Sprintf(`batch applied" seq=%d `, st.Records.LastSeq))
	ing.cmd.Process.Signal(syscall.SIGTERM)
	if code := ing.wait(t); code != exitOK {
		t.Fatalf("ingest --follow after SIGTERM: exit %d\n%s", code, ing.errText())
	}
	r.articlesOnce(db)
	again := filepath.Join(t.TempDir(), "again.db")
	if code, _, stderr := runNewsfeed(t, "", "ingest", "--from-nats", r.nats, "--nats-replicas", "3", "--db", again); code != exitOK {
		t.Fatalf("ingest --from-nats afterwards: exit %d\n%s", code, stderr)
	}
	if a, b := exportAll(t, db), exportAll(t, again); a != b {
		t.Errorf("the database that followed the run exports %d bytes, one read afterwards %d: they differ", len(a), len(b))
	}
}
