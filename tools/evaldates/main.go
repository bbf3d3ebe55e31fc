// Command evaldates scores newsfeed's publication date on go-htmldate's
// public date set (test-files/comparison and test-files/mediacloud of the
// go-htmldate module, true days in scripts/comparison/data-*.go) beside
// go-htmldate's fast and extensive modes, in one run, with the scoring of
// go-htmldate's own comparison script: precision, recall, accuracy and
// F-score over the day (2006-01-02) each gives.
//
// newsfeed's day is the day of its published time in the zone the time
// carries, as a reader of the page would say it. The pages are read in
// place from the module directory given by -dir (make eval-dates finds it
// in the module cache); nothing is copied.
//
// Usage: evaldates -dir $(go mod download -json github.com/markusmobius/go-htmldate@v1.9.1 | Dir) [-v]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-shiori/dom"
	"github.com/markusmobius/go-htmldate"

	"newsfeed/parse"
)

func main() {
	dir := flag.String("dir", "", "the go-htmldate module directory (with test-files/ and scripts/comparison/)")
	verbose := flag.Bool("v", false, "print each page where newsfeed and htmldate extensive disagree")
	flag.Parse()
	if err := run(*dir, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "evaldates:", err)
		os.Exit(1)
	}
}

func run(dir string, verbose bool) error {
	if dir == "" {
		return errors.New("-dir is required: the go-htmldate module directory")
	}
	var entries []entry
	for _, name := range []string{"data-mediacloud.go", "data-default.go"} {
		path := filepath.Join(dir, "scripts", "comparison", name)
		src, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read the true dates: %w", err)
		}
		es, err := readEntries(path, src)
		if err != nil {
			return err
		}
		entries = append(entries, es...)
	}
	var nf, fast, ext counts
	var n, missing, noArticle int
	var took [3]time.Duration
	for _, e := range entries {
		data, path, err := readPage(dir, e.File)
		if err != nil {
			missing++
			continue
		}
		n++
		start := time.Now()
		var got string
		res, err := parse.Page(data, parse.Options{URL: e.URL, Source: path})
		switch {
		case err != nil:
			noArticle++
			if verbose {
				fmt.Fprintf(os.Stderr, "newsfeed: %v\n", err)
			}
		case res.Article != nil && res.Article.Published != nil:
			got = res.Article.Published.Format(time.DateOnly)
		}
		took[0] += time.Since(start)
		nf.add(got, e.Date)

		start = time.Now()
		f := htmldateDay(data, false)
		took[1] += time.Since(start)
		fast.add(f, e.Date)
		start = time.Now()
		x := htmldateDay(data, true)
		took[2] += time.Since(start)
		ext.add(x, e.Date)
		if verbose && got != x {
			fmt.Fprintf(os.Stderr, "%s: want %q newsfeed %q extensive %q\n", e.File, e.Date, got, x)
		}
	}
	fmt.Printf("go-htmldate date set: %d pages (%d listed files not found), newsfeed gave no article on %d\n\n", n, missing, noArticle)
	fmt.Println(tableHeader)
	fmt.Printf("%s  %6.1fs\n", nf.row("newsfeed"), took[0].Seconds())
	fmt.Printf("%s  %6.1fs\n", fast.row("htmldate-fast"), took[1].Seconds())
	fmt.Printf("%s  %6.1fs\n", ext.row("htmldate-extensive"), took[2].Seconds())
	return nil
}

// readPage reads a page where go-htmldate's script looks for it.
func readPage(dir, name string) ([]byte, string, error) {
	var err error
	for _, sub := range []string{"mediacloud", "comparison", "mock"} {
		path := filepath.Join(dir, "test-files", sub, name)
		var data []byte
		if data, err = os.ReadFile(path); err == nil {
			return data, path, nil
		}
	}
	return nil, "", err
}

// htmldateDay runs go-htmldate as its comparison script does (original
// date, extensive search or not) and returns the day, or "".
func htmldateDay(data []byte, extensive bool) string {
	doc, err := dom.Parse(bytes.NewReader(data))
	if err != nil {
		return ""
	}
	res, err := htmldate.FromDocument(doc, htmldate.Options{UseOriginalDate: true, SkipExtensiveSearch: !extensive})
	if err != nil || res.IsZero() {
		return ""
	}
	return res.Format(time.DateOnly)
}
