package feed

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"newsfeed/store"
)

// debianPython is the interpreter Debian's python3-feedparser belongs
// to; a python3 earlier on PATH (pyenv, a venv) may not have it.
const debianPython = "/usr/bin/python3"

// needFeedparser skips the test when feedparser cannot be imported,
// except under CI (CI set), where .ci/run installs it and its absence
// is a failure.
func needFeedparser(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import feedparser").CombinedOutput()
	if err == nil {
		return
	}
	msg := "Debian's python3-feedparser is not installed (apt-get install python3-feedparser): " +
		debianPython + ": " + strings.TrimSpace(string(out)) + " " + err.Error()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// TestPublish_FeedparserAcceptsEveryFeed publishes the seed, a mixed and
// a hostile database, and runs Debian's feedparser over every feed file
// (testdata/readers/check_feeds.py): no bozo error, and every entry with
// the id (the Atom id in Atom) and title the store holds, an absolute link and a zoned date.
func TestPublish_FeedparserAcceptsEveryFeed(t *testing.T) {
	needFeedparser(t)
	ctx := context.Background()
	manifest := map[string][]map[string]string{}
	for name, s := range map[string]*store.Store{
		"seed":    func() *store.Store { s, _ := mustSeedStore(t); return s }(),
		"mixed":   mustMixedStore(t),
		"hostile": mustHostileStore(t),
	} {
		out := filepath.Join(t.TempDir(), name)
		res, err := Publish(ctx, s, out, Options{BaseURL: testBase, Limit: 20}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Feeds {
			for _, format := range Formats {
				var entries []map[string]string
				for _, it := range f.Items {
					id := it.ID
					if format == Atom {
						id = f.AtomID(it)
					}
					entries = append(entries, map[string]string{"id": id, "title": it.Title})
				}
				path := filepath.Join(out, filepath.FromSlash(f.Spec.Path()+"."+string(format)))
				manifest[path] = entries
			}
		}
	}
	data, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	mpath := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(mpath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(debianPython, "testdata/readers/check_feeds.py", mpath).CombinedOutput()
	if err != nil {
		t.Fatalf("feedparser check failed: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}
