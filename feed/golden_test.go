package feed

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/seed/")

// goldenDir holds what Publish writes for the seed page, with the store's
// clock pinned to testNow and the base URL testBase.
const goldenDir = "testdata/seed"

// TestPublish_SeedGolden publishes the seed and compares every file with
// its golden copy. Run `go test ./feed -run Golden -update` after a
// deliberate change, and read the diff.
func TestPublish_SeedGolden(t *testing.T) {
	s, _ := mustSeedStore(t)
	out := t.TempDir()
	res, err := Publish(t.Context(), s, out, Options{BaseURL: testBase}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := relFiles(t, out)
	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for _, f := range got {
			dst := filepath.Join(goldenDir, f)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, mustReadFile(t, filepath.Join(out, f)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d golden files", len(got))
	}
	if want := relFiles(t, goldenDir); !slices.Equal(got, want) {
		t.Fatalf("files %v,\nwant %v", got, want)
	}
	if len(res.Written) != len(got) {
		t.Errorf("reported %d written, found %d files", len(res.Written), len(got))
	}
	for _, f := range got {
		g, w := mustReadFile(t, filepath.Join(out, f)), mustReadFile(t, filepath.Join(goldenDir, f))
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from its golden file (go test ./feed -run Golden -update)", f)
		}
	}
}

// relFiles returns the files under dir, relative with forward slashes,
// sorted.
func relFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
