package main

// End-to-end tests of schedule, worker and stats --nats: an embedded NATS
// server, the test site on loopback, the commands in-process and, where a
// worker must die, the built binary SIGKILLed.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
	"newsfeed/cluster/records"
	"newsfeed/internal/natstest"
	"newsfeed/internal/testsite"
)

// clusterRun is a sources file for a test site and an embedded NATS
// server.
type clusterRun struct {
	*siteRun
	nats string
}

func newClusterRun(t *testing.T, n int) *clusterRun {
	t.Helper()
	return &clusterRun{siteRun: newSiteRun(t, n, "", section), nats: natstest.Start(t).ClientURL()}
}

// cmd runs a command in-process with the sources file and the NATS flags.
func (r *clusterRun) cmd(name string, args ...string) (code int, stdout, stderr string) {
	r.t.Helper()
	return runCmd(r.t, "", append([]string{name, "--config", r.config, "--nats", r.nats}, args...)...)
}

// conn returns a connection that changes nothing on the server.
func (r *clusterRun) conn() *cluster.Conn {
	r.t.Helper()
	c, err := cluster.Dial(context.Background(), cluster.Config{URL: r.nats})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

// pages returns how often each source is on the records stream.
func (r *clusterRun) pages() map[string]int {
	r.t.Helper()
	c := r.conn()
	// A stream whose leader was just lost answers nothing until the others
	// elect one (a few seconds): ask again until a deadline.
	deadline := time.Now().Add(60 * time.Second)
	retry := func(what string, f func(ctx context.Context) error) {
		r.t.Helper()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := f(ctx)
			cancel()
			if err == nil || errors.Is(err, jetstream.ErrMsgNotFound) {
				return
			}
			if time.Now().After(deadline) {
				r.t.Fatalf("%s: %v", what, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	var st jetstream.Stream
	var info *jetstream.StreamInfo
	retry("records stream", func(ctx context.Context) (err error) {
		if st, err = c.JS.Stream(ctx, c.Names.RecordStream); err != nil {
			return err
		}
		info, err = st.Info(ctx)
		return err
	})
	seen := map[string]int{}
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		var raw *jetstream.RawStreamMsg
		retry(fmt.Sprintf("record %d", seq), func(ctx context.Context) (err error) {
			raw, err = st.GetMsg(ctx, seq)
			return err
		})
		if raw == nil {
			continue
		}
		p, err := records.DecodePage(raw.Data, raw.Header)
		if err != nil {
			r.t.Fatalf("record %d: %v", seq, err)
		}
		seen[p.Source]++
	}
	return seen
}

// eachPageOnce fails the test unless every article of the site is on
// the records stream exactly once.
func (r *clusterRun) eachPageOnce() {
	r.t.Helper()
	seen := r.pages()
	for i := range r.site.Len() {
		if u := r.site.ArticleURL(i); seen[u] != 1 {
			r.t.Errorf("%s on the records stream %d times", u, seen[u])
		}
	}
}

// status returns stats --nats --json.
func (r *clusterRun) status() cluster.Status {
	r.t.Helper()
	code, out, stderr := runCmd(r.t, "", "stats", "--nats", r.nats, "--json")
	var st cluster.Status
	if code != exitOK || json.Unmarshal([]byte(out), &st) != nil {
		r.t.Fatalf("stats --nats --json: exit %d\n%s\n%s", code, out, stderr)
	}
	return st
}

// stall makes the site hold article i's answer until release is called
// or the client goes away; started receives each request.
func stall(site *testsite.Site, i int) (started <-chan struct{}, release func()) {
	ch, gate := make(chan struct{}, 10), make(chan struct{})
	path := strings.TrimPrefix(site.ArticleURL(i), site.URL(""))
	site.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		ch <- struct{}{}
		select {
		case <-gate:
			http.Error(w, "try again", http.StatusServiceUnavailable)
		case <-r.Context().Done():
		}
	})
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			site.Handle(path, nil)
			close(gate)
		})
	}
}

