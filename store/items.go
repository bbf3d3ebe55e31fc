package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// This file holds the item cache: what a caller rendered from a record
// (a feed item, say), kept so that it need not render it again while the
// record is unchanged. The store does not know what the bytes mean.
//
//	items/  id → version(8) | key(8) | len(dep)(1) | dep | item
//
// version is the newest change-log seq among what the item was rendered
// from: the record's own seq, and for an interview also its article's
// (dep is then the article's id; a feed item shows the article's URL,
// authors and time). Seqs only grow, so version changes as soon as either
// record does, and the entry is stale from then on. key is the caller's
// fingerprint of everything else the item depends on (its options, its
// format's version), so that a caller with other options misses.

// ErrReadOnly is returned, wrapped, by writes to a store opened
// read-only.
var ErrReadOnly = errors.New("store: opened read-only")

// maxDep is the longest dependency id an item entry can name.
const maxDep = 255

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// CachedItem is one record that LatestItems found: its cached item when
// that is fresh, else the record itself.
type CachedItem struct {
	// ID is the record's id.
	ID string
	// Seq is the record's newest change-log seq.
	Seq uint64
	// Item is the cached item, when one is stored for the key and
	// neither the record nor (for an interview) its article changed
	// since it was put. Nil otherwise, and the fields below are set.
	Item []byte

	// Record is the decoded record when Item is nil.
	Record record.Record
	// Article is, for an interview whose Item is nil, the article it
	// belongs to; nil when the store does not hold it.
	Article *record.Article
	// FirstSeen is when the store first saw the record, in UTC; set
	// when Item is nil.
	FirstSeen time.Time

	// version and dep say what the record was read at; see the top of
	// this file.
	version uint64
	dep     string
}

// Entry returns item, rendered from c.Record (and c.Article), as an
// entry for PutItems. It carries the versions c was read at, so that
// PutItems can refuse it once the record has changed.
func (c *CachedItem) Entry(item []byte) ItemEntry {
	return ItemEntry{ID: c.ID, Item: item, version: c.version, dep: c.dep}
}

// ItemEntry is an item to keep in the cache; CachedItem.Entry makes one.
type ItemEntry struct {
	// ID is the record's id.
	ID string
	// Item is the bytes to keep.
	Item []byte

	version uint64
	dep     string
}

