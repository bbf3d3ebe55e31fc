package store

import (
	"encoding/json"
	"fmt"
	"time"

	"newsfeed/record"
)

// This file holds what a batch defers: each record it touches is written
// once, when the batch ends.

// pendingDoc is an article or interview to write when the batch ends,
// after the headlines: a reader of the change log then meets the
// headlines an article lists no later than the article.
type pendingDoc struct {
	kind         record.Kind
	data         []byte
	published    *time.Time
	site, column string
	// seen is when its page was read.
	seen time.Time
}

// storedDoc returns the JSON of an article or interview as this batch
// has left it so far, or nil.
func (w *writer) storedDoc(kind record.Kind, id string) ([]byte, error) {
	if p, ok := w.docs[id]; ok {
		return p.data, nil
	}
	return getJSON(w.tx, kind, []byte(id))
}

// doc upserts an article or interview, ordered by published and indexed
// under site and column: inserted when new, replaced when its JSON
// differs, moved in the indexes when only those differ (an interview's
// are its article's), left alone otherwise. data is r's JSON, or nil to
// encode it here. The write waits for flushDocs; the last call for an
// id in a batch wins.
func (w *writer) doc(r record.Record, data []byte, published *time.Time, site, column string) error {
	id := r.RecordID()
	if data == nil {
		var err error
		if data, err = marshal(r); err != nil {
			return fmt.Errorf("store: encode %s: %w", id, err)
		}
	}
	if _, ok := w.docs[id]; !ok {
		w.docOrder = append(w.docOrder, id)
	}
	w.docs[id] = &pendingDoc{kind: r.RecordKind(), data: data, published: published, site: site, column: column,
		seen: w.seen}
	return nil
}

// flushDocs writes the batch's pending articles and interviews, each once.
func (w *writer) flushDocs() error {
	for _, id := range w.docOrder {
		p := w.docs[id]
		key := []byte(id)
		v := w.records[p.kind].Get(key)
		if v == nil {
			if err := w.put(p.kind, id, p.data, nil, newState(p.seen, p.published, p.site, p.column)); err != nil {
				return err
			}
			continue
		}
		blob, old, err := recordState(key, v)
		if err != nil {
			return fmt.Errorf("store: state of %s: %w", id, err)
		}
		stored, err := blobData(blob, w.blobs.Get(blob))
		if err != nil {
			return fmt.Errorf("store: get %s: %w", id, err)
		}
		st := newState(time.Unix(0, old.firstSeen), p.published, p.site, p.column)
		switch {
		case string(stored) != string(p.data):
			st.lastSeen = p.seen.UnixNano()
			if err := w.put(p.kind, id, p.data, &old, st); err != nil {
				return err
			}
		case st.at != old.at || st.site != old.site || st.column != old.column:
			// The same JSON, but the article an interview takes its time,
			// site and column from has moved: so does the interview. Its
			// readers see nothing new, so nothing is logged.
			w.dirty = true
			st.seq, st.lastSeen = old.seq, old.lastSeen
			if err := w.index(p.kind, id, &old, st); err != nil {
				return err
			}
			if err := w.records[p.kind].Put(key, recordValue(key, blob, st)); err != nil {
				return fmt.Errorf("store: move %s: %w", id, err)
			}
		}
	}
	clear(w.docs)
	w.docOrder = w.docOrder[:0]
	return nil
}

// LastSeenResolution is how far a headline's stored last_seen may lag
// behind its newest sighting. Rewriting a headline only to move last_seen
// was most of what a bulk ingest wrote — the same hot list is seen on
// every page — so, as relatime does for a file's atime, last_seen is
// rewritten only once it is this much older than the sighting. A
// scheduled run every few minutes still moves it every run.
const LastSeenResolution = time.Minute

// pendingHeadline is a headline touched in this batch, written once
// when the batch ends however many pages showed it.
type pendingHeadline struct {
	h record.Headline
	// stored is the JSON in the database before the batch, and old its
	// state; both nil if new.
	stored []byte
	old    *state
	// storedSeen is the stored record's last_seen.
	storedSeen time.Time
	// visible is set when a field a reader sees changed in the batch.
	visible bool
}

// headline merges a sighting of h into the batch's pending headlines,
// reading the stored one the first time the batch sees it.
func (w *writer) headline(h *record.Headline) error {
	if p, ok := w.pending[h.ID]; ok {
		var visible bool
		p.h, visible = MergeHeadline(&p.h, h, w.seen)
		p.visible = p.visible || visible
		return nil
	}
	p := &pendingHeadline{}
	if v := w.records[record.KindHeadline].Get([]byte(h.ID)); v == nil {
		p.h, p.visible = newHeadline(h, w.seen), true
	} else {
		blob, old, err := recordState([]byte(h.ID), v)
		if err != nil {
			return fmt.Errorf("store: get %s: %w", h.ID, err)
		}
		data, err := blobData(blob, w.blobs.Get(blob))
		if err != nil {
			return fmt.Errorf("store: get %s: %w", h.ID, err)
		}
		var stored record.Headline
		if err := json.Unmarshal(data, &stored); err != nil {
			err = storedDamage(err)
			return fmt.Errorf("store: get %s: %w", h.ID, err)
		}
		p.stored = copyBytes(data) // kept across Puts: copy, as for any value kept
		p.old, p.storedSeen = &old, stored.LastSeen
		p.h, p.visible = MergeHeadline(&stored, h, w.seen)
	}
	w.pending[h.ID] = p
	w.order = append(w.order, h.ID)
	return nil
}

// flushHeadlines writes the batch's pending headlines in the order first
// seen: each once, with one change-log entry if a reader sees a change.
func (w *writer) flushHeadlines() error {
	for _, id := range w.order {
		p := w.pending[id]
		if p.stored != nil && !p.visible && p.h.LastSeen.Sub(p.storedSeen) < LastSeenResolution {
			// Only last_seen moved, and by less than the resolution: as
			// relatime spares atime, the record is not rewritten.
			continue
		}
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
			st := headlineState(p.old.seq, &p.h)
			if err := w.index(record.KindHeadline, id, p.old, st); err != nil {
				return err
			}
			if err := w.putRecord(record.KindHeadline, []byte(id), data, st, true); err != nil {
				return fmt.Errorf("store: put %s: %w", id, err)
			}
		default:
			if err := w.put(record.KindHeadline, id, data, p.old, headlineState(0, &p.h)); err != nil {
				return err
			}
		}
	}
	clear(w.pending)
	w.order = w.order[:0]
	return nil
}
