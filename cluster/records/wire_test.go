package records

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/parse"
	"newsfeed/record"
)

// parseSeed parses the seed page.
func parseSeed(tb testing.TB) *parse.Result {
	tb.Helper()
	data, err := os.ReadFile("../../seeds/000_3f39084d81a9de5b.txt")
	if err != nil {
		tb.Fatal(err)
	}
	res, err := parse.Page(data, parse.Options{Source: "seed.txt"})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// A page goes over the wire and comes back with the same records, the
// same record JSON byte for byte, and its Seen time; its message id
// depends on the content and not on when it was read.
func TestPageRoundTrip(t *testing.T) {
	res := parseSeed(t)
	aj, _ := res.Article.MarshalJSON()
	seen := time.Date(2026, 11, 29, 9, 0, 0, 123, time.UTC)
	p := &record.Page{Source: "https://example.com/a.shtml", ContentHash: res.Article.ContentHash,
		Seen: seen, Article: res.Article, ArticleJSON: aj, Interview: res.Interview, Headlines: res.Headlines}
	m, err := EncodePage("T.records", p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodePage(m.Data, m.Header)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.ArticleJSON, aj) || !got.Seen.Equal(seen) || got.Source != p.Source {
		t.Fatalf("round trip changed the page: seen %v, source %q", got.Seen, got.Source)
	}
	again, _ := got.Article.MarshalJSON()
	if !bytes.Equal(again, aj) {
		t.Fatalf("article re-encodes differently:\n%s\n%s", again, aj)
	}
	if got.Interview == nil || len(got.Headlines) != len(p.Headlines) {
		t.Fatalf("interview %v, %d headlines, want %d", got.Interview != nil, len(got.Headlines), len(p.Headlines))
	}
	p.Seen = seen.Add(time.Hour)
	p.ArticleJSON = nil // encoded by EncodePage this time
	m2, err := EncodePage("T.records", p)
	if err != nil {
		t.Fatal(err)
	}
	if id1, id2 := m.Header.Get(nats.MsgIdHdr), m2.Header.Get(nats.MsgIdHdr); id1 == "" || id1 != id2 {
		t.Fatalf("message ids %q and %q differ for the same content", id1, id2)
	}
}

func TestDecodePageRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		seen string
	}{
		{"not json", "{", ""},
		{"no article", `{"source":"x"}`, ""},
		{"bad article", `{"source":"x","article":{"title":1}}`, ""},
		{"bad seen", `{"source":"x","article":{"id":"a","title":"t"}}`, "yesterday"},
	} {
		h := nats.Header{}
		if tc.seen != "" {
			h.Set(SeenHeader, tc.seen)
		}
		if _, err := DecodePage([]byte(tc.data), h); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// FuzzDecodePage: whatever the bytes, DecodePage returns a page with an
// article or an error, never panics; a page it returns encodes again,
// and that encoding is stable (decode, encode: the same body, the same
// Seen, so the same message id).
func FuzzDecodePage(f *testing.F) {
	res := parseSeed(f)
	m, err := EncodePage("T.records", &record.Page{Source: "seed.txt", ContentHash: res.Article.ContentHash,
		Article: res.Article, Interview: res.Interview, Headlines: res.Headlines})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Data, "2026-11-29T09:00:00.000000123Z")
	f.Add([]byte(`{"source":"x","article":{"id":"a","title":"t"}}`), "")
	f.Add([]byte(`{"source":"x","article":{"id":"a"},"interview":{"id":"i","turns":[]},"headlines":[{"id":"h","published":"2025-01-01T00:00:00+08:00"}]}`), "2026-01-01T00:00:00+08:00")
	f.Add([]byte(`{}`), "")
	f.Fuzz(func(t *testing.T, data []byte, seen string) {
		h := nats.Header{}
		if seen != "" {
			h.Set(SeenHeader, seen)
		}
		p, err := DecodePage(data, h)
		if err != nil {
			return
		}
		if p.Article == nil {
			t.Fatal("a page with no article was decoded")
		}
		m1, err := EncodePage("T.records", p)
		if err != nil {
			t.Fatalf("a decoded page does not encode: %v", err)
		}
		q, err := DecodePage(m1.Data, m1.Header)
		if err != nil {
			t.Fatalf("an encoded page does not decode: %v\n%s", err, m1.Data)
		}
		m2, err := EncodePage("T.records", q)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m1.Data, m2.Data) || m1.Header.Get(SeenHeader) != m2.Header.Get(SeenHeader) ||
			m1.Header.Get(nats.MsgIdHdr) != m2.Header.Get(nats.MsgIdHdr) {
			t.Fatalf("encoding is not stable:\n%s %s\n%s %s", m1.Data, m1.Header.Get(SeenHeader), m2.Data, m2.Header.Get(SeenHeader))
		}
	})
}

