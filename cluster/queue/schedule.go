package queue

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"

	"newsfeed/article"
	"newsfeed/cluster"
)

// Scheduler publishes articles to the work stream. It is safe for
// concurrent use.
type Scheduler struct {
	c   *cluster.Conn
	log *slog.Logger
	// profiles maps a source's name to its own profile file's text.
	profiles map[string]string

	enqueued, duplicates, waits atomic.Int64

	mu       sync.Mutex
	queued   []*enqueued // waiting for flush
	flushing bool        // an Enqueue call is flushing
}

// ScheduleCounts counts what a Scheduler did: messages the stream took,
// messages it dropped as duplicates of ones still in its window, and
// waits for room in a full queue.
type ScheduleCounts struct {
	Enqueued, Duplicates, FullWaits int64
}

// NewScheduler returns a scheduler publishing to c's work stream.
// profiles maps a source's name to the text of its own profile file
// (sources without one are left out), which goes with each of its
// articles.
func NewScheduler(c *cluster.Conn, profiles map[string]string) *Scheduler {
	return &Scheduler{c: c, log: c.Cfg.Log, profiles: profiles}
}

// Counts returns the counts so far.
func (s *Scheduler) Counts() ScheduleCounts {
	return ScheduleCounts{s.enqueued.Load(), s.duplicates.Load(), s.waits.Load()}
}

// Enqueue publishes w and waits for the stream's acknowledgement; it is
// the sink of app.Schedule. The articles handed to it at once are
// published together, all in flight (see flush). When the work queue is
// full (the stream refuses: DiscardNew at MaxMsgs) it waits, backing off
// up to 2s, and tries again until the stream takes it or ctx is done:
// nothing is dropped. A stream that does not answer (electing a leader)
// is tried again for up to cluster.MaxUnavailable.
func (s *Scheduler) Enqueue(ctx context.Context, w article.Work) error {
	msg, err := EncodeWork(s.c.Names.WorkSubject, WorkMessage{
		URL: w.URL, Source: w.Source, Site: w.Site, Profiles: s.profiles[w.Source], Marker: w.Marker, New: w.New,
		Refresh: w.Refresh,
	})
	if err != nil {
		return err
	}
	e := &enqueued{msg: msg, done: make(chan error, 1)}
	s.mu.Lock()
	s.queued = append(s.queued, e)
	lead := !s.flushing
	s.flushing = true
	s.mu.Unlock()
	if lead {
		s.flush(ctx)
	}
	select {
	case err := <-e.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enqueued is an article's work message waiting to be published, and
// where its outcome goes.
type enqueued struct {
	msg  *nats.Msg
	done chan error
}

// maxEnqueueBatch is the most work messages flush has in flight at once.
const maxEnqueueBatch = 1024

// flush publishes the work messages queued, all in flight at once, again
// and again until none is left: the Enqueue call that finds nobody
// flushing flushes for all (a group commit), so that the articles of a
// poll share their round trips to the server.
func (s *Scheduler) flush(ctx context.Context) {
	for {
		s.mu.Lock()
		batch := s.queued[:min(len(s.queued), maxEnqueueBatch)]
		s.queued = s.queued[len(batch):]
		if len(batch) == 0 {
			s.flushing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		msgs := make([]*nats.Msg, len(batch))
		for i, e := range batch {
			msgs[i] = e.msg
		}
		acks, errs := s.c.PublishAll(ctx, msgs, s.onFull)
		for i, e := range batch {
			switch {
			case errs[i] != nil:
			case acks[i].Duplicate:
				s.duplicates.Add(1)
			default:
				s.enqueued.Add(1)
			}
			e.done <- errs[i]
		}
	}
}

// onFull notes a wait for room in a full work queue.
func (s *Scheduler) onFull() {
	if s.waits.Add(1) == 1 {
		s.log.Info("work queue full: waiting for workers", slog.String("stream", s.c.Names.WorkStream))
	}
}
