package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// This file holds the migrations (see migrations in schema.go) and the
// encodings of older schemas that only they read. A migration that has
// shipped is never edited: it names its own buckets and uses its own
// encoders, so that changing the current layout never changes it.

// createBuckets creates top-level buckets top, and children under
// index/, when they are missing.
func createBuckets(tx *bolt.Tx, top [][]byte, index [][]byte) error {
	for _, name := range top {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	if len(index) == 0 {
		return nil
	}
	idx, err := tx.CreateBucketIfNotExists(bucketIndex)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketIndex, err)
	}
	for _, name := range index {
		if _, err := idx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s/%s: %w", bucketIndex, name, err)
		}
	}
	return nil
}

// createSchema1 is migration 1: the first layout.
func createSchema1(tx *bolt.Tx) error {
	return createBuckets(tx,
		[][]byte{bucketMeta, bucketArticles, bucketInterviews, bucketHeadlines,
			bucketBlobs, bucketPages, bucketState, bucketChanges},
		[][]byte{bucketByKind, bucketBySite, bucketByColumn})
}

// foldState is migration 2. Schema 1 kept each record's state in a
// bucket of its own, which cost every write one more random-key put: it
// now lives in the record's value. A headline keeps only its seq, since
// its JSON holds the rest, and its JSON moves into blobs, as articles'
// already was.
func foldState(tx *bolt.Tx) error {
	blobs := tx.Bucket(bucketBlobs)
	if states := tx.Bucket(bucketState); states != nil {
		if blobs == nil {
			return fmt.Errorf("database is missing bucket %s", bucketBlobs)
		}
		err := states.ForEach(func(id, sv []byte) error {
			st, err := decodeStateV2(sv)
			if err != nil {
				return fmt.Errorf("state of %s: %w", id, err)
			}
			kind := KindOf(string(id))
			b := tx.Bucket(recordBucket(kind))
			if b == nil {
				return fmt.Errorf("state of %q, which names no kind", id)
			}
			v := b.Get(id)
			switch {
			case v == nil:
				return fmt.Errorf("state of %s, which is missing", id)
			case kind == record.KindHeadline:
				seq, err := blobs.NextSequence()
				if err != nil {
					return err
				}
				blob := seqKey(seq)
				if err := blobs.Put(blob, v); err != nil {
					return err
				}
				v = binary.BigEndian.AppendUint64(append([]byte{}, blob...), st.seq)
			case len(v) != 8:
				return fmt.Errorf("%s: %w", id, errBadValue)
			default:
				v = appendStateV2(append([]byte{}, v...), st)
			}
			return b.Put(id, v)
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketState); err != nil {
			return fmt.Errorf("delete bucket %s: %w", bucketState, err)
		}
	}
	return createBuckets(tx,
		[][]byte{bucketMeta, bucketArticles, bucketInterviews, bucketHeadlines,
			bucketBlobs, bucketPages, bucketChanges, bucketIndex, bucketItems},
		[][]byte{bucketByKind, bucketBySite, bucketByColumn})
}

// The state encoding of schemas 1 and 2 (schema 1's state bucket, and
// schema 2's article and interview values after their blob key):
// seq(8) | first_seen(8) | at(8) | len(site)(2) | site | column. A
// schema 2 headline's value was blob key(8) | seq(8).

func appendStateV2(b []byte, st state) []byte {
	b = binary.BigEndian.AppendUint64(b, st.seq)
	b = binary.BigEndian.AppendUint64(b, uint64(st.firstSeen))
	b = binary.BigEndian.AppendUint64(b, st.at)
	b = binary.BigEndian.AppendUint16(b, uint16(len(st.site)))
	b = append(b, st.site...)
	return append(b, st.column...)
}

func decodeStateV2(b []byte) (state, error) {
	if len(b) < 26 {
		return state{}, errBadState
	}
	n := int(binary.BigEndian.Uint16(b[24:]))
	if len(b) < 26+n {
		return state{}, errBadState
	}
	st := state{
		seq:       binary.BigEndian.Uint64(b[0:]),
		firstSeen: int64(binary.BigEndian.Uint64(b[8:])),
		at:        binary.BigEndian.Uint64(b[16:]),
		site:      string(b[26 : 26+n]),
		column:    string(b[26+n:]),
	}
	st.lastSeen = st.firstSeen
	return st, nil
}

// prepareDeletion is migration 3. Every kind's value becomes blob key |
// state (a headline's state was read from its JSON), so that a deletion
// finds every index entry of any record without decoding it; headlines
// are indexed by last_seen, so that retention finds the stale ones
// without reading them all; and it adds deleted/ (id → seq of the
// record's tombstone) and droppable/ (the change-log entries retention
// may drop, by when they became droppable). An article's or interview's
// last_seen starts at its first_seen.
func prepareDeletion(tx *bolt.Tx) error {
	idx := tx.Bucket(bucketIndex)
	blobs := tx.Bucket(bucketBlobs)
	if idx == nil || blobs == nil {
		return fmt.Errorf("database is missing bucket %s or %s", bucketIndex, bucketBlobs)
	}
	// The values are converted in the transaction that creates
	// index/last_seen: its presence says they are done.
	if idx.Bucket(bucketByLastSeen) == nil {
		byLastSeen, err := idx.CreateBucket(bucketByLastSeen)
		if err != nil {
			return fmt.Errorf("create bucket %s/%s: %w", bucketIndex, bucketByLastSeen, err)
		}
		for _, k := range kinds {
			if err := convertValues(tx.Bucket(recordBucket(k)), blobs, byLastSeen, k); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	return createBuckets(tx, [][]byte{bucketDeleted, bucketDroppable}, nil)
}

// convertValues rewrites the schema 2 values of kind k's bucket b as
// schema 3 values, indexing headlines under byLastSeen.
func convertValues(b, blobs, byLastSeen *bolt.Bucket, k record.Kind) error {
	if b == nil {
		return fmt.Errorf("database is missing bucket %s", recordBucket(k))
	}
	type kv struct{ k, v []byte }
	var out []kv
	err := b.ForEach(func(id, v []byte) error {
		if len(v) < 16 {
			return fmt.Errorf("%s: %w", id, errBadValue)
		}
		blob := v[:8]
		var st state
		if k == record.KindHeadline {
			var h record.Headline
			if err := json.Unmarshal(blobs.Get(blob), &h); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			st = headlineState(binary.BigEndian.Uint64(v[8:]), &h)
		} else {
			var err error
			if st, err = decodeStateV2(v[8:]); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
		}
		out = append(out, kv{copyBytes(id), recordValueV3(blob, st)})
		return nil
	})
	if err != nil {
		return err
	}
	var byKind *bolt.Bucket
	if k == record.KindHeadline && len(out) > 0 {
		if byKind, err = byLastSeen.CreateBucketIfNotExists([]byte(k)); err != nil {
			return err
		}
	}
	for _, e := range out {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
		if byKind != nil {
			_, st, _ := splitValueV3(e.v)
			if err := byKind.Put(indexKey(st.lastSeenKey(), string(e.k)), []byte{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// bodyAsBlocks is migration 6. An article's body was two lists,
// "paragraphs" and "captions"; it is now one, "blocks": a paragraph block
// {"type":"p","text":…} for each paragraph, then a picture block
// {"type":"image","caption":…} for each caption (the old records did not
// say where a caption stood among the paragraphs). Every article blob
// that has either list is rewritten in place with "blocks" where
// "paragraphs" stood and its other keys as they were; its cached feed
// items (items/) are dropped, so that they are rendered again. It reads
// and writes the buckets and the JSON itself, so that it does not change
// when the record types do.
func bodyAsBlocks(tx *bolt.Tx) error {
	articles, blobs := tx.Bucket([]byte("articles")), tx.Bucket([]byte("blobs"))
	if articles == nil || blobs == nil {
		return fmt.Errorf("database is missing bucket articles or blobs")
	}
	items := tx.Bucket([]byte("items"))
	type rewrite struct{ id, blob, data []byte }
	var out []rewrite
	err := articles.ForEach(func(id, v []byte) error {
		if len(v) < 8 {
			return fmt.Errorf("article %s: %w", id, errBadValue)
		}
		old := blobs.Get(v[:8])
		if old == nil {
			return fmt.Errorf("article %s: blob %x is missing", id, v[:8])
		}
		data, changed, err := blocksJSON(old)
		if err != nil {
			return fmt.Errorf("article %s: %w", id, err)
		}
		if changed {
			out = append(out, rewrite{copyBytes(id), copyBytes(v[:8]), data})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range out {
		if err := blobs.Put(r.blob, r.data); err != nil {
			return fmt.Errorf("article %s: %w", r.id, err)
		}
		if items != nil {
			if err := items.Delete(r.id); err != nil {
				return fmt.Errorf("article %s: %w", r.id, err)
			}
		}
	}
	return nil
}

// blocksJSON rewrites one article's JSON object with its "paragraphs" and
// "captions" as "blocks", keeping the other keys and their order; changed
// is false when it has neither list.
func blocksJSON(data []byte) (out []byte, changed bool, err error) {
	members, err := objectMembers(data, "blob")
	if err != nil {
		return nil, false, err
	}
	var paragraphs, captions []string
	var kept []jsonMember
	hasBlocks, at := false, -1
	for _, m := range members {
		switch m.key {
		case "paragraphs", "captions":
			dst := &paragraphs
			if m.key == "captions" {
				dst = &captions
			}
			if err := json.Unmarshal(m.val, dst); err != nil {
				return nil, false, fmt.Errorf("blob: %s: %w", m.key, err)
			}
			changed = true
			if at < 0 {
				at = len(kept)
			}
			continue
		case "blocks":
			hasBlocks = true
		}
		kept = append(kept, m)
	}
	if !changed {
		return data, false, nil
	}
	if !hasBlocks && len(paragraphs)+len(captions) > 0 {
		val, err := legacyBlocks(paragraphs, captions)
		if err != nil {
			return nil, false, err
		}
		kept = slices.Insert(kept, at, jsonMember{"blocks", val})
	}
	return objectJSON(kept), true, nil
}

// legacyBlocks returns the "blocks" of a body kept as paragraphs and
// captions: a paragraph block for each paragraph, then a picture block
// for each caption.
func legacyBlocks(paragraphs, captions []string) (json.RawMessage, error) {
	type block struct {
		Type    string `json:"type"`
		Text    string `json:"text,omitempty"`
		Caption string `json:"caption,omitempty"`
	}
	blocks := make([]block, 0, len(paragraphs)+len(captions))
	for _, p := range paragraphs {
		blocks = append(blocks, block{Type: "p", Text: p})
	}
	for _, c := range captions {
		blocks = append(blocks, block{Type: "image", Caption: c})
	}
	return json.Marshal(blocks)
}

// jsonMember is one member of a JSON object, its value as written.
type jsonMember struct {
	key string
	val json.RawMessage
}

// objectMembers returns the members of the JSON object data, in order;
// what names data in its errors.
func objectMembers(data []byte, what string) ([]jsonMember, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("%s is not a JSON object", what)
	}
	var members []jsonMember
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		key, _ := t.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", what, key, err)
		}
		members = append(members, jsonMember{key, val})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the object", what)
	}
	return members, nil
}

// objectJSON writes members as one JSON object, in their order.
func objectJSON(members []jsonMember) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// dropPageValidators is migration 8. A page's value in pages/ kept the
// HTTP validators of its last fetch, "etag" and "last_modified", which
// nothing read since the fetch state (fetch/urls/, migration 4) keeps
// them. Every value that has either is rewritten without them, its other
// members as they were, in their order; a value that is not a JSON
// object is left as it is (the writer reports it when it meets it).
// pages/ values carry no checksum (see checksum.go): there is none to
// write again. Running it twice changes nothing.
func dropPageValidators(tx *bolt.Tx) error {
	pages := tx.Bucket([]byte("pages"))
	if pages == nil {
		return fmt.Errorf("database is missing bucket pages")
	}
	type kv struct{ k, v []byte }
	var out []kv
	err := pages.ForEach(func(k, v []byte) error {
		members, err := objectMembers(v, "page")
		if err != nil {
			return nil
		}
		kept := slices.DeleteFunc(slices.Clone(members), func(m jsonMember) bool {
			return m.key == "etag" || m.key == "last_modified"
		})
		if len(kept) < len(members) {
			out = append(out, kv{copyBytes(k), objectJSON(kept)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range out {
		if err := pages.Put(e.k, e.v); err != nil {
			return fmt.Errorf("page %s: %w", e.k, err)
		}
	}
	return nil
}
