package main

// End-to-end tests of ingest, export, stats and show: they build the real
// binary once (TestMain) and run it as a subprocess, with signals, locks
// and crashes as cron would meet them. Every wait has a timeout.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/internal/testpages"
	"newsfeed/record"
	"newsfeed/store"
)

// e2eBin is the newsfeed binary TestMain builds.
var e2eBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "newsfeed-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	e2eBin = filepath.Join(dir, "newsfeed")
	build := exec.Command("go", "build", "-o", e2eBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build newsfeed:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// e2eTimeout bounds every subprocess and every wait.
const e2eTimeout = 2 * time.Minute

// proc is a running newsfeed.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser // nil unless started with a stdin pipe

	mu     sync.Mutex
	stderr bytes.Buffer
	lines  chan string // stderr, line by line
	done   chan struct{}
	code   int
}

// startNewsfeed starts the binary with args; with pipeStdin its stdin is
// a pipe the test writes and closes. The process is killed at cleanup.
func startNewsfeed(t *testing.T, pipeStdin bool, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(e2eBin, args...), lines: make(chan string, 10000), done: make(chan struct{})}
	if pipeStdin {
		w, err := p.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		p.stdin = w
	}
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		p.code = exitCode(p.cmd.Wait())
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return -1
}

// waitLine waits for a stderr line containing s.
func (p *proc) waitLine(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(e2eTimeout)
	for {
		select {
		case line := <-p.lines:
			if strings.Contains(line, s) {
				return
			}
		case <-p.done:
			t.Fatalf("process ended (exit %d) before printing %q; stderr:\n%s", p.code, s, p.errText())
		case <-deadline:
			t.Fatalf("no line with %q after %v; stderr:\n%s", s, e2eTimeout, p.errText())
		}
	}
}

// wait waits for the process to end and returns its exit status.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(e2eTimeout):
		t.Fatalf("process still running after %v; stderr:\n%s", e2eTimeout, p.errText())
		return -1
	}
}

func (p *proc) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// runNewsfeed runs the binary to the end and returns its exit status,
// stdout and stderr.
func runNewsfeed(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2eBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("newsfeed %v: still running after %v", args, e2eTimeout)
	}
	return exitCode(err), out.String(), errOut.String()
}

// openForCheck opens db read-only, runs the consistency check, and
// returns the store; cleanup closes it.
func openForCheck(t *testing.T, db string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), db, store.Options{ReadOnly: true, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("check: %v", err)
	}
	return s
}

// exportLines runs export and decodes each line's kind, seq, op and id.
func exportLines(t *testing.T, db string, args ...string) []exportLine {
	t.Helper()
	code, out, errOut := runNewsfeed(t, "", append([]string{"export", "--db", db}, args...)...)
	if code != exitOK {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	var lines []exportLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), `{"kind":"`) {
			t.Fatalf("export line does not start with kind: %.80s", sc.Text())
		}
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("export line: %v: %.80s", err, sc.Text())
		}
		lines = append(lines, l)
	}
	return lines
}

type exportLine struct {
	Kind   record.Kind `json:"kind"`
	Seq    uint64      `json:"seq"`
	Op     string      `json:"op"`
	ID     string      `json:"id"`
	Source string      `json:"source"`
}

