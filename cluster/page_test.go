package cluster

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/parse"
	"newsfeed/record"
)

// A page goes over the wire and comes back with the same records, the
// same record JSON byte for byte, and its Seen time; its message id
// depends on the content and not on when it was read.
func TestPageRoundTrip(t *testing.T) {
	data, err := os.ReadFile("../seeds/000_3f39084d81a9de5b.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := parse.Page(data, parse.Options{Source: "seed.txt"})
	if err != nil {
		t.Fatal(err)
	}
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
