package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

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
	if err := w.flushHeadlines(); err != nil {
		return record.WriteResult{}, err
	}
	if err := w.flushDocs(); err != nil {
		return record.WriteResult{}, err
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
	blobs                       *bolt.Bucket
	byKind, bySite, byColumn    *bolt.Bucket
	records                     map[record.Kind]*bolt.Bucket

	// pending holds the headlines this batch touched, by id; order has
	// their ids in the order first seen.
	pending map[string]*pendingHeadline
	order   []string
	// docs holds the batch's articles and interviews, by id; docOrder
	// has their ids in the order first seen.
	docs     map[string]*pendingDoc
	docOrder []string
	// indexes caches index bucket handles: see indexBucket.
	indexes map[any]*bolt.Bucket
}

func (w *writer) open() error {
	w.meta = w.tx.Bucket(bucketMeta)
	w.pages = w.tx.Bucket(bucketPages)
	w.state = w.tx.Bucket(bucketState)
	w.changes = w.tx.Bucket(bucketChanges)
	w.blobs = w.tx.Bucket(bucketBlobs)
	w.records = map[record.Kind]*bolt.Bucket{}
	w.pending = map[string]*pendingHeadline{}
	w.docs = map[string]*pendingDoc{}
	for _, k := range kinds {
		w.records[k] = w.tx.Bucket(recordBucket(k))
	}
	if idx := w.tx.Bucket(bucketIndex); idx != nil {
		w.byKind = idx.Bucket(bucketByKind)
		w.bySite = idx.Bucket(bucketBySite)
		w.byColumn = idx.Bucket(bucketByColumn)
	}
	if w.meta == nil || w.pages == nil || w.state == nil || w.changes == nil || w.blobs == nil ||
		w.byKind == nil || w.bySite == nil || w.byColumn == nil {
		return fmt.Errorf("store: database is missing buckets")
	}
	// Both only grow at the end: pack their pages full.
	w.changes.FillPercent = 1.0
	w.blobs.FillPercent = 1.0
	return nil
}

