package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsfeed/parse"
)

// TestRun_HostilePageFailsOthersStored: a page over the parse budget (issue
// 19: 300,000 paragraphs, 8 MB, once minutes and gigabytes to parse) is
// counted failed with an error naming it; the other pages of the folder
// are stored. ParseTimeout reaches the parser: with a budget no page can
// meet, every page fails on time, named.
func TestRun_HostilePageFailsOthersStored(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	dir := mustPages(t, 0, 3)
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>A hostile page</title></head><body><article>")
	for range 300_000 {
		b.WriteString("<p>short para text here</p>")
	}
	b.WriteString("</article></body></html>")
	if err := os.WriteFile(filepath.Join(dir, "hostile.html"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	var errs errorLog
	sum, err := Ingest(ctx, s, []string{dir}, Options{OnError: errs.add})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 4 || sum.New != 3 || sum.Failed != 1 {
		t.Errorf("summary = %+v, want 4 read, 3 new, 1 failed", sum)
	}
	if n := countArticles(t, s); n != 3 {
		t.Errorf("%d articles stored, want 3", n)
	}
	if len(errs.errs) != 1 || !errors.Is(errs.errs[0], parse.ErrBudget) || !strings.Contains(errs.errs[0].Error(), "hostile.html: parse: page over budget") {
		t.Errorf("errors = %v, want one ErrBudget naming hostile.html", errs.errs)
	}

	errs = errorLog{}
	sum, err = Ingest(ctx, mustOpenStore(t), []string{dir}, Options{OnError: errs.add, ParseTimeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 4 || sum.Failed != 4 {
		t.Errorf("ParseTimeout 1ns: summary = %+v, want 4 read and failed", sum)
	}
	msgs := fmt.Sprint(errs.errs)
	if strings.Count(msgs, "time budget of 1ns spent") != 4 || !strings.Contains(msgs, "hostile.html: ") {
		t.Errorf("ParseTimeout 1ns: errors = %s", msgs)
	}
}
