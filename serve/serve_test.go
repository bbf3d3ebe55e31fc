package serve

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"newsfeed/record"
	"newsfeed/store"
)

// seedArticleID returns the id of the seed page's article.
func seedArticleID(tb testing.TB) string { return page(tb, -1).Article.ID }

func TestServe_Routes(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 3)}, "")
	seedArticleID := seedArticleID(t)
	column := "headlines/" + url.PathEscape("航空航天")
	cases := []struct {
		method, path string
		code         int
		ctype, body  string
	}{
		{"GET", "", 200, "text/html; charset=utf-8", `rel="alternate" type="application/atom+xml"`},
		{"GET", "index.html", 200, "text/html; charset=utf-8", "Newest articles"},
		{"GET", "articles.atom", 200, "application/atom+xml; charset=utf-8", "<feed"},
		{"GET", "articles.rss", 200, "application/rss+xml; charset=utf-8", "<rss"},
		{"GET", "articles.json", 200, "application/feed+json; charset=utf-8", `"version":"https://jsonfeed.org/version/1.1"`},
		{"GET", "interviews.atom", 200, "application/atom+xml; charset=utf-8", "<entry>"},
		{"GET", "headlines.rss", 200, "application/rss+xml; charset=utf-8", "<item>"},
		{"GET", column + ".atom", 200, "application/atom+xml; charset=utf-8", "航空航天"},
		{"GET", column + ".json", 200, "application/feed+json; charset=utf-8", "航空航天"},
		{"GET", "feed.xsl", 200, "text/xsl; charset=utf-8", "<xsl:stylesheet"},
		{"GET", "api/stats", 200, "application/json; charset=utf-8", `"kinds":[{"kind":"article","count":4`},
		{"GET", "api/records?limit=2", 200, "application/x-ndjson; charset=utf-8", `"seq":1,"op":"insert"`},
		{"GET", "api/records/" + seedArticleID, 200, "application/json; charset=utf-8", `"kind":"article","id":"` + seedArticleID},
		{"GET", "healthz", 200, "application/json; charset=utf-8", `"status":"ok"`},
		{"GET", "metrics", 200, "text/plain; version=0.0.4; charset=utf-8", "newsfeed_http_requests_total"},
		{"GET", "nope.atom", 404, "text/plain; charset=utf-8", "404"},
		{"GET", "headlines/nope.rss", 404, "text/plain; charset=utf-8", "404"},
		{"GET", "api/records/a_00000000000000000000", 404, "application/json; charset=utf-8", `{"error":"no record a_00000000000000000000"}`},
		{"GET", "api/records/not-an-id", 400, "application/json; charset=utf-8", `"error":`},
		{"GET", "api/records?since=-1", 400, "application/json; charset=utf-8", `since=\"-1\"`},
		{"GET", "api/records?since=x", 400, "application/json; charset=utf-8", `since=\"x\"`},
		{"GET", "api/records?kind=page", 400, "application/json; charset=utf-8", `kind=\"page\"`},
		{"GET", "api/records?limit=0", 400, "application/json; charset=utf-8", `limit=\"0\"`},
		{"GET", "api/records?limit=10001", 400, "application/json; charset=utf-8", `limit=\"10001\"`},
		{"GET", "api/records?limit=1&limit=2", 400, "application/json; charset=utf-8", `given 2 times`},
		{"GET", "api/records?sinse=3", 400, "application/json; charset=utf-8", `unknown parameter \"sinse\"`},
		{"GET", "api/stats?x=1", 400, "application/json; charset=utf-8", `"error":`},
		{"POST", "articles.atom", 405, "text/plain; charset=utf-8", "405"},
		{"DELETE", "api/records", 405, "application/json; charset=utf-8", `"error":`},
	}
	for _, c := range cases {
		t.Run(c.method+" /"+c.path, func(t *testing.T) {
			resp, body := get(t, c.method, ts.url+c.path)
			if resp.StatusCode != c.code {
				t.Errorf("status %d, want %d: %.200s", resp.StatusCode, c.code, body)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, c.ctype) {
				t.Errorf("Content-Type %q, want %q", got, c.ctype)
			}
			if !bytes.Contains(body, []byte(c.body)) {
				t.Errorf("body lacks %q:\n%.300s", c.body, body)
			}
			if c.code == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("405 without Allow: GET, HEAD")
			}
		})
	}
}

