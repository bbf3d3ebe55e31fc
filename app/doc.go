// Package app is where a run happens: Run composes the stages, poll →
// article → write → prune → publish → tidy, over one Config that a
// command builds once from its flags. Ingest is the same pipeline
// without what follows the write, and Schedule polls only, handing each
// article to a sink (the cluster's Scheduler.Enqueue) instead of
// fetching it.
//
//	         Sources, Lists                        Sink.File (files, stdin)
//	Config ─────────────────► poll.Poller.Run ──┬──────────────────────────────► parse workers ─┐
//	                                            │ Sink.Work (article.Work)                        │
//	                                            ├──► fetchers: article.Get ── Body ──► Body.Parse ┤
//	                                            │        └── unchanged: URLState only ─────────────┤
//	                                            └──► Schedule: sink (queue.Scheduler.Enqueue)      │
//	                                                                                                ▼
//	                   collect (one goroutine: counts the Report) ──► write.Batcher ──► store (one transaction a batch)
//	                                                                        └──► fetch state after each commit
//	Run: ingest ──► prune (retention) ──► publish (feed.Publish) ──► tidy (item cache, compact)
//
// Each stage of Run opens the database for itself and reports through
// Config.OnStage as it ends; a stage that fails with its inputs or its
// work lets the next go on, while a database that cannot be opened or an
// interruption ends the run.
package app
