// Package cluster is newsfeed's connection to NATS JetStream: Connect,
// the names and settings of the streams, consumer and bucket, publishing
// that waits out a full queue or a leader election, the dead letters'
// format, and the status newsfeed stats --nats prints. The jobs done over
// the connection live in its subpackages: sharedfetch (fetch state and
// politeness in the bucket), queue (the work queue: scheduler and
// workers) and records (the records stream and the Materializer).
//
// JetStream is the shared log; newsfeed builds no queue, lock service or
// replication of its own. The single-machine mode (ingest, run, serve
// without --nats) stays the default and needs no NATS.
//
//	newsfeed schedule                 newsfeed worker (any number)           serve --nats, ingest --from-nats
//	  app.Schedule polls lists          queue.Worker                           records.Materializer
//	  queue.Scheduler.Enqueue ──► NEWSFEED_WORK ──► fetch, parse ──► NEWSFEED_RECORDS ──► store
//	                                      │ failed for good          │
//	                                      ▼                          ▼
//	                                 NEWSFEED_DEAD             NEWSFEED_FETCH (sharedfetch:
//	                                 (DeadLetter)              URL states, host slots, robots.txt)
//
// The files: conn.go (Config, Connect, Dial, the streams and bucket:
// every process creates what is missing; the owner, the scheduler, also
// updates what exists to its settings), publish.go (Conn.Publish and
// Conn.PublishAll: a full queue waited on, an unanswered stream tried
// again for up to MaxUnavailable), dead.go (DeadLetter: the work message
// as it was, with the URL, the error, the deliveries and the worker in
// headers), status.go (Conn.Status).
//
// Streams and buckets (Config.Prefix "NEWSFEED" by default):
//
//	NEWSFEED_WORK     work queue: one message per article URL to fetch
//	NEWSFEED_RECORDS  limits stream: one message per parsed page
//	NEWSFEED_DEAD     dead letters: work that failed MaxDeliver times
//	NEWSFEED_FETCH    key-value: shared fetch state and politeness
package cluster
