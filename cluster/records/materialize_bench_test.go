package records

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
	"newsfeed/internal/natstest"
	"newsfeed/internal/testpages"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// benchArticles returns n one-article pages of about 2 KB of JSON each,
// their paragraphs real text from the seed page, each with its own
// title, source and Seen.
func benchArticles(b *testing.B, n int) []*record.Page {
	b.Helper()
	data, err := testpages.Seed()
	if err != nil {
		b.Fatal(err)
	}
	res, err := parse.Text(data, parse.Options{Site: "观察者网", Source: "seed"})
	if err != nil {
		b.Fatal(err)
	}
	seen := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
	pages := make([]*record.Page, n)
	for i := range pages {
		a := *res.Article
		a.Related, a.Recommended, a.Hot = nil, nil, nil
		a.Title = fmt.Sprintf("%s (%d)", res.Article.Title, i)
		a.ID = record.ArticleID(a.Site, "", a.Title)
		a.Source = fmt.Sprintf("https://example.com/a/%d.shtml", i)
		a.Blocks = res.Article.Blocks[i%4 : i%4+4]
		a.ContentHash = fmt.Sprintf("%064x", i)
		pages[i] = &record.Page{Source: a.Source, ContentHash: a.ContentHash, Seen: seen.Add(time.Duration(i) * time.Second),
			Article: &a}
	}
	return pages
}

// benchSeedPages returns n generated pages (testpages): an article, an
// interview and some 40 headlines each, many shared between pages.
func benchSeedPages(b *testing.B, n int) []*record.Page {
	b.Helper()
	seen := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
	pages := make([]*record.Page, n)
	for i := range pages {
		data, err := testpages.Page(i)
		if err != nil {
			b.Fatal(err)
		}
		src := fmt.Sprintf("pages/%d.txt", i)
		res, err := parse.Text(data, parse.Options{Site: "观察者网", Source: src})
		if err != nil {
			b.Fatal(err)
		}
		pages[i] = &record.Page{Source: src, ContentHash: res.Article.ContentHash, Seen: seen.Add(time.Duration(i) * time.Second),
			Article: res.Article, Interview: res.Interview, Headlines: res.Headlines}
	}
	return pages
}

// records counts the records pages hold.
func records(pages []*record.Page) int {
	n := 0
	for _, p := range pages {
		n += 1 + len(p.Headlines)
		if p.Interview != nil {
			n++
		}
	}
	return n
}

// BenchmarkMaterialize measures, side by side in each iteration, the
// same pages stored three ways, each into a fresh database with fsync
// at every commit, 500 pages a transaction:
//
//   - direct: store.WritePages, as the one-machine ingest writes;
//   - apply: store.ApplyPages, the materializer's write (each page
//     written as though alone, the cursor in the transaction);
//   - materialised: published on the records stream of an embedded NATS
//     server (async, all acks awaited) while a Materializer with Follow
//     applies them, timed from the first publish to the last commit;
//   - catch-up: a second fresh database applying what the stream then
//     holds, as ingest --from-nats from cron does.
//
// It reports records/s for each, and materialised as a percentage of
// direct. The NATS server runs in the same process, on the same cores.
func BenchmarkMaterialize(b *testing.B) {
	for _, tc := range []struct {
		name  string
		pages func(*testing.B, int) []*record.Page
		n     int
	}{
		{"article-2KB", benchArticles, 5000},
		{"seed-pages", benchSeedPages, 500},
	} {
		b.Run(tc.name, func(b *testing.B) {
			pages := tc.pages(b, tc.n)
			m, err := EncodePage("x", pages[0])
			if err != nil {
				b.Fatal(err)
			}
			recs := records(pages)
			b.Logf("%d pages, %d records, %d bytes a message (the first)", len(pages), recs, len(m.Data))
			ctx := context.Background()
			var direct, apply, mat, catchUp time.Duration
			for b.Loop() {
				direct += timeStore(b, func(s *store.Store) error {
					for j := 0; j < len(pages); j += DefaultApplyBatch {
						if _, err := s.WritePages(ctx, pages[j:min(j+DefaultApplyBatch, len(pages))]); err != nil {
							return err
						}
					}
					return nil
				})
				apply += timeStore(b, func(s *store.Store) error {
					for j := 0; j < len(pages); j += DefaultApplyBatch {
						end := min(j+DefaultApplyBatch, len(pages))
						if _, err := s.ApplyPages(ctx, "S", store.StreamCursor{Seq: uint64(end)}, pages[j:end]); err != nil {
							return err
						}
					}
					return nil
				})
				f, c := timeMaterialize(b, pages)
				mat += f
				catchUp += c
			}
			rate := func(d time.Duration) float64 { return float64(recs) * float64(b.N) / d.Seconds() }
			b.ReportMetric(rate(direct), "direct-records/s")
			b.ReportMetric(rate(apply), "apply-records/s")
			b.ReportMetric(rate(mat), "materialised-records/s")
			b.ReportMetric(rate(catchUp), "catchup-records/s")
			b.ReportMetric(100*direct.Seconds()/mat.Seconds(), "materialised/direct-%")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// timeStore times fn on a fresh database.
func timeStore(b *testing.B, fn func(*store.Store) error) time.Duration {
	b.Helper()
	s, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Now()
	if err := fn(s); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
}

// timeMaterialize publishes pages on a fresh server's records stream,
// from a connection of its own as a worker would, while a following
// Materializer, started beforehand as a feed server is, applies them to
// a fresh database; it returns the time from the first publish to the
// last commit (follow); then the time a second store takes to apply
// what the stream holds (catchUp), as ingest --from-nats from cron does.
func timeMaterialize(b *testing.B, pages []*record.Page) (follow, catchUp time.Duration) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := natstest.Start(b)
	var conns [2]*cluster.Conn
	for i := range conns {
		c, err := cluster.Connect(ctx, cluster.Config{URL: srv.ClientURL()})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	pub, sub := conns[0], conns[1]
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	msgs := make([]*nats.Msg, len(pages))
	for i, p := range pages {
		if msgs[i], err = EncodePage(pub.Names.RecordSubject, p); err != nil {
			b.Fatal(err)
		}
	}
	done := make(chan struct{})
	m := &Materializer{Conn: sub, Store: s, Follow: true}
	m.OnApply = func(record.WriteResult) {
		if m.Stats().Cursor.Seq == uint64(len(pages)) {
			close(done)
		}
	}
	go m.Run(ctx)
	stream, err := pub.JS.Stream(ctx, pub.Names.RecordStream)
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		info, err := stream.Info(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if info.State.Consumers > 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the materializer made no consumer in a minute")
		}
	}
	t0 := time.Now()
	for _, msg := range msgs {
		for {
			_, err := pub.JS.PublishMsgAsync(msg)
			if errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
				<-pub.JS.PublishAsyncComplete() // a loaded machine: let the acks catch up
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	select {
	case <-pub.JS.PublishAsyncComplete():
	case <-time.After(time.Minute):
		b.Fatal("publish acks not all in after a minute")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("not materialised after 5 minutes: %+v", m.Stats())
	}
	follow = time.Since(t0)

	// Catching up: a second store applies what the stream now holds.
	s2, err := store.Open(ctx, filepath.Join(b.TempDir(), "catchup.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s2.Close()
	t0 = time.Now()
	st, err := (&Materializer{Conn: sub, Store: s2}).Run(ctx)
	if err != nil || st.Cursor.Seq != uint64(len(pages)) {
		b.Fatalf("catching up: %+v, %v", st, err)
	}
	return follow, time.Since(t0)
}
