package main

// End-to-end tests of the records stream materialised into a database:
// ingest --from-nats (once, and --follow killed at random points) and
// serve --nats, against a real embedded NATS server.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/cluster"
	"newsfeed/cluster/records"
	"newsfeed/internal/natstest"
	"newsfeed/internal/testpages"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// streamPages parses generated pages first..first+n-1 as a worker would
// publish them, each read at its own time.
func streamPages(t *testing.T, first, n int) []*record.Page {
	t.Helper()
	seen := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
	pages := make([]*record.Page, 0, n)
	for i := first; i < first+n; i++ {
		data, err := testpages.Page(i)
		if err != nil {
			t.Fatal(err)
		}
		src := fmt.Sprintf("https://www.guancha.cn/test/page_%d.shtml", i)
		res, err := parse.Text(data, parse.Options{Site: "观察者网", Source: src, URL: src})
		if err != nil {
			t.Fatalf("parse page %d: %v", i, err)
		}
		pages = append(pages, &record.Page{Source: src, ContentHash: res.Article.ContentHash,
			Seen: seen.Add(time.Duration(i) * 7 * time.Second), Article: res.Article,
			Interview: res.Interview, Headlines: res.Headlines})
	}
	return pages
}

// edited returns p read again later with other content.
func edited(p *record.Page, n int) *record.Page {
	q := *p
	a := *p.Article
	a.Blocks = append([]record.Block{{Type: record.BlockParagraph, Text: fmt.Sprintf("Edit %d.", n)}}, a.Blocks...)
	a.ContentHash = fmt.Sprintf("%s-edit-%d", p.ContentHash, n)
	q.Article, q.ContentHash = &a, a.ContentHash
	q.Seen = p.Seen.Add(time.Duration(n) * time.Hour)
	return &q
}

