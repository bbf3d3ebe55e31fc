package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/andybalholm/brotli"
)

// TestGet_BodyCap: a 100 MB body, streamed, stops at the cap with
// ErrTooLarge, whether or not it announces its length; a body exactly at
// the cap is read whole.
func TestGet_BodyCap(t *testing.T) {
	const (
		cap      = 1 << 20
		hundredM = 100 << 20
	)
	var written atomic.Int64
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		size := int64(hundredM)
		switch r.URL.Path {
		case "/exact":
			size = cap
		case "/announced":
			w.Header().Set("Content-Length", strconv.Itoa(hundredM))
		}
		for sent := int64(0); sent < size; sent += int64(len(chunk)) {
			n, err := w.Write(chunk[:min(int64(len(chunk)), size-sent)])
			written.Add(int64(n))
			if err != nil {
				return // the client hung up
			}
		}
	})
	cfg := testConfig(t, s)
	cfg.MaxBytes = cap
	f := newFetcher(t, cfg)
	for _, path := range []string{"/streamed", "/announced"} {
		written.Store(0)
		resp, err := f.Get(context.Background(), s.URL+path, Validators{})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: err = %v, want ErrTooLarge", path, err)
		}
		if resp != nil {
			t.Errorf("%s: a response came with the error", path)
		}
		t.Logf("%s: %v", path, err)
	}
	if st := f.Stats(); st.Retries != 0 || st.Bytes > cap {
		t.Errorf("Stats = %+v: retried, or read past the cap", st)
	}
	resp, err := f.Get(context.Background(), s.URL+"/exact", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != cap {
		t.Errorf("body of %d bytes, want %d", len(resp.Body), cap)
	}
}

// TestGet_Encodings: gzip and br bodies are decoded; bombs stop at the
// decoded cap; an encoding we did not ask for is an error.
func TestGet_Encodings(t *testing.T) {
	const cap = 256 << 10
	page := strings.Repeat("<p>新闻 news</p>\n", 1000)
	bomb := make([]byte, 8<<20) // zeros: 8 MiB, 32 times the cap, that compress to a few KiB
	bodies := map[string]struct {
		encoding string
		body     []byte
	}{
		"/gzip":       {"gzip", gzipped(t, []byte(page))},
		"/br":         {"br", brotlied(t, []byte(page))},
		"/identity":   {"", []byte(page)},
		"/gzip-bomb":  {"gzip", gzipped(t, bomb)},
		"/br-bomb":    {"br", brotlied(t, bomb)},
		"/deflate":    {"deflate", []byte(page)},
		"/bad-gzip":   {"gzip", []byte("not gzip at all")},
		"/gzip-upper": {"GZIP", gzipped(t, []byte(page))},
	}
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		b := bodies[r.URL.Path]
		if b.encoding != "" {
			w.Header().Set("Content-Encoding", b.encoding)
		}
		w.Write(b.body)
	})
	cfg := testConfig(t, s)
	cfg.MaxBytes = cap
	cfg.Retries = -1
	f := newFetcher(t, cfg)
	for path, b := range bodies {
		t.Run(path[1:], func(t *testing.T) {
			resp, err := f.Get(context.Background(), s.URL+path, Validators{})
			switch {
			case strings.HasSuffix(path, "-bomb"):
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
				t.Logf("%d compressed bytes: %v", len(b.body), err)
			case path == "/deflate" || path == "/bad-gzip":
				if err == nil {
					t.Fatal("no error")
				}
				t.Log(err)
			default:
				if err != nil {
					t.Fatal(err)
				}
				if string(resp.Body) != page {
					t.Errorf("body of %d bytes, want the page's %d", len(resp.Body), len(page))
				}
			}
		})
	}
	reqs := s.requests(true)
	for _, r := range reqs {
		if ae := r.Header.Get("Accept-Encoding"); ae != "gzip, br" {
			t.Errorf("Accept-Encoding = %q", ae)
		}
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func brotlied(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriterLevel(&buf, 5)
	if _, err := bw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCappedReader: exactly max bytes read whole; max+1 refused; the
// error is not io.EOF and persists.
func TestCappedReader(t *testing.T) {
	for _, tt := range []struct {
		size, max int
		ok        bool
	}{{0, 0, true}, {1, 0, false}, {10, 10, true}, {11, 10, false}, {5, 10, true}, {100000, 4096, false}} {
		r := newCappedReader(bytes.NewReader(make([]byte, tt.size)), int64(tt.max), "body")
		got, err := io.ReadAll(r)
		if tt.ok && (err != nil || len(got) != tt.size) || !tt.ok && !errors.Is(err, ErrTooLarge) {
			t.Errorf("size %d max %d: %d bytes, %v", tt.size, tt.max, len(got), err)
		}
		if !tt.ok {
			if _, err := r.Read(make([]byte, 10)); !errors.Is(err, ErrTooLarge) {
				t.Errorf("size %d max %d: a second Read gave %v", tt.size, tt.max, err)
			}
		}
	}
}

// TestGet_RedirectLoop: at most five redirects are followed.
func TestGet_RedirectLoop(t *testing.T) {
	var n atomic.Int32
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/five" && n.Load() >= 5 {
			w.Write([]byte("arrived"))
			return
		}
		n.Add(1)
		http.Redirect(w, r, r.URL.Path+"#frag", http.StatusFound)
	})
	f := newFetcher(t, testConfig(t, s))
	_, err := f.Get(context.Background(), s.URL+"/loop", Validators{})
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("err = %v, want ErrTooManyRedirects", err)
	}
	if got := s.count("/loop"); got != 6 {
		t.Errorf("server got %d requests, want 6 (the first and 5 redirects)", got)
	}
	n.Store(0)
	resp, err := f.Get(context.Background(), s.URL+"/five", Validators{})
	if err != nil {
		t.Fatalf("five redirects: %v", err)
	}
	if resp.URL != s.URL+"/five" || string(resp.Body) != "arrived" {
		t.Errorf("got %q from %s", resp.Body, resp.URL)
	}
}