// schedule → worker → the records stream: every article once; a second
// schedule of the unchanged site gets a 304 for its list from the
// validators in the fetch-state bucket and queues nothing; stats --nats
// shows it.
func TestCluster_ScheduleWorkerStats(t *testing.T) {
	r := newClusterRun(t, 20)
	code, _, stderr := r.cmd("schedule")
	if code != exitOK || !strings.Contains(stderr, "newsfeed: schedule: 20 articles queued, 0 already queued, 0 failed") {
		t.Fatalf("schedule: exit %d\n%s", code, stderr)
	}
	code, _, stderr = r.cmd("schedule")
	if code != exitOK || !strings.Contains(stderr, "0 articles queued, 0 already queued") || !strings.Contains(stderr, "1 requests, 1 304s") {
		t.Fatalf("second schedule: exit %d\n%s", code, stderr)
	}
	code, out, _ := runCmd(t, "", "stats", "--nats", r.nats)
	if code != exitOK || !strings.Contains(out, "NEWSFEED_WORK: 20 articles") || !strings.Contains(out, "none has run yet") {
		t.Errorf("stats before the workers: exit %d\n%s", code, out)
	}
	code, _, stderr = r.cmd("worker", "--once", "--fetchers", "4")
	if code != exitOK || !strings.Contains(stderr, "newsfeed: worker: 20 stored, 0 not modified, 0 skipped, 0 retried, 0 dead letters") {
		t.Fatalf("worker: exit %d\n%s", code, stderr)
	}
	r.eachPageOnce()
	st := r.status()
	if st.Work.Messages != 0 || st.Records.Messages != 20 || st.Records.LastSeq != 20 || st.Dead.Messages != 0 ||
		!st.Workers.Exists || st.Workers.Pending != 0 || st.Workers.AckPending != 0 {
		t.Errorf("status: %+v", st)
	}
}

