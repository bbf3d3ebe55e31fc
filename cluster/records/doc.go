// Package records is the records stream (NEWSFEED_RECORDS): the wire
// format of a parsed page (EncodePage, DecodePage) and the Materializer,
// which applies the stream to a store. Workers publish pages; every feed
// server (serve --nats) and ingest --from-nats materialises them into
// its own bbolt store, each message once and in stream order.
//
//	queue.Worker ── EncodePage ──► NEWSFEED_RECORDS ── ordered consumer ──► Materializer
//	Materializer ── DecodePage, batches ──► store.ApplyPages (pages + cursor in one transaction)
//
// The Materializer reads with an ordered consumer from the stored
// sequence + 1, the sequence committed in the same transaction as the
// pages; a stream that moved on or was made anew is read again from its
// start, and said so.
package records