func TestServe_ConditionalGET(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 2), MaxAge: 90 * time.Second}, "")
	for _, path := range []string{"articles.atom", "headlines.rss", "interviews.json", "", "feed.xsl"} {
		t.Run("/"+path, func(t *testing.T) {
			u := ts.url + path
			resp, body := get(t, "GET", u)
			etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if resp.StatusCode != 200 || len(body) == 0 || !strings.HasPrefix(etag, `"`) {
				t.Fatalf("status %d, %d bytes, ETag %q", resp.StatusCode, len(body), etag)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=90" {
				t.Errorf("Cache-Control %q", cc)
			}
			if v := resp.Header.Get("Vary"); !strings.HasSuffix(v, "Accept-Encoding") {
				t.Errorf("Vary %q", v)
			}
			if again, _ := get(t, "GET", u); again.Header.Get("ETag") != etag {
				t.Errorf("ETag changed between requests: %q, %q", etag, again.Header.Get("ETag"))
			}
			notModified := [][]string{
				{"If-None-Match", etag},
				{"If-None-Match", "W/" + etag},
				{"If-None-Match", `"other", ` + etag},
				{"If-None-Match", "*"},
			}
			modified := [][]string{
				{"If-None-Match", `"other"`},
				// If-None-Match wins over a matching date.
				{"If-None-Match", `"other"`, "If-Modified-Since", lm},
				{"If-Modified-Since", "not a date"},
			}
			if lm != "" {
				when, err := http.ParseTime(lm)
				if err != nil {
					t.Fatalf("Last-Modified %q: %v", lm, err)
				}
				notModified = append(notModified,
					[]string{"If-Modified-Since", lm},
					[]string{"If-Modified-Since", when.Add(time.Hour).Format(http.TimeFormat)})
				modified = append(modified, []string{"If-Modified-Since", when.Add(-time.Second).Format(http.TimeFormat)})
			}
			for _, h := range notModified {
				resp, body := get(t, "GET", u, h...)
				if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
					t.Errorf("%q: status %d with %d bytes, want 304 and none", h, resp.StatusCode, len(body))
				}
				if resp.Header.Get("ETag") != etag {
					t.Errorf("%q: 304 with ETag %q, want %q", h, resp.Header.Get("ETag"), etag)
				}
			}
			for _, h := range modified {
				if resp, body := get(t, "GET", u, h...); resp.StatusCode != 200 || len(body) == 0 {
					t.Errorf("%q: status %d with %d bytes, want 200 and the body", h, resp.StatusCode, len(body))
				}
			}
		})
	}
}

