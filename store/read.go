package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// KindOf returns the kind an id's prefix names, or "" for none.
func KindOf(id string) record.Kind {
	switch {
	case strings.HasPrefix(id, "a_"):
		return record.KindArticle
	case strings.HasPrefix(id, "i_"):
		return record.KindInterview
	case strings.HasPrefix(id, "h_"):
		return record.KindHeadline
	}
	return ""
}

// GetJSON returns the stored JSON of the record with the given id, or an
// error wrapping ErrNotFound.
func (s *Store) GetJSON(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kind := KindOf(id)
	if kind == "" {
		return nil, fmt.Errorf("%w: %s (ids start with a_, i_ or h_)", ErrNotFound, id)
	}
	var data []byte
	err := s.view(func(tx *bolt.Tx) error {
		d, err := getJSON(tx, kind, []byte(id))
		data = copyBytes(d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", id, err)
	}
	if data == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return data, nil
}

// Get returns the record with the given id, or an error wrapping
// ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (record.Record, error) {
	data, err := s.GetJSON(ctx, id)
	if err != nil {
		return nil, err
	}
	return decode(KindOf(id), id, data)
}

// decode unmarshals stored JSON into a record of kind k.
func decode(k record.Kind, id string, data []byte) (record.Record, error) {
	var r record.Record
	switch k {
	case record.KindArticle:
		r = new(record.Article)
	case record.KindInterview:
		r = new(record.Interview)
	case record.KindHeadline:
		r = new(record.Headline)
	default:
		return nil, fmt.Errorf("store: decode %s: unknown kind %q", id, k)
	}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("store: decode %s: %w", id, err)
	}
	return r, nil
}

// Query selects records for Latest.
type Query struct {
	Kind record.Kind
	// Site and Column narrow the query when set.
	Site, Column string
	// Limit is the number of records wanted; zero means 50.
	Limit int
}

// Latest returns the newest records of q.Kind, newest first, ordered by
// published time or, when a record has none, by when it was first seen.
// It walks one index bucket backwards, so its cost grows with q.Limit, not
// with the database.
func (s *Store) Latest(ctx context.Context, q Query) ([]record.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit, err := checkQuery(q)
	if err != nil {
		return nil, fmt.Errorf("store: latest: %w", err)
	}
	var out []record.Record
	err = s.view(func(tx *bolt.Tx) error {
		return walkLatest(tx, q, limit, func(id []byte) error {
			r, err := indexedRecord(tx, q.Kind, id)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: latest %s: %w", q.Kind, err)
	}
	return out, nil
}

// indexedRecord decodes the record id of kind k, which an index names;
// decoding copies it out of tx.
func indexedRecord(tx *bolt.Tx, k record.Kind, id []byte) (record.Record, error) {
	data, err := getJSON(tx, k, id)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, missingRecord(id)
	}
	return decode(k, string(id), data)
}

// checkQuery checks q's kind and returns its limit, 50 when q has none.
func checkQuery(q Query) (int, error) {
	if recordBucket(q.Kind) == nil {
		return 0, fmt.Errorf("unknown kind %q", q.Kind)
	}
	if q.Limit <= 0 {
		return 50, nil
	}
	return q.Limit, nil
}

// walkLatest calls fn with the ids of the newest limit records that q
// selects, newest first: a reverse cursor walk over one index bucket,
// whose cost grows with limit, not with the database. The id is valid
// only while tx is open, and until fn returns.
func walkLatest(tx *bolt.Tx, q Query, limit int, fn func(id []byte) error) error {
	idx := tx.Bucket(bucketIndex)
	var b *bolt.Bucket
	switch {
	case q.Column != "":
		b = nested(idx, bucketByColumn, []byte(q.Column), []byte(q.Kind))
	case q.Site != "":
		b = nested(idx, bucketBySite, []byte(q.Site), []byte(q.Kind))
	default:
		b = nested(idx, bucketByKind, []byte(q.Kind))
	}
	if b == nil {
		return nil
	}
	n := 0
	c := b.Cursor()
	for k, _ := c.Last(); k != nil && n < limit; k, _ = c.Prev() {
		if len(k) <= 8 {
			continue
		}
		id := k[8:]
		if q.Column != "" && q.Site != "" {
			// The column's index holds every site's records.
			st, err := storedState(tx, q.Kind, id)
			if err != nil {
				return fmt.Errorf("state of %s: %w", id, err)
			}
			if st.site != q.Site {
				continue
			}
		}
		if err := fn(id); err != nil {
			return err
		}
		n++
	}
	return nil
}

// storedState returns the state of the record id of kind k.
func storedState(tx *bolt.Tx, k record.Kind, id []byte) (state, error) {
	v := tx.Bucket(recordBucket(k)).Get(id)
	if v == nil {
		return state{}, ErrNotFound
	}
	_, st, err := recordState(id, v)
	return st, err
}

// nested returns the bucket at path under b, or nil.
func nested(b *bolt.Bucket, path ...[]byte) *bolt.Bucket {
	for _, name := range path {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}
