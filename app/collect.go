package app

import (
	"context"

	"newsfeed/write"
)

// collect is the writer goroutine: it counts every item and hands pages
// and fetch states to b, which commits them in batches. It reads items
// until the channel closes, so that the pages parsed before a
// cancellation are committed too.
func (pl *pipeline) collect(ctx context.Context, b *write.Batcher) Report {
	var sum Report
	// failingHosts are the failing hosts reported already.
	failingHosts := map[string]bool{}
	for {
		select {
		case it, ok := <-pl.items:
			if !ok {
				b.Flush(ctx)
				return sum
			}
			if pl.count(&sum, it, failingHosts) {
				pl.store(ctx, &sum, b, it)
				pl.opts.OnPage()
			}
		case <-b.Due():
			b.Flush(ctx)
		}
	}
}

// count counts an item that stores nothing and reports whether it is
// still to store (a page or a state).
func (pl *pipeline) count(sum *Report, it item, failingHosts map[string]bool) (toStore bool) {
	switch {
	case it.list:
		pl.opts.OnError(it.err)
		return false
	case it.deferred:
		sum.Deferred++
		return false
	case it.skipped:
		return false
	case it.gone:
		sum.Read++
		sum.Gone++
		pl.opts.OnPage()
		return false
	case it.enqueued:
		sum.Read++
		sum.Enqueued++
		pl.opts.OnPage()
		return false
	}
	sum.Read++
	switch {
	case it.err != nil && it.failingHost != "":
		sum.Failed++
		if !failingHosts[it.failingHost] {
			failingHosts[it.failingHost] = true
			pl.opts.OnError(it.err)
		}
	case it.err != nil:
		sum.Failed++
		pl.opts.OnError(it.err)
	default:
		return true
	}
	pl.opts.OnPage()
	return false
}

// store hands a page or a state to b, unless the store failed already.
func (pl *pipeline) store(ctx context.Context, sum *Report, b *write.Batcher, it item) {
	switch {
	case b.Err() != nil && it.page != nil:
		sum.Failed++ // parsed, but the store fails: not stored
	case b.Err() != nil:
		sum.NotParsed++ // its state is not saved: fetched again next time
	case it.page == nil: // not parsed: its state only
		sum.NotParsed++
		b.Add(ctx, nil, it.state)
	default:
		b.Add(ctx, it.page, it.state)
	}
}