func TestServe_GzipAndIdentity(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 2)}, "")
	for _, path := range []string{"headlines.atom", "articles.rss", "articles.json", ""} {
		t.Run("/"+path, func(t *testing.T) {
			u := ts.url + path
			plain, body := get(t, "GET", u)
			if plain.Header.Get("Content-Encoding") != "" {
				t.Fatalf("Content-Encoding %q without Accept-Encoding", plain.Header.Get("Content-Encoding"))
			}
			zipped, zbody := get(t, "GET", u, "Accept-Encoding", "br, gzip;q=0.8")
			if zipped.Header.Get("Content-Encoding") != "gzip" || !strings.HasSuffix(zipped.Header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("Content-Encoding %q, Vary %q", zipped.Header.Get("Content-Encoding"), zipped.Header.Get("Vary"))
			}
			if len(zbody) >= len(body) {
				t.Errorf("gzip body %d bytes, identity %d", len(zbody), len(body))
			}
			zr, err := gzip.NewReader(bytes.NewReader(zbody))
			if err != nil {
				t.Fatal(err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(unzipped, body) {
				t.Errorf("gunzipped body differs from identity (err %v)", err)
			}
			if zipped.Header.Get("ETag") == plain.Header.Get("ETag") {
				t.Errorf("gzip and identity share the strong ETag %s", plain.Header.Get("ETag"))
			}
			// Either representation's ETag validates.
			if r, _ := get(t, "GET", u, "If-None-Match", zipped.Header.Get("ETag")); r.StatusCode != 304 {
				t.Errorf("identity request with the gzip ETag: %d", r.StatusCode)
			}
			for _, ae := range []string{"gzip;q=0", "br", "identity", "gzip; q=0.000"} {
				if r, _ := get(t, "GET", u, "Accept-Encoding", ae); r.Header.Get("Content-Encoding") != "" {
					t.Errorf("Accept-Encoding %q got %q", ae, r.Header.Get("Content-Encoding"))
				}
			}
		})
	}
}

// TestServe_AcceptEncodingLines: with Accept-Encoding sent in several
// field lines, the first item naming gzip decides, as in one line.
func TestServe_AcceptEncodingLines(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 1)}, "")
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"br", "gzip"}, "gzip"},
		{[]string{"gzip;q=0", "gzip"}, ""},
		{[]string{"identity", "br, deflate"}, ""},
	} {
		req, err := http.NewRequest("GET", ts.url+"articles.atom", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header["Accept-Encoding"] = c.lines
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Content-Encoding"); got != c.want {
			t.Errorf("Accept-Encoding lines %q: Content-Encoding %q, want %q", c.lines, got, c.want)
		}
	}
}

// TestServe_BrowserGetsXML: a browser's navigation gets an RSS or Atom
// feed as application/xml, so that it runs the stylesheet; feed readers
// get the feed's own type. The bytes and the ETag are the same.
func TestServe_BrowserGetsXML(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 1)}, "")
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
	for _, c := range []struct{ path, accept, ctype, vary string }{
		{"articles.atom", browser, "application/xml; charset=utf-8", "Sec-Fetch-Dest, Accept, Accept-Encoding"},
		{"articles.rss", browser, "application/xml; charset=utf-8", "Sec-Fetch-Dest, Accept, Accept-Encoding"},
		{"articles.atom", "", "application/atom+xml; charset=utf-8", "Sec-Fetch-Dest, Accept, Accept-Encoding"},
		{"articles.atom", "*/*", "application/atom+xml; charset=utf-8", "Sec-Fetch-Dest, Accept, Accept-Encoding"},
		{"articles.atom", "application/atom+xml, application/rss+xml;q=0.9, text/html;q=0.1",
			"application/atom+xml; charset=utf-8", "Sec-Fetch-Dest, Accept, Accept-Encoding"},
		{"articles.rss", "application/rss+xml, text/html", "application/rss+xml; charset=utf-8", "Sec-Fetch-Dest, Accept, Accept-Encoding"},
		{"articles.json", browser, "application/feed+json; charset=utf-8", "Sec-Fetch-Dest, Accept-Encoding"},
		{"", browser, "text/html; charset=utf-8", "Accept-Encoding"},
	} {
		resp, body := get(t, "GET", ts.url+c.path, "Accept", c.accept)
		_, plain := get(t, "GET", ts.url+c.path)
		if got := resp.Header.Get("Content-Type"); got != c.ctype || resp.Header.Get("Vary") != c.vary {
			t.Errorf("/%s, Accept %q: Content-Type %q, Vary %q; want %q, %q", c.path, c.accept, got,
				resp.Header.Get("Vary"), c.ctype, c.vary)
		}
		if !bytes.Equal(body, plain) {
			t.Errorf("/%s: other bytes for Accept %q", c.path, c.accept)
		}
	}
}

