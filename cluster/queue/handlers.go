package queue

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster/records"
)

// handlers are a worker's Fetchers goroutines that fetch and parse its
// messages and hand them to the committer. They are long-lived: their
// stacks have grown to what parsing takes once, not once a message.
type handlers struct {
	w *Worker
	// slots holds one token per message the puller took and a handler
	// has not finished: the puller takes no more than Fetchers at once.
	slots chan struct{}
	msgs  chan jetstream.Msg
	wg    sync.WaitGroup
}

// startHandlers starts the handler goroutines; each sends what it
// fetched to cm. In-flight messages finish after the run's ctx is done
// (ctx here is without its cancellation): a fetch is bounded by the
// fetcher's timeout.
func (w *Worker) startHandlers(ctx context.Context, cm *committer) *handlers {
	hs := &handlers{w: w, slots: make(chan struct{}, w.cfg.Fetchers), msgs: make(chan jetstream.Msg)}
	for range w.cfg.Fetchers {
		hs.wg.Go(func() {
			for m := range hs.msgs {
				if f := hs.handle(ctx, m); f != nil {
					cm.pending <- f
				}
				<-hs.slots
			}
		})
	}
	return hs
}

// reserve waits for a free slot; unreserve gives it back unused.
func (hs *handlers) reserve()   { hs.slots <- struct{}{} }
func (hs *handlers) unreserve() { <-hs.slots }

// busy reports whether a handler holds a message.
func (hs *handlers) busy() bool { return len(hs.slots) > 0 }

// close waits for the messages handed out to be handled.
func (hs *handlers) close() {
	close(hs.msgs)
	hs.wg.Wait()
}

// handle fetches and parses one work message and returns it for the
// committer. A message that cannot be read is answered at once, and
// handle returns nil.
func (hs *handlers) handle(ctx context.Context, m jetstream.Msg) *fetchedWork {
	w := hs.w
	meta, err := m.Metadata()
	if err != nil {
		w.log.Warn("work message without metadata", slog.Any("err", err))
		m.Term()
		return nil
	}
	seq, delivered := meta.Sequence.Stream, meta.NumDelivered
	wm, err := DecodeWork(m.Data())
	if err != nil {
		w.dead(ctx, m, seq, delivered, wm.URL, fmt.Errorf("work message %d: %w", seq, err))
		return nil
	}
	profiles, err := w.sourceProfiles(wm)
	if err != nil {
		w.dead(ctx, m, seq, delivered, wm.URL, fmt.Errorf("work message %d: %w", seq, err))
		return nil
	}
	f := &fetchedWork{m: m, url: wm.URL, refresh: wm.Refresh, seq: seq, delivered: delivered, stop: hs.heartbeat(m)}
	got, err := w.cfg.Fetch(ctx, articleWork(wm, delivered, profiles))
	f.state, f.err = got.State, err
	if f.err == nil && got.Page != nil {
		f.source = got.Page.Source
		f.page, f.err = records.EncodePage(w.c.Names.RecordSubject, got.Page)
	}
	return f
}

// heartbeat tells the server every Heartbeat that m is in progress, until
// the returned stop is called. A timer, not a goroutine: most messages
// are done before the first beat.
func (hs *handlers) heartbeat(m jetstream.Msg) (stop func()) {
	w := hs.w
	var (
		mu      sync.Mutex // held by each beat; t is set under it
		stopped bool
		t       *time.Timer
	)
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(w.cfg.Heartbeat, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if err := m.InProgress(); err != nil {
			w.log.Warn("in progress", slog.Any("err", err))
		}
		t.Reset(w.cfg.Heartbeat)
	})
	return func() {
		mu.Lock()
		stopped = true
		mu.Unlock()
		t.Stop()
	}
}
