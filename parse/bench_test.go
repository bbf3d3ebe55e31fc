package parse

import (
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
