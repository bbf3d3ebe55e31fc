// Package write stores parsed pages in batches: one transaction per
// batch of Options.BatchSize pages, or of what came within
// Options.FlushInterval of the batch's first page. The fetch state of
// the pages (and of pages fetched unchanged) is saved after the batch
// holding them commits, so that a run killed between the two fetches a
// page again rather than losing it.
//
//	article ──*record.Page + URLState──► Batcher.Add ──(full, or Due)──► Flush ──► Writer.WritePages (one transaction)
//	article ──URLState only (unchanged)─► Batcher.Add ─┘                      └──► StateSaver.PutURLStates (after the commit)
//
// A Batcher is used from one goroutine, the run's writer.
package write
