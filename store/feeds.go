package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// This file holds the two reads the feed package needs beyond Latest.

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
	err := s.db.View(func(tx *bolt.Tx) error {
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

// FirstSeen returns, for each of ids that the store holds, the time the
// store first saw that record (in UTC). Ids it does not hold are absent
// from the map.
func (s *Store) FirstSeen(ctx context.Context, ids []string) (map[string]time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(ids))
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			kind := KindOf(id)
			if kind == "" {
				continue
			}
			st, err := storedState(tx, kind, []byte(id))
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("state of %s: %w", id, err)
			}
			out[id] = time.Unix(0, st.firstSeen).UTC()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: first seen: %w", err)
	}
	return out, nil
}
