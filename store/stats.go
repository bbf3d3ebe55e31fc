package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// Stats describes a database's contents.
type Stats struct {
	Path string
	// Size is the file's size in bytes.
	Size   int64
	Schema uint64
	// LastSeq is the newest change-log sequence number.
	LastSeq uint64
	// LastWrite is when a commit last changed something; zero if never.
	LastWrite time.Time
	// Pages is the number of sources stored.
	Pages int
	// Kinds has one Count per record kind; Sites and Columns one per site
	// or column and kind, sorted by name, then kind.
	Kinds, Sites, Columns []Count
}

// Count is the number of records of one kind in one index, and the
// newest of their times (published, or first seen when not known).
type Count struct {
	// Name is the site or column; empty in Stats.Kinds.
	Name   string
	Kind   record.Kind
	N      int
	Newest time.Time
}

// Stats counts the records per kind, site and column.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Path: s.path}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	err := s.view(func(tx *bolt.Tx) error {
		st.Size = tx.Size()
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySchema); len(v) == 8 {
			st.Schema = binary.BigEndian.Uint64(v)
		}
		if v := meta.Get(keyLastWrite); v != nil {
			st.LastWrite, _ = time.Parse(time.RFC3339Nano, string(v))
		}
		st.LastSeq = tx.Bucket(bucketChanges).Sequence()
		st.Pages = tx.Bucket(bucketPages).Stats().KeyN
		idx := tx.Bucket(bucketIndex)
		byKind := idx.Bucket(bucketByKind)
		for _, k := range kinds {
			st.Kinds = append(st.Kinds, count(byKind.Bucket([]byte(k)), "", k))
		}
		var err error
		if st.Sites, err = groupCounts(ctx, idx.Bucket(bucketBySite)); err != nil {
			return err
		}
		st.Columns, err = groupCounts(ctx, idx.Bucket(bucketByColumn))
		return err
	})
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	return st, nil
}

// groupCounts counts each name/kind bucket under parent, in key order.
func groupCounts(ctx context.Context, parent *bolt.Bucket) ([]Count, error) {
	var out []Count
	err := parent.ForEachBucket(func(name []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		group := parent.Bucket(name)
		for _, k := range kinds {
			if b := group.Bucket([]byte(k)); b != nil {
				if c := count(b, string(name), k); c.N > 0 {
					out = append(out, c)
				}
			}
		}
		return nil
	})
	return out, err
}

// count counts the keys of index bucket b (nil counts as empty) and reads
// the newest time from its last key.
func count(b *bolt.Bucket, name string, k record.Kind) Count {
	c := Count{Name: name, Kind: k}
	if b == nil {
		return c
	}
	c.N = b.Stats().KeyN
	if key, _ := b.Cursor().Last(); len(key) >= 8 {
		c.Newest = keyTime(binary.BigEndian.Uint64(key))
	}
	return c
}
