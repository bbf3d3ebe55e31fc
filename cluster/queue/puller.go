package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// pollWait is how long a worker's pull waits for work on an empty queue.
const pollWait = time.Second

// puller pulls a worker's messages from the work consumer and hands each
// to the handlers once one of their slots is free. While nothing comes
// it looks at the queue every pollWait: with Once it ends the run when
// the queue is done, and it sweeps work parked after a missed advisory.
//
// One goroutine calls the iterator's Next when a slot is free (asked),
// and waits in it for as long as it takes, while run looks at the queue
// every pollWait. A Next with a deadline of its own would start the
// iterator's heartbeat watch again each call and never see heartbeats
// go missing, so a pull request lost with its server (the consumer's
// leader shut down) would never be made again: the worker would wait
// for ever with work on the queue.
type puller struct {
	w  *Worker
	it jetstream.MessagesContext
	// stopped is closed when the run is over: the iterator stops, and so
	// does the goroutine calling Next.
	stopped chan struct{}
	// want asks that goroutine for the next message, which comes on next.
	want  chan struct{}
	next  chan pulled
	asked bool // a message was asked for and has not come yet
	idle  *time.Timer
}

// pulled is what the iterator's Next returned.
type pulled struct {
	m   jetstream.Msg
	err error
}

// startPuller starts a pull subscription that keeps up to Fetchers
// messages at hand. On ctx's end it stops pulling; the messages already
// at hand are still handed out, and handled: they were delivered to this
// worker. The caller calls stopAsking, then, once the messages handed
// out are handled, close.
func (w *Worker) startPuller(ctx context.Context) (*puller, error) {
	it, err := w.cons.Messages(jetstream.PullMaxMessages(w.cfg.Fetchers))
	if err != nil {
		return nil, fmt.Errorf("cluster: pull from %s: %w", w.c.Names.WorkConsumer, err)
	}
	p := &puller{w: w, it: it, stopped: make(chan struct{}), want: make(chan struct{}), next: make(chan pulled),
		idle: time.NewTimer(pollWait)}
	go func() {
		select {
		case <-ctx.Done():
			it.Drain()
		case <-p.stopped:
			it.Stop()
		}
	}()
	go func() {
		for range p.want {
			m, err := it.Next()
			select {
			case p.next <- pulled{m, err}:
			case <-p.stopped:
				return
			}
		}
	}()
	return p, nil
}

// stopAsking ends the asking: no Next is called after the one under way.
func (p *puller) stopAsking() {
	p.idle.Stop()
	close(p.want)
}

// close stops the iterator, and with it the goroutine calling Next.
func (p *puller) close() { close(p.stopped) }

// pull returns the next message, or nats.ErrTimeout when none came for
// pollWait, or the iterator's error.
func (p *puller) pull() (jetstream.Msg, error) {
	if !p.asked {
		p.want <- struct{}{}
		p.asked = true
	}
	p.idle.Reset(pollWait)
	select {
	case r := <-p.next:
		p.asked = false
		return r.m, r.err
	case <-p.idle.C:
		return nil, nats.ErrTimeout
	}
}

// run hands messages to hs until the iterator is closed (ctx is done:
// nil) or, with Once, until the queue is done. busy reports whether any
// message is in flight in this worker. hctx outlives ctx, for the work
// that finishes after it.
func (p *puller) run(ctx, hctx context.Context, hs *handlers, busy func() bool) error {
	for {
		hs.reserve()
		m, err := p.pull()
		if err == nil {
			hs.msgs <- m
			continue
		}
		hs.unreserve()
		switch {
		case errors.Is(err, jetstream.ErrMsgIteratorClosed):
			return nil
		case errors.Is(err, nats.ErrTimeout):
			if end, err := p.idleCheck(ctx, hctx, busy); end {
				return err
			}
		default:
			p.w.log.Warn("pull work", slog.Any("err", err))
		}
	}
}

// idleCheck is what the puller does when nothing came for pollWait: with
// nothing in flight here, see whether the queue is done (and sweep work
// parked after a missed advisory). end says the run is over, with err.
func (p *puller) idleCheck(ctx, hctx context.Context, busy func() bool) (end bool, err error) {
	if busy() {
		return false, nil
	}
	w := p.w
	// Not cut short by ctx: a parked message is dead-lettered and deleted
	// whole.
	qctx, cancel := context.WithTimeout(hctx, time.Minute)
	done, err := w.queueDone(qctx)
	cancel()
	switch {
	case ctx.Err() != nil: // stopping: the iterator closes
	case err != nil && w.cfg.Once:
		return true, err
	case err != nil:
		w.log.Warn("check the work queue", slog.Any("err", err))
	case done && w.cfg.Once:
		return true, nil
	}
	return false, nil
}
