package main

import (
	"math"
	"strings"
	"testing"
)

// TestScores counts a hand-made set of seven pages and checks the four
// scores against figures worked out by hand.
func TestScores(t *testing.T) {
	var c counts
	for _, p := range []struct{ got, want string }{
		{"2020-01-02", "2020-01-02"}, // TP
		{"2020-01-02", "2020-01-02"}, // TP
		{"2020-01-02", "2020-01-02"}, // TP
		{"2020-01-03", "2020-01-02"}, // FP: wrong day
		{"2020-01-03", ""},           // FP: a day where there is none
		{"", "2020-01-02"},           // FN
		{"", ""},                     // TN
	} {
		c.add(p.got, p.want)
	}
	if c != (counts{TP: 3, FN: 1, FP: 2, TN: 1}) {
		t.Fatalf("counts = %+v, want TP 3 FN 1 FP 2 TN 1", c)
	}
	p, r, a, f := c.scores()
	for _, s := range []struct {
		name      string
		got, want float64
	}{
		{"precision", p, 3.0 / 5}, {"recall", r, 3.0 / 4}, {"accuracy", a, 4.0 / 7}, {"F-score", f, 6.0 / 9},
	} {
		if math.Abs(s.got-s.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", s.name, s.got, s.want)
		}
	}
	if row := c.row("x"); !strings.Contains(row, "0.600") || !strings.Contains(row, "0.667") {
		t.Errorf("row = %q, want precision 0.600 and F-score 0.667", row)
	}
	var empty counts
	if p, r, a, f := empty.scores(); p != 0 || r != 0 || a != 0 || f != 0 {
		t.Errorf("empty scores = %v %v %v %v, want zeros", p, r, a, f)
	}
}

// TestReadEntries reads a data file written as go-htmldate's are.
func TestReadEntries(t *testing.T) {
	src := `package main

var defaultComparisonData = []comparisonEntry{
	{
		URL:       "https://example.org/a",
		File:      "a.html",
		Date:      "2014-07-19",
		Fast:      "2014-07-19",
		Extensive: "2014-07-18",
	}, {
		URL:  "https://example.org/b",
		File: "b.html",
		Date: "",
	},
}
`
	es, err := readEntries("data-test.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{{"https://example.org/a", "a.html", "2014-07-19"}, {"https://example.org/b", "b.html", ""}}
	if len(es) != len(want) || es[0] != want[0] || es[1] != want[1] {
		t.Fatalf("entries = %+v, want %+v", es, want)
	}
	if _, err := readEntries("none.go", []byte("package main\n")); err == nil || !strings.Contains(err.Error(), "none.go") {
		t.Errorf("a file without entries: err = %v, want one naming the file", err)
	}
	if _, err := readEntries("broken.go", []byte("package")); err == nil || !strings.Contains(err.Error(), "broken.go") {
		t.Errorf("broken Go: err = %v, want one naming the file", err)
	}
}
