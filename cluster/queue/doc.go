// Package queue is the work queue: the work message (one article URL to
// fetch), the Scheduler that publishes what polling the lists finds to
// the work stream, and the Worker that fetches and parses each article
// and publishes the page to the records stream. A message is
// acknowledged only once its page is on the records stream and its
// fetch state saved; what fails for good goes to the dead letters.
//
//	app.Schedule (poll: lists) ── Enqueue(article.Work) ──► Scheduler ──► NEWSFEED_WORK
//	NEWSFEED_WORK ──► puller ──► handlers: Fetch (article.Fetch) ──► committer
//	committer ──► records.EncodePage, NEWSFEED_RECORDS ──► sharedfetch.State ──► ack
//	          └─► NakWithDelay (transient) / dead letter and Term (for good)
//	max-deliveries advisory, idle sweep ──► dead letter, work message deleted
//
// Scheduler: the message id is the article's URL and the list's change
// marker, so a list polled twice within the duplicate window queues its
// articles once; a full queue (DiscardNew at MaxMsgs) makes it wait and
// retry, never drop; articles handed to Enqueue at once are published
// together.
//
// Worker: any number of them, in any number of processes, pull from one
// durable consumer (explicit acks, AckWait, MaxDeliver, bounded
// MaxAckPending). Per message: InProgress every AckWait/3 while it
// works; Fetch (conditional GET, parsed exactly as run parses); the page
// published and its PubAck awaited; the URL's fetch state saved; only
// then the ack. The committer does the last three for every message
// fetched and waiting at once, each step's messages all in flight
// together. A 304 or the same body again: state and ack, nothing
// published. robots.txt refusals, 404 and 410: ack, not retried. A
// transient failure: NakWithDelay, backing off. A permanent one (a page
// that cannot be parsed, a message that cannot be read) or the last
// delivery: a dead letter, then Term. Work whose worker died on its last
// delivery is dead-lettered by whichever worker hears the server's
// max-deliveries advisory (or, when none was running, by the first
// worker to find it parked while idle), and deleted from the work queue.
//
// The files: work.go (WorkMessage), schedule.go, worker.go (Worker, Run,
// answering the server), puller.go, handlers.go, committer.go, parked.go
// (advisories and the idle sweep), article.go (the one tie to the
// article stage).
package queue
