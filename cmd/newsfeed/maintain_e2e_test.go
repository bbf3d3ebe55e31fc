package main

// End-to-end tests of the maintenance commands (prune, compact, backup,
// restore, check) and of the failures a year of cron runs meets: a
// process killed at random points, a full disk, a read-only folder.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"newsfeed/internal/testpages"
	"newsfeed/record"
	"newsfeed/store"
)

// killPoints is how many random moments each operation is killed at.
const killPoints = 20

// baseDB ingests n test pages into a new database and returns its path
// and the ids of its records.
func baseDB(t *testing.T, n int) (string, map[string]bool) {
	t.Helper()
	pages := t.TempDir()
	if _, err := testpages.WriteDir(pages, 0, n); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "base.db")
	if code, _, errOut := runNewsfeed(t, "", "ingest", "--quiet", "--db", db, pages); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	ids := map[string]bool{}
	for _, l := range exportLines(t, db) {
		ids[l.ID] = true
	}
	return db, ids
}

// copyDB copies the database at src to a new file in a new folder.
func copyDB(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "n.db")
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// mustCheck runs newsfeed check on db and fails unless it exits 0.
func mustCheck(t *testing.T, db string) {
	t.Helper()
	if code, out, errOut := runNewsfeed(t, "", "check", "--db", db); code != exitOK {
		t.Fatalf("check %s: exit %d:\n%s%s", db, code, out, errOut)
	}
}

// killAt starts newsfeed with args, SIGKILLs it after d, and reports
// whether it was still running then.
func killAt(t *testing.T, d time.Duration, args ...string) bool {
	t.Helper()
	p := startNewsfeed(t, false, args...)
	select {
	case <-p.done:
		return false
	case <-time.After(d):
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	return p.wait(t) == 128+int(syscall.SIGKILL)
}

// timed runs newsfeed with args to the end and returns how long it took.
func timed(t *testing.T, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	if code, _, errOut := runNewsfeed(t, "", args...); code != exitOK {
		t.Fatalf("newsfeed %v: exit %d: %s", args, code, errOut)
	}
	return time.Since(start)
}

// TestMaintenance_KilledAtRandomPoints SIGKILLs compact, backup and prune
// at twenty random moments each (uniform over an uninterrupted run's
// duration). Each time the database opens, check passes, and no record
// is missing that should be there: compaction and backup leave every
// record; a prune leaves every record it has not deleted, and each one
// it deleted has its tombstone. A rerun of the killed command completes.
func TestMaintenance_KilledAtRandomPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 60 subprocesses")
	}
	base, ids := baseDB(t, 150)
	// prune deletes records older than pruneAge and then drops tombstones
	// older than it too: the age must outlast a prune run on a loaded
	// machine, or the first batches' tombstones go before the check.
	const pruneAge = 10 * time.Second
	baseReady := time.Now()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	backupDir := t.TempDir()

	for _, op := range []struct {
		name string
		args func(db string) []string
		// after checks the killed (then rerun) database.
		after func(t *testing.T, db string)
	}{
		{"compact", func(db string) []string { return []string{"compact", "--quiet", "--db", db} },
			func(t *testing.T, db string) { mustHaveIDs(t, db, ids, false) }},
		{"backup", func(db string) []string {
			return []string{"backup", "--quiet", "--db", db, filepath.Join(backupDir, "b.db")}
		}, func(t *testing.T, db string) {
			mustHaveIDs(t, db, ids, false)
			b := filepath.Join(backupDir, "b.db")
			if _, err := os.Stat(b); err == nil {
				mustCheck(t, b) // an old or a new backup, never a torn one
				mustHaveIDs(t, b, ids, false)
			}
		}},
		{"prune", func(db string) []string {
			return []string{"prune", "--quiet", "--batch", "40", "--older-than", pruneAge.String(), "--db", db}
		}, func(t *testing.T, db string) { mustHaveIDs(t, db, ids, true) }},
	} {
		t.Run(op.name, func(t *testing.T) {
			if op.name == "prune" {
				time.Sleep(time.Until(baseReady.Add(pruneAge + 100*time.Millisecond))) // every record is past pruneAge
			}
			full := timed(t, op.args(copyDB(t, base))...)
			killed := 0
			for i := range killPoints {
				db := copyDB(t, base)
				d := time.Duration(rng.Int64N(int64(full) + 1))
				if killAt(t, d, op.args(db)...) {
					killed++
				}
				mustCheck(t, db)
				op.after(t, db)
				if i%5 == 0 { // a rerun completes from where the kill left it
					if code, _, errOut := runNewsfeed(t, "", op.args(db)...); code != exitOK {
						t.Fatalf("rerun after a kill at %v: exit %d: %s", d, code, errOut)
					}
					mustCheck(t, db)
					op.after(t, db)
				}
			}
			t.Logf("%s: an uninterrupted run took %v; %d of %d kills hit it running", op.name, full, killed, killPoints)
		})
	}
}

