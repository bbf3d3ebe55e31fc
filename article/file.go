package article

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"newsfeed/parse"
	"newsfeed/record"
)

// StdinName is the source name of pages read from stdin.
const StdinName = "stdin"

// File is one local input to read and parse: a file, or stdin.
type File struct {
	// Name is the file's path, or StdinName.
	Name string
	// Stdin says the page is read from standard input.
	Stdin bool
}

// Read reads f (stdin from stdin) and parses it as a file is parsed:
// with opts.URL, opts.ContentType and opts.Site as given. It refuses a
// page over opts.MaxBytes.
func Read(ctx context.Context, f File, stdin io.Reader, opts Options) (*record.Page, error) {
	data, err := read(ctx, f, stdin, opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	return parsePage(data, parse.Options{
		Site: opts.Site, URL: opts.URL, Source: f.Name, MaxBytes: opts.MaxBytes, Location: opts.Location,
		ContentType: opts.ContentType, Profiles: opts.Profiles, Timeout: opts.ParseTimeout,
	})
}

// read returns the file's bytes, refusing more than maxBytes. It reads
// one byte past the limit so that parse reports ErrTooLarge rather than
// parsing a truncated page; a file whose size is known to be over the
// limit is refused without reading it.
func read(ctx context.Context, f File, stdin io.Reader, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = parse.DefaultMaxBytes
	}
	if f.Stdin {
		if stdin == nil {
			return nil, fmt.Errorf("read %s: no standard input", f.Name)
		}
		return readCancellable(ctx, f.Name, stdin, maxBytes)
	}
	fh, err := os.Open(f.Name)
	if err != nil {
		return nil, fmt.Errorf("read %w", err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil {
		if fi.IsDir() {
			return nil, fmt.Errorf("read %s: is a folder", f.Name)
		}
		if fi.Mode().IsRegular() && fi.Size() > int64(maxBytes) {
			return nil, fmt.Errorf("read %s: %w: %d bytes, limit %d", f.Name, parse.ErrTooLarge, fi.Size(), maxBytes)
		}
	}
	data, err := io.ReadAll(io.LimitReader(fh, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
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
