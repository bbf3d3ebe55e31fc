package cluster

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"newsfeed/internal/natstest"
)

// A dead letter is published with the body and headers of old
// (testdata/dead.*, written by the code before the cluster was split),
// and read back to the same values.
func TestDeadLetterWire_Golden(t *testing.T) {
	ctx := context.Background()
	c, err := Connect(ctx, Config{URL: natstest.Start(t).ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := DeadLetter{WorkSeq: 42, URL: "https://x/a", Error: "fetch https://x/a: boom\nsecond line",
		Deliveries: 5, Worker: "host:123", Work: []byte(`{"url":"https://x/a"}`)}
	if err := c.PublishDead(ctx, d); err != nil {
		t.Fatal(err)
	}
	st, err := c.JS.Stream(ctx, c.Names.DeadStream)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join("testdata", "dead.json"))
	if err != nil {
		t.Fatal(err)
	}
	headers, err := os.ReadFile(filepath.Join("testdata", "dead.headers"))
	if err != nil {
		t.Fatal(err)
	}
	if string(raw.Data) != string(body) {
		t.Errorf("body %q, want %q", raw.Data, body)
	}
	var lines []string
	for k, vs := range raw.Header {
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	slices.Sort(lines)
	if h := strings.Join(lines, "\n") + "\n"; h != string(headers) {
		t.Errorf("headers %q, want %q", h, headers)
	}
	_, letters, err := c.DeadLetters(ctx, 0)
	if err != nil || len(letters) != 1 {
		t.Fatalf("DeadLetters = %v, %v", letters, err)
	}
	got := letters[0]
	if got.WorkSeq != 42 || got.URL != d.URL || got.Error != "fetch https://x/a: boom second line" ||
		got.Deliveries != 5 || got.Worker != d.Worker || string(got.Work) != string(d.Work) {
		t.Errorf("read back %+v", got)
	}
}
