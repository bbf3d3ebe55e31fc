package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// update runs fn with a writer on one write transaction, and commits
// when fn changed something (stamping last_write); a cancelled ctx stops
// it before the transaction starts.
func (s *Store) update(ctx context.Context, fn func(w *writer) error) (err error) {
	defer protect(s.path, s.db, &err)()
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly {
		return ErrReadOnly
	}
	tx, err := s.db.Begin(true)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	w := &writer{tx: tx, now: s.now()}
	if err := w.open(); err != nil {
		return err
	}
	if err := fn(w); err != nil {
		return err
	}
	if !w.dirty {
		return nil
	}
	if err := w.meta.Put(keyLastWrite, []byte(w.now.UTC().Format(time.RFC3339Nano))); err != nil {
		return fmt.Errorf("store: put %s: %w", keyLastWrite, err)
	}
	if err := tx.Commit(); err != nil {
		return commitError(err)
	}
	return nil
}

// Delete deletes the records with the given ids in one transaction, each
// as Prune does (see deleteRecord), and returns how many it found.
func (s *Store) Delete(ctx context.Context, ids ...string) (int, error) {
	n := 0
	err := s.update(ctx, func(w *writer) error {
		n = 0
		for _, id := range ids {
			kind := KindOf(id)
			if kind == "" {
				return fmt.Errorf("store: delete %s: %w (ids start with a_, i_ or h_)", id, ErrNotFound)
			}
			ok, err := w.deleteRecord(kind, id)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete: %w", err)
	}
	return n, nil
}

// deleteRecord deletes record id of kind k with everything that refers
// to it: its blob, its index entries, its cached item and, for an
// article, the entry of the page it came from, so that the page is
// stored again if it comes back. It appends a tombstone to the change
// log, names it in deleted/, and notes both the record's last entry
// (now superseded) and the tombstone as droppable. It reports whether
// the record was there.
func (w *writer) deleteRecord(k record.Kind, id string) (bool, error) {
	key := []byte(id)
	recs := w.records[k]
	v := recs.Get(key)
	if v == nil {
		return false, nil
	}
	blob, st, err := splitValue(key, v)
	if err != nil {
		return false, fmt.Errorf("store: delete %s: %w", id, err)
	}
	blob = copyBytes(blob)
	if k == record.KindArticle {
		// A blob that fails its checksum has no source to trust: the
		// record goes all the same.
		data, _ := blobData(blob, w.blobs.Get(blob))
		if err := w.forgetPage(id, data); err != nil {
			return false, err
		}
	}
	if err := w.unindex(k, id, st); err != nil {
		return false, err
	}
	for _, del := range []struct {
		b   *bolt.Bucket
		key []byte
	}{{w.blobs, blob}, {recs, key}, {w.items, key}} {
		if err := del.b.Delete(del.key); err != nil {
			return false, fmt.Errorf("store: delete %s: %w", id, err)
		}
	}
	seq, err := w.changes.NextSequence()
	if err != nil {
		return false, fmt.Errorf("store: next seq for %s: %w", id, err)
	}
	if err := w.changes.Put(seqKey(seq), changeValue(opDelete, k, id)); err != nil {
		return false, fmt.Errorf("store: log deletion of %s: %w", id, err)
	}
	if err := w.deleted.Put(key, seqKey(seq)); err != nil {
		return false, fmt.Errorf("store: delete %s: %w", id, err)
	}
	if err := w.supersede(st.seq, false); err != nil {
		return false, err
	}
	if err := w.supersede(seq, true); err != nil {
		return false, err
	}
	w.dirty = true
	return true, nil
}

// forgetPage deletes the pages/ entry of the page article id (whose JSON
// is data) came from, if that entry still names the article. A page read
// under another source keeps its entry, but WritePages stores it again
// all the same once its article is gone.
func (w *writer) forgetPage(id string, data []byte) error {
	var a struct {
		Source string `json:"source"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.Source == "" {
		return nil // the record has no source to forget
	}
	pv := w.pages.Get([]byte(a.Source))
	if pv == nil {
		return nil
	}
	var info SourceInfo
	if err := json.Unmarshal(pv, &info); err != nil || info.ArticleID != id {
		return nil
	}
	if err := w.pages.Delete([]byte(a.Source)); err != nil {
		return fmt.Errorf("store: forget page %s: %w", a.Source, err)
	}
	return nil
}

// dropLog drops up to limit change-log entries that became droppable
// before cutoff (a timeKey): superseded entries, and tombstones. It
// counts them in meta's log_dropped, and raises log_floor to the newest
// tombstone dropped that was still its record's last word. more is true
// when limit stopped it.
func (w *writer) dropLog(cutoff uint64, limit int) (n int, more bool, err error) {
	var keys [][]byte
	c := w.droppable.Cursor()
	for k, _ := c.First(); len(k) == 16 && binary.BigEndian.Uint64(k) < cutoff; k, _ = c.Next() {
		if len(keys) == limit {
			more = true
			break
		}
		keys = append(keys, copyBytes(k))
	}
	if len(keys) == 0 {
		return 0, false, nil
	}
	floor := metaUint(w.meta, keyLogFloor)
	for _, k := range keys {
		seq := k[8:16]
		entry := w.changes.Get(seq)
		if entry != nil {
			if w.droppable.Get(k)[0] == 1 {
				var ch change
				if err := json.Unmarshal(entry, &ch); err != nil {
					return n, false, fmt.Errorf("store: log entry %d: %w", binary.BigEndian.Uint64(seq), err)
				}
				if dv := w.deleted.Get([]byte(ch.ID)); string(dv) == string(seq) {
					floor = max(floor, binary.BigEndian.Uint64(seq))
					if err := w.deleted.Delete([]byte(ch.ID)); err != nil {
						return n, false, err
					}
				}
			}
			if err := w.changes.Delete(seq); err != nil {
				return n, false, err
			}
			n++
		}
		if err := w.droppable.Delete(k); err != nil {
			return n, false, err
		}
	}
	w.dirty = true
	if err := putMetaUint(w.meta, keyLogDropped, metaUint(w.meta, keyLogDropped)+uint64(n)); err != nil {
		return n, false, err
	}
	if err := putMetaUint(w.meta, keyLogFloor, floor); err != nil {
		return n, false, err
	}
	return n, more, nil
}

// metaUint returns the uint64 under key in meta, 0 when unset.
func metaUint(meta *bolt.Bucket, key []byte) uint64 {
	if v := meta.Get(key); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func putMetaUint(meta *bolt.Bucket, key []byte, n uint64) error {
	if err := meta.Put(key, binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return fmt.Errorf("store: put %s: %w", key, err)
	}
	return nil
}

// ErrLogTooOld is returned, wrapped, by Changes when asked for changes
// since a seq below LogFloor: the change log no longer holds every
// deletion since then.
var ErrLogTooOld = errors.New("store: change log no longer reaches back that far")

// LogFloor returns the newest tombstone that retention dropped from the
// change log, 0 if none. A reader whose last seq is below it may have
// missed a deletion, and must read everything again (Changes since 0).
func (s *Store) LogFloor(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var floor uint64
	err := s.view(func(tx *bolt.Tx) error {
		floor = metaUint(tx.Bucket(bucketMeta), keyLogFloor)
		return nil
	})
	return floor, err
}
