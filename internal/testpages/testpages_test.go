package testpages

import (
	"bytes"
	"testing"

	"newsfeed/parse"
)

func TestPage(t *testing.T) {
	seen := map[string]bool{}
	for _, i := range []int{0, 1, 250, 9999} {
		b, err := Page(i)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := Page(i); !bytes.Equal(b, again) {
			t.Errorf("page %d differs between calls", i)
		}
		res, err := parse.Text(b, parse.Options{Source: "generated"})
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		a := res.Article
		if seen[a.ID] {
			t.Errorf("page %d repeats an article id", i)
		}
		seen[a.ID] = true
		if len(a.Related) != 20 || len(a.Recommended) != 5 || len(a.Hot) != 16 || res.Interview == nil {
			t.Errorf("page %d: %d related, %d recommended, %d hot, interview %v",
				i, len(a.Related), len(a.Recommended), len(a.Hot), res.Interview != nil)
		}
	}
}

func BenchmarkPage(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Page(i); err != nil {
			b.Fatal(err)
		}
	}
}