// TestGet_Redirect: the final URL is reported, and validators go along.
func TestGet_Redirect(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			w.Header().Set("Location", "/new?x=1")
			w.WriteHeader(http.StatusMovedPermanently)
		case "/new":
			w.WriteHeader(http.StatusNotModified)
		}
	})
	f := newFetcher(t, testConfig(t, s))
	resp, err := f.Get(context.Background(), s.URL+"/old", Validators{ETag: `"e"`})
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL != s.URL+"/new?x=1" || !resp.NotModified {
		t.Errorf("got %+v", resp)
	}
	for _, r := range s.requests(true) {
		if r.Header.Get("If-None-Match") != `"e"` {
			t.Errorf("%s: If-None-Match = %q", r.Path, r.Header.Get("If-None-Match"))
		}
	}
}

// FuzzReadBody: whatever the bytes and the encoding, the body returned is
// never over the cap; a plain body under the cap comes back as it is, one
// over it is ErrTooLarge.
func FuzzReadBody(f *testing.F) {
	f.Add([]byte("hello"), uint8(0), uint16(10))
	f.Add(gzipped(f, []byte("hello, hello, hello")), uint8(1), uint16(8))
	f.Add(brotlied(f, make([]byte, 1000)), uint8(2), uint16(100))
	encodings := []string{"", "gzip", "br"}
	f.Fuzz(func(t *testing.T, data []byte, enc uint8, max uint16) {
		resp := &http.Response{
			Header:        http.Header{"Content-Encoding": {encodings[int(enc)%len(encodings)]}},
			Body:          io.NopCloser(bytes.NewReader(data)),
			ContentLength: -1,
		}
		body, n, err := readBody(resp, int64(max))
		if len(body) > int(max) || n > int64(max) {
			t.Fatalf("%d bytes decoded, %d read, over the cap %d", len(body), n, max)
		}
		if enc%3 == 0 {
			if len(data) <= int(max) && (err != nil || !bytes.Equal(body, data)) {
				t.Fatalf("plain body under the cap: %q, %v", body, err)
			}
			if len(data) > int(max) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("plain body over the cap: %v", err)
			}
		}
	})
}
