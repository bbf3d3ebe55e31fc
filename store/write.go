package store

import (
	"context"
	"encoding/json"
	"errors"
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
	return s.write(ctx, pages, false, nil)
}

// CheckPage returns an error for a page the store cannot take: one with
// no source or no article id. WritePages and ApplyPages refuse a batch
// holding one, so a caller with pages from elsewhere (a stream) checks
// each first and leaves out those that fail.
func CheckPage(p *record.Page) error {
	switch {
	case p == nil || p.Article == nil:
		return errors.New("store: page with no article")
	case p.Source == "":
		return fmt.Errorf("store: page of %s has no source", p.Article.ID)
	case p.Article.ID == "":
		return fmt.Errorf("store: page %s: article has no id", p.Source)
	}
	return nil
}

// write stores pages in one transaction. eachPage writes each page as
// though it were alone in its transaction (see ApplyPages); also, when
// set, runs in the transaction after the pages.
func (s *Store) write(ctx context.Context, pages []*record.Page, eachPage bool, also func(*writer) error) (_ record.WriteResult, err error) {
	var res record.WriteResult
	defer protect(s.path, s.db, &err)()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for _, p := range pages {
		if err := CheckPage(p); err != nil {
			return res, err
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
		if eachPage {
			if err := w.flush(); err != nil {
				return record.WriteResult{}, err
			}
		}
	}
	if err := w.flush(); err != nil {
		return record.WriteResult{}, err
	}
	if also != nil {
		if err := also(w); err != nil {
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
		return res, commitError(err)
	}
	return w.res, nil
}

// flush writes what the pages so far left pending: headlines first,
// then articles and interviews.
func (w *writer) flush() error {
	if err := w.flushHeadlines(); err != nil {
		return err
	}
	return w.flushDocs()
}

// writer is one write transaction's buckets and tallies.
type writer struct {
	tx *bolt.Tx
	// now is the transaction's clock; seen is when the page being
	// written was read: its Seen, else now.
	now, seen time.Time
	res       record.WriteResult
	dirty     bool

	meta, pages, changes     *bolt.Bucket
	blobs, items             *bolt.Bucket
	deleted, droppable       *bolt.Bucket
	byKind, bySite, byColumn *bolt.Bucket
	byLastSeen               *bolt.Bucket
	records                  map[record.Kind]*bolt.Bucket

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
	w.changes = w.tx.Bucket(bucketChanges)
	w.blobs = w.tx.Bucket(bucketBlobs)
	w.items = w.tx.Bucket(bucketItems)
	w.deleted = w.tx.Bucket(bucketDeleted)
	w.droppable = w.tx.Bucket(bucketDroppable)
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
		w.byLastSeen = idx.Bucket(bucketByLastSeen)
	}
	if w.meta == nil || w.pages == nil || w.changes == nil || w.blobs == nil || w.items == nil ||
		w.deleted == nil || w.droppable == nil ||
		w.byKind == nil || w.bySite == nil || w.byColumn == nil || w.byLastSeen == nil {
		// init made them: one gone is a damaged page.
		return &recordDamage{what: "store", err: errors.New("database is missing buckets")}
	}
	// Both only grow at the end: pack their pages full.
	w.changes.FillPercent = 1.0
	w.blobs.FillPercent = 1.0
	w.droppable.FillPercent = 1.0
	return nil
}

// page stores one page unless its source was stored with the same content.
func (w *writer) page(p *record.Page) error {
	w.seen = w.now
	if !p.Seen.IsZero() {
		w.seen = p.Seen
	}
	key := []byte(p.Source)
	var info SourceInfo
	old := w.pages.Get(key)
	if old != nil {
		if err := json.Unmarshal(old, &info); err != nil {
			return fmt.Errorf("store: page %s: %w", p.Source, storedDamage(err))
		}
		// A page whose article was deleted (see Prune) is stored again.
		if info.ContentHash == p.ContentHash && info.ArticleID == p.Article.ID &&
			w.records[record.KindArticle].Get([]byte(info.ArticleID)) != nil {
			w.res.Unchanged++
			return nil
		}
		w.res.Changed++
	} else {
		w.res.New++
		info.FirstSeen = w.seen
	}
	a := p.Article
	if err := w.article(a, p.ArticleJSON); err != nil {
		return err
	}
	if iv := p.Interview; iv != nil {
		if err := w.doc(iv, p.InterviewJSON, a.Published, a.Site, a.Column); err != nil {
			return err
		}
	}
	for _, h := range p.Headlines {
		if err := w.headline(h); err != nil {
			return err
		}
	}
	info.ContentHash, info.ArticleID = p.ContentHash, a.ID
	info.LastSeen = w.seen
	return w.putJSON(w.pages, key, info, p.Source)
}

// article upserts a, keeping the stored source when only the source
// differs: the same page read from another path is the same article.
// data is a's JSON, or nil.
func (w *writer) article(a *record.Article, data []byte) error {
	old, err := w.storedDoc(record.KindArticle, a.ID)
	if err != nil {
		return fmt.Errorf("store: get %s: %w", a.ID, err)
	}
	if old != nil {
		var stored record.Article
		if err := json.Unmarshal(old, &stored); err != nil {
			err = storedDamage(err)
			return fmt.Errorf("store: get %s: %w", a.ID, err)
		}
		if stored.Source != a.Source {
			c := *a
			c.Source = stored.Source
			a, data = &c, nil
		}
	}
	return w.doc(a, data, a.Published, a.Site, a.Column)
}
