package records

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/record"
)

// readGolden reads a records-stream message written by the code before
// the cluster was split (testdata/<name>.json and .headers).
func readGolden(t *testing.T, name string) (body []byte, header nats.Header) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join("testdata", name+".headers"))
	if err != nil {
		t.Fatal(err)
	}
	header = nats.Header{}
	for line := range strings.Lines(string(text)) {
		k, v, _ := strings.Cut(strings.TrimSuffix(line, "\n"), ": ")
		header.Add(k, v)
	}
	return body, header
}

// headerText writes a message's headers as the goldens hold them.
func headerText(h nats.Header) string {
	var lines []string
	for k, vs := range h {
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// decodedText is a decoded page as testdata/records-decoded.json holds it.
func decodedText(t *testing.T, p *record.Page) []byte {
	t.Helper()
	out, err := json.MarshalIndent(struct {
		Source, ContentHash string
		Seen                time.Time
		Article             *record.Article
		Interview           *record.Interview
		Headlines           []*record.Headline
		ArticleJSON         string
		InterviewJSON       string
	}{p.Source, p.ContentHash, p.Seen, p.Article, p.Interview, p.Headlines,
		string(p.ArticleJSON), string(p.InterviewJSON)}, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Records-stream messages written before the split decode to the same
// page, those that carry the validators (etag, last_modified) too; the
// page encodes again to the bytes and message id of old, without the
// validators, which are no longer written.
func TestRecordsWire_Golden(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "records-decoded.json"))
	if err != nil {
		t.Fatal(err)
	}
	plain, plainHeader := readGolden(t, "records")
	for _, name := range []string{"records", "records-etag"} {
		t.Run(name, func(t *testing.T) {
			body, header := readGolden(t, name)
			p, err := DecodePage(body, header)
			if err != nil {
				t.Fatal(err)
			}
			if got := decodedText(t, p); !bytes.Equal(got, want) {
				t.Errorf("decoded page differs from testdata/records-decoded.json:\n%s", got)
			}
			m, err := EncodePage("NEWSFEED.records", p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m.Data, plain) {
				t.Errorf("encoded again:\n%s\nwant testdata/records.json:\n%s", m.Data, plain)
			}
			if got, want := headerText(m.Header), headerText(plainHeader); got != want {
				t.Errorf("headers %q, want %q", got, want)
			}
		})
	}
}
