package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// Bucket names and meta keys. The tree is drawn in the package doc.
var (
	bucketMeta       = []byte("meta")
	bucketArticles   = []byte("articles")
	bucketInterviews = []byte("interviews")
	bucketHeadlines  = []byte("headlines")
	bucketBlobs      = []byte("blobs")
	bucketPages      = []byte("pages")
	bucketState      = []byte("state") // schema 1 only: see foldState
	bucketChanges    = []byte("changes")
	bucketIndex      = []byte("index")
	bucketByKind     = []byte("kind")
	bucketBySite     = []byte("site")
	bucketByColumn   = []byte("column")
	bucketItems      = []byte("items")
	bucketByLastSeen = []byte("last_seen")
	bucketDeleted    = []byte("deleted")
	bucketDroppable  = []byte("droppable")

	keySchema    = []byte("schema")
	keyLastWrite = []byte("last_write")
	// keyLogDropped counts the change-log entries pruning dropped, and
	// keyLogFloor is the newest tombstone it dropped (uint64 each).
	keyLogDropped = []byte("log_dropped")
	keyLogFloor   = []byte("log_floor")
)

// recordBucket returns the name of the bucket that holds records of kind k.
func recordBucket(k record.Kind) []byte {
	switch k {
	case record.KindArticle:
		return bucketArticles
	case record.KindInterview:
		return bucketInterviews
	case record.KindHeadline:
		return bucketHeadlines
	}
	return nil
}

// getJSON returns the stored JSON of the record id of kind k, or nil,
// after checking its checksum. It is valid only while tx is open.
func getJSON(tx *bolt.Tx, k record.Kind, id []byte) ([]byte, error) {
	name := recordBucket(k)
	if name == nil {
		return nil, nil
	}
	b := tx.Bucket(name)
	if b == nil {
		return nil, nil
	}
	v := b.Get(id)
	if v == nil {
		return nil, nil
	}
	blob, _, err := recordState(id, v)
	if err != nil {
		return nil, err
	}
	if blobs := tx.Bucket(bucketBlobs); blobs != nil {
		return blobData(blob, blobs.Get(blob))
	}
	return nil, nil
}

// kinds are the record kinds in the order stats lists them.
var kinds = []record.Kind{record.KindArticle, record.KindInterview, record.KindHeadline}

// migrations bring a database from version i to i+1. They are append-only:
// never edit one that has shipped. Each creates the buckets it names
// itself, never "the current layout", so that adding a migration never
// changes what an older one does. SchemaVersion is their number. The
// functions are in migrations.go.
var migrations = []func(tx *bolt.Tx) error{
	// 1: the first layout.
	createSchema1,
	// 2: no state bucket (each record's state goes into its value),
	// headlines' JSON in blobs, and the item cache.
	foldState,
	// 3: one state format for every kind, the last_seen index, and the
	// buckets deletion needs (deleted/, droppable/).
	prepareDeletion,
	// 4: the fetch state (fetch/urls, fetch/hosts, fetch/lists).
	addFetchState,
	// 5: the cursors of the streams a store applies (streams/).
	addStreams,
	// 6: articles' bodies as blocks ("paragraphs" and "captions" become
	// "blocks").
	bodyAsBlocks,
	// 7: a CRC-32C after every blob and every record value (see
	// checksum.go), sealing whatever values the migrations before it
	// left.
	addChecksums,
	// 8: pages/ values without the HTTP validators, which the fetch
	// state keeps (fetch/urls/).
	dropPageValidators,
}

// topBuckets are the top-level buckets of the current layout; a database
// of the current version that lacks one is migrated again (see init).
var topBuckets = [][]byte{bucketMeta, bucketArticles, bucketInterviews, bucketHeadlines,
	bucketBlobs, bucketPages, bucketChanges, bucketIndex, bucketItems, bucketDeleted, bucketDroppable, bucketFetch, bucketStreams}

// indexBuckets are the buckets under index/ of the current layout.
var indexBuckets = [][]byte{bucketByKind, bucketBySite, bucketByColumn, bucketByLastSeen}

// SchemaVersion is the schema this binary writes and reads.
var SchemaVersion = uint64(len(migrations))

// errSkip rolls back an Update that found nothing to do.
var errSkip = errors.New("skip")

// init checks the schema version and, for a writer, runs the migrations
// that are due, all in one transaction.
func (s *Store) init() error {
	var version uint64
	var foreign, complete bool
	err := s.view(func(tx *bolt.Tx) error {
		version, foreign = schemaOf(tx)
		complete = hasBuckets(tx)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: read schema of %s: %w", s.path, err)
	}
	switch {
	case foreign && s.damagedFile() != nil:
		// The meta bucket is gone, or its schema unreadable, because
		// a page is damaged: not another program's file.
		return s.damagedFile()
	case foreign:
		return fmt.Errorf("%w: %s is a bbolt file with no newsfeed schema; refusing to touch it", ErrNotDatabase, s.path)
	case version > SchemaVersion:
		return fmt.Errorf("%w: %s has schema version %d, this newsfeed knows up to %d: use a newer newsfeed",
			ErrSchemaTooNew, s.path, version, SchemaVersion)
	case version == SchemaVersion && (complete || s.readOnly):
		return nil
	case s.readOnly && version == 0:
		return fmt.Errorf("%w: %s is empty (run newsfeed ingest first)", ErrNoDatabase, s.path)
	case s.readOnly:
		return fmt.Errorf("store: %s has schema version %d and needs migrating to %d: run newsfeed ingest first",
			s.path, version, SchemaVersion)
	case version == SchemaVersion:
		// A bucket of this version is gone: never migrate a damaged
		// file (the checksum migration would seal damaged bytes).
		if derr := s.damagedFile(); derr != nil {
			return derr
		}
	}
	err = s.updateTx(func(tx *bolt.Tx) error {
		v, foreign := schemaOf(tx)
		if foreign || v > SchemaVersion || (v == SchemaVersion && hasBuckets(tx)) {
			return errSkip // another process got here first
		}
		if v == SchemaVersion {
			// Written while this version's layout was being made, or
			// a bucket was lost: the current layout's buckets are
			// made, and the newest migration adds what else it owns.
			if err := createBuckets(tx, topBuckets, indexBuckets); err != nil {
				return err
			}
			if v != checksumVersion {
				v-- // the checksum migration owns no bucket: not run again
			}
		}
		for i := v; i < SchemaVersion; i++ {
			if err := migrations[i](tx); err != nil {
				return fmt.Errorf("migrate to %d: %w", i+1, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion))
	})
	if err != nil && !errors.Is(err, errSkip) {
		if derr := s.damagedFile(); derr != nil {
			return derr // the migration failed on a damaged page
		}
		return fmt.Errorf("store: init %s: %w", s.path, err)
	}
	return nil
}

// hasBuckets reports whether every top-level bucket of the current
// layout exists.
func hasBuckets(tx *bolt.Tx) bool {
	for _, name := range topBuckets {
		if tx.Bucket(name) == nil {
			return false
		}
	}
	return true
}

// schemaOf returns the schema version stored in tx's meta bucket, 0 for
// a database with no buckets at all, and foreign for one whose buckets are
// some other program's.
func schemaOf(tx *bolt.Tx) (version uint64, foreign bool) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		tx.ForEach(func([]byte, *bolt.Bucket) error {
			empty = false
			return errSkip
		})
		return 0, !empty
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return 0, true
	}
	return binary.BigEndian.Uint64(v), false
}
