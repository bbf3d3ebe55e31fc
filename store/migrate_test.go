package store

import (
	"bufio"
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
	return openFixtureWith(t, name, Options{})
}

// openFixtureWith is openFixture with opts for the writer's open.
func openFixtureWith(t *testing.T, name string, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".db")
	if err := os.WriteFile(path, readGzip(t, filepath.Join("testdata", name+".db.gz")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path, Options{ReadOnly: true}); err == nil {
		t.Fatalf("a read-only open of %s did not ask for the migration", name)
	}
	s, err := Open(context.Background(), path, opts)
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
	a.Blocks = append([]record.Block{{Type: record.BlockParagraph, Text: "A paragraph added later."}}, a.Blocks...)
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
		legacyBody(w)
		if !reflect.DeepEqual(rec, w) {
			t.Fatalf("record %s differs after the migration:\n got %s\nwant %v", c.ID, c.Record, w)
		}
	}
	return got
}

// legacyBody turns an exported article of schema 5 or older, with its
// body as "paragraphs" and "captions", into what migration 6 makes of
// it: "blocks", a paragraph block for each paragraph, then a picture
// block for each caption.
func legacyBody(rec map[string]any) {
	if rec["kind"] != "article" {
		return
	}
	var blocks []any
	if ps, ok := rec["paragraphs"].([]any); ok {
		for _, p := range ps {
			blocks = append(blocks, map[string]any{"type": "p", "text": p})
		}
	}
	if cs, ok := rec["captions"].([]any); ok {
		for _, c := range cs {
			blocks = append(blocks, map[string]any{"type": "image", "caption": c})
		}
	}
	delete(rec, "paragraphs")
	delete(rec, "captions")
	if len(blocks) > 0 {
		rec["blocks"] = blocks
	}
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

// testdata/schema5.db.gz is a database the schema 5 binary (commit
// 2793da2) wrote: the seed page as text and as guancha.cn HTML, and two
// raw-text pages of parse/testdata ingested, then published (so items/
// holds rendered items). Its articles keep their bodies as "paragraphs"
// and "captions"; schema5.export.ndjson.gz is what its export printed.
func TestOpen_MigratesSchema5BodyToBlocks(t *testing.T) {
	s, path := openFixture(t, "schema5")
	mustMatchExport(t, s, "schema5.export.ndjson.gz")

	var articles, withCaptions int
	err := s.db.View(func(tx *bolt.Tx) error {
		if v, _ := schemaOf(tx); v != SchemaVersion {
			t.Errorf("schema = %d, want %d", v, SchemaVersion)
		}
		blobs, items := tx.Bucket(bucketBlobs), tx.Bucket(bucketItems)
		return tx.Bucket(bucketArticles).ForEach(func(id, v []byte) error {
			articles++
			data, err := blobData(v[:8], blobs.Get(v[:8]))
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if _, ok := raw["paragraphs"]; ok {
				t.Errorf("%s still has paragraphs", id)
			}
			if _, ok := raw["captions"]; ok {
				t.Errorf("%s still has captions", id)
			}
			if !strings.HasPrefix(string(data), `{"kind":"article","id":`) {
				t.Errorf("%s: keys reordered: %.40s", id, data)
			}
			var a record.Article
			if err := json.Unmarshal(data, &a); err != nil {
				t.Fatal(err)
			}
			if len(a.Texts()) == 0 {
				t.Errorf("%s: no body after the migration", id)
			}
			if len(a.Captions()) > 0 {
				withCaptions++
			}
			if items.Get(id) != nil {
				t.Errorf("%s: its cached feed item, rendered from the old body, is kept", id)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if articles < 3 || withCaptions == 0 {
		t.Errorf("%d articles, %d with captions: the fixture lost its point", articles, withCaptions)
	}
	// A second open finds nothing to do, and a read-only open works.
	mustClose(t, s)
	ro, err := Open(context.Background(), path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, ro)
}

func TestBlocksJSON(t *testing.T) {
	in := `{"kind":"article","id":"a_1","title":"T","lead":"L","paragraphs":["one","<two> & \"three\""],"captions":["cap"],"authors":["X"],"published":null}`
	out, changed, err := blocksJSON([]byte(in))
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	want := `{"kind":"article","id":"a_1","title":"T","lead":"L","blocks":[{"type":"p","text":"one"},{"type":"p","text":"\u003ctwo\u003e \u0026 \"three\""},{"type":"image","caption":"cap"}],"authors":["X"],"published":null}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	// What record.Article writes for the same body.
	var a record.Article
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(a)
	if !strings.Contains(string(b), `"blocks":[{"type":"p","text":"one"},{"type":"p","text":"\u003ctwo\u003e \u0026 \"three\""},{"type":"image","caption":"cap"}]`) {
		t.Errorf("the record type writes the body otherwise: %s", b)
	}

	now := `{"kind":"article","id":"a_2","title":"T","blocks":[{"type":"p","text":"x"}]}`
	if out, changed, err := blocksJSON([]byte(now)); err != nil || changed || string(out) != now {
		t.Errorf("a blob with blocks: %s, %v, %v", out, changed, err)
	}
	for _, bad := range []string{``, `[1]`, `{"paragraphs":[1]}`, `{"a":1} x`, `{"a":`} {
		if _, _, err := blocksJSON([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