func TestServe_HEAD(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 1)}, "")
	for _, path := range []string{"articles.atom", "", "api/stats", "healthz", "api/records/" + seedArticleID(t)} {
		for _, ae := range []string{"", "gzip"} {
			full, body := get(t, "GET", ts.url+path, "Accept-Encoding", ae)
			head, hbody := get(t, "HEAD", ts.url+path, "Accept-Encoding", ae)
			if head.StatusCode != 200 || len(hbody) != 0 {
				t.Errorf("HEAD /%s: status %d, %d body bytes", path, head.StatusCode, len(hbody))
			}
			if head.ContentLength != int64(len(body)) || head.Header.Get("Content-Type") != full.Header.Get("Content-Type") {
				t.Errorf("HEAD /%s (%s): length %d, type %q; GET gave %d, %q", path, ae, head.ContentLength,
					head.Header.Get("Content-Type"), len(body), full.Header.Get("Content-Type"))
			}
		}
	}
}

// rawStatus sends a request line as written, bypassing any client's
// path cleaning, and returns the status code.
func rawStatus(t *testing.T, addr, target string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("status line %q", line)
	}
	return f[1]
}

func TestServe_PathTraversal(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 1)}, "")
	addr := strings.TrimSuffix(strings.TrimPrefix(ts.url, "http://"), "/")
	for _, target := range []string{
		"/../../etc/passwd",
		"/%2e%2e/%2e%2e/etc/passwd",
		"/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
		"/headlines/../../etc/passwd",
		"/headlines/..%2f..%2fetc%2fpasswd",
		"/headlines/../articles.atom",
		"/./articles.atom",
		"//articles.atom",
		"/api/records/../../etc/passwd",
		"/..%5c..%5cetc%5cpasswd",
		"/%zz/articles.atom",
		"/articles.atom%",
	} {
		if got := rawStatus(t, addr, target); got != "404" && got != "400" {
			t.Errorf("%s: status %s, want 404", target, got)
		}
	}
	if got := rawStatus(t, addr, "/articles.atom"); got != "200" {
		t.Errorf("/articles.atom: status %s", got)
	}
}

// TestServe_HeaderLimit: headers over MaxHeaderBytes are refused with
// 431 and the connection closed; headers under it are served.
func TestServe_HeaderLimit(t *testing.T) {
	const limit = 4 << 10
	ts := startServer(t, Config{DB: newDB(t, 1), MaxHeaderBytes: limit}, "")
	for _, c := range []struct {
		size int
		code int
	}{{limit / 2, 200}, {2 * limit, 431}} {
		resp, _ := get(t, "GET", ts.url+"articles.atom", "X-Filler", strings.Repeat("a", c.size))
		if resp.StatusCode != c.code {
			t.Errorf("%d bytes of headers: status %d, want %d", c.size, resp.StatusCode, c.code)
		}
	}
}

// TestServe_SlowLoris: a client that sends its headers a line at a time,
// never finishing, is cut at the read-header timeout, and others are
// served meanwhile.
func TestServe_SlowLoris(t *testing.T) {
	const timeout = 400 * time.Millisecond
	ts := startServer(t, Config{DB: newDB(t, 1), ReadHeaderTimeout: timeout, ReadTimeout: timeout}, "")
	addr := strings.TrimSuffix(strings.TrimPrefix(ts.url, "http://"), "/")
	conn, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t0 := time.Now()
	if _, err := io.WriteString(conn, "GET /articles.atom HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan time.Duration, 1)
	go func() {
		buf := make([]byte, 1024)
		conn.SetReadDeadline(time.Now().Add(testTimeout))
		for {
			if _, err := conn.Read(buf); err != nil {
				closed <- time.Since(t0)
				return
			}
		}
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case took := <-closed:
			if took < timeout {
				t.Errorf("cut after %v, before the %v timeout", took, timeout)
			}
			if took >= testTimeout {
				t.Fatalf("not cut within %v", testTimeout)
			}
			if r, _ := get(t, "GET", ts.url+"articles.atom"); r.StatusCode != 200 {
				t.Errorf("after the slow client: status %d", r.StatusCode)
			}
			return
		case <-tick.C:
			io.WriteString(conn, "X-Slow: still here\r\n") // fails once the server has cut us
		}
	}
}

