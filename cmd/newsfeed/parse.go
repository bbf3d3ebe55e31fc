package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/poll"
)

// runParse prints the records of pages, HTML or raw text, as NDJSON, one
// record a line: for each page the article first, then the interview,
// then the headlines. Sources are files, - for stdin, URLs and @FILE. A
// page that cannot be read or parsed is one error line; the others are
// still printed, and the exit status is 1.
func runParse(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "parse", "SOURCE...  (files, - for stdin, URLs, @FILE)")
	pc := addParseFlags(fs)
	fc := addFetchFlags(fs)
	summary := fs.Bool("summary", false, "print one line counting each page's records instead of the records")
	verbose := fs.Bool("v", false, "log each request")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	srcs, err := poll.Expand(fs.Args())
	if err != nil {
		return usagef("%v", err)
	}
	if len(srcs) == 0 {
		return badUsage(fs)
	}
	if err := poll.Check(srcs); err != nil {
		return usagef("%v", err)
	}
	if pc.url != "" && len(srcs) != 1 {
		return usagef("parse: --url labels one page; name exactly one")
	}
	r := &pageReader{e: e, pc: pc, fc: fc, verbose: *verbose}
	defer r.close()
	if slices.ContainsFunc(srcs, poll.IsURL) {
		// The sources file's fetch settings (contact, politeness) apply.
		if r.sc, err = fc.loadSources(); err != nil {
			return usagef("%v", err)
		}
		fc.apply(r.sc, setFlags(fs))
	}
	if r.profiles, err = pc.loadProfiles(); err != nil {
		return usagef("%v", err)
	}
	return printPages(ctx, e, r, srcs, *summary)
}

// printPages reads, parses and prints each of srcs (see runParse). A
// source that fails is one line, printed as it comes; the others go on:
// it returns the statusCode to end with.
func printPages(ctx context.Context, e *env, r *pageReader, srcs []string, summary bool) error {
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	code := exitOK
	for _, name := range srcs {
		data, opts, err := r.read(ctx, name)
		if err == nil {
			err = printPage(w, data, opts, summary)
		}
		if err != nil {
			w.Flush()
			fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
			code = exitFailed
			if ctx.Err() != nil {
				return statusCode(signalExit(ctx))
			}
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: write: %v\n", err)
		return statusCode(exitFailed)
	}
	return status(code)
}

// pageReader reads parse's sources: files, stdin, and URLs, fetched with
// the sources file's settings sc by a fetcher made for the first.
type pageReader struct {
	e        *env
	pc       *parseConfig
	fc       *fetchConfig
	sc       *config.Config // nil when no source is a URL
	profiles *parse.Profiles
	verbose  bool
	f        *fetch.Fetcher // nil until a URL is read
}

// read returns the bytes of source name and the options to parse them
// with.
func (r *pageReader) read(ctx context.Context, name string) ([]byte, parse.Options, error) {
	pc := r.pc
	opts := parse.Options{Site: pc.site, URL: pc.url, Source: name, MaxBytes: pc.maxBytes,
		ContentType: pc.contentType, Profiles: r.profiles, Timeout: pc.parseTimeout()}
	if !poll.IsURL(name) {
		data, err := readInput(r.e.stdin, name, pc.maxBytes)
		if name == "-" {
			opts.Source = "stdin"
		}
		return data, opts, err
	}
	if r.f == nil {
		r.f = r.fc.fetcher(r.sc, pc.maxBytes, r.e, r.verbose)
	}
	resp, err := r.f.Get(ctx, name, fetch.Validators{})
	if err != nil {
		return nil, opts, err
	}
	opts.ContentType = resp.ContentType
	if opts.URL == "" {
		opts.URL = resp.URL
	}
	return resp.Body, opts, nil
}

// close closes the fetcher, if one was made.
func (r *pageReader) close() {
	if r.f != nil {
		r.f.Close()
	}
}

// printPage parses one page and prints its records, or with summary one
// line counting them.
func printPage(w io.Writer, data []byte, opts parse.Options, summary bool) error {
	res, err := parse.Page(data, opts)
	if err != nil {
		return err
	}
	if summary {
		_, err := fmt.Fprintf(w, "%s: %s\n", opts.Source, summarize(res))
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range res.Records() {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
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
	s := fmt.Sprintf("1 article (%d paragraphs, %d captions)", len(a.Texts()), len(a.Captions()))
	if iv := res.Interview; iv != nil {
		s += fmt.Sprintf(", 1 interview (%d turns)", len(iv.Turns))
	} else {
		s += ", 0 interviews"
	}
	return s + fmt.Sprintf(", %d headlines (%d related, %d recommended, %d hot)",
		len(res.Headlines), len(a.Related), len(a.Recommended), len(a.Hot))
}
