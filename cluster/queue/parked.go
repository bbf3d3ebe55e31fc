package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
)

// queueDone reports whether the work queue is empty and nothing is in
// flight anywhere. Work parked by the server after its last delivery
// (its worker died and the advisory went unheard: no worker was running)
// is then sent to the dead letters, so that it neither stays for ever
// nor keeps the queue from ever being done.
func (w *Worker) queueDone(ctx context.Context) (bool, error) {
	info, err := w.cons.Info(ctx)
	if err != nil {
		return false, fmt.Errorf("cluster: consumer %s: %w", w.c.Names.WorkConsumer, err)
	}
	if info.NumPending > 0 || info.NumAckPending > 0 {
		return false, nil
	}
	return true, w.sweepParked(ctx, info.Delivered.Stream)
}

// sweepParked sends to the dead letters the work messages up to seq still
// in the stream. It is called when the consumer has nothing pending and
// nothing unacknowledged: a message it delivered that is still there was
// delivered MaxDeliver times and never answered.
func (w *Worker) sweepParked(ctx context.Context, upTo uint64) error {
	info, err := w.work.Info(ctx)
	if err != nil {
		return fmt.Errorf("cluster: stream %s: %w", w.c.Names.WorkStream, err)
	}
	left := info.State.Msgs
	for seq := info.State.FirstSeq; seq <= upTo && left > 0; seq++ {
		raw, err := w.work.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cluster: work %d: %w", seq, err)
		}
		left--
		if err := w.deadParked(ctx, raw, uint64(w.c.Cfg.MaxDeliver)); err != nil {
			return err
		}
	}
	return nil
}

// maxDeliveriesAdvisory is the part of the server's
// io.nats.jetstream.advisory.v1.max_deliver advisory the worker reads.
type maxDeliveriesAdvisory struct {
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// watchAdvisories subscribes to the server's max-deliveries advisories
// for the work consumer, in a queue group so that one worker handles each.
// stop unsubscribes and waits for an advisory being handled.
func (w *Worker) watchAdvisories() (stop func(), err error) {
	var mu sync.Mutex // held while an advisory is handled
	stopped := false
	subj := "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + w.c.Names.WorkStream + "." + w.c.Names.WorkConsumer
	sub, err := w.c.NC.QueueSubscribe(subj, w.c.Names.WorkConsumer, func(m *nats.Msg) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		var a maxDeliveriesAdvisory
		if err := json.Unmarshal(m.Data, &a); err != nil || a.StreamSeq == 0 {
			w.log.Warn("max-deliveries advisory unreadable", slog.String("data", string(m.Data)))
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		raw, err := w.work.GetMsg(ctx, a.StreamSeq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return // handled already
		}
		if err == nil {
			err = w.deadParked(ctx, raw, a.Deliveries)
		}
		if err != nil {
			w.log.Warn("max-deliveries advisory", slog.Uint64("seq", a.StreamSeq), slog.Any("err", err))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: subscribe to max-deliveries advisories: %w", err)
	}
	return func() {
		sub.Unsubscribe()
		mu.Lock()
		stopped = true
		mu.Unlock()
	}, nil
}

// deadParked sends a work message the server will not deliver again to
// the dead letters and deletes it from the work stream.
func (w *Worker) deadParked(ctx context.Context, raw *jetstream.RawStreamMsg, deliveries uint64) error {
	d := cluster.DeadLetter{WorkSeq: raw.Sequence, Deliveries: deliveries, Worker: w.cfg.Name, Work: raw.Data,
		Error: fmt.Sprintf("work message %d: delivered %d times; the last worker to take it never answered (stopped or killed)",
			raw.Sequence, deliveries)}
	if m, err := DecodeWork(raw.Data); err == nil {
		d.URL = m.URL
		d.Error = "fetch " + m.URL + ": " + d.Error
	}
	if err := w.c.PublishDead(ctx, d); err != nil {
		return err
	}
	if err := w.work.DeleteMsg(ctx, raw.Sequence); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("cluster: delete work %d: %w", raw.Sequence, err)
	}
	w.log.Warn("dead letter", slog.String("url", d.URL), slog.String("err", d.Error))
	w.done(Dead)
	return nil
}
