package queue

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goldenWork is the work message of testdata/work.json, written by the
// code before the cluster was split.
var goldenWork = WorkMessage{URL: "https://news.example.com/a/2026/11/29/123.shtml", Source: "section one",
	Site: "news.example.com", Profiles: "[site]\nhost = \"news.example.com\"\n", Marker: "etag:\"abc\"",
	New: true, Refresh: true}

// A work message written before the split decodes to the same values,
// and the same values encode to the same bytes and message id.
func TestWorkWire_Golden(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "work.json"))
	if err != nil {
		t.Fatal(err)
	}
	headers, err := os.ReadFile(filepath.Join("testdata", "work.headers"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeWork(body)
	if err != nil || got != goldenWork {
		t.Fatalf("DecodeWork = %+v, %v; want %+v", got, err, goldenWork)
	}
	m, err := EncodeWork("NEWSFEED.work", goldenWork)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Data) != string(body) {
		t.Errorf("EncodeWork:\n%s\nwant:\n%s", m.Data, body)
	}
	var lines []string
	for k, vs := range m.Header {
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	slices.Sort(lines)
	if h := strings.Join(lines, "\n") + "\n"; h != string(headers) {
		t.Errorf("headers %q, want %q", h, headers)
	}
}