// natsStream starts a NATS server and returns its URL and a connection
// that publishes pages on the records stream.
func natsStream(t *testing.T) (string, *cluster.Conn) {
	t.Helper()
	srv := natstest.Start(t)
	c, err := cluster.Connect(context.Background(), cluster.Config{URL: srv.ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return srv.ClientURL(), c
}

// publishPages publishes pages on the records stream. A page read
// again at another time is a message of its own, as a redelivery past
// the stream's duplicate window is.
func publishPages(t *testing.T, c *cluster.Conn, pages ...*record.Page) {
	t.Helper()
	for _, p := range pages {
		m, err := records.EncodePage(c.Names.RecordSubject, p)
		if err != nil {
			t.Error(err)
			return
		}
		m.Header.Set(nats.MsgIdHdr, m.Header.Get(nats.MsgIdHdr)+"@"+p.Seen.Format(time.RFC3339Nano))
		if _, err := c.JS.PublishMsg(context.Background(), m); err != nil {
			t.Error(err)
			return
		}
	}
}

// exportAll returns what export prints for db.
func exportAll(t *testing.T, db string) string {
	t.Helper()
	code, out, errOut := runNewsfeed(t, "", "export", "--db", db)
	if code != exitOK {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	return out
}

// storedCursor reads db's cursor of the records stream.
func storedCursor(t *testing.T, db string) uint64 {
	t.Helper()
	s, err := store.Open(context.Background(), db, store.Options{ReadOnly: true, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cur, _, err := s.StreamCursor(context.Background(), cluster.NamesFor("").RecordStream)
	if err != nil {
		t.Fatal(err)
	}
	return cur.Seq
}

// TestIngestFromNATS_Once: ingest --from-nats applies what the stream
// holds, prints the usual summary and exits 0; a second run finds
// nothing new; a message that is no page is counted as failed (exit 1)
// and the pages after it are stored.
func TestIngestFromNATS_Once(t *testing.T) {
	url, c := natsStream(t)
	pages := streamPages(t, 0, 3)
	publishPages(t, c, pages...)
	db := filepath.Join(t.TempDir(), "m.db")
	code, _, errOut := runNewsfeed(t, "", "ingest", "--from-nats", url, "--db", db)
	if code != exitOK || !strings.Contains(errOut, "3 pages read: 3 new, 0 changed, 0 unchanged, 0 failed") ||
		!strings.Contains(errOut, "stream: 3 messages, at seq 3") {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	code, _, errOut = runNewsfeed(t, "", "ingest", "--from-nats", url, "--db", db)
	if code != exitOK || !strings.Contains(errOut, "0 pages read") {
		t.Fatalf("second run: exit %d:\n%s", code, errOut)
	}
	if _, err := c.JS.Publish(context.Background(), c.Names.RecordSubject, []byte("not a page")); err != nil {
		t.Fatal(err)
	}
	publishPages(t, c, streamPages(t, 3, 1)...)
	code, _, errOut = runNewsfeed(t, "", "ingest", "--from-nats", url, "--db", db, "--quiet")
	if code != exitFailed || !strings.Contains(errOut, "message skipped") || !strings.Contains(errOut, "seq=4") ||
		!strings.Contains(errOut, "2 pages read: 1 new, 0 changed, 0 unchanged, 1 failed") {
		t.Fatalf("a bad message: exit %d:\n%s", code, errOut)
	}
	if got := storedCursor(t, db); got != 5 {
		t.Fatalf("cursor %d after the bad message, want 5", got)
	}
	// What it stored reads like any database.
	id := pages[0].Article.ID
	if code, out, errOut := runNewsfeed(t, "", "show", "--db", db, id); code != exitOK || !strings.Contains(out, id) {
		t.Fatalf("show %s: exit %d: %s", id, code, errOut)
	}
	if code, out, errOut := runNewsfeed(t, "", "stats", "--db", db); code != exitOK || !strings.Contains(out, "article") {
		t.Fatalf("stats: exit %d: %s%s", code, out, errOut)
	}
	if code, _, errOut := runNewsfeed(t, "", "check", "--db", db); code != exitOK {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
	// Usage errors.
	for _, args := range [][]string{
		{"ingest", "--from-nats", url, "--db", db, "seeds"},
		{"ingest", "--follow", "--db", db},
	} {
		if code, _, errOut := runNewsfeed(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, errOut)
		}
	}
}

var fromSeq = regexp.MustCompile(`records stream: applying.* from_seq=(\d+)`)

// TestIngestFromNATS_KilledAtRandomPoints: ingest --from-nats --follow
// is SIGKILLed ten times at random points while pages flow, some of
// them edits of earlier pages (so that applying a message twice would
// show in the change log). Every restart starts right after the
// sequence its database stored, and at the end the database exports
// exactly what an uninterrupted run's does. SIGTERM then stops it with
// status 0.
func TestIngestFromNATS_KilledAtRandomPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("kills ten subprocesses")
	}
	url, c := natsStream(t)
	base := streamPages(t, 0, 120)
	var msgs []*record.Page
	for i, p := range base {
		msgs = append(msgs, p)
		if i%4 == 3 {
			msgs = append(msgs, edited(base[i-2], i)) // an edit of an earlier page
		}
		if i%10 == 9 {
			again := *base[i-5] // an earlier version, read again
			again.Seen = again.Seen.Add(30 * time.Minute)
			msgs = append(msgs, &again)
		}
	}
	// Each run gets a tenth of the messages, published while it runs
	// and while it is killed.
	db := filepath.Join(t.TempDir(), "killed.db")
	args := []string{"ingest", "--from-nats", url, "--follow", "--db", db, "--batch", "20", "-v"}
	rng := rand.New(rand.NewPCG(13, 13))
	part := (len(msgs) + 9) / 10
	for kill := range 10 {
		stored := uint64(0)
		if kill > 0 {
			stored = storedCursor(t, db)
		}
		p := startNewsfeed(t, false, args...)
		p.waitLine(t, "records stream: applying")
		m := fromSeq.FindStringSubmatch(p.errText())
		if m == nil {
			t.Fatalf("restart %d: no start sequence logged:\n%s", kill, p.errText())
		}
		if got, _ := strconv.ParseUint(m[1], 10, 64); got != max(stored+1, 1) {
			t.Fatalf("restart %d started at seq %d, its database stored %d", kill, got, stored)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			for _, msg := range msgs[min(kill*part, len(msgs)):min((kill+1)*part, len(msgs))] {
				publishPages(t, c, msg)
				time.Sleep(3 * time.Millisecond)
			}
		})
		time.Sleep(time.Duration(rng.IntN(120)) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		code := p.wait(t)
		wg.Wait()
		if code != 128+int(syscall.SIGKILL) {
			t.Fatalf("kill %d: exit %d, want death by SIGKILL; stderr:\n%s", kill, code, p.errText())
		}
		t.Logf("run %d: resumed after seq %d, killed; stream at seq %d", kill, stored, min((kill+1)*part, len(msgs)))
	}
	if t.Failed() {
		return
	}
	// The last one runs to the end and stops on SIGTERM with 0.
	p := startNewsfeed(t, false, args...)
	deadline := time.Now().Add(e2eTimeout)
	reached := func() bool {
		e := p.errText()
		return strings.Contains(e, fmt.Sprintf(`batch applied" seq=%d `, len(msgs))) ||
			strings.Contains(e, fmt.Sprintf("from_seq=%d ", len(msgs)+1))
	}
	for !reached() {
		if time.Now().After(deadline) {
			t.Fatalf("the last run did not reach seq %d:\n%s", len(msgs), p.errText())
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t); code != exitOK || !strings.Contains(p.errText(), "newsfeed: ingest: ") {
		t.Fatalf("after SIGTERM: exit %d, want 0 and the summary:\n%s", code, p.errText())
	}
	if got := storedCursor(t, db); got != uint64(len(msgs)) {
		t.Fatalf("cursor %d at the end, want %d", got, len(msgs))
	}

	ref := filepath.Join(t.TempDir(), "whole.db")
	if code, _, errOut := runNewsfeed(t, "", "ingest", "--from-nats", url, "--db", ref); code != exitOK {
		t.Fatalf("uninterrupted run: exit %d: %s", code, errOut)
	}
	killed, whole := exportAll(t, db), exportAll(t, ref)
	if killed != whole {
		t.Fatalf("the killed database exports %d bytes, the uninterrupted one %d: they differ",
			len(killed), len(whole))
	}
	if code, _, errOut := runNewsfeed(t, "", "check", "--db", db); code != exitOK {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
}

// TestServeNATS_E2E: serve --nats materialises the stream into its own
// database and serves from it: a page published appears in the served
// feed, over real HTTP, under a new ETag. SIGTERM stops it with 0, and
// export and show read the database it wrote.
func TestServeNATS_E2E(t *testing.T) {
	url, c := natsStream(t)
	pages := streamPages(t, 0, 2)
	publishPages(t, c, pages[0])
	db := filepath.Join(t.TempDir(), "served.db")
	addr := freeAddr(t)
	p := startNewsfeed(t, false, "serve", "--nats", url, "--db", db, "--addr", addr, "--access-log=false")
	feedURL := "http://" + addr + "/articles.json"
	var etag string
	waitServed(t, p, feedURL, func(code int, tag string, body []byte) bool {
		etag = tag
		return code == 200 && strings.Contains(string(body), pages[0].Article.Title)
	})
	publishPages(t, c, pages[1])
	waitServed(t, p, feedURL, func(code int, tag string, body []byte) bool {
		return code == 200 && tag != etag && strings.Contains(string(body), pages[1].Article.Title)
	})
	// The API reads the database serve holds open for writing.
	code, _, body, err := httpGet("http://" + addr + "/api/records/" + pages[1].Article.ID)
	if err != nil || code != 200 || !strings.Contains(string(body), pages[1].Article.ID) {
		t.Fatalf("GET api/records/%s: %d, %v", pages[1].Article.ID, code, err)
	}
	code, _, body, err = httpGet("http://" + addr + "/metrics")
	if err != nil || code != 200 || !strings.Contains(string(body), "newsfeed_stream_seq 2") {
		t.Fatalf("GET /metrics: %d, %v; no newsfeed_stream_seq 2", code, err)
	}
	stopServe(t, p)
	if out := exportAll(t, db); !strings.Contains(out, pages[1].Article.ID) {
		t.Fatalf("export does not hold %s", pages[1].Article.ID)
	}
	if got := storedCursor(t, db); got != 2 {
		t.Fatalf("cursor %d, want 2", got)
	}
}

// serve --nats --every schedules the sources, as `newsfeed schedule`
// does, at start and then every interval: with a worker beside it, the
// site's articles end up in the feeds it serves.
func TestServeNATS_EverySchedules(t *testing.T) {
	r := newClusterRun(t, 5)
	db := filepath.Join(t.TempDir(), "served.db")
	addr := freeAddr(t)
	p := startNewsfeed(t, false, "serve", "--nats", r.nats, "--every", "1h", "--db", db, "--addr", addr,
		"--access-log=false", "--", "--config", r.config)
	waitFor(t, "5 articles queued", func() bool {
		// stats --nats fails until serve has set the streams up.
		code, out, _ := runCmd(t, "", "stats", "--nats", r.nats, "--json")
		var st cluster.Status
		return code == exitOK && json.Unmarshal([]byte(out), &st) == nil && st.Work.Messages == 5
	})
	if code, _, stderr := r.cmd("worker", "--once"); code != exitOK {
		t.Fatalf("worker --once: exit %d\n%s", code, stderr)
	}
	waitServed(t, p, "http://"+addr+"/articles.json", func(code int, _ string, body []byte) bool {
		var f struct{ Items []json.RawMessage }
		return code == 200 && json.Unmarshal(body, &f) == nil && len(f.Items) == 5
	})
	stopServe(t, p)
	if !strings.Contains(p.errText(), "schedule finished") {
		t.Errorf("serve's log says nothing of the schedule:\n%s", p.errText())
	}
}