// page stores one page unless its source was stored with the same content.
func (w *writer) page(p *record.Page) error {
	key := []byte(p.Source)
	var info PageInfo
	old := w.pages.Get(key)
	if old != nil {
		if err := json.Unmarshal(old, &info); err != nil {
			return fmt.Errorf("store: page %s: %w", p.Source, err)
		}
		if info.ContentHash == p.ContentHash && info.ArticleID == p.Article.ID {
			w.res.Unchanged++
			if info.ETag == p.ETag && info.LastModified == p.LastModified {
				return nil
			}
			// Same content, new validators: keep them for the next fetch.
			info.ETag, info.LastModified = p.ETag, p.LastModified
			return w.putJSON(w.pages, key, info, p.Source)
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
	if old := w.storedDoc(record.KindArticle, a.ID); old != nil {
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

// pendingDoc is an article or interview to write when the batch ends,
// after the headlines: a reader of the change log then meets the
// headlines an article lists no later than the article.
type pendingDoc struct {
	kind         record.Kind
	data         []byte
	insert       bool
	published    *time.Time
	site, column string
}

// storedDoc returns the JSON of an article or interview as this batch
// has left it so far, or nil.
func (w *writer) storedDoc(kind record.Kind, id string) []byte {
	if p, ok := w.docs[id]; ok {
		return p.data
	}
	return getJSON(w.tx, kind, []byte(id))
}

// doc upserts an article or interview: inserted when new, replaced when
// its JSON differs, left alone otherwise. The write waits for flushDocs.
func (w *writer) doc(r record.Record, published *time.Time, site, column string) error {
	id := r.RecordID()
	data, err := marshal(r)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", id, err)
	}
	old := w.storedDoc(r.RecordKind(), id)
	if old != nil && string(old) == string(data) {
		return nil
	}
	if p, ok := w.docs[id]; ok {
		p.data, p.published, p.site, p.column = data, published, site, column
		return nil
	}
	w.docs[id] = &pendingDoc{kind: r.RecordKind(), data: data, insert: old == nil,
		published: published, site: site, column: column}
	w.docOrder = append(w.docOrder, id)
	return nil
}

// flushDocs writes the batch's pending articles and interviews, each once.
func (w *writer) flushDocs() error {
	for _, id := range w.docOrder {
		p := w.docs[id]
		if !p.insert {
			if old := getJSON(w.tx, p.kind, []byte(id)); string(old) == string(p.data) {
				continue // changed and changed back within the batch
			}
		}
		if err := w.put(p.kind, id, p.data, p.insert, p.published, p.site, p.column); err != nil {
			return err
		}
	}
	clear(w.docs)
	w.docOrder = w.docOrder[:0]
	return nil
}

// pendingHeadline is a headline touched in this batch, written once
// when the batch ends however many pages showed it.
type pendingHeadline struct {
	h record.Headline
	// stored is the JSON in the database before the batch; nil if new.
	stored []byte
	// visible is set when a field a reader sees changed in the batch.
	visible bool
}

// headline merges a sighting of h into the batch's pending headlines,
// reading the stored one the first time the batch sees it.
func (w *writer) headline(h *record.Headline) error {
	if p, ok := w.pending[h.ID]; ok {
		var visible bool
		p.h, visible = MergeHeadline(&p.h, h, w.now)
		p.visible = p.visible || visible
		return nil
	}
	p := &pendingHeadline{}
	if old := w.records[record.KindHeadline].Get([]byte(h.ID)); old == nil {
		p.h, p.visible = newHeadline(h, w.now), true
	} else {
		var stored record.Headline
		if err := json.Unmarshal(old, &stored); err != nil {
			return fmt.Errorf("store: get %s: %w", h.ID, err)
		}
		p.stored = copyBytes(old) // kept across Puts: copy, as for any value kept
		p.h, p.visible = MergeHeadline(&stored, h, w.now)
	}
	w.pending[h.ID] = p
	w.order = append(w.order, h.ID)
	return nil
}

// flushHeadlines writes the batch's pending headlines in the order first
// seen: each once, with one change-log entry if a reader sees a change.
func (w *writer) flushHeadlines() error {
	b := w.records[record.KindHeadline]
	for _, id := range w.order {
		p := w.pending[id]
		data, err := p.h.MarshalJSON()
		if err != nil {
			return fmt.Errorf("store: encode %s: %w", id, err)
		}
		switch {
		case p.stored != nil && string(p.stored) == string(data):
			// Seen again at the same instant: nothing to write.
		case !p.visible:
			// Only last_seen moved: rewrite the record, log nothing.
			w.dirty = true
			if err := b.Put([]byte(id), data); err != nil {
				return fmt.Errorf("store: put %s: %w", id, err)
			}
		default:
			if err := w.put(record.KindHeadline, id, data, p.stored == nil, p.h.Published, p.h.Site, p.h.Column); err != nil {
				return err
			}
		}
	}
	clear(w.pending)
	w.order = w.order[:0]
	return nil
}

// put writes a record that is new or changed in a way a reader sees: the
// record, its index entries (moved if its time, site or column changed),
// its state, and one change-log entry.
func (w *writer) put(kind record.Kind, id string, data []byte, insert bool, published *time.Time, site, column string) error {
	w.dirty = true
	key := []byte(id)
	if err := w.putRecord(kind, key, data); err != nil {
		return fmt.Errorf("store: put %s: %w", id, err)
	}
	st := state{firstSeen: w.now.UnixNano()}
	var old *state
	if !insert {
		if v := w.state.Get(key); v != nil {
			o, err := decodeState(v)
			if err != nil {
				return fmt.Errorf("store: state of %s: %w", id, err)
			}
			old = &o
			st.firstSeen = o.firstSeen
		}
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
	op := opUpdate
	if insert {
		op = opInsert
		w.res.Inserted++
	} else {
		w.res.Updated++
	}
	if err := w.changes.Put(seqKey(seq), changeValue(op, kind, id)); err != nil {
		return fmt.Errorf("store: log %s: %w", id, err)
	}
	if err := w.state.Put(key, st.encode()); err != nil {
		return fmt.Errorf("store: put state of %s: %w", id, err)
	}
	return nil
}

// putRecord stores a record's JSON: in its bucket, or, for the kinds
// inBlobs names, as a new blob whose key its bucket maps the id to (the
// old blob is deleted).
func (w *writer) putRecord(kind record.Kind, key, data []byte) error {
	b := w.records[kind]
	if !inBlobs(kind) {
		return b.Put(key, data)
	}
	if old := b.Get(key); old != nil {
		if err := w.blobs.Delete(old); err != nil {
			return err
		}
	}
	seq, err := w.blobs.NextSequence()
	if err != nil {
		return err
	}
	if err := w.blobs.Put(seqKey(seq), data); err != nil {
		return err
	}
	return b.Put(key, seqKey(seq))
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
	for _, where := range [...]struct {
		parent *bolt.Bucket
		name   string
	}{{w.byKind, ""}, {w.bySite, st.site}, {w.byColumn, st.column}} {
		if where.parent != w.byKind && where.name == "" {
			continue // no site or no column: not indexed there
		}
		b, err := w.indexBucket(where.parent, where.name, kind)
		if err != nil {
			return fmt.Errorf("store: index %s: %w", id, err)
		}
		if err := b.Put(indexKey(st.at, id), []byte{}); err != nil {
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
	key := indexKey(old.at, id)
	buckets := []*bolt.Bucket{nested(w.byKind, []byte(kind))}
	if old.site != "" {
		buckets = append(buckets, nested(w.bySite, []byte(old.site), []byte(kind)))
	}
	if old.column != "" {
		buckets = append(buckets, nested(w.byColumn, []byte(old.column), []byte(kind)))
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
