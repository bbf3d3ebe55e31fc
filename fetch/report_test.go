package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestGet_RequestLog: every request is one Info record with method, url,
// status, bytes and ms; a failed one adds the error.
func TestGet_RequestLog(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("hello"))
	})
	var buf bytes.Buffer
	cfg := testConfig(t, s)
	cfg.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	f := newFetcher(t, cfg)
	f.Get(context.Background(), s.URL+"/a", Validators{})
	f.Get(context.Background(), s.URL+"/missing", Validators{})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines:\n%s", len(lines), buf.String())
	}
	for i, want := range []struct {
		path   string
		status float64
		bytes  float64
		err    bool
	}{{"/a", 200, 5, false}, {"/missing", 404, 19, true}} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["level"] != "INFO" || rec["method"] != "GET" || rec["url"] != s.URL+want.path ||
			rec["status"] != want.status || rec["bytes"] != want.bytes || rec["ms"] == nil || (rec["error"] != nil) != want.err {
			t.Errorf("log line %d: %s", i, lines[i])
		}
	}
}

// TestFetcher_Defer: a deferral loaded with Defer refuses the host until
// its time, sends nothing, counts the host once, and is not reported back
// by Deferrals (it is already stored).
func TestFetcher_Defer(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	cfg := testConfig(t, s)
	cfg.Now = func() time.Time { return now }
	f := newFetcher(t, cfg)
	host := s.Listener.Addr().String()
	f.Defer(strings.ToUpper(host), now.Add(time.Minute))
	for range 2 {
		_, err := f.Get(context.Background(), s.URL+"/p", Validators{})
		var de *DeferredError
		if !errors.As(err, &de) || de.Host != host || !de.Until.Equal(now.Add(time.Minute)) {
			t.Fatalf("err = %v, want a DeferredError for %s", err, host)
		}
	}
	if n := len(s.requests(true)); n != 0 {
		t.Errorf("server got %d requests", n)
	}
	if st := f.Stats(); st.DeferredHosts != 1 || st.Requests != 0 {
		t.Errorf("Stats = %+v", st)
	}
	if d := f.Deferrals(); len(d) != 0 {
		t.Errorf("Deferrals = %v", d)
	}

	// A deferral that has passed lets the host be asked again.
	now = now.Add(time.Minute)
	if _, err := f.Get(context.Background(), s.URL+"/p", Validators{}); err != nil {
		t.Fatal(err)
	}
}

// TestGet_ConnectionErrorRetried: a connection dropped before any answer
// is retried.
func TestGet_ConnectionErrorRetried(t *testing.T) {
	var n atomic.Int32
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.Write([]byte("ok"))
	})
	f := newFetcher(t, testConfig(t, s))
	mustGetOK(t, f, s.URL+"/p", "ok")
	if st := f.Stats(); st.Retries != 1 {
		t.Errorf("Stats = %+v, want 1 retry", st)
	}
}

// TestGet_ConnectionRefused: a port nobody listens on fails after the
// retries with the dial error.
func TestGet_ConnectionRefused(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {})
	cfg := testConfig(t, s)
	cfg.Retries = 2
	s.Close() // the port is now closed, and still allowed
	f := newFetcher(t, cfg)
	_, err := f.Get(context.Background(), s.URL+"/p", Validators{})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want connection refused", err)
	}
	if st := f.Stats(); st.Retries != 2 || st.Requests != 3 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestUserAgent(t *testing.T) {
	for _, tt := range []struct{ version, contact, want string }{
		{"1.2.0", "https://news.example.org/about", "newsfeed/1.2.0 (+https://news.example.org/about)"},
		{"1.2.0", "", "newsfeed/1.2.0"},
		{"", "", "newsfeed/dev"},
	} {
		if got := UserAgent(tt.version, tt.contact); got != tt.want {
			t.Errorf("UserAgent(%q, %q) = %q, want %q", tt.version, tt.contact, got, tt.want)
		}
	}
	if got := robotsAgent(UserAgent("1", "x")); got != "newsfeed" {
		t.Errorf("robotsAgent = %q", got)
	}
}