func TestIngest_SeedsTwiceChangesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "newsfeed.db")
	code, _, errOut := runNewsfeed(t, "", "ingest", "--db", db, "../../seeds")
	if code != exitOK || !strings.Contains(errOut, "1 pages read: 1 new, 0 changed, 0 unchanged, 0 failed; records: 41 inserted, 0 updated") {
		t.Fatalf("first run: exit %d, stderr %q", code, errOut)
	}
	first := exportLines(t, db)
	if len(first) != 41 || first[len(first)-1].Seq != 41 {
		t.Fatalf("export: %d lines", len(first))
	}

	code, _, errOut = runNewsfeed(t, "", "ingest", "--db", db, "../../seeds")
	if code != exitOK || !strings.Contains(errOut, "0 new, 0 changed, 1 unchanged, 0 failed; records: 0 inserted, 0 updated; last seq 41") {
		t.Fatalf("second run: exit %d, stderr %q", code, errOut)
	}
	if again := exportLines(t, db, "--since", "41"); len(again) != 0 {
		t.Errorf("export --since 41 printed %d lines after an unchanged run", len(again))
	}
	if code, _, errOut := runNewsfeed(t, "", "ingest", "--quiet", "--db", db, "../../seeds"); code != exitOK || errOut != "" {
		t.Errorf("--quiet run: exit %d, stderr %q", code, errOut)
	}

	heads := exportLines(t, db, "--kind", "headline", "--limit", "5")
	if len(heads) != 5 || heads[0].Kind != record.KindHeadline || heads[0].Op != "insert" {
		t.Errorf("export --kind headline --limit 5 = %+v", heads)
	}
	code, out, _ := runNewsfeed(t, "", "show", "--db", db, first[0].ID)
	if code != exitOK || !strings.Contains(out, `"id": "`+first[0].ID+`"`) {
		t.Errorf("show: exit %d, %.200s", code, out)
	}
	if code, _, errOut := runNewsfeed(t, "", "show", "--db", db, "h_00000000000000000000"); code != exitFailed || !strings.Contains(errOut, "not found") {
		t.Errorf("show of a missing id: exit %d, %q", code, errOut)
	}
	code, out, _ = runNewsfeed(t, "", "stats", "--db", db)
	for _, want := range []string{"pages       1", "last seq    41", "headline   39", "航空航天"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}
	if code != exitOK {
		t.Errorf("stats: exit %d", code)
	}
}

