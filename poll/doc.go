// Package poll turns a run's sources into work: files, folders and stdin
// into files to read, URLs and the sources file's list pages into
// articles to fetch, each with its list's context (source, site,
// profiles, marker) and whether the fetch state knows it. It fetches the
// list pages (conditionally, with the validators the fetch state keeps)
// but no article: that is package article's job.
//
//	SOURCE args ──► walk ──── files, stdin ──────────────────► Sink.File (article.File)
//	                   └───── URLs (canonical) ─┐
//	sources file ──► ListSource ──► poll lists ─┴─ pick ─────► Sink.Work (article.Work): app's fetchers, or cluster.Scheduler.Enqueue
//	                       ▲              └── list errors ───► Sink.Failed
//	FetchState ──── Load (deferrals, poll times)   Save (after the run: deferrals, poll times, the lists' validators)
//
// A list whose articles did not all get through (the caller reports them
// with Failed) keeps no validators, so that the next poll reads it whole
// again rather than getting a 304.
package poll
