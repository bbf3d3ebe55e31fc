package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// feedFiles returns the files under dir, relative, sorted.
func feedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestRun_SeedTwiceRewritesNothing(t *testing.T) {
	dir := t.TempDir()
	db, out := filepath.Join(dir, "nf.db"), filepath.Join(dir, "feeds")
	code, stdout, stderr := runCmd(t, "", "run", "--db", db, "--out", out, "--base-url", "https://example.org/f", seedPage)
	if code != exitOK {
		t.Fatalf("run: exit %d, stderr %s", code, stderr)
	}
	files := feedFiles(t, out)
	for _, want := range []string{"articles.atom", "articles.rss", "articles.json", "interviews.atom",
		"headlines.json", "headlines/航空航天.atom", "index.html"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s not written; files: %v", want, files)
		}
	}
	printed := strings.Fields(stdout)
	if len(printed) != len(files) {
		t.Errorf("printed %d paths, wrote %d files:\n%s", len(printed), len(files), stdout)
	}
	if !strings.Contains(stderr, "index.html") {
		t.Errorf("summary does not say where the index is: %s", stderr)
	}
	atom := string(mustRead(t, filepath.Join(out, "articles.atom")))
	if !strings.Contains(atom, "https://example.org/f/articles.atom") || !strings.Contains(atom, "敏捷治理") {
		t.Errorf("articles.atom lacks its self link or the interview text:\n%.600s", atom)
	}

	// Backdate every file: a rewrite would move its mtime.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, f := range files {
		if err := os.Chtimes(filepath.Join(out, f), old, old); err != nil {
			t.Fatal(err)
		}
	}
	before := mustRead(t, db)
	code, stdout, stderr = runCmd(t, "", "run", "--db", db, "--out", out, "--base-url", "https://example.org/f", seedPage)
	if code != exitOK || stdout != "" {
		t.Fatalf("second run: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	if !bytes.Equal(mustRead(t, db), before) {
		t.Error("a second run wrote to the database")
	}
	for _, f := range files {
		fi, err := os.Stat(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(old) {
			t.Errorf("%s rewritten by a run that changed nothing", f)
		}
	}
	if got := feedFiles(t, out); !slices.Equal(got, files) {
		t.Errorf("second run left other files: %v", got)
	}
}

// TestPublish_KeepsItems: publish opens the database for writing and
// keeps the items it rendered, so a second publish writes nothing to the
// database and no feed file, and reads the same feeds back.
func TestPublish_KeepsItems(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "nf.db")
	if code, _, stderr := runCmd(t, "", "ingest", "--quiet", "--db", db, seedPage); code != exitOK {
		t.Fatalf("ingest: %d %s", code, stderr)
	}
	ingested := mustRead(t, db)
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	if code, _, stderr := runCmd(t, "", "publish", "--quiet", "--db", db, "--out", first); code != exitOK {
		t.Fatalf("publish: %d %s", code, stderr)
	}
	published := mustRead(t, db)
	if bytes.Equal(published, ingested) {
		t.Error("publish kept no item in the database")
	}
	if code, _, stderr := runCmd(t, "", "publish", "--quiet", "--db", db, "--out", second); code != exitOK {
		t.Fatalf("second publish: %d %s", code, stderr)
	}
	if !bytes.Equal(mustRead(t, db), published) {
		t.Error("a second publish wrote to the database")
	}
	files := feedFiles(t, first)
	if got := feedFiles(t, second); !slices.Equal(got, files) {
		t.Fatalf("files %v, then %v", files, got)
	}
	for _, f := range files {
		if !bytes.Equal(mustRead(t, filepath.Join(first, f)), mustRead(t, filepath.Join(second, f))) {
			t.Errorf("%s differs when its items come from the cache", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Fatal("none.db exists")
	}
	if code, _, _ := runCmd(t, "", "publish", "--db", filepath.Join(dir, "none.db"), "--out", dir); code != exitUsage {
		t.Errorf("publish of a missing database: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Error("publish created a database")
	}
}

func TestRun_QuietPrintsNothing(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCmd(t, "", "run", "--quiet", "--db", filepath.Join(dir, "nf.db"),
		"--out", filepath.Join(dir, "feeds"), seedPage)
	if code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestPublish_Errors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "nf.db")
	if code, _, stderr := runCmd(t, "", "ingest", "--quiet", "--db", db, seedPage); code != exitOK {
		t.Fatalf("ingest: %d %s", code, stderr)
	}
	for name, tc := range map[string]struct {
		args []string
		code int
		says string
	}{
		"OK":              {[]string{"--db", db, "--out", filepath.Join(dir, "ok")}, exitOK, "publish:"},
		"NoDatabase":      {[]string{"--db", filepath.Join(dir, "none.db"), "--out", dir}, exitUsage, "no database"},
		"RelativeBaseURL": {[]string{"--db", db, "--base-url", "/feeds/"}, exitUsage, "not an absolute"},
		"BadLimit":        {[]string{"--db", db, "--limit", "-1"}, exitUsage, "limit"},
		"ExtraArgument":   {[]string{"--db", db, "seeds"}, exitUsage, "usage"},
		"BadFlag":         {[]string{"--nope"}, exitUsage, "not defined"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", append([]string{"publish"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.says) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, stderr, tc.says)
			}
		})
	}
}

func TestRun_Flags(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "nf.db")
	t.Run("Help", func(t *testing.T) {
		code, _, stderr := runCmd(t, "", "run", "-h")
		if code != exitOK || !strings.Contains(stderr, "-base-url") || !strings.Contains(stderr, "-glob") {
			t.Errorf("exit %d, usage %q", code, stderr)
		}
	})
	t.Run("IngestFlagErrorStops", func(t *testing.T) {
		code, stdout, _ := runCmd(t, "", "run", "--db", db, "--out", filepath.Join(dir, "x"), "-j", "0", seedPage)
		if code != exitUsage || stdout != "" {
			t.Errorf("exit %d, stdout %q", code, stdout)
		}
		if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
			t.Error("published after a usage error")
		}
	})
	t.Run("PublishFlagsAnywhere", func(t *testing.T) {
		out := filepath.Join(dir, "anywhere")
		code, _, stderr := runCmd(t, "", "run", "--db="+db, seedPage, "--limit", "3", "--out="+out)
		if code != exitOK {
			t.Fatalf("exit %d, %s", code, stderr)
		}
		if n := strings.Count(string(mustRead(t, filepath.Join(out, "headlines.rss"))), "<item>"); n != 3 {
			t.Errorf("--limit 3 gave %d items", n)
		}
	})
	t.Run("FailedInputStillPublishes", func(t *testing.T) {
		out, big := filepath.Join(dir, "partial"), filepath.Join(dir, "big.txt")
		if err := os.WriteFile(big, []byte(strings.Repeat("标题\n", 100_000)), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCmd(t, "", "run", "--db", filepath.Join(dir, "partial.db"), "--out", out,
			"--max-bytes", "100000", seedPage, big)
		if code != exitFailed || !strings.Contains(stderr, "big.txt") {
			t.Errorf("exit %d, stderr %s", code, stderr)
		}
		if !strings.Contains(string(mustRead(t, filepath.Join(out, "articles.atom"))), "敏捷治理") {
			t.Error("the page that was stored was not published")
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
