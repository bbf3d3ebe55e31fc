// Package feedcheck checks feeds the way strict consumers see them, for
// other packages' tests: Debian's feedparser (a Python reader), and the
// rules of the W3C Feed Validation Service that can be checked offline.
package feedcheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// DebianPython is the interpreter Debian's python3-feedparser belongs
// to; a python3 earlier on PATH (pyenv, a venv) may not have it.
const DebianPython = "/usr/bin/python3"

// NeedFeedparser skips the test when feedparser cannot be imported,
// except under CI (CI set), where .ci/run installs it and its absence
// is a failure.
func NeedFeedparser(tb testing.TB) {
	tb.Helper()
	out, err := exec.Command(DebianPython, "-c", "import feedparser").CombinedOutput()
	if err == nil {
		return
	}
	msg := "Debian's python3-feedparser is not installed (apt-get install python3-feedparser): " +
		DebianPython + ": " + strings.TrimSpace(string(out)) + " " + err.Error()
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// Entry is what a feed file must hold for one item, in order: its id
// (the Atom id in an Atom feed) and its title.
type Entry struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Authors, Image and Tags, when Check is set, are what readers must
	// see: the item's authors (RSS: their names joined in one author,
	// as feedparser shows it), its lead picture (an enclosure, or JSON
	// Feed's image; "" for none) and its categories (tags), in order.
	Check   bool     `json:"check,omitempty"`
	Authors []string `json:"authors"`
	Image   string   `json:"image"`
	Tags    []string `json:"tags"`
}

// Feedparser runs check_feeds.py over every file of manifest (a path →
// the entries it must hold): RSS and Atom through Debian's feedparser
// (no bozo error, the right version, each entry's id, title, absolute
// link and zoned date), JSON Feed against its 1.1 fields. It fails tb
// with the script's report, and returns its summary line.
func Feedparser(tb testing.TB, manifest map[string][]Entry) string {
	tb.Helper()
	NeedFeedparser(tb)
	data, err := json.Marshal(manifest)
	if err != nil {
		tb.Fatal(err)
	}
	mpath := filepath.Join(tb.TempDir(), "manifest.json")
	if err := os.WriteFile(mpath, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(DebianPython, script(), mpath).CombinedOutput()
	if err != nil {
		tb.Fatalf("feedparser check failed: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// script returns the path of check_feeds.py, beside this file.
func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "check_feeds.py")
}
