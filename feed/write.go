package feed

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFile writes data to path atomically unless path already holds
// exactly data: a temp file in the same folder is written, synced and
// renamed over path, so a reader sees the old file or the new one, never
// half of one. An unchanged file is not touched, so its mtime (and the
// ETag a web server derives from it) stays. It reports whether it wrote.
func writeFile(path string, data []byte) (bool, error) {
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		return false, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("feed: read %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("feed: create folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("feed: create temp file for %s: %w", path, err)
	}
	name := tmp.Name()
	fail := func(err error) (bool, error) {
		tmp.Close()
		os.Remove(name)
		return false, fmt.Errorf("feed: write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	// CreateTemp makes the file 0600; feeds are for a web server to read.
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return false, fmt.Errorf("feed: write %s: %w", path, err)
	}
	return true, nil
}