// A source that is a file, no --nats, a worker given a source: usage
// errors, exit 2; an unreachable server: exit 1.
func TestCluster_Usage(t *testing.T) {
	r := newClusterRun(t, 1)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"schedule", "--nats", r.nats, seedPage}, exitUsage, "only URLs and the sources file's lists"},
		{[]string{"schedule", "--config", r.config}, exitUsage, "--nats URL is required"},
		{[]string{"worker", "--nats", r.nats, "x"}, exitUsage, "takes no SOURCE"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--once"}, exitFailed, "connect nats://127.0.0.1:1"},
		{[]string{"stats", "--nats", "nats://127.0.0.1:1"}, exitFailed, "connect nats://127.0.0.1:1"},
		{[]string{"stats", "--nats", r.nats, "--nats-prefix", "OTHER"}, exitFailed, "no stream OTHER_WORK: no newsfeed process has used prefix OTHER"},
	} {
		code, _, stderr := runCmd(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// A worker process SIGKILLed while it fetches an article: after AckWait
// the article goes to another worker and is on the records stream once.
func TestCluster_WorkerKilledMidFetch(t *testing.T) {
	r := newClusterRun(t, 6)
	started, release := stall(r.site, 2)
	defer release()
	if code, _, stderr := r.cmd("schedule", "--ack-wait", "2s"); code != exitOK {
		t.Fatalf("schedule: exit %d\n%s", code, stderr)
	}
	p := startNewsfeed(t, false, "worker", "--config", r.config, "--nats", r.nats, "--ack-wait", "2s", "--fetchers", "2")
	select {
	case <-started:
	case <-time.After(e2eTimeout):
		t.Fatal("the stalled article was never asked for")
	}
	waitFor(t, "the other articles", func() bool { return len(r.pages()) == 5 })
	p.cmd.Process.Signal(syscall.SIGKILL)
	if code := p.wait(t); code != 128+int(syscall.SIGKILL) {
		t.Fatalf("worker exit %d, want killed", code)
	}
	release()
	code, _, stderr := r.cmd("worker", "--once", "--ack-wait", "2s")
	if code != exitOK || !strings.Contains(stderr, "newsfeed: worker: 1 stored") {
		t.Fatalf("second worker: exit %d\n%s", code, stderr)
	}
	r.eachPageOnce()
	if st := r.status(); st.Workers.Redelivered != 0 || st.Workers.AckPending != 0 || st.Work.Messages != 0 || st.Dead.Messages != 0 {
		t.Errorf("status: %+v", st)
	}
}

// An article the site answers 500 goes to the dead letters after
// --max-deliver tries, and stats --nats shows it with its error.
func TestCluster_DeadLetterInStats(t *testing.T) {
	r := newClusterRun(t, 3)
	broken := r.site.ArticleURL(1)
	r.site.Handle(strings.TrimPrefix(broken, r.site.URL("")), func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	})
	r.cmd("schedule", "--max-deliver", "3")
	code, _, stderr := r.cmd("worker", "--once", "--max-deliver", "3", "--retry-delay", "10ms")
	if code != exitFailed || !strings.Contains(stderr, "2 stored, 0 not modified, 0 skipped, 2 retried, 1 dead letters") {
		t.Fatalf("worker: exit %d\n%s", code, stderr)
	}
	code, out, _ := runCmd(t, "", "stats", "--nats", r.nats)
	if code != exitOK || !strings.Contains(out, "NEWSFEED_DEAD: 1") || !strings.Contains(out, broken) || !strings.Contains(out, "HTTP 500") {
		t.Errorf("stats: exit %d\n%s", code, out)
	}
	st := r.status()
	if len(st.Letters) != 1 || st.Letters[0].URL != broken || st.Letters[0].Deliveries != 3 {
		t.Errorf("dead letters: %+v", st.Letters)
	}
}

// A worker killed on an article's last delivery: the worker still
// running hears the server's max-deliveries advisory and dead-letters
// the article, which leaves the work queue.
func TestCluster_KilledOnLastDelivery(t *testing.T) {
	r := newClusterRun(t, 1)
	started, release := stall(r.site, 0)
	defer release()
	flags := []string{"--config", r.config, "--nats", r.nats, "--ack-wait", "2s", "--max-deliver", "1"}
	r.cmd("schedule", "--ack-wait", "2s", "--max-deliver", "1")
	p := startNewsfeed(t, false, append([]string{"worker"}, flags...)...)
	select {
	case <-started:
	case <-time.After(e2eTimeout):
		t.Fatal("the article was never asked for")
	}
	// The watcher: it finds the article held by the first worker.
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, stderr := runCmd(t, "", append([]string{"worker", "--once"}, flags...)...)
		done <- result{code, stderr}
	}()
	time.Sleep(200 * time.Millisecond) // the watcher subscribes; if not yet, its last check sweeps instead
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(t)
	var res result
	select {
	case res = <-done:
	case <-time.After(e2eTimeout):
		t.Fatal("the watcher never finished")
	}
	if res.code != exitFailed || !strings.Contains(res.stderr, "0 stored, 0 not modified, 0 skipped, 0 retried, 1 dead letters") {
		t.Fatalf("watcher: exit %d\n%s", res.code, res.stderr)
	}
	st := r.status()
	if st.Work.Messages != 0 || len(st.Letters) != 1 || !strings.Contains(st.Letters[0].Error, "never answered") ||
		st.Letters[0].URL != r.site.ArticleURL(0) {
		t.Errorf("status: %+v", st)
	}
}

// waitFor polls cond until it holds, failing the test after e2eTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SIGTERM: the worker stops pulling, finishes the article in flight and
// exits 0; the rest stays queued for the next worker.
func TestCluster_WorkerSIGTERM(t *testing.T) {
	r := newClusterRun(t, 4)
	if code, _, stderr := r.cmd("schedule"); code != exitOK {
		t.Fatalf("schedule: exit %d\n%s", code, stderr)
	}
	r.site.SetLatency(time.Second)
	r.site.Reset()
	p := startNewsfeed(t, false, "worker", "--config", r.config, "--nats", r.nats, "--fetchers", "1")
	waitFor(t, "an article request", func() bool { return len(pageRequests(r.site)) > 0 })
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t); code != exitOK || !strings.Contains(p.errText(), "newsfeed: worker: 1 stored") {
		t.Fatalf("worker after SIGTERM: exit %d\n%s", code, p.errText())
	}
	if n := len(r.pages()); n != 1 {
		t.Errorf("%d pages published, want the one in flight", n)
	}
	if st := r.status(); st.Work.Messages != 3 || st.Workers.AckPending != 0 {
		t.Errorf("status: %+v", st)
	}
}
