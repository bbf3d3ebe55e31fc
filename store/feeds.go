package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// This file holds what the feed package reads besides LatestItems.

// Columns returns the names of the columns that hold at least one record
// of kind k, in byte order. Its cost grows with the number of columns, not
// with the number of records.
func (s *Store) Columns(ctx context.Context, k record.Kind) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if recordBucket(k) == nil {
		return nil, fmt.Errorf("store: columns: unknown kind %q", k)
	}
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		parent := nested(tx.Bucket(bucketIndex), bucketByColumn)
		if parent == nil {
			return nil
		}
		return parent.ForEachBucket(func(name []byte) error {
			if b := nested(parent, name, []byte(k)); b != nil {
				if key, _ := b.Cursor().First(); key != nil {
					out = append(out, string(name))
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: columns of %s: %w", k, err)
	}
	return out, nil
}
