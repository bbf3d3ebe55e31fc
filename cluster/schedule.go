package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/article"
)

// WorkMessage is one article to fetch, the body of a work-stream message
// (JSON). It carries what a worker needs to read the page as the
// one-machine run would: the source's name and site, and the source's
// own profile file as text (the --profiles file is each worker's own
// flag, as it is each run's).
type WorkMessage struct {
	URL      string `json:"url"`
	Source   string `json:"source,omitempty"`
	Site     string `json:"site,omitempty"`
	Profiles string `json:"profiles,omitempty"`
	// Marker stands for the list page as polled (article.Work.Marker);
	// with URL it makes the message id.
	Marker string `json:"marker,omitempty"`
	// New says the scheduler's fetch state had no record of the URL
	// (article.Work.New): the worker fetches it without reading the state
	// first, unless the message is a redelivery.
	New bool `json:"new,omitempty"`
	// Refresh says the source refreshes its articles: the worker indexes
	// the URL's state under the source (FetchState.PutURLState).
	Refresh bool `json:"refresh,omitempty"`
}

// ErrBadWork wraps every reason DecodeWork refuses a message.
var ErrBadWork = errors.New("bad work message")

// EncodeWork returns the work-stream message for m. Its Nats-Msg-Id is
// the URL and the marker: the same article of the same list, scheduled
// twice within the stream's duplicate window, is queued once.
func EncodeWork(subject string, m WorkMessage) (*nats.Msg, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode work %s: %w", m.URL, err)
	}
	msg := nats.NewMsg(subject)
	msg.Data = body
	msg.Header.Set(nats.MsgIdHdr, m.URL+" "+m.Marker)
	return msg, nil
}

// DecodeWork reads a work message's body. It refuses bad JSON and a
// message whose url is missing or no absolute http(s) URL, with an error
// wrapping ErrBadWork; the caller names the message.
func DecodeWork(data []byte) (WorkMessage, error) {
	var m WorkMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return WorkMessage{}, fmt.Errorf("%w: %w", ErrBadWork, err)
	}
	if m.URL == "" {
		return m, fmt.Errorf("%w: no url", ErrBadWork)
	}
	u, err := url.Parse(m.URL)
	if err != nil {
		return m, fmt.Errorf("%w: url: %w", ErrBadWork, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return m, fmt.Errorf("%w: url %q is no http(s) URL", ErrBadWork, m.URL)
	}
	return m, nil
}

// Backpressure waits of a Scheduler whose work queue is full.
const (
	minFullWait = 20 * time.Millisecond
	maxFullWait = 2 * time.Second
)

// Scheduler publishes articles to the work stream. It is safe for
// concurrent use.
type Scheduler struct {
	c   *Conn
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
func NewScheduler(c *Conn, profiles map[string]string) *Scheduler {
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
// is tried again for up to MaxUnavailable.
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
		acks, errs := s.c.publishAll(ctx, msgs, s.onFull)
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

// publish publishes m and waits for the stream's acknowledgement. It
// tries again, backing off up to 2s, while the stream does not answer
// (for up to MaxUnavailable: a leader election, a server restarting; the
// message id makes it safe) and, when onFull is set, while the stream is
// full (calling onFull each time; as long as ctx lasts).
func (c *Conn) publish(ctx context.Context, m *nats.Msg, onFull func()) (*jetstream.PubAck, error) {
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

// publishTimeout is how long a publish waits for the stream's
// acknowledgement before it counts as unanswered: the JetStream API's
// default timeout.
const publishTimeout = 5 * time.Second

// publishOnce publishes m and waits for the stream's acknowledgement (or
// an error) for up to publishTimeout. It publishes asynchronously and
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
// out after publishTimeout, and this bounds the wait however it fares.
const ackWaitBound = publishTimeout + time.Second

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

// publishAll publishes msgs (nil ones are left out), all in flight at
// once, and returns each one's acknowledgement or error: a message the
// stream did not take at once is tried again alone, as publish tries it
// (with onFull).
func (c *Conn) publishAll(ctx context.Context, msgs []*nats.Msg, onFull func()) ([]*jetstream.PubAck, []error) {
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
			acks[i], errs[i] = c.publish(ctx, msgs[i], onFull)
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
