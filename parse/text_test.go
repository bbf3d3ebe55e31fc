package parse

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the parser's output")

const seedPath = "../seeds/000_3f39084d81a9de5b.txt"

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustParse(tb testing.TB, data []byte, opts Options) *Result {
	tb.Helper()
	res, err := Text(data, opts)
	if err != nil {
		tb.Fatalf("Text: %v", err)
	}
	return res
}

// goldenJSON renders a result as the golden files hold it: an indented JSON
// array of its records.
func goldenJSON(tb testing.TB, res *Result) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res.Records()); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestText_Golden parses every page in ../seeds and testdata and compares
// the records with testdata/NAME.golden.json. Refresh with -update.
func TestText_Golden(t *testing.T) {
	pages, _ := filepath.Glob("../seeds/*.txt")
	more, _ := filepath.Glob("testdata/*.txt")
	pages = append(pages, more...)
	if len(pages) < 4 {
		t.Fatalf("found only %d pages", len(pages))
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".txt")
		t.Run(name, func(t *testing.T) {
			res := mustParse(t, readFile(t, page), Options{Source: filepath.Base(page)})
			checkGolden(t, filepath.Join("testdata", name+".golden.json"), goldenJSON(t, res))
		})
	}
}

// TestHTML_Golden parses every HTML fixture in testdata/html and compares
// the records with testdata/html/NAME.golden.json. Refresh with -update.
func TestHTML_Golden(t *testing.T) {
	pages, _ := filepath.Glob("testdata/html/*.html")
	if len(pages) < 3 {
		t.Fatalf("found only %d pages", len(pages))
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			res, err := Page(readFile(t, page), Options{Source: filepath.Base(page)})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "html", name+".golden.json"), goldenJSON(t, res))
		})
	}
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readFile(t, golden)
	if !bytes.Equal(got, want) {
		t.Errorf("records differ from %s (run go test ./parse -update and review the diff):\n%s", golden, firstDiff(got, want))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
