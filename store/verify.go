package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// maxProblems caps the problems Verify lists; it says how many more
// there were.
const maxProblems = 100

// Verify checks the database and returns the problems it found, none
// when it is consistent: bbolt's own check of the file's pages, then
// ours.
//
//   - The schema version is the one this newsfeed writes.
//   - Every record's value decodes, its id names its kind, and its blob
//     exists.
//   - Every index entry names a record whose state puts it there, and
//     every record has exactly the entries its state says: one in
//     kind/, one under its site and column when it has them, and for a
//     headline one in last_seen/.
//   - Every blob belongs to a record (no orphans); every cached item to
//     a record.
//   - The change log is contiguous: its keys run from 1 to its sequence,
//     and every seq that is missing was dropped by retention, so the
//     entries present plus meta's log_dropped number exactly the last
//     seq. Every entry decodes; every record's newest entry (its seq) is
//     present and names it; every tombstone deleted/ names is present,
//     names a deletion of that id, and the record is gone.
//
// A read-only store can be verified while a writer waits.
func (s *Store) Verify(ctx context.Context) ([]string, error) {
	var problems []string
	more := 0
	add := func(format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Sprintf(format, args...))
		} else {
			more++
		}
	}
	// The file's pages and the records' checksums first, read without
	// trusting bbolt's pages: a damaged page would crash bbolt's walk.
	rep, err := s.Scan(ctx)
	if err != nil {
		return nil, err
	}
	if rep.Damaged() {
		for _, p := range rep.FilePages {
			add("damaged %s", p)
		}
		for _, p := range rep.Records {
			add("damaged record: %s", p)
		}
		for _, id := range rep.Lost {
			add("lost: %s", id)
		}
		if more > 0 {
			problems = append(problems, fmt.Sprintf("… and %d more problems", more))
		}
		return problems, nil
	}
	err = s.view(func(tx *bolt.Tx) error {
		if v, foreign := schemaOf(tx); foreign || v != SchemaVersion {
			add("schema version %d, this newsfeed knows %d", v, SchemaVersion)
			return nil
		}
		for _, name := range topBuckets {
			if tx.Bucket(name) == nil {
				add("bucket %s is missing", name)
			}
		}
		if len(problems) > 0 {
			return nil
		}
		return verify(ctx, tx, add)
	})
	if err != nil {
		return problems, fmt.Errorf("store: verify %s: %w", s.path, err)
	}
	if more > 0 {
		problems = append(problems, fmt.Sprintf("… and %d more problems", more))
	}
	return problems, nil
}

// indexCount tallies a record's index entries by where they are.
type indexCount struct{ kind, site, column, lastSeen int }

func verify(ctx context.Context, tx *bolt.Tx, add func(string, ...any)) error {
	used := map[string]bool{} // blob keys records name
	counts := map[string]*indexCount{}
	for _, k := range kinds {
		if err := verifyRecords(ctx, tx, k, used, counts, add); err != nil {
			return err
		}
	}
	if err := verifyIndexes(tx, counts, add); err != nil {
		return err
	}
	verifyIndexCounts(tx, counts, add)
	if err := verifyOrphans(tx, used, counts, add); err != nil {
		return err
	}
	return verifyLog(ctx, tx, add)
}

// verifyRecords checks every record of kind k: its bucket, its value, its
// blob and its newest change-log entry. It notes the blob keys the
// records name in used, and a zero indexCount for each in counts.
func verifyRecords(ctx context.Context, tx *bolt.Tx, k record.Kind, used map[string]bool, counts map[string]*indexCount, add func(string, ...any)) error {
	blobs := tx.Bucket(bucketBlobs)
	changes := tx.Bucket(bucketChanges)
	return tx.Bucket(recordBucket(k)).ForEach(func(id, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if KindOf(string(id)) != k {
			add("%s: record %q in the %s bucket", k, id, k)
		}
		blob, st, err := splitValue(id, v)
		if err != nil {
			add("%s %s: %v", k, id, err)
			return nil
		}
		if blobs.Get(blob) == nil {
			add("%s %s: blob %x is missing", k, id, blob)
		}
		used[string(blob)] = true
		counts[string(id)] = &indexCount{}
		if e := changes.Get(seqKey(st.seq)); e == nil {
			add("%s %s: its newest change-log entry %d is missing", k, id, st.seq)
		} else if ch, err := decodeChange(e); err != nil || ch.ID != string(id) || ch.Op == opDelete {
			add("%s %s: change-log entry %d is %s, not its insert or update", k, id, st.seq, e)
		}
		return nil
	})
}

