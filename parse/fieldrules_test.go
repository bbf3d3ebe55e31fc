package parse

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"newsfeed/record"
)

// fieldRulesData is where the shared page sets are: zh-news/pages and
// zh-cwce/original. The evidence test skips when they are not there.
var fieldRulesData = func() string {
	if d := os.Getenv("NEWSFEED_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared")
}()

// cwceSite reads the site of a zh-cwce page from its CleanEval header
// line (<text id=URL …>) or its canonical link.
var cwceSite = regexp.MustCompile(`(?:<text id=|canonical" href=|og:url" content=)"?https?://([^/"\s>]+)`)

// TestFieldRules_Evidence parses the pages of ../shared/zh-news and
// ../shared/zh-cwce with ruleTrace set and tabulates which rule gave each
// field on which sites; with -update it rewrites testdata/FIELD_RULES.md.
// A field no rule traced came from the text parser's line classifier
// (the same rules read raw text).
func TestFieldRules_Evidence(t *testing.T) {
	sets := []struct{ name, dir string }{{"zh-news", "zh-news/pages"}, {"zh-cwce", "zh-cwce/original"}}
	// field -> rule -> set -> sites
	table := map[string]map[string]map[string]map[string]bool{}
	pages := 0
	for _, set := range sets {
		files, _ := filepath.Glob(filepath.Join(fieldRulesData, set.dir, "*.html"))
		if len(files) == 0 {
			t.Skipf("no pages in %s", filepath.Join(fieldRulesData, set.dir))
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			site := strings.SplitN(filepath.Base(f), "__", 2)[0]
			if set.name == "zh-cwce" {
				site = "?"
				if m := cwceSite.FindSubmatch(data[:min(len(data), 20000)]); m != nil {
					site = strings.TrimPrefix(strings.ToLower(string(m[1])), "www.")
				}
			}
			last := map[string]string{}
			ruleTrace = func(field, rule string) { last[field] = rule }
			res, err := HTML(data, Options{Source: f})
			ruleTrace = nil
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			pages++
			for field, has := range fieldsOf(res.Article) {
				if !has {
					continue
				}
				rule := last[field]
				if rule == "" {
					rule = "text lines (classifier)"
				}
				if table[field] == nil {
					table[field] = map[string]map[string]map[string]bool{}
				}
				if table[field][rule] == nil {
					table[field][rule] = map[string]map[string]bool{}
				}
				if table[field][rule][set.name] == nil {
					table[field][rule][set.name] = map[string]bool{}
				}
				table[field][rule][set.name][site] = true
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Field rules and the sites they fire on\n\n")
	fmt.Fprintf(&b, "Written by `go test ./parse -run TestFieldRules_Evidence -update` from the %d pages of\n", pages)
	b.WriteString("../shared/zh-news and ../shared/zh-cwce: for each field of each article, the rule that gave it\n")
	b.WriteString("last (ruleTrace; tests only, never in the record). The grammars are in the doc comments of\n")
	b.WriteString("title.go, dates.go, bylines.go, editor.go and outlet.go. A rule that fires on one site only is\n")
	b.WriteString("a documented grammar case with a hand-made test in fields_test.go.\n")
	for _, field := range []string{"title", "published", "author", "editor", "outlet"} {
		fmt.Fprintf(&b, "\n## %s\n\n| rule | zh-news sites | zh-cwce sites |\n|---|---|---|\n", field)
		for _, rule := range slices.Sorted(maps.Keys(table[field])) {
			cell := func(set string) string {
				sites := slices.Sorted(maps.Keys(table[field][rule][set]))
				return fmt.Sprintf("%d: %s", len(sites), strings.Join(sites, ", "))
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", rule, cell("zh-news"), cell("zh-cwce"))
		}
	}
	path := filepath.Join("testdata", "FIELD_RULES.md")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Log(b.String())
}

// fieldsOf says which of an article's fields the evidence table counts
// are set.
func fieldsOf(a *record.Article) map[string]bool {
	return map[string]bool{"title": a.Title != "", "published": a.Published != nil, "author": len(a.Authors) > 0,
		"editor": a.Editor != "", "outlet": a.Outlet != ""}
}
