package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// pageInfo is the value of the pages bucket.
type pageInfo struct {
	ContentHash  string    `json:"content_hash"`
	ArticleID    string    `json:"article_id"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FirstSeen    time.Time `json:"first_seen"`
	LastSeen     time.Time `json:"last_seen"`
}

// WritePages stores a batch of pages in one transaction: all of them or,
// on error, none. See the package doc for what is written. It is the
// store's side of ingest's writer interface. A cancelled ctx stops it
// before the transaction starts, never halfway.
func (s *Store) WritePages(ctx context.Context, pages []*record.Page) (record.WriteResult, error) {
	var res record.WriteResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for _, p := range pages {
		if p == nil || p.Article == nil || p.Article.ID == "" || p.Source == "" {
			return res, fmt.Errorf("store: write: page with no source or article")
		}
	}
	tx, err := s.db.Begin(true)
	if err != nil {
		return res, fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	w := &writer{tx: tx, now: s.now()}
	if err := w.open(); err != nil {
		return res, err
	}
	for _, p := range pages {
		if err := w.page(p); err != nil {
			return record.WriteResult{}, err
		}
	}
	if !w.dirty {
		w.res.LastSeq = w.changes.Sequence()
		return w.res, nil // nothing to commit: leave the file as it was
	}
	if err := w.meta.Put(keyLastWrite, []byte(w.now.UTC().Format(time.RFC3339Nano))); err != nil {
		return res, fmt.Errorf("store: put %s: %w", keyLastWrite, err)
	}
	w.res.LastSeq = w.changes.Sequence()
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("store: commit: %w", err)
	}
	return w.res, nil
}

// writer is one write transaction's buckets and tallies.
type writer struct {
	tx    *bolt.Tx
	now   time.Time
	res   record.WriteResult
	dirty bool

	meta, pages, state, changes *bolt.Bucket
	byKind, bySite, byColumn    *bolt.Bucket
	records                     map[record.Kind]*bolt.Bucket
}

func (w *writer) open() error {
	w.meta = w.tx.Bucket(bucketMeta)
	w.pages = w.tx.Bucket(bucketPages)
	w.state = w.tx.Bucket(bucketState)
	w.changes = w.tx.Bucket(bucketChanges)
	w.records = map[record.Kind]*bolt.Bucket{}
	for _, k := range kinds {
		w.records[k] = w.tx.Bucket(recordBucket(k))
	}
	if idx := w.tx.Bucket(bucketIndex); idx != nil {
		w.byKind = idx.Bucket(bucketByKind)
		w.bySite = idx.Bucket(bucketBySite)
		w.byColumn = idx.Bucket(bucketByColumn)
	}
	if w.meta == nil || w.pages == nil || w.state == nil || w.changes == nil || w.byKind == nil ||
		w.bySite == nil || w.byColumn == nil {
		return fmt.Errorf("store: database is missing buckets")
	}
	return nil
}

// page stores one page unless its source was stored with the same content.
func (w *writer) page(p *record.Page) error {
	key := []byte(p.Source)
	var info pageInfo
	old := w.pages.Get(key)
	if old != nil {
		if err := json.Unmarshal(old, &info); err != nil {
			return fmt.Errorf("store: page %s: %w", p.Source, err)
		}
		if info.ContentHash == p.ContentHash && info.ArticleID == p.Article.ID &&
			info.ETag == p.ETag && info.LastModified == p.LastModified {
			w.res.Unchanged++
			return nil
		}
		w.res.Changed++
	} else {
		w.res.New++
		info.FirstSeen = w.now
	}
	a := p.Article
	if err := w.article(a); err != nil {
		return err
	}
	if iv := p.Interview; iv != nil {
		if err := w.doc(iv, a.Published, a.Site, a.Column); err != nil {
			return err
		}
	}
	for _, h := range p.Headlines {
		if err := w.headline(h); err != nil {
			return err
		}
	}
	info.ContentHash, info.ArticleID = p.ContentHash, a.ID
	info.ETag, info.LastModified = p.ETag, p.LastModified
	info.LastSeen = w.now
	return w.putJSON(w.pages, key, info, p.Source)
}

// article upserts a, keeping the stored source when only the source
// differs: the same page read from another path is the same article.
func (w *writer) article(a *record.Article) error {
	if old := w.records[record.KindArticle].Get([]byte(a.ID)); old != nil {
		var stored record.Article
		if err := json.Unmarshal(old, &stored); err != nil {
			return fmt.Errorf("store: get %s: %w", a.ID, err)
		}
		if stored.Source != a.Source {
			c := *a
			c.Source = stored.Source
			a = &c
		}
	}
	return w.doc(a, a.Published, a.Site, a.Column)
}

// doc upserts an article or interview: inserted when new, replaced when
// its JSON differs, left alone otherwise.
func (w *writer) doc(r record.Record, published *time.Time, site, column string) error {
	id := r.RecordID()
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", id, err)
	}
	b := w.records[r.RecordKind()]
	old := b.Get([]byte(id))
	if old != nil && string(old) == string(data) {
		return nil
	}
	return w.put(r.RecordKind(), id, data, old == nil, published, site, column)
}

// headline inserts h or merges it into the stored headline.
func (w *writer) headline(h *record.Headline) error {
	b := w.records[record.KindHeadline]
	old := b.Get([]byte(h.ID))
	var m record.Headline
	visible := true
	if old == nil {
		m = newHeadline(h, w.now)
	} else {
		var stored record.Headline
		if err := json.Unmarshal(old, &stored); err != nil {
			return fmt.Errorf("store: get %s: %w", h.ID, err)
		}
		m, visible = MergeHeadline(&stored, h, w.now)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", h.ID, err)
	}
	if old != nil && string(old) == string(data) {
		return nil
	}
	if !visible {
		// Only last_seen moved: rewrite the record, log nothing.
		w.dirty = true
		if err := b.Put([]byte(h.ID), data); err != nil {
			return fmt.Errorf("store: put %s: %w", h.ID, err)
		}
		return nil
	}
	return w.put(record.KindHeadline, h.ID, data, old == nil, m.Published, m.Site, m.Column)
}

// put writes a record that is new or changed in a way a reader sees: the
// record, its index entries (moved if its time, site or column changed),
// its state, and one change-log entry.
func (w *writer) put(kind record.Kind, id string, data []byte, insert bool, published *time.Time, site, column string) error {
	w.dirty = true
	key := []byte(id)
	if err := w.records[kind].Put(key, data); err != nil {
		return fmt.Errorf("store: put %s: %w", id, err)
	}
	st := state{firstSeen: w.now.UnixNano()}
	var old *state
	if v := w.state.Get(key); v != nil {
		o, err := decodeState(v)
		if err != nil {
			return fmt.Errorf("store: state of %s: %w", id, err)
		}
		old = &o
		st.firstSeen = o.firstSeen
	}
	if published != nil {
		st.at = timeKey(*published)
	} else {
		st.at = timeKey(time.Unix(0, st.firstSeen))
	}
	st.site, st.column = indexName(site), indexName(column)
	if err := w.index(kind, id, old, st); err != nil {
		return err
	}
	seq, err := w.changes.NextSequence()
	if err != nil {
		return fmt.Errorf("store: next seq for %s: %w", id, err)
	}
	st.seq = seq
	op := "update"
	if insert {
		op = "insert"
		w.res.Inserted++
	} else {
		w.res.Updated++
	}
	if err := w.putJSON(w.changes, seqKey(seq), change{Op: op, Kind: kind, ID: id}, id); err != nil {
		return err
	}
	if err := w.state.Put(key, st.encode()); err != nil {
		return fmt.Errorf("store: put state of %s: %w", id, err)
	}
	return nil
}

// index moves a record's index entries from old (nil for a new record)
// to st.
func (w *writer) index(kind record.Kind, id string, old *state, st state) error {
	if old != nil && old.at == st.at && old.site == st.site && old.column == st.column {
		return nil
	}
	if old != nil {
		if err := w.unindex(kind, id, *old); err != nil {
			return err
		}
	}
	type entry struct {
		parent *bolt.Bucket
		name   string
	}
	for _, e := range []entry{{w.byKind, ""}, {w.bySite, st.site}, {w.byColumn, st.column}} {
		b := e.parent
		if e.name != "" {
			var err error
			if b, err = b.CreateBucketIfNotExists([]byte(e.name)); err != nil {
				return fmt.Errorf("store: index %s under %q: %w", id, e.name, err)
			}
		} else if e.parent != w.byKind {
			continue // no site or no column: not indexed there
		}
		kb, err := b.CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return fmt.Errorf("store: index %s: %w", id, err)
		}
		if err := kb.Put(indexKey(st.at, id), []byte{}); err != nil {
			return fmt.Errorf("store: index %s: %w", id, err)
		}
	}
	return nil
}

// unindex deletes the index entries that old describes.
func (w *writer) unindex(kind record.Kind, id string, old state) error {
	key := indexKey(old.at, id)
	buckets := []*bolt.Bucket{w.byKind.Bucket([]byte(kind))}
	if old.site != "" {
		if b := w.bySite.Bucket([]byte(old.site)); b != nil {
			buckets = append(buckets, b.Bucket([]byte(kind)))
		}
	}
	if old.column != "" {
		if b := w.byColumn.Bucket([]byte(old.column)); b != nil {
			buckets = append(buckets, b.Bucket([]byte(kind)))
		}
	}
	for _, b := range buckets {
		if b == nil {
			continue
		}
		if err := b.Delete(key); err != nil {
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
