// Package cluster runs newsfeed on several machines over NATS JetStream.
//
// JetStream is the shared log; newsfeed builds no queue, lock service or
// replication of its own. The single-machine mode (ingest, run, serve
// without --nats) stays the default and needs no NATS.
//
// The pieces, each a file of this package:
//
//   - conn.go: Connect, the names of the streams, consumers and
//     key-value buckets, and their configuration: every process creates
//     what is missing; the owner (the scheduler) also updates what exists
//     to its settings.
//   - page.go: the wire form of a parsed page on the records stream.
//   - hostgate.go, robots.go, fetchstate.go (keys and leases in
//     fetchkv.go): shared fetch state and politeness in the fetch-state
//     bucket — HostGate and RobotsCache for fetch.Config, FetchState for
//     ingest.
//   - schedule.go: the work message (one article to fetch) and the
//     Scheduler, which publishes ingest.Run's articles (its Enqueue hook)
//     to the work stream. The message id is the article's URL and the
//     list's change marker, so a list polled twice within the duplicate
//     window queues its articles once; a full queue (DiscardNew at
//     MaxMsgs) makes the scheduler wait and retry, never drop. Articles
//     handed to Enqueue at once are published together.
//   - worker.go: the Worker. Any number of them, in any number of
//     processes, pull from one durable consumer (explicit acks, AckWait,
//     MaxDeliver, bounded MaxAckPending). Per message: InProgress every
//     AckWait/3 while it works; ingest.FetchArticle (conditional GET,
//     parsed exactly as run parses); the page published to the records
//     stream and its PubAck awaited; the URL's fetch state saved; only
//     then the ack. A committer does the last three for every message
//     fetched and waiting at once, each step's messages all in flight
//     together. A 304 or the same body again: state and ack, nothing
//     published. robots.txt refusals, 404 and 410: ack, not retried. A
//     transient failure: NakWithDelay, backing off. A permanent one (a
//     page that cannot be parsed, a message that cannot be read) or the
//     last delivery: a dead letter, then Term. Work whose worker died on
//     its last delivery is dead-lettered by whichever worker hears the
//     server's max-deliveries advisory (or, when none was running, by the
//     first worker to find it parked while idle), and deleted from the
//     work queue.
//   - dead.go: dead letters: the work message as it was, with the URL,
//     the error, the deliveries and the worker in headers.
//   - status.go: the queue, the consumer, the records stream and the dead
//     letters, for newsfeed stats --nats.
//   - materialize.go: the Materializer, which applies the records stream
//     to a store (a feed server's, or ingest --from-nats) with an ordered
//     consumer from the stored sequence + 1, the sequence committed in the
//     same transaction as the pages; a stream that moved on or was made
//     anew is read again from its start, and said so.
//
// Streams and buckets (Config.Prefix "NEWSFEED" by default):
//
//	NEWSFEED_WORK     work queue: one message per article URL to fetch
//	NEWSFEED_RECORDS  limits stream: one message per parsed page
//	NEWSFEED_DEAD     dead letters: work that failed MaxDeliver times
//	NEWSFEED_FETCH    key-value: shared fetch state and politeness
package cluster
