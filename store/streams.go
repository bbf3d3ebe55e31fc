package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// bucketStreams holds a cursor per stream a store applies (see
// ApplyPages).
var bucketStreams = []byte("streams")

// addStreams is the migration that adds streams/, and nothing else.
func addStreams(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketStreams); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketStreams, err)
	}
	return nil
}

// StreamCursor is how far a store has applied a stream of pages.
type StreamCursor struct {
	// Seq is the stream sequence of the last message applied.
	Seq uint64
	// Created is when the stream was created. A stream deleted and
	// made again under the same name starts its sequence over; this
	// tells the two apart.
	Created time.Time
}

// cursorSize is the size of a streams/ value: seq(8) | created(8).
const cursorSize = 16

func (c StreamCursor) value() []byte {
	b := make([]byte, 0, cursorSize)
	b = binary.BigEndian.AppendUint64(b, c.Seq)
	return binary.BigEndian.AppendUint64(b, uint64(c.Created.UnixNano()))
}

func decodeCursor(v []byte) (StreamCursor, error) {
	if len(v) != cursorSize {
		return StreamCursor{}, errors.New("malformed stream cursor")
	}
	return StreamCursor{
		Seq:     binary.BigEndian.Uint64(v),
		Created: time.Unix(0, int64(binary.BigEndian.Uint64(v[8:]))).UTC(),
	}, nil
}

// ApplyPages stores pages read from stream, as WritePages does, and cur
// as the stream's cursor, in the same transaction: after a crash the
// cursor says exactly which messages the records hold, so the reader
// resumes after it, with no gap and nothing applied twice.
//
// Unlike WritePages, each page is written as though it were alone in its
// transaction, so that what is stored — records, first_seen and
// last_seen (from each page's Seen), change-log seqs — depends only on
// the pages and their order, never on how a reader split them into
// batches: two stores applying one stream hold the same records under
// the same seqs, and export the same lines. The batch is still one
// commit.
//
// pages may be empty: the cursor moves past messages that held no page.
func (s *Store) ApplyPages(ctx context.Context, stream string, cur StreamCursor, pages []*record.Page) (record.WriteResult, error) {
	if stream == "" {
		return record.WriteResult{}, errors.New("store: apply: no stream name")
	}
	return s.write(ctx, pages, true, func(w *writer) error {
		b := w.tx.Bucket(bucketStreams)
		if b == nil {
			return fmt.Errorf("store: database is missing bucket %s", bucketStreams)
		}
		w.dirty = true
		if err := b.Put([]byte(stream), cur.value()); err != nil {
			return fmt.Errorf("store: put cursor of %s: %w", stream, err)
		}
		return nil
	})
}

// StreamCursor returns the cursor ApplyPages stored for stream, and
// false when it stored none.
func (s *Store) StreamCursor(ctx context.Context, stream string) (StreamCursor, bool, error) {
	if err := ctx.Err(); err != nil {
		return StreamCursor{}, false, err
	}
	var (
		cur   StreamCursor
		found bool
	)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStreams)
		if b == nil {
			return nil // read-only, before the migration: none yet
		}
		v := b.Get([]byte(stream))
		if v == nil {
			return nil
		}
		found = true
		var err error
		cur, err = decodeCursor(v)
		return err
	})
	if err != nil {
		return StreamCursor{}, false, fmt.Errorf("store: cursor of %s: %w", stream, err)
	}
	return cur, found, nil
}

// Version says when the records last changed: the change log's newest
// seq and the last write's time (meta/last_write), which move with every
// commit that stores or deletes records, and not with the item cache or
// the fetch state. A reader that holds the store open while it is
// written (serve --nats) builds again when it changed.
func (s *Store) Version(ctx context.Context) (seq uint64, lastWrite string, err error) {
	if err := ctx.Err(); err != nil {
		return 0, "", err
	}
	err = s.view(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketChanges).Sequence()
		lastWrite = string(tx.Bucket(bucketMeta).Get(keyLastWrite))
		return nil
	})
	return seq, lastWrite, err
}
