// Package cluster runs newsfeed on several machines over NATS JetStream.
//
// JetStream is the shared log; newsfeed builds no queue, lock service or
// replication of its own. The single-machine mode (ingest, run, serve
// without --nats) stays the default and needs no NATS.
//
// The pieces, each a file of this package:
//
//   - conn.go: Connect, the names of the streams, consumers and
//     key-value buckets, and their configuration (created or updated on
//     connect, so every process agrees on them).
//   - page.go: the wire form of a parsed page on the records stream.
//   - hostgate.go, robots.go, fetchstate.go (keys and leases in
//     fetchkv.go): shared fetch state and politeness in the fetch-state
//     bucket — HostGate and RobotsCache for fetch.Config, FetchState for
//     ingest.
//
// Streams and buckets (Config.Prefix "NEWSFEED" by default):
//
//	NEWSFEED_WORK     work queue: one message per article URL to fetch
//	NEWSFEED_RECORDS  limits stream: one message per parsed page
//	NEWSFEED_DEAD     dead letters: work that failed MaxDeliver times
//	NEWSFEED_FETCH    key-value: shared fetch state and politeness
package cluster
