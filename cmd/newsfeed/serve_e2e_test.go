package main

// End-to-end tests of serve: the real binary serving while a cron-like
// `newsfeed run` subprocess writes the same database, serve --every, and
// shutdown on SIGTERM.

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"newsfeed/internal/testpages"
)

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// pagesDir writes generated pages first..first+n-1 into a new folder.
func pagesDir(t *testing.T, first, n int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := testpages.WriteDir(dir, first, n); err != nil {
		t.Fatal(err)
	}
	return dir
}

// httpGet returns the status, ETag and body of a GET, or an error.
func httpGet(url string) (int, string, []byte, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("ETag"), body, err
}

// waitServed polls url until ok says yes, failing after e2eTimeout.
func waitServed(t *testing.T, p *proc, url string, ok func(code int, etag string, body []byte) bool) []byte {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for {
		code, etag, body, err := httpGet(url)
		if err == nil && ok(code, etag, body) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not served as wanted within %v (last: %d, %v); serve's stderr:\n%s", url, e2eTimeout, code, err, p.errText())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// stopServe sends SIGTERM and checks that serve exits 0.
func stopServe(t *testing.T, p *proc) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != exitOK {
		t.Errorf("serve exited %d after SIGTERM, want 0; stderr:\n%s", code, p.errText())
	}
}

// TestServe_E2E_RunBeside: serve runs while a `newsfeed run` subprocess
// stores new pages in the same database, as cron would. The run exits 0
// within its lock timeout while readers poll the server, and the served
// feed then shows the new item under a new ETag. SIGTERM stops serve
// with status 0.
func TestServe_E2E_RunBeside(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "newsfeed.db")
	out := filepath.Join(dir, "feeds")
	first := startNewsfeed(t, false, "run", "--quiet", "--db", db, "--out", out, pagesDir(t, 0, 20))
	if code := first.wait(t); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, first.errText())
	}
	addr := freeAddr(t)
	base := "http://" + addr + "/"
	srv := startNewsfeed(t, false, "serve", "--db", db, "--addr", addr, "--access-log=false")
	var etag1 string
	waitServed(t, srv, base+"articles.atom", func(code int, etag string, _ []byte) bool {
		etag1 = etag
		return code == 200
	})

	// Readers poll all along; none may fail.
	var stop atomic.Bool
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if code, _, _, err := httpGet(base + "headlines.atom"); err != nil || code != 200 {
					failures.Add(1)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	newPages := pagesDir(t, 1000, 30)
	const lockTimeout = 20 * time.Second
	t0 := time.Now()
	run := startNewsfeed(t, false, "run", "--quiet", "--db", db, "--out", out,
		"--lock-timeout", lockTimeout.String(), newPages)
	code := run.wait(t)
	took := time.Since(t0)
	stop.Store(true)
	wg.Wait()
	if code != exitOK {
		t.Fatalf("run beside serve: exit %d after %v\n%s", code, took, run.errText())
	}
	if took > lockTimeout {
		t.Errorf("run took %v, more than its lock timeout %v", took, lockTimeout)
	}
	if n := failures.Load(); n > 0 {
		t.Errorf("%d requests failed while run wrote", n)
	}
	// Generated page i's title ends in (第i期).
	body := waitServed(t, srv, base+"articles.atom", func(code int, etag string, body []byte) bool {
		return code == 200 && etag != etag1 && bytes.Contains(body, []byte("(第1029期)</title>"))
	})
	if !bytes.Contains(body, []byte(`<?xml-stylesheet type="text/xsl" href="feed.xsl"?>`)) {
		t.Errorf("served feed has no stylesheet instruction")
	}
	stopServe(t, srv)
}

// TestServe_E2E_Every: serve --every runs `newsfeed run` in-process
// (creating the database) and serves what it stored.
func TestServe_E2E_Every(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "newsfeed.db")
	addr := freeAddr(t)
	srv := startNewsfeed(t, false, "serve", "--db", db, "--addr", addr, "--every", "1h",
		"--", "--quiet", "--out", filepath.Join(dir, "feeds"), pagesDir(t, 0, 5))
	body := waitServed(t, srv, "http://"+addr+"/api/stats", func(code int, _ string, body []byte) bool {
		return code == 200 && bytes.Contains(body, []byte(`"pages":5`))
	})
	if !bytes.Contains(body, []byte(`"kind":"article","count":5`)) {
		t.Errorf("stats after the first run: %s", body)
	}
	srv.waitLine(t, "run finished")
	if _, err := os.Stat(filepath.Join(dir, "feeds", "articles.atom")); err != nil {
		t.Errorf("the in-process run did not publish: %v", err)
	}
	stopServe(t, srv)
}

// TestServe_E2E_Usage: bad flags and a missing database are usage errors
// (exit 2); a port in use is a failure (exit 1).
func TestServe_E2E_Usage(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(dir, "newsfeed.db")
	first := startNewsfeed(t, false, "run", "--quiet", "--db", db, "--out", filepath.Join(dir, "feeds"), pagesDir(t, 0, 1))
	if code := first.wait(t); code != exitOK {
		t.Fatalf("run: exit %d", code)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"serve", "--db", filepath.Join(dir, "missing.db")}, exitUsage},
		{[]string{"serve", "--db", db, "seeds/"}, exitUsage},
		{[]string{"serve", "--db", db, "--max-age", "-1s"}, exitUsage},
		{[]string{"serve", "--db", db, "--base-url", "ftp://x/"}, exitUsage},
		{[]string{"serve", "--db", db, "--addr", ln.Addr().String()}, exitFailed},
	} {
		p := startNewsfeed(t, false, c.args...)
		if code := p.wait(t); code != c.code {
			t.Errorf("%q: exit %d, want %d\n%s", c.args, code, c.code, p.errText())
		}
	}
}
