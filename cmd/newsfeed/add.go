package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"newsfeed/config"
	"newsfeed/discover"
)

// runAdd discovers how to follow a site, shows the [[source]] block and
// appends it to the sources file (--config, else newsfeed.toml), which
// it creates when there is none. The file's text is kept as it is: the
// block is appended, and the whole is parsed before it is written.
func runAdd(ctx context.Context, e *env, args []string) error {
	fset := newFlagSet(e, "add", "URL  (a site's home or section page)")
	fc := addFetchFlags(fset)
	df := addDiscoverFlags(fset, fc)
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return badUsage(fset)
	}
	path := fc.config
	if path == "" {
		path = config.DefaultFile
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return failed(err)
	}
	var existing *config.Config
	if len(old) > 0 {
		if existing, err = config.Parse(old, path); err != nil {
			return usagef("add: %v", err)
		}
	}
	d, err := discoverSite(ctx, e, fset.Arg(0), df, setFlags(fset), existing)
	if err != nil {
		return err
	}
	defer d.fetcher.Close()
	if s := followed(existing, d.res.Best); s != nil {
		fmt.Fprintf(e.stdout, "# %s is already source %q (%s:%d); nothing added\n", d.res.Best.URL, s.Name, path, s.Line)
		return nil
	}
	d.name = uniqueName(existing, d.name)
	if _, err := sourceOf(d); err != nil {
		return failed(err)
	}
	block := d.res.Best.Block(d.name)
	fmt.Fprintf(e.stdout, "# %s: found %s, in %d requests; %d article URLs now\n%s",
		d.res.URL, d.res.Best.Found, d.res.Requests, len(d.res.Best.Articles), block)
	text := appendBlock(old, block)
	if _, err := config.Parse(text, path); err != nil {
		return failed(fmt.Errorf("the file would not read back, left as it was: %w", err))
	}
	if err := writeFileAtomic(path, text); err != nil {
		return failed(err)
	}
	fmt.Fprintf(e.stdout, "# added to %s\n", path)
	return nil
}

// followed returns the file's source that reads the method's list page
// the same way, or nil.
func followed(c *config.Config, m *discover.Method) *config.Source {
	if c == nil {
		return nil
	}
	for _, s := range c.Sources {
		if s.Kind == m.Kind && s.ListURL() == m.URL {
			return s
		}
	}
	return nil
}

// uniqueName returns name, or name-2, name-3… when the file has a source
// of that name.
func uniqueName(c *config.Config, name string) string {
	if c == nil {
		return name
	}
	taken := map[string]bool{}
	for _, s := range c.Sources {
		taken[s.Name] = true
	}
	for i, n := 2, name; ; i++ {
		if !taken[n] {
			return n
		}
		n = name + "-" + strconv.Itoa(i)
	}
}

// appendBlock returns the file's text with the block appended after a
// blank line (the last line ended first when it was not).
func appendBlock(old []byte, block string) []byte {
	var b bytes.Buffer
	b.Write(old)
	if len(old) > 0 {
		if !bytes.HasSuffix(old, []byte("\n")) {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	b.WriteString(block)
	return b.Bytes()
}

// writeFileAtomic writes data to path through a temporary file in its
// folder, keeping an existing file's permissions.
func writeFileAtomic(path string, data []byte) error {
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
