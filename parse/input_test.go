package parse

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// BenchmarkParseTextGBK parses the seed page encoded in GBK: the cost of
// detecting and decoding a legacy encoding.
func BenchmarkParseTextGBK(b *testing.B) {
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(strings.ReplaceAll(string(readFile(b, seedPath)), "\u00a0", "")))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Text(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// TestDecode_BrokenUTF8 checks that a UTF-8 page with a stray bad byte
// stays UTF-8 and keeps its records, instead of being taken for a legacy
// encoding and refused.
func TestDecode_BrokenUTF8(t *testing.T) {
	data := readFile(t, seedPath)
	broken := append([]byte(nil), data...)
	broken[1874] = 0x20 // inside a character of a paragraph
	res, err := Text(broken, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoding != "utf-8" || len(res.Article.Texts()) != 27 || len(res.Headlines) != 39 {
		t.Errorf("read as %s: %d paragraphs, %d headlines", res.Encoding, len(res.Article.Texts()), len(res.Headlines))
	}
	if !strings.Contains(strings.Join(res.Article.Texts(), ""), "\uFFFD") {
		t.Error("the broken character is not marked")
	}
}
