package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"newsfeed/parse"
	"newsfeed/record"
)

// stdinName is the source name of pages read from stdin.
const stdinName = "stdin"

// job is one input to read: a file path, stdin, or a URL to fetch.
type job struct {
	name  string
	stdin bool
	// url: name is a URL (canonical); src is the list that named it, or
	// nil; old is its stored fetch state when the list already read it.
	url bool
	src *listSource
	old *record.URLState
	// Set once fetched: the body, its Content-Type, the URL after
	// redirects, and the fetch state to save once the page is stored.
	data        []byte
	contentType string
	pageURL     string
	state       *record.URLState
}

// walk sends a job for every input the sources name, in order: "-" is
// stdin, a folder is every file under it whose base name matches glob, a
// URL goes to fetchJobs in its canonical form (the site profile's
// tracking parameters dropped too), unless another source named it
// already. A source that cannot be walked is reported through fail. It
// stops early when ctx is done.
func walk(ctx context.Context, sources []string, glob string, jobs, fetchJobs chan<- job, fr *fetcher, fail func(error)) {
	send := func(j job) bool {
		to := jobs
		if j.url {
			to = fetchJobs
		}
		select {
		case to <- j:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, src := range sources {
		if IsURL(src) {
			u := fr.canonical(src)
			if u == "" {
				fail(fmt.Errorf("fetch %s: not an http or https URL", src))
				continue
			}
			if fr.claim(u) && !send(job{name: u, url: true}) {
				return
			}
			continue
		}
		if src == "-" {
			if !send(job{name: stdinName, stdin: true}) {
				return
			}
			continue
		}
		fi, err := os.Stat(src)
		if err != nil {
			fail(fmt.Errorf("read %w", err)) // *PathError names the file
			continue
		}
		if !fi.IsDir() {
			if !send(job{name: filepath.Clean(src)}) {
				return
			}
			continue
		}
		err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				fail(fmt.Errorf("read %w", err))
				return nil
			}
			if p != src && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if glob != "" {
				if ok, _ := path.Match(glob, d.Name()); !ok {
					return nil
				}
			}
			if !send(job{name: p}) {
				return ctx.Err()
			}
			return nil
		})
		if err != nil {
			return // ctx done
		}
	}
}

// read returns the job's bytes, refusing more than maxBytes. It reads one
// byte past the limit so that parse reports ErrTooLarge rather than
// parsing a truncated page; a file whose size is known to be over the
// limit is refused without reading it.
func read(ctx context.Context, j job, stdin io.Reader, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = parse.DefaultMaxBytes
	}
	if j.stdin {
		if stdin == nil {
			return nil, fmt.Errorf("read %s: no standard input", j.name)
		}
		return readCancellable(ctx, j.name, stdin, maxBytes)
	}
	f, err := os.Open(j.name)
	if err != nil {
		return nil, fmt.Errorf("read %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return nil, fmt.Errorf("read %s: is a folder", j.name)
		}
		if fi.Mode().IsRegular() && fi.Size() > int64(maxBytes) {
			return nil, fmt.Errorf("read %s: %w: %d bytes, limit %d", j.name, parse.ErrTooLarge, fi.Size(), maxBytes)
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", j.name, err)
	}
	return data, nil
}

// readCancellable reads r in a goroutine so that a cancelled ctx ends the
// wait: a pipe on stdin may never close. The abandoned read ends with the
// process.
func readCancellable(ctx context.Context, name string, r io.Reader, maxBytes int) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, int64(maxBytes)+1))
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("read %s: %w", name, res.err)
		}
		return res.data, nil
	case <-ctx.Done():
		return nil, errors.Join(fmt.Errorf("read %s: interrupted", name), ctx.Err())
	}
}

// Expand replaces each "@FILE" among sources with the sources FILE lists,
// one a line (blank lines and lines starting with # are skipped; a
// listed @FILE is expanded too, to a depth of 8). Other sources are kept
// as they are. Errors name the file.
func Expand(sources []string) ([]string, error) {
	return expand(sources, 0)
}

func expand(sources []string, depth int) ([]string, error) {
	var out []string
	for _, src := range sources {
		name, ok := strings.CutPrefix(src, "@")
		if !ok {
			out = append(out, src)
			continue
		}
		if depth >= 8 {
			return nil, fmt.Errorf("ingest: %s: @FILE nested too deep", name)
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("ingest: read %w", err) // *PathError names the file
		}
		var listed []string
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			listed = append(listed, line)
		}
		more, err := expand(listed, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}
