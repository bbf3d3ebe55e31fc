// Package store keeps newsfeed's records in one bbolt file: the records
// themselves, the pages they came from, time-ordered indexes, and a change
// log that downstream readers follow.
//
// Usage:
//
//	s, err := store.Open(ctx, "data/newsfeed.db", store.Options{})
//	if err != nil { ... }       // *LockedError, ErrSchemaTooNew, ErrNotDatabase…
//	defer s.Close()
//	res, err := s.WritePages(ctx, pages) // one transaction for the batch
//	recs, err := s.Latest(ctx, store.Query{Kind: record.KindHeadline, Limit: 50})
//	err = s.Changes(ctx, store.ChangeQuery{Since: seq}, func(c store.Change) error { ... })
//
// One process writes at a time: bbolt holds an exclusive lock on the file
// while a writer has it open, and Open waits Options.LockTimeout for it
// before returning a *LockedError. The writer's pid is kept beside the
// database in PATH.pid so that the error can name it.
//
// # Buckets
//
//	meta/
//	    schema      uint64 big-endian: the schema version (see migrations)
//	    last_write  RFC 3339 time of the last commit that changed something
//	    log_dropped uint64: change-log entries retention has dropped
//	    log_floor   uint64: the newest tombstone retention has dropped
//	articles/       id → blob key(8) | state
//	interviews/     id → blob key(8) | state
//	headlines/      id → blob key(8) | state
//	blobs/          blob key(8) → a record's JSON (a headline's has its
//	                first_seen and last_seen)
//	pages/          source (path or URL) → page JSON: content_hash,
//	                article_id, first_seen, last_seen (schema 7 and
//	                older also kept etag, last_modified: see fetch/)
//	changes/        seq(8) → {"op":"insert"|"update"|"delete","kind":K,"id":ID}
//	deleted/        id → seq(8) of the record's tombstone, while it is
//	                the record's newest entry
//	droppable/      when(8) | seq(8) → 0, or 1 for a tombstone: change-log
//	                entries that retention may drop once when is past
//	                its age (when they were superseded, or written)
//	index/
//	    kind/<kind>/                  at(8) | id → empty
//	    site/<site>/<kind>/           at(8) | id → empty
//	    column/<column>/<kind>/       at(8) | id → empty
//	    last_seen/headline/           last_seen(8) | id → empty
//	items/          id → version(8) | key(8) | len(dep)(1) | dep | item:
//	                a caller's rendering of the record (a feed item)
//	fetch/
//	    urls/       URL → JSON: source, etag, last_modified, body_hash,
//	                status, first_fetched, last_fetched, last_changed
//	    hosts/      host → UnixNano(8): not to be contacted before then
//	    lists/      source name → UnixNano(8): when its list was polled
//	    hostinfo/   host → JSON: until, reason, failing: why it is deferred
//	    sites/      source name → JSON (record.SiteState): url, method,
//	                checked, last_new, empty: how a site source is
//	                followed (hostinfo/ and sites/ are made by their
//	                first write, so no migration adds them)
//	streams/        stream name → seq(8) | created UnixNano(8): the
//	                last message of a stream of pages applied (ApplyPages)
//
// Every blob and every record value (blob key | state) ends with a
// CRC-32C of its key and bytes (schema 7, checksum.go): a record damaged
// on disk is reported, never returned. A damaged file never crashes a
// reader: every transaction turns bbolt's panics and memory faults into
// a *DamagedError (ErrDamaged, damage.go), a truncated file is refused
// before it is mapped, and check and salvage read the file's pages
// without trusting them (scan.go, salvage.go).
//
// Buckets this package does not know (another package's, added by a
// later migration) are left alone: Compact and Backup copy every bucket
// as it is.
//
// Records' ids are random. Kept under them, every insert would rewrite the
// neighbours that share its leaf, and a bulk ingest rewrote most of the
// headlines bucket at every commit; so every record's JSON goes into
// blobs under a key from a sequence (append-only, pages packed full), and
// its kind's bucket maps its id to the blob key and its state, a few
// bytes. A changed record gets a new blob and its old one is deleted.
//
// A record's state is its newest change-log entry (seq), when the store
// first saw it, its last_seen (a headline's, or when an article or
// interview was last written), and where it is indexed; every kind keeps
// it the same way, binary, after its blob key: seq(8) | first_seen(8) |
// at(8) | last_seen(8) | len(site)(2) | site | column. So a deletion
// finds every index entry of any record without reading its JSON.
// (Schema 1 kept states in a bucket of their own; schema 2 kept a
// headline's seq only and read the rest from its JSON.)
//
// Every number in a key is fixed-width big-endian, so keys sort as
// numbers. at is the time a record is ordered by: its published time when
// known (an interview's is its article's), else the time the store first
// saw it; it is encoded as UnixNano with the sign bit flipped, so that
// times before 1970 sort first too. "Newest 50" is a reverse cursor walk
// over one index bucket. Records with no site or column have no entry
// under site/ or column/. Interviews are indexed under their article's
// site and column.
//
// # The item cache
//
// Feeds render records to sanitised HTML, which costs far more than
// reading them, so items/ keeps what a caller rendered (LatestItems,
// PutItems), as Miniflux keeps an entry's content already sanitised. An
// entry holds the version it was rendered at: the record's seq, or for an
// interview the newer of its own and its article's (dep names the
// article). Seqs only grow, so an entry is stale once either record
// changes; PutItems refuses an entry whose record changed after it was
// read. key is the caller's fingerprint of its options and format, so
// that other options miss. A read-only store serves the cache but cannot
// fill it. Entries are not logged in the change log, and a database
// opened read-only before the bucket existed is read as if it were empty.
//
// # Fetch state
//
// fetch/ is what newsfeed remembers between runs about the web, not about
// records: per URL the validators to send back (each as the server last
// sent it, so a 304 that brings a new ETag replaces only the ETag), the
// hash of the last body (a 200 with the same body is not parsed again),
// and when it was fetched; per host, a deferral (a long Retry-After or
// repeated failures) that the next run honours; per list page, when it
// was last polled; per site source, the method discovery found to
// follow the site (SiteStates). None of it is logged in the change log.
//
// # Upserts and the change log
//
// WritePages stores a batch of pages in one transaction. A page whose
// source was stored before with the same content hash is skipped: nothing
// is written and nothing is appended. Otherwise each record is compared
// with the stored one: a new record is inserted, a changed one is
// replaced in place (its id does not change), and each gets one change-log
// entry under the next sequence number. A headline seen again is merged
// (see MergeHeadline): its last_seen moves forward (rewritten once it is
// LastSeenResolution behind), but a change is logged only when a field a
// reader sees changed.
//
// Within a batch, records are written once each, however many of its
// pages hold them, headlines first: a reader of the change log meets the
// headlines an article lists no later than the article.
//
// Each record's value keeps its newest sequence number, so Changes can
// skip entries that a later change superseded: a reader that resumes
// after the last seq it saw gets every record changed since then exactly
// once, in its current form.
//
// A page's Seen, when set, is the time its records are stamped with
// (a headline's first_seen and last_seen, an article's first seen), not
// the store's clock: a page that travelled (over NATS) gets the same
// times in every store it reaches.
//
// # Applying a stream
//
// ApplyPages is WritePages for pages read from a stream (the records
// stream of package cluster): it stores the stream's cursor, the last
// message's sequence and the stream's creation time, in streams/ in the
// same transaction as the pages, so that a reader that crashes resumes
// exactly after what it committed. It writes each page as though it
// were alone in its transaction, so that what two stores hold after
// applying one stream does not depend on how each batched it.
//
// # Deletion, retention and the change log
//
// Delete and Prune remove a record with its blob, its index entries, its
// cached item and, for an article, the pages/ entry of its page (so that
// the page is stored again if it comes back), and append a tombstone,
// {"op":"delete","kind":K,"id":ID}, which Changes returns as a Change
// with Op "delete" and no Record. Prune finds what a Retention expires
// from the front of an index: headlines by last_seen, articles and
// interviews by at (published, else first seen), so a prune with
// nothing to do costs a few cursor seeks.
//
// Entries superseded by a newer entry of the same record, and
// tombstones, are noted in droppable/, and Prune drops them once they are
// older than the log's retention. Dropping a superseded entry costs a
// reader nothing: the newer entry of its record is still there. Dropping
// a tombstone does: a reader whose last seq is below it would never learn
// of the deletion, so Changes refuses such a reader with ErrLogTooOld
// (log_floor is the newest dropped tombstone), and it must read
// everything again from seq 0. The log's keys run from 1 to its sequence
// with no gaps but those dropped: the entries present plus log_dropped
// always equal the last seq (Verify checks it).
//
// # Maintenance
//
// Verify checks all of the above (newsfeed check); Repair rebuilds the
// indexes from the records' states. Compact rewrites the file without
// free pages and renames it over the old one while holding its lock;
// Open notices a file replaced while it waited for the lock, and opens
// the new one. Backup writes a snapshot from one read transaction;
// Restore checks one and swaps it in as Compact does.
package store
