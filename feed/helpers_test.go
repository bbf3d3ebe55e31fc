package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"newsfeed/internal/storetest"
	"newsfeed/internal/testpages"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
)

// testNow is the pinned clock of test stores: first_seen and last_seen.
var testNow = time.Date(2026, 1, 14, 9, 30, 0, 0, time.UTC)

// testBase is the base URL tests publish under.
const testBase = "https://feeds.example.org/news/"

// mustOpenStore opens a new database in t.TempDir() with a pinned clock;
// cleanup checks its consistency, then closes it.
func mustOpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	return storetest.Open(tb, store.Options{Now: func() time.Time { return testNow }, NoSync: true})
}

// parsePage parses page text as a record.Page read from source.
func parsePage(tb testing.TB, data []byte, source string, opts parse.Options) *record.Page {
	tb.Helper()
	opts.Source = source
	res, err := parse.Text(data, opts)
	if err != nil {
		tb.Fatalf("parse %s: %v", source, err)
	}
	return &record.Page{
		Source: source, ContentHash: res.Article.ContentHash,
		Article: res.Article, Interview: res.Interview, Headlines: res.Headlines,
	}
}

// seedSource is the seed's source name in test stores: what make run
// stores it as.
const seedSource = "seeds/" + testpages.SeedName

// seedRecords holds the seed page's records as `newsfeed parse` printed
// them. The feed tests read them rather than parse the seed, so that a
// parser change does not change the golden feeds; refresh it with
//
//	bin/newsfeed parse seeds/000_3f39084d81a9de5b.txt > feed/testdata/seed.ndjson
const seedRecords = "testdata/seed.ndjson"

// seedPage returns the seed page's records as a record.Page.
func seedPage(tb testing.TB) *record.Page {
	tb.Helper()
	p := &record.Page{Source: seedSource}
	dec := json.NewDecoder(bytes.NewReader(mustReadFile(tb, seedRecords)))
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			tb.Fatalf("%s: %v", seedRecords, err)
		}
		var head struct{ Kind record.Kind }
		if err := json.Unmarshal(raw, &head); err != nil {
			tb.Fatal(err)
		}
		var err error
		switch head.Kind {
		case record.KindArticle:
			p.Article = new(record.Article)
			err = json.Unmarshal(raw, p.Article)
		case record.KindInterview:
			p.Interview = new(record.Interview)
			err = json.Unmarshal(raw, p.Interview)
		case record.KindHeadline:
			h := new(record.Headline)
			err = json.Unmarshal(raw, h)
			p.Headlines = append(p.Headlines, h)
		default:
			err = fmt.Errorf("unknown kind %q", head.Kind)
		}
		if err != nil {
			tb.Fatalf("%s: %v", seedRecords, err)
		}
	}
	if p.Article == nil || p.Interview == nil {
		tb.Fatalf("%s lacks the article or the interview", seedRecords)
	}
	p.ContentHash = p.Article.ContentHash
	return p
}

// mustSeedStore returns a store holding the seed page.
func mustSeedStore(tb testing.TB) (*store.Store, *record.Page) {
	tb.Helper()
	s := mustOpenStore(tb)
	p := seedPage(tb)
	mustWrite(tb, s, p)
	return s, p
}

// mustWrite writes pages in one batch.
func mustWrite(tb testing.TB, s *store.Store, pages ...*record.Page) {
	tb.Helper()
	if _, err := s.WritePages(context.Background(), pages); err != nil {
		tb.Fatalf("write: %v", err)
	}
}

// mustBuilder returns a builder over s with the test base URL.
func mustBuilder(tb testing.TB, s Reader, opts Options) *Builder {
	tb.Helper()
	if opts.BaseURL == "" {
		opts.BaseURL = testBase
	}
	b, err := NewBuilder(s, opts)
	if err != nil {
		tb.Fatalf("builder: %v", err)
	}
	return b
}

// mustRender builds spec and renders it in format.
func mustRender(tb testing.TB, b *Builder, spec Spec, format Format) []byte {
	tb.Helper()
	f, err := b.Build(context.Background(), spec)
	if err != nil {
		tb.Fatalf("build %v: %v", spec, err)
	}
	var buf bytes.Buffer
	if err := f.Render(&buf, format); err != nil {
		tb.Fatalf("render %v %s: %v", spec, format, err)
	}
	return buf.Bytes()
}

// mustReadFile returns the file's bytes.
func mustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
