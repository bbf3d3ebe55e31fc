package parse

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseText parses the seed page; it reports MB/s (from
// SetBytes), pages/s and allocations.
func BenchmarkParseText(b *testing.B) {
	data := readFile(b, seedPath)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Text(data, Options{Source: "seed"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkParseHTML parses HTML pages through a site profile (the guancha
// fixtures) and through the generic extractor (the English pages of
// ../shared/aeb, when present), reporting MB/s and pages/s for each path.
func BenchmarkParseHTML(b *testing.B) {
	profile := [][]byte{readFile(b, "testdata/html/guancha_seed.html"), readFile(b, "testdata/html/guancha_column.html")}
	urls := []string{seedURL, "https://www.guancha.cn/JinCanRong/2025_12_09_100000.shtml"}
	b.Run("profile", func(b *testing.B) {
		benchPages(b, profile, urls)
	})
	generic := sharedPages(b, "../../shared/aeb/html/*.html.gz", 20)
	if len(generic) == 0 {
		generic = [][]byte{readFile(b, "testdata/html/generic_en.html")}
	}
	b.Run("generic", func(b *testing.B) {
		benchPages(b, generic, nil)
	})
}

func benchPages(b *testing.B, pages [][]byte, urls []string) {
	var size int64
	for _, p := range pages {
		size += int64(len(p))
	}
	b.SetBytes(size / int64(len(pages)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		opts := Options{}
		if urls != nil {
			opts.URL = urls[i%len(urls)]
		}
		if _, err := HTML(pages[i%len(pages)], opts); err != nil && !errors.Is(err, ErrNoTitle) {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// sharedPages reads up to n gzipped pages matching pattern.
func sharedPages(b *testing.B, pattern string, n int) [][]byte {
	paths, _ := filepath.Glob(pattern)
	var out [][]byte
	for _, p := range paths[:min(n, len(paths))] {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(z)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}
