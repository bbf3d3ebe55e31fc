// Package storetest opens real bbolt stores for other packages' tests.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"newsfeed/store"
)

// Open opens a new database in tb.TempDir() with opts. Cleanup checks the
// database's consistency, then closes it.
func Open(tb testing.TB, opts store.Options) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "test.db"), opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Check(context.Background()); err != nil {
			tb.Errorf("check: %v", err)
		}
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return s
}