// TestIngest_CrashSafety kills an ingest mid-way with SIGKILL, checks that
// the database opens cleanly, reruns the ingest, and checks that every
// page is stored exactly once with a change log free of gaps and
// duplicates, and with the same records as an uninterrupted run.
func TestIngest_CrashSafety(t *testing.T) {
	const pages = 3000
	dir := t.TempDir()
	if _, err := testpages.WriteDir(dir, 0, pages); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	// Small batches, so that the kill falls between many commits.
	p := startNewsfeed(t, false, "ingest", "-v", "--db", db, "-j", "2", "--batch", "25", dir)
	for range 20 { // 500 of 3000 pages committed
		p.waitLine(t, "committed batch")
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 128+int(syscall.SIGKILL) {
		t.Fatalf("the ingest ended with %d before it was killed; the test needs a slower run", code)
	}

	s := openForCheck(t, db)
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Pages < 500 || st.Pages >= pages {
		t.Fatalf("%d pages stored at the kill, want at least 500 and fewer than %d", st.Pages, pages)
	}
	// Every committed record is whole: every change decodes.
	n := 0
	err = s.Changes(context.Background(), store.ChangeQuery{}, func(c store.Change) error {
		n++
		if !json.Valid(c.Record) {
			return fmt.Errorf("seq %d: invalid JSON", c.Seq)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("reading the killed run's records: %v (%d)", err, n)
	}
	s.Close()
	t.Logf("killed after %d pages, %d changes", st.Pages, st.LastSeq)

	code, _, errOut := runNewsfeed(t, "", "ingest", "--db", db, dir)
	if code != exitOK {
		t.Fatalf("rerun: exit %d: %s", code, errOut)
	}
	if want := fmt.Sprintf("%d unchanged", st.Pages); !strings.Contains(errOut, want) {
		t.Errorf("rerun summary lacks %q: %s", want, errOut)
	}

	s = openForCheck(t, db)
	checkLog(t, s)
	got := exportLines(t, db)
	articles := map[string]int{}
	sources := map[string]bool{}
	for _, l := range got {
		if l.Kind == record.KindArticle {
			articles[l.ID]++
			sources[l.Source] = true
		}
	}
	if len(articles) != pages || len(sources) != pages {
		t.Errorf("export has %d articles from %d sources, want %d", len(articles), len(sources), pages)
	}

	// An uninterrupted run stores the same records.
	ref := filepath.Join(t.TempDir(), "ref.db")
	if code, _, errOut := runNewsfeed(t, "", "ingest", "--quiet", "--db", ref, dir); code != exitOK {
		t.Fatalf("reference run: exit %d: %s", code, errOut)
	}
	want := exportLines(t, ref)
	if a, b := idSet(got), idSet(want); a != b {
		t.Errorf("the crashed and rerun database has other records than an uninterrupted run: %d vs %d lines", len(got), len(want))
	}
}

// checkLog checks that the change log runs from 1 without gaps, that no
// record is inserted twice, and that every record has an insert.
func checkLog(t *testing.T, s *store.Store) {
	t.Helper()
	inserts := map[string]int{}
	updates := map[string]bool{}
	var next uint64 = 1
	err := s.Log(context.Background(), func(e store.LogEntry) error {
		if e.Seq != next {
			return fmt.Errorf("seq %d where %d was due", e.Seq, next)
		}
		next++
		switch e.Op {
		case "insert":
			inserts[e.ID]++
		case "update":
			updates[e.ID] = true
		default:
			return fmt.Errorf("seq %d: op %q", e.Seq, e.Op)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("change log: %v", err)
	}
	for id, n := range inserts {
		if n != 1 {
			t.Errorf("%s inserted %d times", id, n)
		}
	}
	for id := range updates {
		if inserts[id] == 0 {
			t.Errorf("%s updated but never inserted", id)
		}
	}
	if last, _ := s.LastSeq(context.Background()); last != next-1 {
		t.Errorf("last seq %d, log has %d entries", last, next-1)
	}
}

// idSet describes the set of ids in lines, for comparing two exports.
func idSet(lines []exportLine) string {
	ids := map[string]bool{}
	for _, l := range lines {
		ids[l.ID] = true
	}
	sum := 0
	for id := range ids {
		for _, c := range id {
			sum += int(c)
		}
	}
	return fmt.Sprintf("%d ids, checksum %d", len(ids), sum)
}

// TestIngest_OverlappingRuns holds the database with one ingest (blocked
// reading stdin) and starts a second: it waits --lock-timeout, then exits 3
// naming the first one's pid. The first then finishes normally.
func TestIngest_OverlappingRuns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cron.db")
	first := startNewsfeed(t, true, "ingest", "-v", "--db", db, "-")
	first.waitLine(t, "database open")

	start := time.Now()
	code, _, errOut := runNewsfeed(t, "", "ingest", "--db", db, "--lock-timeout", "500ms", "../../seeds")
	if code != exitLocked {
		t.Fatalf("second ingest: exit %d, want %d; stderr %q", code, exitLocked, errOut)
	}
	want := fmt.Sprintf("database is locked by another newsfeed process (pid %d)", first.cmd.Process.Pid)
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("gave up after %v, before the lock timeout", d)
	}
	if code, _, errOut := runNewsfeed(t, "", "export", "--db", db, "--lock-timeout", "200ms"); code != exitLocked {
		t.Errorf("export during an ingest: exit %d, %q", code, errOut)
	}

	seed, err := testpages.Seed()
	if err != nil {
		t.Fatal(err)
	}
	first.stdin.Write(seed)
	first.stdin.Close()
	if code := first.wait(t); code != exitOK {
		t.Fatalf("first ingest: exit %d: %s", code, first.errText())
	}
	openForCheck(t, db)
	if _, err := os.Stat(db + ".pid"); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
}

// TestIngest_Signals sends SIGINT and SIGTERM to an ingest that has
// committed a batch: it commits what it parsed, prints the summary line,
// and exits 130 or 143.
func TestIngest_Signals(t *testing.T) {
	dir := t.TempDir()
	if _, err := testpages.WriteDir(dir, 0, 300); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "sig.db")
			// stdin stays open, so the run cannot end by itself.
			p := startNewsfeed(t, true, "ingest", "-v", "--db", db, "-j", "1", "--batch", "10", dir, "-")
			p.waitLine(t, "committed batch")
			if err := p.cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, p.errText())
			}
			errText := p.errText()
			i := strings.LastIndex(errText, "newsfeed: ingest: ")
			if i < 0 || !strings.Contains(errText[i:], "(interrupted)") {
				t.Fatalf("no summary line; stderr:\n%s", errText)
			}
			var read, stored int
			fmt.Sscanf(errText[i:], "newsfeed: ingest: %d pages read: %d new", &read, &stored)
			s := openForCheck(t, db)
			st, err := s.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if stored < 10 || st.Pages != stored || read != stored {
				t.Errorf("summary says %d read, %d new; %d pages stored", read, stored, st.Pages)
			}
			checkLog(t, s)
		})
	}
}