// BenchmarkEncodePage encodes the seed page (an article, an interview
// and 42 headlines) as a worker does, its records' JSON already made.
func BenchmarkEncodePage(b *testing.B) {
	res := parseSeed(b)
	aj, _ := res.Article.MarshalJSON()
	ij, _ := res.Interview.MarshalJSON()
	p := &record.Page{Source: "https://example.com/a.shtml", ContentHash: res.Article.ContentHash,
		Article: res.Article, ArticleJSON: aj, Interview: res.Interview, InterviewJSON: ij, Headlines: res.Headlines}
	m, err := EncodePage("T.records", p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(m.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodePage("T.records", p); err != nil {
			b.Fatal(err)
		}
	}
}

// EncodePage writes the bytes json.Marshal of the whole page gives (so a
// page's message id is what it was), headlines with characters JSON
// escapes for HTML included.
func TestEncodePage_AsJSONMarshal(t *testing.T) {
	res := parseSeed(t)
	hs := append([]*record.Headline{}, res.Headlines...)
	odd := *hs[0]
	odd.Title = `<b>"A & B"</b> ` + odd.Title
	hs = append(hs, &odd)
	aj, _ := res.Article.MarshalJSON()
	p := &record.Page{Source: "https://example.com/a.shtml", ContentHash: res.Article.ContentHash,
		Article: res.Article, ArticleJSON: aj, Headlines: hs}
	m, err := EncodePage("T.records", p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(struct {
		Source      string             `json:"source"`
		ContentHash string             `json:"content_hash,omitempty"`
		Headlines   []*record.Headline `json:"headlines,omitempty"`
		Article     json.RawMessage    `json:"article,omitempty"`
	}{p.Source, p.ContentHash, hs, aj})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Data, want) {
		t.Fatalf("EncodePage:\n%s\njson.Marshal:\n%s", m.Data, want)
	}
}

// TestDecodePage_OldArticleBody reads a message a newsfeed wrote before
// articles' bodies became blocks ("paragraphs" and "captions"): the
// article comes out with blocks, and its JSON is not passed on as sent,
// so that the store writes the new shape.
func TestDecodePage_OldArticleBody(t *testing.T) {
	old := `{"source":"https://example.com/a.shtml","content_hash":"h","article":{"kind":"article","id":"a_1","title":"T",` +
		`"paragraphs":["first","second"],"captions":["a caption"],"published":null}}`
	p, err := DecodePage([]byte(old), nats.Header{})
	if err != nil {
		t.Fatal(err)
	}
	a := p.Article
	want := []record.Block{{Type: record.BlockParagraph, Text: "first"}, {Type: record.BlockParagraph, Text: "second"},
		{Type: record.BlockImage, Caption: "a caption"}}
	if !reflect.DeepEqual(a.Blocks, want) {
		t.Errorf("blocks %+v, want %+v", a.Blocks, want)
	}
	if p.ArticleJSON != nil {
		t.Errorf("the old JSON is passed on as sent: %s", p.ArticleJSON)
	}
	b, _ := a.MarshalJSON()
	if strings.Contains(string(b), "paragraphs") || !strings.Contains(string(b), `"blocks":`) {
		t.Errorf("re-encoded as %s", b)
	}
	// A message of today keeps its JSON as sent.
	now := `{"source":"s","article":{"kind":"article","id":"a_2","title":"T","blocks":[{"type":"p","text":"x \"paragraphs\": y"}],"published":null}}`
	if p, err := DecodePage([]byte(now), nats.Header{}); err != nil || p.ArticleJSON == nil {
		t.Errorf("a new message: %v, json %s", err, p.ArticleJSON)
	}
}
