package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// change is the value of a change-log entry.
type change struct {
	Op   string      `json:"op"`
	Kind record.Kind `json:"kind"`
	ID   string      `json:"id"`
}

// The change-log operations.
const (
	opInsert = "insert"
	opUpdate = "update"
	opDelete = "delete"
)

// changeValue is the JSON of a change-log entry, built by hand: it is
// written for every change. Kinds and ids need no escaping, but are
// quoted properly all the same.
func changeValue(op string, kind record.Kind, id string) []byte {
	b := make([]byte, 0, 32+len(kind)+len(id))
	b = append(b, `{"op":`...)
	b = strconv.AppendQuote(b, op)
	b = append(b, `,"kind":`...)
	b = strconv.AppendQuote(b, string(kind))
	b = append(b, `,"id":`...)
	b = strconv.AppendQuote(b, id)
	return append(b, '}')
}

// Change is one change-log entry with the record's current JSON.
type Change struct {
	Seq uint64
	// Op is "insert", "update" or "delete". A "delete" is a tombstone:
	// the record is gone, and Record is nil.
	Op   string
	Kind record.Kind
	ID   string
	// Record is the record's stored JSON, "kind" first. The caller owns it.
	Record []byte
}

// ExportJSON returns the record's JSON with "seq" and "op" added after
// "kind": the line newsfeed export prints. A tombstone's is
// {"kind":K,"seq":N,"op":"delete","id":ID}.
func (c Change) ExportJSON() []byte {
	if c.Record == nil {
		b := []byte(`{"kind":`)
		b = strconv.AppendQuote(b, string(c.Kind))
		b = append(b, `,"seq":`...)
		b = strconv.AppendUint(b, c.Seq, 10)
		b = append(b, `,"op":`...)
		b = strconv.AppendQuote(b, c.Op)
		b = append(b, `,"id":`...)
		b = strconv.AppendQuote(b, c.ID)
		return append(b, '}')
	}
	head := []byte(`{"kind":` + strconv.Quote(string(c.Kind)))
	rest, ok := bytes.CutPrefix(c.Record, head)
	if !ok {
		rest = c.Record[1:] // not the usual shape: put seq and op first
		head = []byte("{")
	} else if len(rest) > 0 && rest[0] == ',' {
		rest = rest[1:]
	}
	out := make([]byte, 0, len(c.Record)+48)
	out = append(out, head...)
	if len(head) > 1 {
		out = append(out, ',')
	}
	out = append(out, `"seq":`...)
	out = strconv.AppendUint(out, c.Seq, 10)
	out = append(out, `,"op":`...)
	out = strconv.AppendQuote(out, c.Op)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// ChangeQuery selects change-log entries for Changes.
type ChangeQuery struct {
	// Since skips entries up to and including this sequence number.
	Since uint64
	// Kind keeps only records of this kind when set.
	Kind record.Kind
	// Limit stops after this many changes; zero means no limit.
	Limit int
	// OnDamaged, when set, is called for each record whose bytes fail
	// their checksum (and each change-log entry that does not decode),
	// and the walk goes on without it; when nil, Changes stops with a
	// *DamagedError.
	OnDamaged func(seq uint64, id string, err error)
}

// errStop ends a cursor walk early.
var errStop = errors.New("stop")

// Changes calls fn for each change-log entry after q.Since, in sequence
// order, with the record's current JSON, or for a deleted record its
// tombstone. An entry superseded by a later change of the same record is
// skipped, so each record changed after q.Since comes once, at its newest
// seq. fn's error stops the walk and is returned. When retention has
// dropped a tombstone newer than q.Since (see LogFloor), Changes returns
// an error wrapping ErrLogTooOld before calling fn; q.Since 0 is always
// answered.
func (s *Store) Changes(ctx context.Context, q ChangeQuery, fn func(Change) error) error {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		if floor := metaUint(tx.Bucket(bucketMeta), keyLogFloor); q.Since > 0 && q.Since < floor {
			return fmt.Errorf("%w: deletions up to seq %d were dropped; read everything again from seq 0",
				ErrLogTooOld, floor)
		}
		changes := tx.Bucket(bucketChanges)
		c := changes.Cursor()
		for k, v := c.Seek(seqKey(q.Since + 1)); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			seq := binary.BigEndian.Uint64(k)
			ch, err := decodeChange(v)
			if err != nil {
				// Entries are written whole: one that does not decode
				// was damaged.
				err = &recordDamage{what: fmt.Sprintf("change-log entry %d", seq), err: err}
				if q.OnDamaged != nil {
					q.OnDamaged(seq, "", err)
					continue
				}
				return err
			}
			if q.Kind != "" && ch.Kind != q.Kind {
				continue
			}
			out, ok, err := current(tx, seq, ch)
			if err != nil && q.OnDamaged != nil && errors.Is(err, ErrDamaged) {
				q.OnDamaged(seq, ch.ID, err)
				continue
			}
			if err != nil {
				return fmt.Errorf("entry %d: %w", seq, err)
			}
			if !ok {
				continue // a later entry has this record
			}
			if err := fn(out); err != nil {
				return err
			}
			n++
			if q.Limit > 0 && n >= q.Limit {
				return errStop
			}
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: changes since %d: %w", q.Since, err)
	}
	return nil
}

// current returns entry seq as a Change when it is the newest entry of
// its record: the record's value names it, or, for a tombstone, the
// record is gone and deleted/ names it. ok is false for a superseded
// entry.
func current(tx *bolt.Tx, seq uint64, ch change) (Change, bool, error) {
	id := []byte(ch.ID)
	out := Change{Seq: seq, Op: ch.Op, Kind: ch.Kind, ID: ch.ID}
	v := tx.Bucket(recordBucket(ch.Kind)).Get(id)
	if ch.Op == opDelete {
		dv := tx.Bucket(bucketDeleted).Get(id)
		return out, v == nil && len(dv) == 8 && binary.BigEndian.Uint64(dv) == seq, nil
	}
	if v == nil {
		return out, false, nil // deleted since: its tombstone comes later
	}
	newest, err := valueSeq(v)
	if err != nil {
		return out, false, &recordDamage{what: ch.ID, err: err}
	}
	if newest != seq {
		return out, false, nil
	}
	blob, _, err := recordState(id, v)
	if err != nil {
		return out, false, err
	}
	data, err := blobData(blob, tx.Bucket(bucketBlobs).Get(blob))
	if err != nil {
		return out, false, fmt.Errorf("%s: %w", ch.ID, err)
	}
	if data == nil {
		return out, false, &recordDamage{what: ch.ID, err: errors.New("its blob is missing")}
	}
	out.Record = copyBytes(data)
	return out, true, nil
}

// LogEntry is a raw change-log entry, for checking the log itself.
type LogEntry struct {
	Seq  uint64
	Op   string
	Kind record.Kind
	ID   string
}

// Log calls fn for every change-log entry in order, superseded or not.
func (s *Store) Log(ctx context.Context, fn func(LogEntry) error) error {
	return s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChanges).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var ch change
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("store: log entry %x: %w", k, err)
			}
			return fn(LogEntry{Seq: binary.BigEndian.Uint64(k), Op: ch.Op, Kind: ch.Kind, ID: ch.ID})
		})
	})
}

// LastSeq returns the newest change-log sequence number, 0 when empty.
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketChanges).Sequence()
		return nil
	})
	return seq, err
}
