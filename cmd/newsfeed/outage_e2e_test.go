package main

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsfeed/config"
	"newsfeed/internal/testsite"
)

// deadAddr returns a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// A refused connection is a failure, not a robots refusal: exit 1, the
// host named.
func TestIngest_RefusedHostFails(t *testing.T) {
	dead := deadAddr(t)
	code, _, stderr := runCmd(t, "", "ingest", "--db", filepath.Join(t.TempDir(), "x.db"), "--retries", "0",
		"--allow-private", "http://"+dead+"/x")
	if code != exitFailed || !strings.Contains(stderr, " 1 failed") || !strings.Contains(stderr, "host "+dead+" failing") ||
		!strings.Contains(stderr, "0 robots refusals") {
		t.Errorf("exit %d, want 1, one failure naming %s:\n%s", code, dead, stderr)
	}
}

// A sources file whose hosts are all down: run --quiet says so, one line
// per host, and exits 1.
func TestRun_QuietAllHostsDown(t *testing.T) {
	dir := t.TempDir()
	a, b := deadAddr(t), deadAddr(t)
	conf := filepath.Join(dir, "newsfeed.toml")
	text := "db = \"news.db\"\nout = \"feeds\"\nallow_private = true\nretries = 0\n" +
		"[[source]]\nfeed = \"http://" + a + "/feed.xml\"\n" +
		"[[source]]\nurls = [\"http://" + b + "/1\", \"http://" + b + "/2\"]\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "", "run", "--quiet", "--config", conf)
	if code != exitFailed {
		t.Errorf("exit %d, want 1:\n%s", code, stderr)
	}
	for _, host := range []string{a, b} {
		if !strings.Contains(stderr, "host "+host+" failing") {
			t.Errorf("no line names %s:\n%s", host, stderr)
		}
	}
	if !strings.Contains(stderr, "2 failed") || !strings.Contains(stderr, "1 failed; http:") {
		t.Errorf("summary does not count the failures:\n%s", stderr)
	}
}

// A Retry-After of 31 years is capped (max_retry_after), logged with host
// and value, and the summary names the host with its until-time;
// newsfeed hosts lists it with the reason, and --clear forgets it.
func TestRun_RetryAfterCappedAndHosts(t *testing.T) {
	r := newSiteRun(t, 2, "max_retry_after = \"2h\"", section)
	r.site.Handle(testsite.SectionPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "999999999")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	host := strings.TrimPrefix(r.site.URL(""), "http://")
	code, sum, stderr := r.run()
	if code != exitOK || !strings.Contains(sum, "1 deferred hosts ("+host+" until ") {
		t.Errorf("exit %d; summary does not name %s with its time: %s\n%s", code, host, sum, stderr)
	}
	if !strings.Contains(stderr, "Retry-After capped") || !strings.Contains(stderr, "host="+host) ||
		!strings.Contains(stderr, "retry_after=999999999") || !strings.Contains(stderr, "cap=2h0m0s") {
		t.Errorf("the cap is not logged with host and value:\n%s", stderr)
	}
	db := filepath.Join(r.dir, "news.db")
	code, out, stderr := runCmd(t, "", "hosts", "--db", db)
	if code != exitOK || !strings.Contains(out, host) || !strings.Contains(out, "asked to wait 2h0m0s") {
		t.Errorf("hosts: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := runCmd(t, "", "hosts", "--db", db, "--clear", "nowhere.example"); code != exitFailed ||
		!strings.Contains(stderr, "nowhere.example: host is not deferred") {
		t.Errorf("hosts --clear of another host: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "", "hosts", "--db", db, "--clear", host); code != exitOK {
		t.Errorf("hosts --clear: exit %d\n%s", code, stderr)
	}
	if code, out, stderr := runCmd(t, "", "hosts", "--db", db); code != exitOK || out != "" ||
		!strings.Contains(stderr, "no host is deferred") {
		t.Errorf("hosts after --clear: exit %d\n%s%s", code, out, stderr)
	}
	// Cleared, the host is asked again.
	r.site.Reset()
	r.run()
	if len(r.site.Requests()) == 0 {
		t.Error("the cleared host was not asked again")
	}
}

// delay = "0s" in the sources file asks for no delay, as --delay 0 does;
// max_retry_after fills in --max-retry-after.
func TestFetchConfig_DelayZero(t *testing.T) {
	sc, err := config.Parse([]byte("delay = \"0s\"\nmax_retry_after = \"3h\"\n"), "f.toml")
	if err != nil {
		t.Fatal(err)
	}
	fs := newFlagSet(&env{stderr: os.Stderr}, "run", "")
	c := addFetchFlags(fs)
	if err := parseFlags(fs, nil); err != nil {
		t.Fatal(err)
	}
	c.apply(sc, setFlags(fs))
	cfg := c.settings(sc, 0, &env{stderr: os.Stderr}, false)
	if cfg.Delay >= 0 || cfg.MaxRetryAfter.Hours() != 3 {
		t.Errorf("delay %v (want none: negative), max retry after %v", cfg.Delay, cfg.MaxRetryAfter)
	}
}

// A --contact with a control character is refused before anything runs:
// no request could carry it.
func TestIngest_ContactControlCharacter(t *testing.T) {
	code, _, stderr := runCmd(t, "", "ingest", "--db", filepath.Join(t.TempDir(), "x.db"), "--contact", "a\r\nX-Evil: 1",
		"http://127.0.0.1:1/x")
	if code != exitUsage || !strings.Contains(stderr, "--contact") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, want 2 and one line naming --contact:\n%s", code, stderr)
	}
}
