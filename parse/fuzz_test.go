package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"newsfeed/record"
)

// FuzzParseText feeds arbitrary bytes to the text parser. Beyond not
// panicking, every result must hold: an error is one of the documented
// ones; a page yields an article whose text is valid UTF-8 and whose every
// paragraph, caption and turn comes from the input's lines; list ids point
// at the page's headlines; records marshal to JSON.
func FuzzParseText(f *testing.F) {
	seeds, _ := filepath.Glob("../seeds/*.txt")
	more, _ := filepath.Glob("testdata/*.txt")
	for _, p := range append(seeds, more...) {
		data := readFile(f, p)
		f.Add(data)
		f.Add(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte("标题\n提问:问题?\n答:回答。\n提问:又一个?\n答:好。\n"))
	f.Add([]byte("t\n2025-12-08 21:39 x -\n相关推荐 -\na 评论 1最新闻 Hot-\nb\n"))
	f.Add([]byte("\ufeff\u00a0\r\n-\r\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Text(data, Options{Source: "fuzz", MaxBytes: 1 << 20})
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrNotText) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrNoTitle) && !errors.Is(err, ErrMarkup) && !errors.Is(err, ErrBudget) {
				t.Fatalf("undocumented error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		a := res.Article
		if a.Title == "" || a.ID == "" {
			t.Fatalf("article without title or id: %+v", a)
		}
		var lines map[string]bool
		if utf8.Valid(data) {
			lines = map[string]bool{}
			for _, l := range splitLines(string(bytes.TrimPrefix(data, []byte("\ufeff")))) {
				lines[l] = true
			}
		}
		check := func(what, s string) {
			if s == "" || !utf8.ValidString(s) || s != strings.TrimSpace(s) {
				t.Fatalf("%s %q: empty, invalid UTF-8 or untrimmed", what, s)
			}
			if lines != nil && !lines[s] {
				t.Fatalf("%s %q is not a line of the input", what, s)
			}
		}
		check("title", a.Title)
		for _, p := range a.Texts() {
			check("paragraph", p)
		}
		for _, c := range a.Captions() {
			check("caption", c)
		}
		if iv := res.Interview; iv != nil {
			if len(iv.Turns) < 2 || iv.ArticleID != a.ID {
				t.Fatalf("interview with %d turns for %q", len(iv.Turns), iv.ArticleID)
			}
			for _, turn := range iv.Turns {
				if len(turn.Paragraphs) == 0 || turn.Speaker == "" {
					t.Fatalf("empty turn %+v", turn)
				}
			}
		}
		ids := map[string]*record.Headline{}
		for _, h := range res.Headlines {
			if h.Title == "" || len(h.Lists) == 0 || ids[h.ID] != nil {
				t.Fatalf("bad or repeated headline %+v", h)
			}
			ids[h.ID] = h
		}
		for list, refs := range map[record.List][]string{record.ListRelated: a.Related, record.ListRecommended: a.Recommended, record.ListHot: a.Hot} {
			for _, id := range refs {
				if h := ids[id]; h == nil || !h.HasList(list) {
					t.Fatalf("%s list names %s, which is not a %s headline of the page", list, id, list)
				}
			}
		}
		for _, r := range res.Records() {
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("marshal %s: %v", r.RecordID(), err)
			}
		}
	})
}

// FuzzParseHTML feeds arbitrary bytes to the HTML parser, seeded with the
// HTML fixtures and fragments of broken markup. An error must be one of
// the documented ones and name the input; a page must yield an article
// with a title, whose list ids point at the page's headlines.
func FuzzParseHTML(f *testing.F) {
	pages, _ := filepath.Glob("testdata/html/*.html")
	pictures, _ := filepath.Glob("testdata/pictures/*.html")
	for _, p := range append(pages, pictures...) {
		data := readFile(f, p)
		f.Add(data, "https://www.guancha.cn/a/2025_12_09_1.shtml")
		f.Add(data[:len(data)/2], "")
	}
	f.Add([]byte(`<html><meta charset="gbk"><title>t</title><body><p>a<p>b`), "")
	f.Add([]byte(`<div><div><div><p>x</p></div>`), "http://example.com/2025/01/02/x")
	f.Fuzz(func(t *testing.T, data []byte, pageURL string) {
		res, err := HTML(data, Options{Source: "fuzz", URL: pageURL, MaxBytes: 1 << 20})
		if err != nil {
			for _, want := range []error{ErrEmpty, ErrNotText, ErrTooLarge, ErrNoTitle, ErrMarkup, ErrBudget} {
				if errors.Is(err, want) {
					if !strings.HasPrefix(err.Error(), "fuzz: ") {
						t.Fatalf("error does not name the input: %v", err)
					}
					return
				}
			}
			t.Fatalf("undocumented error: %v", err)
		}
		a := res.Article
		if a.Title == "" || !utf8.ValidString(a.Title) {
			t.Fatalf("bad title %q", a.Title)
		}
		ids := map[string]bool{}
		for _, h := range res.Headlines {
			ids[h.ID] = true
		}
		for _, list := range [][]string{a.Related, a.Recommended, a.Hot} {
			for _, id := range list {
				if !ids[id] {
					t.Fatalf("list names %s, not a headline of the page", id)
				}
			}
		}
		// Pictures are absolute http(s) URLs or, with no page address,
		// references without a scheme or host of their own; each once.
		seen := map[string]bool{}
		for _, b := range a.Blocks {
			if b.Type != record.BlockImage || b.Src == "" {
				continue
			}
			u, err := url.Parse(b.Src)
			absolute := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
			relative := err == nil && u.Scheme == "" && u.Host == "" && u.Opaque == ""
			if !(absolute || relative) || seen[b.Src] {
				t.Fatalf("picture %q: not an absolute http(s) URL, or repeated", b.Src)
			}
			seen[b.Src] = true
		}
		if a.Image != "" && !strings.HasPrefix(a.Image, "http://") && !strings.HasPrefix(a.Image, "https://") {
			t.Fatalf("lead image %q", a.Image)
		}
		for _, r := range res.Records() {
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		}
	})
}