// LatestItems walks the same index as Latest for q, and returns for each
// record its cached item when one is fresh for key, else the decoded
// record (with its article, for an interview). Its cost grows with
// q.Limit, not with the database; a cached item costs no decoding at all.
func (s *Store) LatestItems(ctx context.Context, q Query, key uint64) ([]CachedItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit, err := checkQuery(q)
	if err != nil {
		return nil, fmt.Errorf("store: latest items: %w", err)
	}
	var out []CachedItem
	err = s.view(func(tx *bolt.Tx) error {
		recs := tx.Bucket(recordBucket(q.Kind))
		// A database opened read-only may predate the items bucket.
		items := tx.Bucket(bucketItems)
		return walkLatest(tx, q, limit, func(id []byte) error {
			v := recs.Get(id)
			if v == nil {
				return missingRecord(id)
			}
			seq, err := valueSeq(v)
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			c := CachedItem{ID: string(id), Seq: seq}
			if items != nil {
				if item := freshItem(tx, items.Get(id), seq, key); item != nil {
					c.Item = bytes.Clone(item)
					out = append(out, c)
					return nil
				}
			}
			if err := readForItem(tx, q.Kind, v, &c); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: latest items %s: %w", q.Kind, err)
	}
	return out, nil
}

// freshItem returns the item of cache value v when it was put under key
// and its version is current for a record whose seq is seq; else nil.
func freshItem(tx *bolt.Tx, v []byte, seq, key uint64) []byte {
	version, vkey, dep, item, ok := splitItemValue(v)
	if !ok || vkey != key {
		return nil
	}
	if len(dep) > 0 {
		seq = max(seq, articleSeq(tx, dep))
	}
	if version != seq {
		return nil
	}
	return item
}

// readForItem decodes the record whose value is v into c, with what an
// item needs besides: its first-seen time, and an interview's article.
func readForItem(tx *bolt.Tx, k record.Kind, v []byte, c *CachedItem) error {
	// v holds the blob key: no second lookup of the id.
	blob, _, err := recordState([]byte(c.ID), v)
	if err != nil {
		return err
	}
	data, err := blobData(blob, tx.Bucket(bucketBlobs).Get(blob))
	if err != nil {
		return err
	}
	if data == nil {
		return missingRecord([]byte(c.ID))
	}
	r, err := decode(k, c.ID, data)
	if err != nil {
		return err
	}
	c.Record, c.version = r, c.Seq
	switch r := r.(type) {
	case *record.Headline:
		c.FirstSeen = r.FirstSeen.UTC()
		return nil
	case *record.Interview:
		c.dep = r.ArticleID
		if r.ArticleID != "" {
			data, err := getJSON(tx, record.KindArticle, []byte(r.ArticleID))
			if err != nil {
				return err
			}
			if data != nil {
				a, err := decode(record.KindArticle, r.ArticleID, data)
				if err != nil {
					return err
				}
				c.Article = a.(*record.Article)
				c.version = max(c.version, articleSeq(tx, []byte(r.ArticleID)))
			}
		}
	}
	_, st, err := recordState([]byte(c.ID), v)
	if err != nil {
		return fmt.Errorf("state of %s: %w", c.ID, err)
	}
	c.FirstSeen = time.Unix(0, st.firstSeen).UTC()
	return nil
}

// articleSeq returns the seq of the stored article id, 0 when there is
// none.
func articleSeq(tx *bolt.Tx, id []byte) uint64 {
	seq, err := valueSeq(tx.Bucket(bucketArticles).Get(id))
	if err != nil {
		return 0
	}
	return seq
}

// currentVersion returns the version an item of record id, depending on
// article dep when it is not empty, would be read at now; false when the
// store does not hold the record.
func currentVersion(tx *bolt.Tx, id []byte, dep string) (uint64, bool, error) {
	k := KindOf(string(id))
	b := tx.Bucket(recordBucket(k))
	if b == nil {
		return 0, false, nil
	}
	v := b.Get(id)
	if v == nil {
		return 0, false, nil
	}
	seq, err := valueSeq(v)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", id, err)
	}
	if dep != "" {
		seq = max(seq, articleSeq(tx, []byte(dep)))
	}
	return seq, true, nil
}

// PutItems keeps entries in the cache under key, in one transaction. An
// entry whose record (or, for an interview, whose article) changed since
// LatestItems read it is skipped, as is one that is kept already: it
// returns the number of entries written, and commits nothing when that
// is none. A read-only store keeps nothing: the error wraps ErrReadOnly.
func (s *Store) PutItems(ctx context.Context, key uint64, entries []ItemEntry) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if s.readOnly {
		return 0, fmt.Errorf("store: put items: %w", ErrReadOnly)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	var kept int
	err := s.updateTx(func(tx *bolt.Tx) error {
		kept = 0
		items := tx.Bucket(bucketItems)
		if items == nil {
			return fmt.Errorf("database is missing bucket %s", bucketItems)
		}
		for _, e := range entries {
			if e.version == 0 || len(e.dep) > maxDep {
				continue // not read by LatestItems, or a dependency too long to name
			}
			id := []byte(e.ID)
			cur, ok, err := currentVersion(tx, id, e.dep)
			if err != nil {
				return err
			}
			if !ok || cur != e.version {
				continue // changed since it was read: the item shows an older record
			}
			v := itemValue(e.version, key, e.dep, e.Item)
			if bytes.Equal(items.Get(id), v) {
				continue
			}
			if err := items.Put(id, v); err != nil {
				return fmt.Errorf("put item %s: %w", e.ID, err)
			}
			kept++
		}
		if kept == 0 {
			return errSkip // leave the file as it was
		}
		return nil
	})
	if errors.Is(err, errSkip) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: put items: %w", err)
	}
	return kept, nil
}

// itemValue returns version(8) | key(8) | len(dep)(1) | dep | item.
func itemValue(version, key uint64, dep string, item []byte) []byte {
	v := make([]byte, 0, 17+len(dep)+len(item))
	v = binary.BigEndian.AppendUint64(v, version)
	v = binary.BigEndian.AppendUint64(v, key)
	v = append(v, byte(len(dep)))
	v = append(v, dep...)
	return append(v, item...)
}

// splitItemValue reverses itemValue; ok is false for a malformed value.
func splitItemValue(v []byte) (version, key uint64, dep, item []byte, ok bool) {
	if len(v) < 17 {
		return 0, 0, nil, nil, false
	}
	n := int(v[16])
	if len(v) < 17+n {
		return 0, 0, nil, nil, false
	}
	return binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:]), v[17 : 17+n], v[17+n:], true
}
