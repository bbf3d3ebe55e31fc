package cluster

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/record"
)

// One-off: writes the wire goldens as the code before the split writes them.
func TestGenWireGolden(t *testing.T) {
	if os.Getenv("NEWSFEED_GEN_GOLDEN") == "" {
		t.Skip()
	}
	dir := filepath.Join("testdata", "wire")
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	headers := func(h nats.Header) []byte {
		var lines []string
		for k, vs := range h {
			for _, v := range vs {
				lines = append(lines, k+": "+v)
			}
		}
		slices.Sort(lines)
		return []byte(strings.Join(lines, "\n") + "\n")
	}
	// Work message.
	wm := WorkMessage{URL: "https://news.example.com/a/2026/11/29/123.shtml", Source: "section one",
		Site: "news.example.com", Profiles: "[site]\nhost = \"news.example.com\"\n", Marker: "etag:\"abc\"",
		New: true, Refresh: true}
	m, err := EncodeWork("NEWSFEED.work", wm)
	if err != nil {
		t.Fatal(err)
	}
	write("work.json", m.Data)
	write("work.headers", headers(m.Header))

	// Records message, with the validators the old code sent.
	res := parseSeed(t)
	seen := time.Date(2026, 11, 29, 9, 0, 0, 123, time.UTC)
	p := &record.Page{Source: "https://example.com/a.shtml", ContentHash: res.Article.ContentHash,
		ETag: `W/"etag-1"`, LastModified: "Sun, 29 Nov 2026 08:00:00 GMT",
		Seen: seen, Article: res.Article, Interview: res.Interview, Headlines: res.Headlines}
	m, err = EncodePage("NEWSFEED.records", p)
	if err != nil {
		t.Fatal(err)
	}
	write("records-etag.json", m.Data)
	write("records-etag.headers", headers(m.Header))
	p.ETag, p.LastModified = "", ""
	m, err = EncodePage("NEWSFEED.records", p)
	if err != nil {
		t.Fatal(err)
	}
	write("records.json", m.Data)
	write("records.headers", headers(m.Header))
	got, err := DecodePage(m.Data, m.Header)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := json.MarshalIndent(struct {
		Source, ContentHash string
		Seen                time.Time
		Article             *record.Article
		Interview           *record.Interview
		Headlines           []*record.Headline
		ArticleJSON         string
		InterviewJSON       string
	}{got.Source, got.ContentHash, got.Seen, got.Article, got.Interview, got.Headlines,
		string(got.ArticleJSON), string(got.InterviewJSON)}, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	write("records-decoded.json", dec)

	// KV keys and values.
	var kv []string
	for _, s := range []string{"news.example.com", "Example.COM:8080", "[::1]:80", "", "a..b", ".x.", "新闻.cn", "section one"} {
		kv = append(kv, "host "+s+" = "+keyURL+"|"+keyDefer+keyPart(s, true)+"|"+keySlot+"3."+keyPart(s, true)+
			"|"+keyRobots+keyPart(s, true)+"|"+keyRobotsLock+keyPart(s, true)+"|"+keyNext+keyPart(s, true)+"|"+keyPause+keyPart(s, true))
		kv = append(kv, "source "+s+" = "+sourceIndex(s)+urlHash("https://x/"+s)+"|"+keyPoll+keyPart(s, false))
	}
	at := time.Date(2026, 11, 29, 9, 0, 0, 123456789, time.UTC)
	for _, v := range []any{
		urlValue{URL: "https://x/a", URLState: record.URLState{Source: "s", ETag: `"e"`, LastModified: "Sun, 29 Nov 2026 08:00:00 GMT",
			BodyHash: "abc", Status: 200, FirstFetched: at, LastFetched: at.Add(time.Hour), LastChanged: at}},
		leaseValue{Owner: "h:1:ab", Until: at}, nextValue{Last: at}, deferValue{Until: at, Reason: "429"},
		srcValue{FirstFetched: at}, timeValue{At: at},
		robotsValue{Status: 200, Body: []byte("User-agent: *\nDisallow: /x\n"), Fetched: at, Expires: at.Add(24 * time.Hour)},
	} {
		kv = append(kv, string(encodeValue(v)))
	}
	write("kv.txt", []byte(strings.Join(kv, "\n")+"\n"))

	// Dead letter, as published.
	c := newConn(t, Config{})
	ctx := context.Background()
	if err := c.publishDead(ctx, DeadLetter{WorkSeq: 42, URL: "https://x/a", Error: "fetch https://x/a: boom\nsecond line",
		Deliveries: 5, Worker: "host:123", Work: []byte(`{"url":"https://x/a"}`)}); err != nil {
		t.Fatal(err)
	}
	st, _ := c.JS.Stream(ctx, c.Names.DeadStream)
	raw, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	write("dead.json", raw.Data)
	write("dead.headers", headers(raw.Header))
}
