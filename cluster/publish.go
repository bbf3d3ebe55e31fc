package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Backpressure waits of a Scheduler whose work queue is full.
const (
	minFullWait = 20 * time.Millisecond
	maxFullWait = 2 * time.Second
)

// Publish publishes m and waits for the stream's acknowledgement. It
// tries again, backing off up to 2s, while the stream does not answer
// (for up to MaxUnavailable: a leader election, a server restarting; the
// message id makes it safe) and, when onFull is set, while the stream is
// full (calling onFull each time; as long as ctx lasts).
func (c *Conn) Publish(ctx context.Context, m *nats.Msg, onFull func()) (*jetstream.PubAck, error) {
	wait, first := minFullWait, time.Now()
	for {
		ack, err := c.publishOnce(ctx, m)
		switch {
		case err == nil:
			return ack, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case onFull != nil && isQueueFull(err):
			onFull()
		case unavailable(err) && time.Since(first) < MaxUnavailable:
			c.Cfg.Log.Info("stream unavailable: trying again", slog.String("subject", m.Subject), slog.Any("err", err))
		default:
			return nil, fmt.Errorf("publish to %s: %w", m.Subject, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		wait = min(2*wait, maxFullWait)
	}
}

// RequestTimeout is how long a publish waits for the stream's
// acknowledgement before it counts as unanswered, and a request to the
// server (a bucket's direct gets) for its answers: the JetStream API's
// default timeout.
const RequestTimeout = 5 * time.Second

// publishOnce publishes m and waits for the stream's acknowledgement (or
// an error) for up to RequestTimeout. It publishes asynchronously and
// waits: the goroutines publishing at once share one subscription to the
// answers, where a synchronous publish makes a request of its own, which
// costs 7% more CPU a message (BenchmarkLogMessage, wait16 and sync16).
func (c *Conn) publishOnce(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
	f, err := c.JS.PublishMsgAsync(m)
	if err != nil {
		return nil, err
	}
	bounded, cancel := context.WithTimeout(ctx, ackWaitBound)
	defer cancel()
	return awaitAck(ctx, bounded, f)
}

// ackWaitBound bounds a wait for acknowledgements: the client times each
// out after RequestTimeout, and this bounds the wait however it fares.
const ackWaitBound = RequestTimeout + time.Second

// awaitAck waits for f's acknowledgement or error until bounded is done:
// then ctx's error, or a timeout.
func awaitAck(ctx, bounded context.Context, f jetstream.PubAckFuture) (*jetstream.PubAck, error) {
	select {
	case ack := <-f.Ok():
		return ack, nil
	case err := <-f.Err():
		return nil, err
	case <-bounded.Done():
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, jetstream.ErrAsyncPublishTimeout
	}
}

// PublishAll publishes msgs (nil ones are left out), all in flight at
// once, and returns each one's acknowledgement or error: a message the
// stream did not take at once is tried again alone, as Publish tries it
// (with onFull).
func (c *Conn) PublishAll(ctx context.Context, msgs []*nats.Msg, onFull func()) ([]*jetstream.PubAck, []error) {
	acks := make([]*jetstream.PubAck, len(msgs))
	errs := make([]error, len(msgs))
	futures := make([]jetstream.PubAckFuture, len(msgs))
	for i, m := range msgs {
		if m != nil {
			futures[i], errs[i] = c.JS.PublishMsgAsync(m)
		}
	}
	bounded, cancel := context.WithTimeout(ctx, ackWaitBound) // for all of them at once
	defer cancel()
	for i, f := range futures {
		if f != nil {
			acks[i], errs[i] = awaitAck(ctx, bounded, f)
		}
		if msgs[i] != nil && errs[i] != nil && ctx.Err() == nil {
			acks[i], errs[i] = c.Publish(ctx, msgs[i], onFull)
		}
	}
	return acks, errs
}

// MaxUnavailable is how long a publish is tried again while its stream
// does not answer (a leader election, a server restarting) before it
// fails: the scheduler then counts the article as failed, a worker
// delivers it again later.
const MaxUnavailable = time.Minute

// unavailable reports whether a publish failed because the stream did
// not answer in time: worth trying again.
func unavailable(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.Code == 503 { // "JetStream system temporarily unavailable"
		return true
	}
	return errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrAsyncPublishTimeout) || errors.Is(err, jetstream.ErrTooManyStalledMsgs) ||
		errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrDisconnected)
}

// isQueueFull reports whether a publish was refused because the stream
// is full: with DiscardNew, JetStream answers "maximum messages exceeded"
// (or bytes), error code 10077 on the servers of today; the text is what
// every version shares.
func isQueueFull(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	d := apiErr.Description
	return strings.Contains(d, "maximum messages exceeded") || strings.Contains(d, "maximum bytes exceeded")
}
