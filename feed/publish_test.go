package feed

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"newsfeed/record"
)

// backdate sets every file under dir to an old mtime and returns it:
// a rewrite would move a file's mtime.
func backdate(t *testing.T, dir string) time.Time {
	t.Helper()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, f := range relFiles(t, dir) {
		if err := os.Chtimes(filepath.Join(dir, f), old, old); err != nil {
			t.Fatal(err)
		}
	}
	return old
}

// rel returns paths relative to dir, with forward slashes, sorted.
func rel(dir string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		r, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(r))
	}
	slices.Sort(out)
	return out
}

func TestPublish_RewritesOnlyWhatChanged(t *testing.T) {
	s, _ := mustSeedStore(t)
	ctx := context.Background()
	out := t.TempDir()
	opts := Options{BaseURL: testBase}

	first, err := Publish(ctx, s, out, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := relFiles(t, out)
	if len(first.Written) != len(files) || len(first.Unchanged) != 0 {
		t.Fatalf("first publish: %d written, %d unchanged, %d files", len(first.Written), len(first.Unchanged), len(files))
	}
	// 3 kinds + one headlines feed per column, 3 formats each, +
	// the stylesheet, the icons, the OPML list and the index, + a page
	// per item with no URL of its own (all the seed's: it has none).
	pages := 0
	for _, f := range files {
		if strings.HasPrefix(f, "items/") {
			pages++
		}
	}
	if want := 3*(3+6) + 5 + pages; len(files) != want || pages == 0 {
		t.Errorf("%d files, want %d: %v", len(files), want, files)
	}
	for _, f := range files {
		fi, err := os.Stat(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", f, fi.Mode().Perm())
		}
	}

	t.Run("Unchanged", func(t *testing.T) {
		old := backdate(t, out)
		res, err := Publish(ctx, s, out, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Written) != 0 || len(res.Unchanged) != len(files) {
			t.Errorf("written %v", res.Written)
		}
		for _, f := range files {
			if fi, _ := os.Stat(filepath.Join(out, f)); !fi.ModTime().Equal(old) {
				t.Errorf("%s rewritten", f)
			}
		}
	})

	t.Run("OneHeadlineChanged", func(t *testing.T) {
		backdate(t, out)
		// The same page read again with one more comment on one
		// headline of 航空航天: only the feeds showing it change.
		p := seedPage(t)
		var changed *record.Headline
		for _, h := range p.Headlines {
			if h.Column == "航空航天" {
				changed = h
				break
			}
		}
		changed.Comments = ptr(99)
		p.ContentHash = "changed"
		mustWrite(t, s, p)
		res, err := Publish(ctx, s, out, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"headlines.atom", "headlines.json", "headlines.rss",
			"headlines/航空航天.atom", "headlines/航空航天.json", "headlines/航空航天.rss",
			ItemPagePath(changed.ID)}
		if got := rel(out, res.Written); !slices.Equal(got, want) {
			t.Errorf("written %v,\nwant %v", got, want)
		}
		if !strings.Contains(string(mustReadFile(t, filepath.Join(out, "headlines/航空航天.atom"))), "评论: 99") {
			t.Error("new comment count not published")
		}
	})

	t.Run("NoTempFilesLeft", func(t *testing.T) {
		for _, f := range relFiles(t, out) {
			if strings.Contains(filepath.Base(f), ".tmp-") {
				t.Errorf("temp file left: %s", f)
			}
		}
	})
}

func TestPublish_IndexAutodiscovery(t *testing.T) {
	s, _ := mustSeedStore(t)
	out := t.TempDir()
	res, err := Publish(t.Context(), s, out, Options{BaseURL: testBase}, nil)
	if err != nil {
		t.Fatal(err)
	}
	index := string(mustReadFile(t, filepath.Join(out, IndexFile)))
	for _, f := range res.Feeds {
		for _, format := range Formats {
			link := `<link rel="alternate" type="` + format.MediaType() + `" title="` + f.Title + " (" + format.Name() + `)" href="` + f.URL(format) + `">`
			if !strings.Contains(index, link) {
				t.Errorf("index lacks %s", link)
			}
		}
	}
	if !strings.Contains(index, `<html lang="zh-CN">`) {
		t.Errorf("index language: %.200s", index)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "f.xml")
	for i, tc := range []struct {
		data  string
		wrote bool
	}{{"one", true}, {"one", false}, {"two", true}, {"", true}, {"", false}} {
		wrote, err := writeFile(path, []byte(tc.data))
		if err != nil || wrote != tc.wrote {
			t.Fatalf("step %d: wrote %v, err %v; want %v", i, wrote, err, tc.wrote)
		}
		if got := string(mustReadFile(t, path)); got != tc.data {
			t.Fatalf("step %d: file holds %q", i, got)
		}
	}
	if _, err := writeFile(filepath.Join(path, "under-a-file"), []byte("x")); err == nil {
		t.Error("writing under a file: no error")
	}
	if got := relFiles(t, dir); !slices.Equal(got, []string{"sub/f.xml"}) {
		t.Errorf("files %v", got)
	}
}