// TestServe_RebuildsWhenTheDatabaseChanges: pages stored while the server
// runs show in the next build; the old ETag then gets 200, the new one
// 304, and Last-Modified moves on.
func TestServe_RebuildsWhenTheDatabaseChanges(t *testing.T) {
	db := newDB(t, 2)
	ts := startServer(t, Config{DB: db}, "")
	before, body := get(t, "GET", ts.url+"articles.atom")
	if before.StatusCode != 200 {
		t.Fatal(before.Status)
	}
	newPage := page(t, 7)
	if bytes.Contains(body, []byte(newPage.Article.Title)) {
		t.Fatal("the page is served before it is stored")
	}
	writePages(t, db, testNow.Add(time.Hour), 7, 1)
	var after *http.Response
	waitFor(t, "a new ETag", func() bool {
		after, body = get(t, "GET", ts.url+"articles.atom")
		return after.Header.Get("ETag") != before.Header.Get("ETag")
	})
	if !bytes.Contains(body, []byte(newPage.Article.Title)) {
		t.Errorf("the new article %q is not in the feed", newPage.Article.Title)
	}
	if r, _ := get(t, "GET", ts.url+"articles.atom", "If-None-Match", before.Header.Get("ETag")); r.StatusCode != 200 {
		t.Errorf("old ETag: status %d, want 200", r.StatusCode)
	}
	if r, _ := get(t, "GET", ts.url+"articles.atom", "If-Modified-Since", before.Header.Get("Last-Modified")); r.StatusCode != 200 {
		t.Errorf("old Last-Modified: status %d, want 200", r.StatusCode)
	}
	if r, _ := get(t, "GET", ts.url+"articles.atom", "If-None-Match", after.Header.Get("ETag")); r.StatusCode != 304 {
		t.Errorf("new ETag: status %d, want 304", r.StatusCode)
	}
}

// TestServe_LastModifiedMovesWhenBytesChange: a page stored with an
// older date than the newest item changes the feed but not its newest
// date; Last-Modified still moves, so If-Modified-Since alone sees it.
func TestServe_LastModifiedMovesWhenBytesChange(t *testing.T) {
	db := newDB(t, 1)
	// The clock moves on before the write below; it is read by the
	// server's goroutines, so atomically.
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	ts := startServer(t, Config{DB: db, Now: func() time.Time { return time.Unix(0, now.Load()) }}, "")
	before, _ := get(t, "GET", ts.url+"headlines.atom")
	now.Add(int64(time.Hour))
	writePages(t, db, testNow.Add(-time.Hour), 5, 1)
	var after *http.Response
	waitFor(t, "a new ETag", func() bool {
		after, _ = get(t, "GET", ts.url+"headlines.atom")
		return after.Header.Get("ETag") != before.Header.Get("ETag")
	})
	b, _ := http.ParseTime(before.Header.Get("Last-Modified"))
	a, _ := http.ParseTime(after.Header.Get("Last-Modified"))
	if !a.After(b) {
		t.Errorf("Last-Modified %v after the change, %v before", a, b)
	}
}

