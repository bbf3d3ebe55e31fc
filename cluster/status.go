package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Status is the state of the work queue, the records stream and the dead
// letters, as newsfeed stats --nats prints it.
type Status struct {
	Work    StreamStatus   `json:"work"`
	Workers ConsumerStatus `json:"workers"`
	Records StreamStatus   `json:"records"`
	Dead    StreamStatus   `json:"dead"`
	Letters []DeadLetter   `json:"dead_letters"`
}

// StreamStatus is one stream's size and sequence range.
type StreamStatus struct {
	Name     string `json:"name"`
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Replicas int    `json:"replicas"`
}

// ConsumerStatus is the work consumer's state: messages not yet
// delivered (Pending), delivered and not yet acknowledged (AckPending),
// delivered more than once (Redelivered), and pulls waiting (Waiting).
// Exists is false before any worker has run.
type ConsumerStatus struct {
	Name        string `json:"name"`
	Exists      bool   `json:"exists"`
	Pending     uint64 `json:"pending"`
	AckPending  int    `json:"ack_pending"`
	Redelivered int    `json:"redelivered"`
	Waiting     int    `json:"waiting"`
}

// Status returns the cluster's state with the newest deadLimit dead
// letters (all when deadLimit <= 0).
func (c *Conn) Status(ctx context.Context, deadLimit int) (Status, error) {
	var st Status
	for _, s := range []struct {
		name string
		into *StreamStatus
	}{{c.Names.WorkStream, &st.Work}, {c.Names.RecordStream, &st.Records}, {c.Names.DeadStream, &st.Dead}} {
		info, err := c.JS.Stream(ctx, s.name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return st, fmt.Errorf("cluster: no stream %s: no newsfeed process has used prefix %s on this NATS", s.name, c.Cfg.Prefix)
		}
		if err != nil {
			return st, fmt.Errorf("cluster: stream %s: %w", s.name, err)
		}
		si, err := info.Info(ctx)
		if err != nil {
			return st, fmt.Errorf("cluster: stream %s: %w", s.name, err)
		}
		*s.into = StreamStatus{Name: s.name, Messages: si.State.Msgs, Bytes: si.State.Bytes,
			FirstSeq: si.State.FirstSeq, LastSeq: si.State.LastSeq, Replicas: si.Config.Replicas}
	}
	st.Workers.Name = c.Names.WorkConsumer
	cons, err := c.JS.Consumer(ctx, c.Names.WorkStream, c.Names.WorkConsumer)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
	case err != nil:
		return st, fmt.Errorf("cluster: consumer %s: %w", c.Names.WorkConsumer, err)
	default:
		ci := cons.CachedInfo()
		st.Workers = ConsumerStatus{Name: ci.Name, Exists: true, Pending: ci.NumPending, AckPending: ci.NumAckPending,
			Redelivered: ci.NumRedelivered, Waiting: ci.NumWaiting}
	}
	if _, st.Letters, err = c.DeadLetters(ctx, deadLimit); err != nil {
		return st, err
	}
	return st, nil
}
