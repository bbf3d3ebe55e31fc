package records

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/cluster"
	"newsfeed/cluster/internal/clustertest"
	"newsfeed/internal/natstest"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// filePages parses the seed page and the parser's test pages (raw text
// and HTML), each read at its own time, as workers publish them.
func filePages(t testing.TB) []*record.Page {
	t.Helper()
	files, err := filepath.Glob("../../seeds/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, pat := range []string{"../../parse/testdata/*.txt", "../../parse/testdata/html/*.html"} {
		more, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, more...)
	}
	seen := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	var pages []*record.Page
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := parse.Page(data, parse.Options{Source: f})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pages = append(pages, &record.Page{Source: f, ContentHash: res.Article.ContentHash,
			Seen: seen.Add(time.Duration(i) * 90 * time.Second), Article: res.Article,
			Interview: res.Interview, Headlines: res.Headlines})
	}
	if len(pages) < 5 {
		t.Fatalf("only %d test pages", len(pages))
	}
	return pages
}

// publish publishes pages on the records stream; with id set, each
// message gets that Nats-Msg-Id prefix and its index instead of the
// body's hash.
func publish(t testing.TB, c *cluster.Conn, id string, pages ...*record.Page) {
	t.Helper()
	for i, p := range pages {
		m, err := EncodePage(c.Names.RecordSubject, p)
		if err != nil {
			t.Fatal(err)
		}
		if id != "" {
			m.Header.Set(nats.MsgIdHdr, fmt.Sprintf("%s-%d", id, i))
		}
		if _, err := c.JS.PublishMsg(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}

// logBuffer is a slog handler's output, safe to read while written.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// materialize applies what the stream holds to s.
func materialize(t testing.TB, c *cluster.Conn, s *store.Store, batch int, log *slog.Logger) MaterializeStats {
	t.Helper()
	m := &Materializer{Conn: c, Store: s, BatchSize: batch, Log: log}
	st, err := m.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The shared helpers of the cluster tests, by the names these tests use.
var (
	connect   = clustertest.Connect
	openStore = clustertest.OpenStore
	export    = clustertest.Export
)

// Two stores materialising one stream, in batches of different sizes,
// export the same lines: same seqs, same records, same first_seen (the
// pages' Seen, not either store's clock).
func TestMaterializer_TwoStoresExportTheSame(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	pages := filePages(t)
	publish(t, c, "", pages...)
	// The first page again, changed and read later; then a page of
	// another source showing the first page's headlines.
	v2 := *pages[0]
	v2.Article = new(record.Article)
	*v2.Article = *pages[0].Article
	v2.Article.Blocks = append([]record.Block{{Type: record.BlockParagraph, Text: "An added paragraph."}}, v2.Article.Blocks...)
	v2.ContentHash = "changed"
	v2.Seen = pages[len(pages)-1].Seen.Add(time.Hour)
	again := *pages[0]
	again.Source = "elsewhere.txt"
	again.Seen = v2.Seen.Add(time.Hour)
	publish(t, c, "", &v2, &again)

	a, b := openStore(t), openStore(t)
	sa := materialize(t, c, a, 500, nil)
	sb := materialize(t, c, b, 2, nil)
	n := len(pages) + 2
	if sa.Messages != n || sb.Messages != n || sa.Bad != 0 || sa.Cursor.Seq != uint64(n) || sb.Cursor.Seq != uint64(n) {
		t.Fatalf("stats %+v and %+v, want %d messages each", sa, sb, n)
	}
	if sa.Batches != 1 || sb.Batches != (n+1)/2 {
		t.Errorf("batches %d and %d, want 1 and %d", sa.Batches, sb.Batches, (n+1)/2)
	}
	ea, eb := export(t, a), export(t, b)
	if ea != eb {
		t.Fatalf("the two stores export differently:\n%s\n---\n%s", ea, eb)
	}
	if sa.New != len(pages)+1 || sa.Changed != 1 {
		t.Errorf("pages: %d new, %d changed; want %d, 1", sa.New, sa.Changed, len(pages)+1)
	}
	h, err := a.Get(context.Background(), pages[0].Headlines[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if hl := h.(*record.Headline); !hl.FirstSeen.Equal(pages[0].Seen) || !hl.LastSeen.Equal(again.Seen) {
		t.Errorf("headline first/last seen %v/%v, want %v/%v", hl.FirstSeen, hl.LastSeen, pages[0].Seen, again.Seen)
	}
	// Nothing new: a second run reads nothing and writes nothing.
	if st := materialize(t, c, a, 500, nil); st.Messages != 0 || st.Batches != 0 {
		t.Errorf("a run with nothing new: %+v", st)
	}
	if got := export(t, a); got != ea {
		t.Error("a run with nothing new changed the export")
	}
}

// The same page published twice under different message ids (a
// redelivery past the duplicate window) is two messages and one change.
func TestMaterializer_RedeliveryIsOneChange(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	p := filePages(t)[0]
	publish(t, c, "first", p)
	publish(t, c, "second", p)
	s := openStore(t)
	st := materialize(t, c, s, 500, nil)
	if st.Messages != 2 || st.New != 1 || st.Unchanged != 1 {
		t.Fatalf("stats %+v, want 2 messages: 1 new page, 1 unchanged", st)
	}
	want := 1 + len(p.Headlines)
	if p.Interview != nil {
		want++
	}
	if got := strings.Count(export(t, s), "\n"); got != want || st.Inserted != want || st.Updated != 0 {
		t.Fatalf("%d export lines, %d inserted, %d updated; want %d inserts", got, st.Inserted, st.Updated, want)
	}
}

// A run resumes after the stored cursor: it reads only the messages
// published since, and what it stores is what one run would have.
func TestMaterializer_ResumesAfterCursor(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	pages := filePages(t)
	half := len(pages) / 2
	publish(t, c, "", pages[:half]...)
	s := openStore(t)
	if st := materialize(t, c, s, 3, nil); st.Messages != half {
		t.Fatalf("first run read %d messages, want %d", st.Messages, half)
	}
	publish(t, c, "", pages[half:]...)
	st := materialize(t, c, s, 3, nil)
	if st.Messages != len(pages)-half || st.Unchanged != 0 || st.Cursor.Seq != uint64(len(pages)) {
		t.Fatalf("second run: %+v", st)
	}
	whole := openStore(t)
	materialize(t, c, whole, 500, nil)
	if a, b := export(t, s), export(t, whole); a != b {
		t.Fatalf("resumed store exports differently from one run:\n%s\n---\n%s", a, b)
	}
}

// A message that is no page is logged with its sequence and skipped;
// the pages after it are applied and the cursor moves past it.
func TestMaterializer_SkipsBadMessages(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	pages := filePages(t)
	ctx := context.Background()
	publish(t, c, "", pages[0])
	for _, body := range []string{"{", `{"source":"x"}`, `{"article":{"id":"a_1","title":"no source"}}`} {
		if _, err := c.JS.Publish(ctx, c.Names.RecordSubject, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, c, "", pages[1])
	var log logBuffer
	s := openStore(t)
	st := materialize(t, c, s, 500, log.logger())
	if st.Messages != 5 || st.Bad != 3 || st.New != 2 || st.Cursor.Seq != 5 {
		t.Fatalf("stats %+v, want 5 messages, 3 bad, 2 new pages, cursor 5", st)
	}
	for _, seq := range []string{"seq=2", "seq=3", "seq=4"} {
		if !strings.Contains(log.String(), `message skipped" `+seq) {
			t.Errorf("log does not name %s:\n%s", seq, log.String())
		}
	}
	if cur, _, _ := s.StreamCursor(ctx, c.Names.RecordStream); cur.Seq != 5 {
		t.Errorf("stored cursor %d, want 5", cur.Seq)
	}
}

// A stream that no longer holds the next sequence — purged while the
// store was behind, or deleted and created again — is read again from
// its first message, with a warning and a count; nothing is duplicated.
func TestMaterializer_RebuildsWhenTheStreamMovedOn(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	pages := filePages(t)
	publish(t, c, "", pages[:2]...)
	s := openStore(t)
	materialize(t, c, s, 500, nil)

	t.Run("purged", func(t *testing.T) {
		publish(t, c, "", pages[2:4]...) // never read: purged below
		stream, err := c.JS.Stream(ctx, c.Names.RecordStream)
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		publish(t, c, "", pages[4])
		var log logBuffer
		st := materialize(t, c, s, 500, log.logger())
		if st.Rebuilds != 1 || st.Lost != 2 || st.Messages != 1 || st.New != 1 || st.Cursor.Seq != 5 {
			t.Fatalf("stats %+v, want 1 rebuild, 2 lost, 1 new page at seq 5", st)
		}
		if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "max age or purge") {
			t.Errorf("no warning:\n%s", log.String())
		}
	})

	t.Run("created again", func(t *testing.T) {
		before := export(t, s)
		if err := c.JS.DeleteStream(ctx, c.Names.RecordStream); err != nil {
			t.Fatal(err)
		}
		c2 := connect(t, srv.ClientURL()) // creates the stream again, empty
		publish(t, c2, "", pages[0], pages[1], pages[4])
		var log logBuffer
		st := materialize(t, c2, s, 500, log.logger())
		if st.Rebuilds != 1 || st.Messages != 3 || st.Unchanged != 3 || st.Inserted+st.Updated != 0 || st.Cursor.Seq != 3 {
			t.Fatalf("stats %+v, want 1 rebuild, 3 unchanged pages, no change", st)
		}
		if !strings.Contains(log.String(), "created again") {
			t.Errorf("no warning:\n%s", log.String())
		}
		if after := export(t, s); after != before {
			t.Fatalf("re-reading the same pages changed the export:\n%s\n---\n%s", before, after)
		}
		// Then it follows the new stream as usual.
		publish(t, c2, "", pages[2])
		if st := materialize(t, c2, s, 500, nil); st.Rebuilds != 0 || st.New != 1 || st.Cursor.Seq != 4 {
			t.Fatalf("after the rebuild: %+v", st)
		}
	})
}

// With Follow, Run applies pages as they are published, calls OnApply
// after each batch, and returns nil once ctx is done, its last batch
// committed.
func TestMaterializer_Follow(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	pages := filePages(t)
	s := openStore(t)
	applied := make(chan record.WriteResult, 100)
	m := &Materializer{Conn: c, Store: s, Follow: true, FlushInterval: 10 * time.Millisecond,
		OnApply: func(r record.WriteResult) { applied <- r }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := m.Run(ctx)
		done <- err
	}()
	for i, p := range pages {
		publish(t, c, "", p)
		deadline := time.After(30 * time.Second)
		for m.Stats().Cursor.Seq < uint64(i+1) {
			select {
			case <-applied:
			case <-deadline:
				t.Fatalf("page %d not applied in 30s: %+v", i, m.Stats())
			}
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if st := m.Stats(); st.New != len(pages) || st.Messages != len(pages) {
		t.Fatalf("stats %+v", st)
	}
	if cur, _, _ := s.StreamCursor(context.Background(), c.Names.RecordStream); cur.Seq != uint64(len(pages)) {
		t.Fatalf("stored cursor %d, want %d", cur.Seq, len(pages))
	}
}

// Pages published without a Seen get the stream's timestamp, the same
// on every server.
func TestMaterializer_NoSeenTakesStreamTime(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	p := filePages(t)[0]
	p.Seen = time.Time{}
	publish(t, c, "", p)
	s := openStore(t)
	materialize(t, c, s, 500, nil)
	raw, err := c.JS.Stream(ctx, c.Names.RecordStream)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := raw.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	info, _, err := s.Source(ctx, p.Source)
	if err != nil || !info.FirstSeen.Equal(msg.Time) {
		t.Fatalf("page first seen %v (%v), want the stream's time %v", info.FirstSeen, err, msg.Time)
	}
}

// A stream deleted and created again while Run follows it is read from
// its first message: the client's consumer, recreated on its own, would
// go on at the old stream's next sequence and skip the new stream's
// first messages.
func TestMaterializer_FollowsAStreamCreatedAgain(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	pages := filePages(t)
	s := openStore(t)
	var log logBuffer
	m := &Materializer{Conn: c, Store: s, Follow: true, FlushInterval: 10 * time.Millisecond, Log: log.logger()}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(runCtx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	waitStats := func(what string, ok func(MaterializeStats) bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok(m.Stats()) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30s: %+v\n%s", what, m.Stats(), log.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	publish(t, c, "", pages[0], pages[1], pages[2])
	waitStats("three pages", func(st MaterializeStats) bool { return st.Cursor.Seq == 3 })
	if err := c.JS.DeleteStream(ctx, c.Names.RecordStream); err != nil {
		t.Fatal(err)
	}
	c2 := connect(t, srv.ClientURL())
	publish(t, c2, "", pages[3], pages[4], pages[0], pages[1], pages[5])
	waitStats("the new stream", func(st MaterializeStats) bool { return st.New == 6 })
	st := m.Stats()
	if st.Rebuilds < 1 || st.Unchanged != 2 {
		t.Fatalf("stats %+v, want a rebuild and the two pages seen again unchanged", st)
	}
	if !strings.Contains(log.String(), "created again") {
		t.Errorf("no warning:\n%s", log.String())
	}
}

// Without Follow, Run tries three times in all, then returns the error;
// with no connection or store it refuses at once.
func TestMaterializer_OnceGivesUp(t *testing.T) {
	srv := natstest.Start(t)
	c, err := cluster.Connect(context.Background(), cluster.Config{URL: srv.ClientURL(), Prefix: "T"})
	if err != nil {
		t.Fatal(err)
	}
	c.NC.Close()
	var log logBuffer
	_, err = (&Materializer{Conn: c, Store: openStore(t), Log: log.logger()}).Run(context.Background())
	if err == nil {
		t.Fatal("no error from a closed connection")
	}
	if n := strings.Count(log.String(), "retrying from the stored position"); n != onceAttempts-1 {
		t.Errorf("%d retries logged, want %d:\n%s", n, onceAttempts-1, log.String())
	}
	if _, err := (&Materializer{Conn: c}).Run(context.Background()); err == nil {
		t.Error("no error without a store")
	}
}

// The whole of NATS going down and coming back (one server, restarted on
// its port with its store) does not stop a following materializer: the
// connection reconnects, and what is published after the restart is
// applied after what came before, each page once.
func TestMaterializer_FollowsThroughANATSRestart(t *testing.T) {
	srv := natstest.Start(t)
	c := connect(t, srv.ClientURL())
	pages := filePages(t)
	s := openStore(t)
	m := &Materializer{Conn: c, Store: s, Follow: true, FlushInterval: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := m.Run(ctx)
		done <- err
	}()
	applied := func(seq uint64) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for m.Stats().Cursor.Seq < seq {
			if time.Now().After(deadline) {
				t.Fatalf("sequence %d not applied in 60s: %+v", seq, m.Stats())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	half := len(pages) / 2
	publish(t, c, "", pages[:half]...)
	applied(uint64(half))

	natstest.Restart(t, srv)
	deadline := time.Now().Add(30 * time.Second)
	for !c.NC.IsConnected() {
		if time.Now().After(deadline) {
			t.Fatal("the connection did not come back in 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	publish(t, c, "", pages[half:]...)
	applied(uint64(len(pages)))
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	st := m.Stats()
	if st.Bad != 0 || st.Lost != 0 || st.Rebuilds != 0 {
		t.Errorf("stats after the restart: %+v", st)
	}
	var n int
	if err := s.Log(context.Background(), func(store.LogEntry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	want := openStore(t)
	if _, err := want.ApplyPages(context.Background(), "T_RECORDS", store.StreamCursor{Seq: uint64(len(pages))}, pages); err != nil {
		t.Fatal(err)
	}
	var w int
	if err := want.Log(context.Background(), func(store.LogEntry) error { w++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != w {
		t.Errorf("%d change-log entries after the restart, want %d (each page once)", n, w)
	}
}