func TestServe_API(t *testing.T) {
	db := newDB(t, 4)
	ts := startServer(t, Config{DB: db}, "")
	// Read-only, beside the server's own read-only opens.
	s, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// What export prints for a query, read from the store directly.
	export := func(q store.ChangeQuery) []string {
		var out []string
		if err := s.Changes(context.Background(), q, func(c store.Change) error {
			out = append(out, string(c.ExportJSON()))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	seedArticleID := seedArticleID(t)
	record1, err := s.GetJSON(context.Background(), seedArticleID)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		query string
		q     store.ChangeQuery
	}{
		{"", store.ChangeQuery{Limit: DefaultRecordsLimit}},
		{"?since=40", store.ChangeQuery{Since: 40, Limit: DefaultRecordsLimit}},
		{"?kind=article", store.ChangeQuery{Kind: record.KindArticle, Limit: DefaultRecordsLimit}},
		{"?since=10&kind=headline&limit=7", store.ChangeQuery{Since: 10, Kind: record.KindHeadline, Limit: 7}},
		{"?since=999999", store.ChangeQuery{Since: 999999, Limit: DefaultRecordsLimit}},
	}
	for _, c := range cases {
		resp, body := get(t, "GET", ts.url+"api/records"+c.query)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", c.query, resp.StatusCode, body)
		}
		got, want := lines(body), export(c.q)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: %d lines, export gives %d:\n%.300s", c.query, len(got), len(want), body)
		}
	}
	// Paging by the last seq seen reads every line once.
	var all []string
	since := "0"
	for range 100 {
		_, body := get(t, "GET", ts.url+"api/records?limit=9&since="+since)
		page := lines(body)
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		var last struct{ Seq json.Number }
		if err := json.Unmarshal([]byte(page[len(page)-1]), &last); err != nil {
			t.Fatal(err)
		}
		since = last.Seq.String()
	}
	if want := export(store.ChangeQuery{}); strings.Join(all, "\n") != strings.Join(want, "\n") {
		t.Errorf("paging gave %d lines, export %d", len(all), len(want))
	}

	_, body := get(t, "GET", ts.url+"api/records/"+seedArticleID)
	if !bytes.Equal(bytes.TrimSuffix(body, []byte("\n")), record1) {
		t.Errorf("record differs from the stored JSON:\n%.200s", body)
	}
	var got apiStats
	_, body = get(t, "GET", ts.url+"api/stats")
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.LastSeq != stats.LastSeq || got.Pages != stats.Pages || len(got.Kinds) != 3 || got.Kinds[2].N != stats.Kinds[2].N ||
		len(got.Columns) != len(stats.Columns) {
		t.Errorf("stats %+v, store says %+v", got, stats)
	}
}