// verifyIndexCounts checks that each record is indexed where its state
// says: once by kind, once by site and by column when it has them, and a
// headline once by last_seen.
func verifyIndexCounts(tx *bolt.Tx, counts map[string]*indexCount, add func(string, ...any)) {
	for id, c := range counts {
		k := KindOf(id)
		st, err := storedState(tx, k, []byte(id))
		if err != nil {
			continue // reported by verifyRecords
		}
		want := indexCount{kind: 1}
		if st.site != "" {
			want.site = 1
		}
		if st.column != "" {
			want.column = 1
		}
		if k == record.KindHeadline {
			want.lastSeen = 1
		}
		if *c != want {
			add("%s: indexed %+v, want %+v", id, *c, want)
		}
	}
}

// verifyOrphans reports blobs no record names, cached items of missing
// records, and stream cursors that do not decode.
func verifyOrphans(tx *bolt.Tx, used map[string]bool, counts map[string]*indexCount, add func(string, ...any)) error {
	err := tx.Bucket(bucketBlobs).ForEach(func(k, _ []byte) error {
		if !used[string(k)] {
			add("blob %x belongs to no record", k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = tx.Bucket(bucketItems).ForEach(func(id, _ []byte) error {
		if counts[string(id)] == nil {
			add("cached item of %s, which is missing", id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketStreams).ForEach(func(name, v []byte) error {
		if _, err := decodeCursor(v); err != nil {
			add("stream %s: %v", name, err)
		}
		return nil
	})
}

// verifyIndexes walks every index bucket, checking each entry against
// its record's state, and counts each record's good entries.
func verifyIndexes(tx *bolt.Tx, counts map[string]*indexCount, add func(string, ...any)) error {
	idx := tx.Bucket(bucketIndex)
	check := func(where string, b *bolt.Bucket, k record.Kind, match func(st state, key uint64) bool, tally func(*indexCount)) error {
		if b == nil {
			return nil
		}
		return b.ForEach(func(key, _ []byte) error {
			if len(key) <= 8 {
				add("%s/%s: malformed key %x", where, k, key)
				return nil
			}
			id := key[8:]
			st, err := storedState(tx, k, id)
			if err != nil {
				add("%s/%s: entry for %s, which is missing", where, k, id)
				return nil
			}
			if !match(st, binary.BigEndian.Uint64(key)) {
				add("%s/%s: stale entry for %s", where, k, id)
				return nil
			}
			if c := counts[string(id)]; c != nil {
				tally(c)
			}
			return nil
		})
	}
	for _, k := range kinds {
		kb := []byte(k)
		if err := check("kind", nested(idx, bucketByKind, kb), k,
			func(st state, at uint64) bool { return st.at == at },
			func(c *indexCount) { c.kind++ }); err != nil {
			return err
		}
		if err := check("last_seen", nested(idx, bucketByLastSeen, kb), k,
			func(st state, at uint64) bool { return k == record.KindHeadline && st.lastSeenKey() == at },
			func(c *indexCount) { c.lastSeen++ }); err != nil {
			return err
		}
	}
	for _, g := range []struct {
		name  []byte
		field func(state) string
		tally func(*indexCount)
	}{
		{bucketBySite, func(st state) string { return st.site }, func(c *indexCount) { c.site++ }},
		{bucketByColumn, func(st state) string { return st.column }, func(c *indexCount) { c.column++ }},
	} {
		parent := idx.Bucket(g.name)
		err := parent.ForEachBucket(func(name []byte) error {
			group := parent.Bucket(name)
			for _, k := range kinds {
				err := check(string(g.name)+"/"+string(name), group.Bucket([]byte(k)), k,
					func(st state, at uint64) bool { return st.at == at && g.field(st) == string(name) }, g.tally)
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// verifyLog checks the change log's seqs and tombstones.
func verifyLog(ctx context.Context, tx *bolt.Tx, add func(string, ...any)) error {
	changes := tx.Bucket(bucketChanges)
	last := changes.Sequence()
	n := uint64(0)
	err := changes.ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		if len(k) != 8 {
			add("change log: malformed key %x", k)
			return nil
		}
		seq := binary.BigEndian.Uint64(k)
		if seq == 0 || seq > last {
			add("change log: entry %d outside 1..%d", seq, last)
		}
		if _, err := decodeChange(v); err != nil {
			add("change log: entry %d: %v", seq, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	dropped := metaUint(tx.Bucket(bucketMeta), keyLogDropped)
	if n+dropped != last {
		add("change log: %d entries and %d dropped, but the last seq is %d: entries are missing", n, dropped, last)
	}
	return tx.Bucket(bucketDeleted).ForEach(func(id, v []byte) error {
		k := KindOf(string(id))
		if b := tx.Bucket(recordBucket(k)); b == nil || b.Get(id) != nil {
			add("deleted/ names %s, which is not deleted", id)
			return nil
		}
		e := changes.Get(v)
		if e == nil {
			add("deleted/ names tombstone %x of %s, which is missing", v, id)
			return nil
		}
		if ch, err := decodeChange(e); err != nil || ch.Op != opDelete || ch.ID != string(id) {
			add("deleted/ names entry %x for %s, which is %s", v, id, e)
		}
		return nil
	})
}

// decodeChange decodes a change-log value and checks its op and kind.
func decodeChange(v []byte) (change, error) {
	var ch change
	if err := json.Unmarshal(v, &ch); err != nil {
		return ch, err
	}
	switch {
	case ch.Op != opInsert && ch.Op != opUpdate && ch.Op != opDelete:
		return ch, fmt.Errorf("unknown op %q", ch.Op)
	case recordBucket(ch.Kind) == nil:
		return ch, fmt.Errorf("unknown kind %q", ch.Kind)
	case KindOf(ch.ID) != ch.Kind:
		return ch, fmt.Errorf("id %q is not a %s's", ch.ID, ch.Kind)
	}
	return ch, nil
}

// RepairResult counts what Repair did.
type RepairResult struct {
	// Indexed is the number of records indexed again.
	Indexed int
	// Blobs and Items count orphan blobs and cached items deleted.
	Blobs, Items int
}

// Repair rebuilds every index from the records' states, in one
// transaction, and deletes blobs and cached items that belong to no
// record. It changes no record and no change-log entry.
func (s *Store) Repair(ctx context.Context) (RepairResult, error) {
	var res RepairResult
	err := s.update(ctx, func(w *writer) error {
		res = RepairResult{}
		w.dirty = true
		idx := w.tx.Bucket(bucketIndex)
		for _, name := range [][]byte{bucketByKind, bucketBySite, bucketByColumn, bucketByLastSeen} {
			if err := idx.DeleteBucket(name); err != nil {
				return fmt.Errorf("store: repair: drop index %s: %w", name, err)
			}
			if _, err := idx.CreateBucket(name); err != nil {
				return fmt.Errorf("store: repair: create index %s: %w", name, err)
			}
		}
		w.byKind, w.bySite = idx.Bucket(bucketByKind), idx.Bucket(bucketBySite)
		w.byColumn, w.byLastSeen = idx.Bucket(bucketByColumn), idx.Bucket(bucketByLastSeen)
		w.indexes = nil
		used := map[string]bool{}
		for _, k := range kinds {
			type rec struct {
				id string
				st state
			}
			var recs []rec
			err := w.records[k].ForEach(func(id, v []byte) error {
				blob, st, err := splitValue(id, v)
				if err != nil {
					return fmt.Errorf("store: repair: %s: %w (a record Repair cannot mend)", id, err)
				}
				used[string(blob)] = true
				recs = append(recs, rec{string(id), st})
				return nil
			})
			if err != nil {
				return err
			}
			for _, r := range recs {
				if err := w.index(k, r.id, nil, r.st); err != nil {
					return err
				}
				res.Indexed++
			}
		}
		var orphans, items [][]byte
		w.blobs.ForEach(func(k, _ []byte) error {
			if !used[string(k)] {
				orphans = append(orphans, copyBytes(k))
			}
			return nil
		})
		w.items.ForEach(func(id, _ []byte) error {
			if k := KindOf(string(id)); k == "" || w.records[k].Get(id) == nil {
				items = append(items, copyBytes(id))
			}
			return nil
		})
		for _, k := range orphans {
			if err := w.blobs.Delete(k); err != nil {
				return err
			}
		}
		for _, id := range items {
			if err := w.items.Delete(id); err != nil {
				return err
			}
		}
		res.Blobs, res.Items = len(orphans), len(items)
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("store: repair %s: %w", s.path, err)
	}
	return res, nil
}