// mustHaveIDs checks that db holds every record of want; with
// tombstones, a record may instead be gone with its tombstone in the
// change log.
func mustHaveIDs(t *testing.T, db string, want map[string]bool, tombstones bool) {
	t.Helper()
	got := map[string]string{}
	s := openForCheck(t, db)
	err := s.Changes(context.Background(), store.ChangeQuery{}, func(c store.Change) error {
		got[c.ID] = c.Op
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for id := range want {
		op, ok := got[id]
		switch {
		case ok && op != "delete":
		case ok && tombstones:
		default:
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%s: %d of %d records missing (tombstones allowed: %v)", db, missing, len(want), tombstones)
	}
}

// TestRun_FullDisk runs newsfeed under a file-size limit (ulimit -f, the
// portable stand-in for a full disk: writes fail with EFBIG as with
// ENOSPC) that the database outgrows mid-ingest. The run fails naming
// the cause, the database is intact, and a rerun without the limit
// stores every page.
func TestRun_FullDisk(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh for ulimit")
	}
	const n = 600
	pages := t.TempDir()
	if _, err := testpages.WriteDir(pages, 0, n); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "newsfeed.db")
	// 8 MiB (ulimit -f counts 1 KiB blocks): the first batches fit.
	cmd := exec.Command("sh", "-c", `ulimit -f 8192 && exec "$0" "$@"`, e2eBin,
		"run", "--quiet", "--batch", "10", "-j", "2", "--db", db, "--out", filepath.Join(dir, "feeds"), pages)
	out, err := cmd.CombinedOutput()
	if code := exitCode(err); code != exitFailed {
		t.Fatalf("run under a full disk: exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(string(out), "file too large") || !strings.Contains(string(out), "the disk is full or the file size limit is reached") {
		t.Errorf("the error does not name the cause:\n%s", out)
	}
	mustCheck(t, db)
	before := len(exportLines(t, db))
	if before == 0 {
		t.Fatal("nothing was stored before the disk filled: the test needs a larger limit")
	}
	// Space freed: the rerun stores the rest.
	if code, _, errOut := runNewsfeed(t, "", "run", "--quiet", "--db", db, "--out", filepath.Join(dir, "feeds"), pages); code != exitOK {
		t.Fatalf("rerun: exit %d: %s", code, errOut)
	}
	mustCheck(t, db)
	articles := 0
	for _, l := range exportLines(t, db) {
		if l.Kind == record.KindArticle {
			articles++
		}
	}
	if articles != n {
		t.Errorf("after the rerun, %d articles, want %d", articles, n)
	}
	t.Logf("%d records stored before the disk filled", before)
}

// TestRun_ReadOnlyFolder runs the writing commands against a database
// in a folder the process may not write: each fails with a clear error,
// and no file in the folder changes; the reading commands still work.
func TestRun_ReadOnlyFolder(t *testing.T) {
	base, _ := baseDB(t, 20)
	dir, err := os.MkdirTemp("", "newsfeed-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Chmod(dir, 0o755)
		os.RemoveAll(dir)
	})
	db := filepath.Join(dir, "newsfeed.db")
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, data, 0o444); err != nil {
		t.Fatal(err)
	}
	bin := e2eBin
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// root ignores permissions: run as nobody, from a binary nobody
		// may execute.
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		bin = filepath.Join(dir+"-bin", "newsfeed")
		os.MkdirAll(filepath.Dir(bin), 0o755)
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
		b, err := os.ReadFile(e2eBin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	before := treeSums(t, dir)
	pages := t.TempDir()
	if _, err := testpages.WriteDir(pages, 100, 5); err != nil {
		t.Fatal(err)
	}
	os.Chmod(pages, 0o755)
	run := func(args ...string) (int, string) {
		ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		return exitCode(err), string(out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "--lock-timeout", "1s", "--db", db, pages}, "read-only"},
		{[]string{"prune", "--older-than", "1s", "--db", db}, "read-only"},
		{[]string{"compact", "--db", db}, "read-only"},
		{[]string{"check", "--repair", "--db", db}, "read-only"},
		{[]string{"backup", "--db", db, filepath.Join(dir, "backup.db")}, "permission denied"},
		{[]string{"restore", "--db", db, db}, "permission denied"},
	} {
		code, out := run(tc.args...)
		if code == exitOK || !strings.Contains(out, tc.want) {
			t.Errorf("newsfeed %s: exit %d, want a failure naming %q:\n%s", tc.args[0], code, tc.want, out)
		}
	}
	elsewhere, err := os.MkdirTemp("", "newsfeed-backup-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(elsewhere) })
	os.Chmod(elsewhere, 0o777)
	for _, args := range [][]string{{"check", "--db", db}, {"stats", "--db", db}, {"export", "--db", db, "--limit", "1"},
		{"backup", "--db", db, filepath.Join(elsewhere, "b.db")}} {
		if code, out := run(args...); code != exitOK {
			t.Errorf("newsfeed %s on a read-only folder: exit %d:\n%s", args[0], code, out)
		}
	}
	if after := treeSums(t, dir); after != before {
		t.Errorf("files in the read-only folder changed:\nbefore %s\nafter  %s", before, after)
	}
}

// treeSums describes every file under dir: name, size and SHA-256.
func treeSums(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %x; ", d.Name(), len(data), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestExport_SinceOlderThanTheLog prunes with a log age that drops a
// tombstone, then asks export for changes since before it: exit 4 with
// a message that says what to do; since 0 still works.
func TestExport_SinceOlderThanTheLog(t *testing.T) {
	base, _ := baseDB(t, 5)
	db := copyDB(t, base)
	s, err := store.Open(context.Background(), db, store.Options{Now: func() time.Time { return time.Now().Add(-48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	// Two days ago, a headline was deleted.
	var victim string
	s.Changes(context.Background(), store.ChangeQuery{Kind: record.KindHeadline, Limit: 1}, func(c store.Change) error {
		victim = c.ID
		return nil
	})
	if n, err := s.Delete(context.Background(), victim); err != nil || n != 1 {
		t.Fatalf("delete: %d, %v", n, err)
	}
	s.Close()
	if code, _, errOut := runNewsfeed(t, "", "prune", "--older-than", "1d", "--kind", "headline", "--db", db); code != exitOK {
		t.Fatalf("prune: exit %d: %s", code, errOut)
	}
	code, _, errOut := runNewsfeed(t, "", "export", "--db", db, "--since", "1")
	if code != exitTooOld || !strings.Contains(errOut, "read everything again from seq 0") {
		t.Errorf("export --since 1: exit %d, want %d: %s", code, exitTooOld, errOut)
	}
	if lines := exportLines(t, db); len(lines) == 0 {
		t.Error("a full export printed nothing")
	}
}

// TestRun_RetentionAndAutoCompaction runs `run --retention` over a
// database whose every record is past it: the run deletes them all with
// tombstones before publishing (no feed lists them), and compacts the
// file, which deletions left mostly free.
func TestRun_RetentionAndAutoCompaction(t *testing.T) {
	base, ids := baseDB(t, 400)
	db := copyDB(t, base)
	fi, err := os.Stat(db)
	if err != nil || fi.Size() < compactMinSize {
		t.Fatalf("the database is %d bytes, the test needs %d: %v", fi.Size(), compactMinSize, err)
	}
	time.Sleep(1100 * time.Millisecond)
	out := t.TempDir()
	code, _, errOut := runNewsfeed(t, "", "run", "--db", db, "--out", out, "--compact-above", "30",
		"--retention", "article=1s,interview=1s,headline=1s,log=1h", t.TempDir())
	if code != exitOK {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"prune: deleted", "compact: " + db} {
		if !strings.Contains(errOut, want) {
			t.Errorf("run's stderr lacks %q:\n%s", want, errOut)
		}
	}
	if after, _ := os.Stat(db); after.Size() >= fi.Size()/2 {
		t.Errorf("after the run the file is %d bytes, before %d: not compacted", after.Size(), fi.Size())
	}
	mustCheck(t, db)
	lines := exportLines(t, db)
	if len(lines) != len(ids) {
		t.Errorf("export has %d lines, want a tombstone for each of %d records", len(lines), len(ids))
	}
	for _, l := range lines {
		if l.Op != "delete" || !ids[l.ID] {
			t.Fatalf("export line %+v: want only tombstones of the records stored", l)
		}
	}
	// No feed lists a deleted record.
	err = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for id := range ids {
			if strings.Contains(string(b), id) {
				return fmt.Errorf("%s lists deleted %s", path, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// TestRun_RetentionFromSourcesFile: a sources file's [retention] makes
// run prune as --retention does, and --retention given on the command
// line wins over it.
func TestRun_RetentionFromSourcesFile(t *testing.T) {
	base, ids := baseDB(t, 10)
	cfg := filepath.Join(t.TempDir(), "newsfeed.toml")
	text := "compact_above = 0\n[retention]\nheadline = \"1s\"\narticle = \"1s\"\ninterview = \"1s\"\nlog = \"1h\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	for _, tt := range []struct {
		name    string
		flags   []string
		deleted bool
	}{
		{"FromFile", nil, true},
		{"FlagWins", []string{"--retention", "log=1h"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := copyDB(t, base)
			args := append([]string{"run", "--config", cfg, "--db", db, "--out", t.TempDir()}, tt.flags...)
			code, _, errOut := runNewsfeed(t, "", append(args, t.TempDir())...)
			if code != exitOK {
				t.Fatalf("run: exit %d: %s", code, errOut)
			}
			if strings.Contains(errOut, "prune: deleted") != tt.deleted {
				t.Errorf("run's stderr, want a prune %v:\n%s", tt.deleted, errOut)
			}
			lines := exportLines(t, db)
			if len(lines) != len(ids) {
				t.Fatalf("export has %d lines, want %d", len(lines), len(ids))
			}
			for _, l := range lines {
				if (l.Op == "delete") != tt.deleted || !ids[l.ID] {
					t.Fatalf("export line %+v: want deleted %v", l, tt.deleted)
				}
			}
		})
	}
}

// TestRun_CompactAboveOutOfRange: --compact-above takes a percentage;
// NaN, which no comparison rejects, is refused like -5 and 101.
func TestRun_CompactAboveOutOfRange(t *testing.T) {
	for _, v := range []string{"-5", "101", "NaN"} {
		code, _, errOut := runNewsfeed(t, "", "run", "--db", filepath.Join(t.TempDir(), "n.db"), "--compact-above", v, "seeds/")
		if code != exitUsage || !strings.Contains(errOut, "want a percentage from 0 to 100") {
			t.Errorf("--compact-above %s: exit %d, stderr %q; want exit %d naming the range", v, code, errOut, exitUsage)
		}
	}
}
