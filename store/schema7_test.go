package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

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

// testdata/schema7.db.gz is a database of schema 7, the last one whose
// pages/ values kept a fetched page's HTTP validators ("etag",
// "last_modified"), and testdata/schema7.reads.json.gz is what readAll
// read from it then. TestWriteSchema7Fixture in this file at commit
// 7dc37a7 wrote both, with the clock at schema7Clock:
//
//	git worktree add /tmp/schema7 7dc37a7
//	cd /tmp/schema7 && NEWSFEED_WRITE_SCHEMA7=$PWD/store/testdata go test ./store -run WriteSchema7Fixture
//
// The database holds the seed page (seeds/) and generated pages 0-2
// (internal/testpages), parsed with site 观察者网 and written in one
// batch, each with validators in its pages/ value; page 0 written again
// with the same content and a new ETag (schema 7 rewrote its value);
// page 3 applied from stream RECORDS (cursor 42) with its own Seen; the
// seed's first headline deleted (a tombstone); and fetch state: the three
// pages' URL states, three host deferrals (two with reasons) and a list
// poll.
func TestOpen_MigratesSchema7(t *testing.T) {
	s, _ := openFixtureWith(t, "schema7", Options{Now: func() time.Time { return schema7Clock }})
	mustVerify(t, s)
	if rep, err := s.Scan(context.Background()); err != nil || rep.Damaged() {
		t.Fatalf("scan: %+v, %v", rep, err)
	}

	var raw struct{ Sources map[string]map[string]any }
	wantJSON := readGzip(t, filepath.Join("testdata", "schema7.reads.json.gz"))
	if err := json.Unmarshal(wantJSON, &raw); err != nil {
		t.Fatal(err)
	}
	validators := 0
	for _, info := range raw.Sources {
		if info["etag"] != nil || info["last_modified"] != nil {
			validators++
		}
	}
	if len(raw.Sources) != 5 || validators != 5 {
		t.Fatalf("the fixture has %d pages, %d with validators: it lost its point", len(raw.Sources), validators)
	}

	// What the readers read then, read into today's types (which
	// leave the validators out), and what they read now.
	var want, got storeReads
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		t.Fatal(err)
	}
	gotJSON, err := json.Marshal(readAll(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(gotJSON, &got); err != nil {
		t.Fatal(err)
	}
	if len(want.Changes) < 100 || len(want.URLStates) != 3 || len(want.Hosts) != 3 ||
		len(want.ListPolls) != 1 || len(want.Streams) != 1 || len(want.Log) <= len(want.Changes) {
		t.Fatalf("the fixture reads %d changes, %d log entries, %d URL states, %d hosts, %d list polls, %d streams: it lost its point",
			len(want.Changes), len(want.Log), len(want.URLStates), len(want.Hosts), len(want.ListPolls), len(want.Streams))
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("after the migration the store reads\n%.3000s\nwant\n%.3000s", g, w)
	}

	// No pages/ value keeps a validator.
	s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPages).ForEach(func(k, v []byte) error {
			if bytes.Contains(v, []byte(`"etag"`)) || bytes.Contains(v, []byte(`"last_modified"`)) {
				t.Errorf("%s = %s", k, v)
			}
			return nil
		})
	})
}

// readGzip returns the gunzipped bytes of file.
func readGzip(t *testing.T, file string) []byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDropPageValidators(t *testing.T) {
	s, _ := mustOpenStore(t)
	vals := map[string]string{
		"a": `{"content_hash":"h","article_id":"a_1","etag":"\"x\"","last_modified":"Mon, 30 Nov 2026 07:00:00 GMT","first_seen":"2026-11-30T08:00:00Z","last_seen":"2026-11-30T08:00:00Z"}`,
		"b": `{"content_hash":"h","article_id":"a_2","last_modified":"L","first_seen":"2026-11-30T08:00:00Z","last_seen":"2026-11-30T08:00:00Z"}`,
		"c": `{"content_hash":"h","article_id":"a_3","first_seen":"2026-11-30T08:00:00Z","last_seen":"2026-11-30T08:00:00Z"}`,
		"d": `not JSON`,
	}
	want := map[string]string{
		"a": `{"content_hash":"h","article_id":"a_1","first_seen":"2026-11-30T08:00:00Z","last_seen":"2026-11-30T08:00:00Z"}`,
		"b": `{"content_hash":"h","article_id":"a_2","first_seen":"2026-11-30T08:00:00Z","last_seen":"2026-11-30T08:00:00Z"}`,
		"c": vals["c"],
		"d": vals["d"],
	}
	for range 2 { // twice: the second run changes nothing
		err := s.updateTx(func(tx *bolt.Tx) error {
			for k, v := range vals {
				if err := tx.Bucket(bucketPages).Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
			return dropPageValidators(tx)
		})
		if err != nil {
			t.Fatal(err)
		}
		vals = want
	}
	s.view(func(tx *bolt.Tx) error {
		for k, w := range want {
			if v := tx.Bucket(bucketPages).Get([]byte(k)); string(v) != w {
				t.Errorf("%s = %s, want %s", k, v, w)
			}
		}
		return nil
	})
	// What is left reads as the page's SourceInfo did.
	info, ok, err := s.Source(context.Background(), "a")
	if err != nil || !ok || info.ArticleID != "a_1" || !info.FirstSeen.Equal(schema7Clock) {
		t.Errorf("Source(a) = %+v, %v, %v", info, ok, err)
	}
}