// TestIngest_BadInput mixes good pages with an empty file, one over the
// size limit and a broken link: each gets an error line naming it, the
// good pages are stored, what was stored before is untouched, exit 1.
func TestIngest_BadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bad.db")
	if code, _, errOut := runNewsfeed(t, "", "ingest", "--db", db, "../../seeds"); code != exitOK {
		t.Fatalf("seed run: exit %d: %s", code, errOut)
	}
	before := exportLines(t, db)
	_, seedJSON, _ := runNewsfeed(t, "", "show", "--db", db, "--compact", before[0].ID)

	dir := t.TempDir()
	if _, err := testpages.WriteDir(dir, 1, 3); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "huge.txt"), bytes.Repeat([]byte("很长的一页。\n"), 2000), 0o644)
	os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "broken.txt"))
	os.WriteFile(filepath.Join(dir, "binary.txt"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 100), 0o644)

	code, _, errOut := runNewsfeed(t, "", "ingest", "--db", db, "--max-bytes", "20000", dir)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitFailed, errOut)
	}
	for _, name := range []string{"empty.txt", "huge.txt", "broken.txt", "binary.txt"} {
		if !strings.Contains(errOut, filepath.Join(dir, name)) {
			t.Errorf("no error line names %s:\n%s", name, errOut)
		}
	}
	if !strings.Contains(errOut, "7 pages read: 3 new, 0 changed, 0 unchanged, 4 failed") {
		t.Errorf("summary:\n%s", errOut)
	}
	after := exportLines(t, db)
	if len(after) <= len(before) {
		t.Errorf("the good pages were not stored")
	}
	// The article and interview are as they were; headlines the good
	// pages share with the seed were merged, so they moved to later seqs.
	for i, l := range before[:2] {
		if after[i] != l {
			t.Errorf("change %d changed: %+v → %+v", i, l, after[i])
		}
	}
	if _, again, _ := runNewsfeed(t, "", "show", "--db", db, "--compact", before[0].ID); again != seedJSON {
		t.Error("the seed article changed")
	}
	if code, _, _ := runNewsfeed(t, "", "ingest", "--db", db, filepath.Join(dir, "missing.txt")); code != exitFailed {
		t.Errorf("missing source: exit %d, want 1", code)
	}
}

// TestIngest_RefusesForeignAndNewerFiles: a database of a newer schema,
// a file that is not a database, and a missing file for readers are all
// refused with exit 2, and left as they were.
func TestIngest_RefusesForeignAndNewerFiles(t *testing.T) {
	t.Run("SchemaTooNew", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "new.db")
		if code, _, errOut := runNewsfeed(t, "", "ingest", "--db", db, "../../seeds"); code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		bdb, err := bolt.Open(db, 0o644, &bolt.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		bdb.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 99))
		})
		bdb.Close()
		before, _ := os.ReadFile(db)
		for _, args := range [][]string{{"ingest", "--db", db, "../../seeds"}, {"export", "--db", db}, {"stats", "--db", db}} {
			code, _, errOut := runNewsfeed(t, "", args...)
			if code != exitUsage || !strings.Contains(errOut, "schema version 99") {
				t.Errorf("%s: exit %d, stderr %q", args[0], code, errOut)
			}
		}
		if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
			t.Error("the newer database was changed")
		}
	})
	t.Run("ForeignFile", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "notes.txt")
		content := []byte("my notes, not a database\n")
		os.WriteFile(db, content, 0o644)
		code, _, errOut := runNewsfeed(t, "", "ingest", "--db", db, "../../seeds")
		if code != exitUsage || !strings.Contains(errOut, "not a newsfeed database") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
		if got, _ := os.ReadFile(db); !bytes.Equal(got, content) {
			t.Error("the file was changed")
		}
	})
	t.Run("MissingFileForReaders", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "missing.db")
		for _, cmd := range []string{"export", "stats"} {
			if code, _, errOut := runNewsfeed(t, "", cmd, "--db", db); code != exitUsage || !strings.Contains(errOut, "no database") {
				t.Errorf("%s: exit %d, stderr %q", cmd, code, errOut)
			}
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Error("a reader created the database")
		}
	})
	t.Run("Usage", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "u.db")
		for _, args := range [][]string{
			{"export", "--db", db, "--kind", "video"},
			{"ingest", "--db", db, "-", "-"},
			{"ingest", "--db", db, "-j", "0"},
			{"show", "--db", db},
		} {
			if code, _, _ := runNewsfeed(t, "", args...); code != exitUsage {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}
