package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// replaceFile puts data at path by a rename, as a restore or a copy by
// hand does.
func replaceDB(tb testing.TB, path string, data []byte) {
	tb.Helper()
	tmp := filepath.Join(filepath.Dir(path), "incoming.db")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

// TestServe_DamagedDatabase is finding 1 of issue 19: a damaged
// database killed serve (a panic on an API request, a fault at the next
// build for a truncated file). Now the last good feeds stay served, the
// API answers 503 with a JSON error, /healthz says damaged (503) and
// newsfeed_db_damaged is 1; once a good file is put back, all is served
// again by itself.
func TestServe_DamagedDatabase(t *testing.T) {
	db := newDB(t, 20)
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, Config{DB: db, Poll: 20 * time.Millisecond}, "")
	waitFor(t, "the first build", func() bool { return srv.snap.Load() != nil })
	_, feedBody := get(t, "GET", srv.url+"articles.atom")
	first := srv.snap.Load()

	// A byte flipped inside every stored article's JSON.
	bad := bytes.Clone(good)
	for at := 0; ; {
		i := bytes.Index(bad[at:], []byte(`{"kind":"article"`))
		if i < 0 {
			break
		}
		bad[at+i+30] ^= 0x80
		at += i + 31
	}
	damagedNow := func(what string) {
		t.Helper()
		resp, body := get(t, "GET", srv.url+"api/records?since=0&limit=10000")
		var e struct{ Error string }
		if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, "damaged") {
			t.Errorf("%s: GET api/records: %d %.200s, want 503 with a JSON error saying damaged", what, resp.StatusCode, body)
		}
		resp, body = get(t, "GET", srv.url+"healthz")
		if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte(`"status":"damaged"`)) {
			t.Errorf("%s: GET healthz: %d %s", what, resp.StatusCode, body)
		}
		_, body = get(t, "GET", srv.url+"metrics")
		if !bytes.Contains(body, []byte("newsfeed_db_damaged 1")) {
			t.Errorf("%s: metrics lack newsfeed_db_damaged 1", what)
		}
		resp, body = get(t, "GET", srv.url+"articles.atom")
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, feedBody) {
			t.Errorf("%s: GET articles.atom: %d, the last good feed: %v", what, resp.StatusCode, bytes.Equal(body, feedBody))
		}
	}
	replaceDB(t, db, bad)
	waitFor(t, "a build from the damaged file", func() bool { return srv.damage() != "" })
	damagedNow("bytes flipped in records")

	// A truncated copy put in its place: bbolt would fault on it.
	replaceDB(t, db, good[:len(good)/2])
	time.Sleep(100 * time.Millisecond) // several polls
	damagedNow("a truncated file")

	// The good file back: served again, with nothing to do.
	replaceDB(t, db, good)
	waitFor(t, "recovery", func() bool {
		resp, _ := get(t, "GET", srv.url+"healthz")
		return resp.StatusCode == http.StatusOK
	})
	resp, body := get(t, "GET", srv.url+"api/records?since=0&limit=10000")
	if resp.StatusCode != http.StatusOK || len(lines(body)) < 20 {
		t.Errorf("after recovery: GET api/records: %d, %d lines", resp.StatusCode, len(lines(body)))
	}
	if _, body = get(t, "GET", srv.url+"metrics"); !bytes.Contains(body, []byte("newsfeed_db_damaged 0")) {
		t.Error("after recovery: metrics lack newsfeed_db_damaged 0")
	}
	if srv.snap.Load() == first {
		t.Error("the good file was not built again")
	}
}
