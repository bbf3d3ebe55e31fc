package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"newsfeed/parse"
)

// runParse prints the records of one page, HTML or raw text, as NDJSON, one record a line,
// article first, then the interview, then the headlines.
func runParse(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "parse", "FILE|-")
	site := fs.String("site", "", "the site's name or host, for records' site and ids")
	pageURL := fs.String("url", "", "the page's URL; the article's id comes from it")
	summary := fs.Bool("summary", false, "print one line counting the records instead of the records")
	maxBytes := fs.Int("max-bytes", parse.DefaultMaxBytes, "refuse input larger than this many bytes")
	profilesPath := fs.String("profiles", "", "a site profile file that overrides and adds to the built-in profiles")
	contentType := fs.String("content-type", "", "the page's HTTP Content-Type, whose charset names its encoding")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	name := fs.Arg(0)
	data, err := readInput(e.stdin, name, *maxBytes)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitFailed
	}
	if name == "-" {
		name = "stdin"
	}
	opts := parse.Options{Site: *site, URL: *pageURL, Source: name, MaxBytes: *maxBytes, ContentType: *contentType}
	if *profilesPath != "" {
		user, err := readProfiles(*profilesPath)
		if err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
			return exitUsage
		}
		opts.Profiles = parse.BuiltinProfiles().Overlay(user)
	}
	res, err := parse.Page(data, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitFailed
	}
	if *summary {
		fmt.Fprintf(e.stdout, "%s: %s\n", name, summarize(res))
		return exitOK
	}
	w := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range res.Records() {
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: write: %v\n", err)
			return exitFailed
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: write: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// readInput reads the file name, or stdin for "-", refusing more than
// maxBytes: it reads one byte past the limit so that parse reports the
// input as too large instead of silently parsing a truncated page.
func readInput(stdin io.Reader, name string, maxBytes int) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read %w", err) // *PathError names the file
		}
		defer f.Close()
		r = f
	}
	if maxBytes <= 0 {
		maxBytes = parse.DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}

// summarize describes a page's records in one line.
func summarize(res *parse.Result) string {
	a := res.Article
	s := fmt.Sprintf("1 article (%d paragraphs, %d captions)", len(a.Paragraphs), len(a.Captions))
	if iv := res.Interview; iv != nil {
		s += fmt.Sprintf(", 1 interview (%d turns)", len(iv.Turns))
	} else {
		s += ", 0 interviews"
	}
	return s + fmt.Sprintf(", %d headlines (%d related, %d recommended, %d hot)",
		len(res.Headlines), len(a.Related), len(a.Recommended), len(a.Hot))
}

// readProfiles reads a --profiles file.
func readProfiles(path string) (*parse.Profiles, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	defer f.Close()
	return parse.ParseProfiles(f, path)
}
