package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// put writes a record that is new (old is nil) or changed in a way a
// reader sees: the record with its new state st, its index entries (moved
// from old's if its time, site or column changed) and one change-log
// entry, whose seq becomes st's. The entry old's seq names is superseded
// from now on; a tombstone of a record inserted again is too.
func (w *writer) put(kind record.Kind, id string, data []byte, old *state, st state) error {
	w.dirty = true
	if err := w.index(kind, id, old, st); err != nil {
		return err
	}
	seq, err := w.changes.NextSequence()
	if err != nil {
		return fmt.Errorf("store: next seq for %s: %w", id, err)
	}
	st.seq = seq
	op := opInsert
	if old == nil {
		w.res.Inserted++
		if err := w.deleted.Delete([]byte(id)); err != nil {
			return fmt.Errorf("store: put %s: %w", id, err)
		}
	} else {
		op = opUpdate
		w.res.Updated++
		if err := w.supersede(old.seq, false); err != nil {
			return err
		}
	}
	if err := w.changes.Put(seqKey(seq), changeValue(op, kind, id)); err != nil {
		return fmt.Errorf("store: log %s: %w", id, err)
	}
	if err := w.putRecord(kind, []byte(id), data, st, old != nil); err != nil {
		return fmt.Errorf("store: put %s: %w", id, err)
	}
	return nil
}

// supersede notes that change-log entry seq may be dropped once it is
// older than the log's retention (see Prune); tombstone says it is a
// deletion's.
func (w *writer) supersede(seq uint64, tombstone bool) error {
	if seq == 0 {
		return nil
	}
	k := make([]byte, 0, 16)
	k = binary.BigEndian.AppendUint64(k, timeKey(w.now))
	k = binary.BigEndian.AppendUint64(k, seq)
	flag := []byte{0}
	if tombstone {
		flag[0] = 1
	}
	if err := w.droppable.Put(k, flag); err != nil {
		return fmt.Errorf("store: note entry %d superseded: %w", seq, err)
	}
	return nil
}

// putRecord stores a record's JSON as a new blob, and the blob's key with
// the record's state in its bucket. When the record replaces a stored
// one, the old blob is deleted.
func (w *writer) putRecord(kind record.Kind, key, data []byte, st state, replace bool) error {
	b := w.records[kind]
	if replace {
		old := b.Get(key)
		if len(old) < 8 {
			return errBadValue
		}
		if err := w.blobs.Delete(old[:8]); err != nil {
			return err
		}
	}
	seq, err := w.blobs.NextSequence()
	if err != nil {
		return err
	}
	blob := seqKey(seq)
	if err := w.blobs.Put(blob, sealCopy(blob, data)); err != nil {
		return err
	}
	return b.Put(key, recordValue(key, blob, st))
}

// indexEntry is one of a record's index entries: key in the bucket
// parent/name/kind (parent/kind when name is "").
type indexEntry struct {
	parent *bolt.Bucket
	name   string
	key    uint64
}

// indexEntries returns where a record of kind k with state st is
// indexed: by time in kind/, and under its site and column when it has
// them; a headline also by last_seen.
func (w *writer) indexEntries(k record.Kind, st state) []indexEntry {
	out := make([]indexEntry, 1, 4)
	out[0] = indexEntry{w.byKind, "", st.at}
	if st.site != "" {
		out = append(out, indexEntry{w.bySite, st.site, st.at})
	}
	if st.column != "" {
		out = append(out, indexEntry{w.byColumn, st.column, st.at})
	}
	if k == record.KindHeadline {
		out = append(out, indexEntry{w.byLastSeen, "", st.lastSeenKey()})
	}
	return out
}

// index moves a record's index entries from old (nil for a new record)
// to st.
func (w *writer) index(kind record.Kind, id string, old *state, st state) error {
	if old != nil && old.at == st.at && old.site == st.site && old.column == st.column &&
		(kind != record.KindHeadline || old.lastSeen == st.lastSeen) {
		return nil
	}
	if old != nil {
		if err := w.unindex(kind, id, *old); err != nil {
			return err
		}
	}
	for _, e := range w.indexEntries(kind, st) {
		b, err := w.indexBucket(e.parent, e.name, kind)
		if err != nil {
			return fmt.Errorf("store: index %s: %w", id, err)
		}
		if err := b.Put(indexKey(e.key, id), []byte{}); err != nil {
			return fmt.Errorf("store: index %s: %w", id, err)
		}
	}
	return nil
}

// indexBucket returns parent/name/kind (parent/kind when name is ""),
// creating it if needed. Handles are kept for the transaction.
func (w *writer) indexBucket(parent *bolt.Bucket, name string, kind record.Kind) (*bolt.Bucket, error) {
	type key struct {
		parent *bolt.Bucket
		name   string
		kind   record.Kind
	}
	k := key{parent, name, kind}
	if b, ok := w.indexes[k]; ok {
		return b, nil
	}
	b := parent
	if name != "" {
		var err error
		if b, err = b.CreateBucketIfNotExists([]byte(name)); err != nil {
			return nil, err
		}
	}
	b, err := b.CreateBucketIfNotExists([]byte(kind))
	if err != nil {
		return nil, err
	}
	if w.indexes == nil {
		w.indexes = map[any]*bolt.Bucket{}
	}
	w.indexes[k] = b
	return b, nil
}

// unindex deletes the index entries that old describes.
func (w *writer) unindex(kind record.Kind, id string, old state) error {
	for _, e := range w.indexEntries(kind, old) {
		var b *bolt.Bucket
		if e.name == "" {
			b = nested(e.parent, []byte(kind))
		} else {
			b = nested(e.parent, []byte(e.name), []byte(kind))
		}
		if b == nil {
			continue
		}
		if err := b.Delete(indexKey(e.key, id)); err != nil {
			return fmt.Errorf("store: unindex %s: %w", id, err)
		}
	}
	return nil
}

// putJSON encodes v into a new slice and puts it under key.
func (w *writer) putJSON(b *bolt.Bucket, key []byte, v any, what string) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", what, err)
	}
	w.dirty = true
	if err := b.Put(key, data); err != nil {
		return fmt.Errorf("store: put %s: %w", what, err)
	}
	return nil
}

// maxIndexName is the longest site or column indexed; longer ones are
// not indexed (they are not names).
const maxIndexName = 1024

func indexName(s string) string {
	if len(s) > maxIndexName {
		return ""
	}
	return s
}

// marshal encodes a record with its own MarshalJSON, which puts "kind"
// first; calling it directly spares json.Marshal's second pass over the
// output.
func marshal(r record.Record) ([]byte, error) {
	switch r := r.(type) {
	case *record.Article:
		return r.MarshalJSON()
	case *record.Interview:
		return r.MarshalJSON()
	case *record.Headline:
		return r.MarshalJSON()
	}
	return json.Marshal(r)
}