// A since older than the change log keeps (retention dropped a
// tombstone after it) is 410 Gone with a JSON error saying to read again
// from since=0, which still answers.
func TestServe_APISinceOlderThanTheLog(t *testing.T) {
	db := newDB(t, 3)
	ctx := context.Background()
	s, err := store.Open(ctx, db, store.Options{Now: func() time.Time { return time.Now().Add(-48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Delete(ctx, seedArticleID(t)); err != nil || n != 1 {
		t.Fatalf("delete: %d, %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = store.Open(ctx, db, store.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, store.PruneOptions{Retention: store.Retention{Log: 24 * time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{DB: db}, "")

	resp, body := get(t, "GET", ts.url+"api/records?since=1")
	var e struct{ Error string }
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if resp.StatusCode != http.StatusGone || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
		!strings.Contains(e.Error, "since=1") || !strings.Contains(e.Error, "read everything again from since=0") {
		t.Errorf("since=1: %d %s %q; want 410 and a JSON error", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp, body := get(t, "GET", ts.url+"api/records?since=0"); resp.StatusCode != 200 || len(lines(body)) == 0 {
		t.Errorf("since=0: %d %q", resp.StatusCode, body)
	}
}

func TestServe_Metrics(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 1)}, "")
	r, _ := get(t, "GET", ts.url+"articles.atom")
	get(t, "GET", ts.url+"articles.atom", "If-None-Match", r.Header.Get("ETag"))
	get(t, "GET", ts.url+"missing")
	_, body := get(t, "GET", ts.url+"metrics")
	for _, want := range []string{
		`newsfeed_http_requests_total{code="200",route="feed"} 1`,
		`newsfeed_http_requests_total{code="304",route="feed"} 1`,
		`newsfeed_http_requests_total{code="404",route="not_found"} 1`,
		`newsfeed_http_not_modified_total{route="feed"} 1`,
		`newsfeed_http_response_bytes_total{route="feed"} ` + r.Header.Get("Content-Length"),
		`newsfeed_builds_total{result="ok"} 1`,
		`newsfeed_build_duration_seconds_count 1`,
		`newsfeed_records{kind="article"} 2`,
		`newsfeed_records{kind="headline"}`,
		`newsfeed_db_last_write_timestamp_seconds 1.76838`,
		`newsfeed_feeds 10`, // 3 kinds, 6 columns, the site 观察者网
		`go_goroutines`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestServe_BasePath: under a base URL with a path, feeds, the index and
// the API are served under it, health and metrics at the root.
func TestServe_BasePath(t *testing.T) {
	ts := startServer(t, Config{DB: newDB(t, 1)}, "/news/feeds/")
	root := strings.TrimSuffix(ts.url, "news/feeds/")
	for path, code := range map[string]int{
		"news/feeds/articles.atom": 200, "news/feeds/": 200, "news/feeds/api/stats": 200,
		"articles.atom": 404, "": 404, "healthz": 200, "metrics": 200, "news/articles.atom": 404,
	} {
		if r, _ := get(t, "GET", root+path); r.StatusCode != code {
			t.Errorf("/%s: status %d, want %d", path, r.StatusCode, code)
		}
	}
	_, body := get(t, "GET", ts.url+"articles.atom")
	if !bytes.Contains(body, []byte(`href="`+ts.url+`articles.atom" rel="self"`)) {
		t.Errorf("self link is not %sarticles.atom:\n%.600s", ts.url, body)
	}
}

// TestServe_BeforeTheDatabaseExists: the server starts with no database
// (serve --every, before its first run) and serves feeds once it exists.
func TestServe_BeforeTheDatabaseExists(t *testing.T) {
	db := t.TempDir() + "/later.db"
	ts := startServer(t, Config{DB: db}, "")
	if r, body := get(t, "GET", ts.url); r.StatusCode != 200 || !bytes.Contains(body, []byte("<h1>newsfeed</h1>")) {
		t.Errorf("index: %d", r.StatusCode)
	}
	if r, _ := get(t, "GET", ts.url+"articles.atom"); r.StatusCode != 404 {
		t.Errorf("feed before the database: %d", r.StatusCode)
	}
	if r, _ := get(t, "GET", ts.url+"api/records"); r.StatusCode != 503 {
		t.Errorf("records before the database: %d", r.StatusCode)
	}
	writePages(t, db, testNow, -1, 1)
	waitFor(t, "the feeds", func() bool {
		r, _ := get(t, "GET", ts.url+"articles.atom")
		return r.StatusCode == 200
	})
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0.5": true, "*": true, "x-gzip": true,
		"": false, "identity": false, "gzip;q=0": false, "gzip; q=0.0": false, "br, deflate": false, "gzipx": false,
	} {
		if got := acceptsGzip(v); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}

// TestServe_ShutdownFinishesRequests: a request whose handler runs when
// the server is told to stop is answered in full before Serve returns
// nil; new connections are refused from then on.
func TestServe_ShutdownFinishesRequests(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	ts := startServer(t, Config{DB: newDB(t, 2)}, "")
	_, want := get(t, "GET", ts.url+"articles.atom")
	hold := func(c *fasthttp.RequestCtx) {
		if string(c.URI().QueryString()) == "hold" {
			close(entered)
			<-release
		}
	}
	ts.hold.Store(&hold)
	type result struct {
		code int
		body []byte
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := client.Get(ts.url + "articles.atom?hold")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, body, err}
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- ts.stop() }()
	addr := strings.TrimSuffix(strings.TrimPrefix(ts.url, "http://"), "/")
	waitFor(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	close(release)
	r := <-got
	if r.err != nil || r.code != 200 || !bytes.Equal(r.body, want) {
		t.Errorf("in-flight request: status %d, %d of %d bytes, %v", r.code, len(r.body), len(want), r.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// TestRefresh_KeepsUnchangedAssets: a rebuild after a change to the file
// that changed no feed keeps every asset as it was: its bytes, gzip copy,
// ETag and Last-Modified, so pollers keep getting 304s.
func TestRefresh_KeepsUnchangedAssets(t *testing.T) {
	db := newDB(t, 1)
	srv, err := New(Config{DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	first := srv.snap.Load()
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(db, later, later); err != nil {
		t.Fatal(err)
	}
	if err := srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	second := srv.snap.Load()
	if second == first {
		t.Fatal("no rebuild after the file's mtime changed")
	}
	for path, a := range first.assets {
		if second.assets[path] != a {
			t.Errorf("%q: a new asset for the same bytes", path)
		}
	}
}
