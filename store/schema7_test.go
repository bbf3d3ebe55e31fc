package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/internal/testpages"
	"newsfeed/parse"
	"newsfeed/record"
)

// schema7Clock is the clock the schema 7 fixture was written with, and
// is read with (host deferrals run out by the clock).
var schema7Clock = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// storeReads is everything a store's readers see: every change (with
// its record), every change-log entry, the pages bucket's values, the
// fetch state and the streams' cursors.
type storeReads struct {
	LastSeq   uint64
	Changes   []Change
	Log       []LogEntry
	Sources   map[string]SourceInfo
	URLStates []record.URLState
	// URLKeys are the fetch/urls keys, which URLState's JSON leaves out.
	URLKeys   []string
	Hosts     []HostDeferral
	HostKeys  []string
	ListPolls map[string]time.Time
	Streams   map[string]StreamCursor
}

// readAll reads what s's readers see.
func readAll(t *testing.T, s *Store) storeReads {
	t.Helper()
	ctx := context.Background()
	r := storeReads{Sources: map[string]SourceInfo{}, Streams: map[string]StreamCursor{}}
	var err error
	if r.LastSeq, err = s.LastSeq(ctx); err != nil {
		t.Fatal(err)
	}
	r.Changes = mustChanges(t, s, 0)
	r.Log = mustLog(t, s)
	var sources, streams []string
	s.view(func(tx *bolt.Tx) error {
		tx.Bucket(bucketPages).ForEach(func(k, _ []byte) error {
			sources = append(sources, string(k))
			return nil
		})
		tx.Bucket(bucketStreams).ForEach(func(k, _ []byte) error {
			streams = append(streams, string(k))
			return nil
		})
		b, _ := fetchBucket(tx, bucketFetchURLs)
		return b.ForEach(func(k, _ []byte) error {
			r.URLKeys = append(r.URLKeys, string(k))
			return nil
		})
	})
	for _, src := range sources {
		info, ok, err := s.Source(ctx, src)
		if err != nil || !ok {
			t.Fatalf("source %s: %v, %v", src, ok, err)
		}
		r.Sources[src] = info
	}
	for _, name := range streams {
		cur, ok, err := s.StreamCursor(ctx, name)
		if err != nil || !ok {
			t.Fatalf("stream %s: %v, %v", name, ok, err)
		}
		r.Streams[name] = cur
	}
	states, err := s.URLStates(ctx, r.URLKeys)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range r.URLKeys {
		r.URLStates = append(r.URLStates, states[u])
	}
	if r.Hosts, err = s.Hosts(ctx); err != nil {
		t.Fatal(err)
	}
	for _, h := range r.Hosts {
		r.HostKeys = append(r.HostKeys, h.Host)
	}
	if r.ListPolls, err = s.ListPolls(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestWriteSchema7Fixture writes testdata/schema7.db.gz and
// testdata/schema7.reads.json.gz (what readAll read from it then) when
// NEWSFEED_WRITE_SCHEMA7 names the folder to write them to. It was run
// at the commit that added them, the last one of schema 7:
//
//	NEWSFEED_WRITE_SCHEMA7=$PWD/store/testdata go test ./store -run WriteSchema7Fixture
//
// The database holds the seed page and three generated pages, each with
// the HTTP validators schema 7 kept in its pages/ value, one stored again
// with the same content and new validators, one page applied from a
// stream, a headline deleted (a tombstone), and fetch state: URL states,
// host deferrals with reasons, list polls.
func TestWriteSchema7Fixture(t *testing.T) {
	dir := os.Getenv("NEWSFEED_WRITE_SCHEMA7")
	if dir == "" {
		t.Skip("NEWSFEED_WRITE_SCHEMA7 is not set")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "schema7.db")
	s, err := Open(ctx, path, Options{Now: func() time.Time { return schema7Clock }})
	if err != nil {
		t.Fatal(err)
	}
	fillSchema7(t, s)
	reads := readAll(t, s)
	mustClose(t, s)

	db, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(reads, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	writeGzip(t, filepath.Join(dir, "schema7.db.gz"), db)
	writeGzip(t, filepath.Join(dir, "schema7.reads.json.gz"), js)
}

// fixturePage parses the seed page (i < 0) or generated page i.
func fixturePage(t *testing.T, i int) *record.Page {
	t.Helper()
	opts := parse.Options{Site: "观察者网"}
	var data []byte
	var err error
	if i < 0 {
		data, err = testpages.Seed()
		opts.Source = "seeds/" + testpages.SeedName
	} else {
		data, err = testpages.Page(i)
		opts.Source = fmt.Sprintf("https://www.guancha.cn/test/page_%d.shtml", i)
		opts.URL = opts.Source
	}
	if err != nil {
		t.Fatal(err)
	}
	res, err := parse.Text(data, opts)
	if err != nil {
		t.Fatalf("parse %s: %v", opts.Source, err)
	}
	return &record.Page{Source: opts.Source, ContentHash: res.Article.ContentHash,
		Article: res.Article, Interview: res.Interview, Headlines: res.Headlines}
}

// fillSchema7 writes the fixture's contents into s (see
// TestWriteSchema7Fixture).
func fillSchema7(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	seed := fixturePage(t, -1)
	seed.ETag, seed.LastModified = `"seed-1"`, "Mon, 30 Nov 2026 07:00:00 GMT"
	var pages []*record.Page
	var states []record.URLState
	for i := range 3 {
		p := fixturePage(t, i)
		p.ETag = fmt.Sprintf(`W/"page-%d"`, i)
		if i != 1 {
			p.LastModified = fmt.Sprintf("Mon, 30 Nov 2026 0%d:00:00 GMT", i)
		}
		pages = append(pages, p)
		states = append(states, record.URLState{URL: p.Source, Source: "guancha", ETag: p.ETag,
			LastModified: p.LastModified, BodyHash: fmt.Sprintf("%064x", i+1), Status: 200,
			FirstFetched: schema7Clock.Add(-time.Hour), LastFetched: schema7Clock,
			LastChanged: schema7Clock.Add(-time.Hour)})
	}
	mustWrite(t, s, append([]*record.Page{seed}, pages...)...)
	// The same content with new validators: schema 7 rewrote its value.
	again := fixturePage(t, 0)
	again.ETag = `W/"page-0-again"`
	mustWrite(t, s, again)
	streamed := fixturePage(t, 3)
	streamed.Seen = schema7Clock.Add(-30 * time.Minute)
	streamed.ETag = `"streamed"`
	if _, err := s.ApplyPages(ctx, "RECORDS", StreamCursor{Seq: 42, Created: schema7Clock.Add(-24 * time.Hour)},
		[]*record.Page{streamed}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Delete(ctx, seed.Headlines[0].ID); err != nil || n != 1 {
		t.Fatalf("delete = %d, %v", n, err)
	}
	states[2].Status = 304
	if err := s.PutURLStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	hosts := []HostDeferral{
		{Host: "www.guancha.cn", Until: schema7Clock.Add(2 * time.Hour), Reason: "Retry-After 7200"},
		{Host: "down.example", Until: schema7Clock.Add(time.Hour), Reason: "5 failures", Failing: true},
	}
	until := map[string]time.Time{"quiet.example": schema7Clock.Add(3 * time.Hour)}
	for _, h := range hosts {
		until[h.Host] = h.Until
	}
	if err := s.PutHostDeferrals(ctx, until); err != nil {
		t.Fatal(err)
	}
	if err := s.PutHostReasons(ctx, hosts); err != nil {
		t.Fatal(err)
	}
	if err := s.PutListPolls(ctx, map[string]time.Time{"guancha": schema7Clock.Add(-10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
}

// writeGzip writes data gzipped to path.
func writeGzip(t *testing.T, path string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
