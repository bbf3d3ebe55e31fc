package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// testdata/schema1.db.gz is a database that newsfeed wrote with schema 1:
// six pages ingested, one changed to a new article, then one changed in
// place, with headlines merged across them (195 change-log entries, 183
// of them current). schema1.export.ndjson is what `newsfeed export`
// printed for it then.
func openSchema1(t *testing.T) (*Store, string) {
	t.Helper()
	return openFixture(t, "schema1")
}

// openFixture opens a copy of testdata/NAME.db.gz for writing, which
// migrates it, after checking that a read-only open asks for that.
func openFixture(t *testing.T, name string) (*Store, string) {
	t.Helper()
	gz, err := os.ReadFile(filepath.Join("testdata", name+".db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path, Options{ReadOnly: true}); err == nil {
		t.Fatalf("a read-only open of %s did not ask for the migration", name)
	}
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { mustClose(t, s) })
	return s, path
}

func TestOpen_MigratesSchema1(t *testing.T) {
	ctx := context.Background()
	s, _ := openSchema1(t)

	s.view(func(tx *bolt.Tx) error {
		if v, _ := schemaOf(tx); v != SchemaVersion {
			t.Errorf("schema = %d, want %d", v, SchemaVersion)
		}
		if tx.Bucket(bucketState) != nil {
			t.Error("the state bucket is still there")
		}
		return nil
	})

	// The change log reads as it did: same entries, same records.
	got := mustMatchExport(t, s, "schema1.export.ndjson")
	want := readExport(t, "schema1.export.ndjson")
	if len(got) != 183 {
		t.Fatalf("%d changes, want 183", len(got))
	}

	// The indexes still agree with the records.
	for _, k := range kinds {
		recs, err := s.Latest(ctx, Query{Kind: k, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n := map[record.Kind]int{record.KindArticle: 7, record.KindInterview: 7, record.KindHeadline: 169}[k]
		if len(recs) != n {
			t.Errorf("Latest(%s) = %d records, want %d", k, len(recs), n)
		}
	}
	col, err := s.Latest(ctx, Query{Kind: record.KindHeadline, Site: "guancha.cn", Column: "科技前沿"})
	if err != nil || len(col) != 12 {
		t.Errorf("Latest(headlines of a site's column) = %d records, %v; want 12", len(col), err)
	}
	// States read back: a headline's from its JSON, an article's from
	// its value.
	s.view(func(tx *bolt.Tx) error {
		for _, id := range []string{got[0].ID, want[len(want)-1]["id"].(string)} {
			st, err := storedState(tx, KindOf(id), []byte(id))
			if err != nil || st.seq == 0 || st.firstSeen == 0 {
				t.Errorf("state of %s = %+v, %v", id, st, err)
			}
		}
		return nil
	})
}

func TestOpen_MigratedDatabaseTakesWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openSchema1(t)
	last, err := s.LastSeq(ctx)
	if err != nil || last != 195 {
		t.Fatalf("last seq = %d, %v; want 195", last, err)
	}
	recs, err := s.Latest(ctx, Query{Kind: record.KindArticle, Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	a := *recs[0].(*record.Article)
	a.Paragraphs = append([]string{"A paragraph added later."}, a.Paragraphs...)
	a.ContentHash = "changed"
	res := mustWrite(t, s, &record.Page{Source: a.Source, ContentHash: a.ContentHash, Article: &a,
		Headlines: []*record.Headline{hl("a headline new to the migrated database", record.ListHot)}})
	if res.Changed != 1 || res.Inserted != 1 || res.Updated != 1 {
		t.Errorf("result = %+v, want 1 changed page, 1 insert, 1 update", res)
	}
	var ops []string
	s.Changes(ctx, ChangeQuery{Since: last}, func(c Change) error {
		ops = append(ops, c.Op+" "+string(c.Kind))
		return nil
	})
	if want := []string{"insert headline", "update article"}; !reflect.DeepEqual(ops, want) {
		t.Errorf("changes since %d = %v, want %v", last, ops, want)
	}
	after, err := s.Latest(ctx, Query{Kind: record.KindArticle, Limit: 100})
	if err != nil || len(after) != 7 {
		t.Errorf("Latest(articles) = %d records after an update, %v; want 7", len(after), err)
	}
}

// readExport reads testdata/NAME, gunzipped when NAME ends in .gz.
func readExport(t *testing.T, name string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			t.Fatal(err)
		}
	}
	var out []map[string]any
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mustMatchExport checks that s's changes read as testdata/NAME, the
// export the older binary printed, and returns them.
func mustMatchExport(t *testing.T, s *Store, name string) []Change {
	t.Helper()
	want := readExport(t, name)
	got := mustChanges(t, s, 0)
	if len(got) != len(want) {
		t.Fatalf("%d changes, want %d", len(got), len(want))
	}
	for i, c := range got {
		w := want[i]
		if w["seq"] != float64(c.Seq) || w["op"] != c.Op || w["id"] != c.ID || w["kind"] != string(c.Kind) {
			t.Fatalf("change %d = %d %s %s, want %v %v %v", i, c.Seq, c.Op, c.ID, w["seq"], w["op"], w["id"])
		}
		var rec map[string]any
		if err := json.Unmarshal(c.Record, &rec); err != nil {
			t.Fatal(err)
		}
		delete(w, "seq")
		delete(w, "op")
		if !reflect.DeepEqual(rec, w) {
			t.Fatalf("record %s differs after the migration:\n got %s\nwant %v", c.ID, c.Record, w)
		}
	}
	return got
}

// testdata/schema2.db.gz is a database the schema 2 binary (commit
// d3082e8) wrote: five pages ingested (a seed page and four of
// ../shared/zh-news), then the seed page changed in place and ingested
// again (64 change-log entries, 63 current). schema2.export.ndjson.gz
// is what its export printed.
func TestOpen_MigratesSchema2(t *testing.T) {
	ctx := context.Background()
	s, _ := openFixture(t, "schema2")
	mustVerify(t, s)
	got := mustMatchExport(t, s, "schema2.export.ndjson.gz")
	if len(got) != 63 {
		t.Errorf("%d changes, want 63", len(got))
	}
	for k, n := range map[record.Kind]int{record.KindArticle: 5, record.KindInterview: 1, record.KindHeadline: 57} {
		recs, err := s.Latest(ctx, Query{Kind: k, Limit: 1000})
		if err != nil || len(recs) != n {
			t.Errorf("Latest(%s) = %d records, %v; want %d", k, len(recs), err, n)
		}
	}
	// Headlines got their last_seen index, from their JSON.
	s.view(func(tx *bolt.Tx) error {
		b := nested(tx.Bucket(bucketIndex), bucketByLastSeen, []byte(record.KindHeadline))
		if b == nil || b.Stats().KeyN != 57 {
			t.Error("index/last_seen/headline does not hold the 57 headlines")
		}
		return nil
	})
	// It takes writes, and deletions.
	last, _ := s.LastSeq(ctx)
	if last != 64 {
		t.Errorf("last seq = %d, want 64", last)
	}
	if n, err := s.Delete(ctx, got[0].ID); err != nil || n != 1 {
		t.Fatalf("Delete = %d, %v", n, err)
	}
	if ch := mustChanges(t, s, last); len(ch) != 1 || ch[0].Op != "delete" || ch[0].Seq != 65 {
		t.Errorf("changes after the deletion = %+v", ch)
	}
}
