package queue

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/record"
)

// Defaults for WorkerConfig's zero values.
const (
	DefaultWorkerFetchers = 16
	// DefaultMaxAckPending bounds the work messages all workers together
	// hold unacknowledged.
	DefaultMaxAckPending = 1024
	DefaultRetryDelay    = 5 * time.Second
	// MaxRetryDelay caps the back-off of a transient failure.
	MaxRetryDelay = 10 * time.Minute
	// MaxDeferDelay caps how long a message waits for a deferred host
	// before it is delivered again.
	MaxDeferDelay = time.Hour
)

// WorkerConfig configures a Worker. The zero value of every field but
// Fetch takes the default.
type WorkerConfig struct {
	// Fetchers is the number of work messages one worker handles at once.
	Fetchers int
	// Fetch fetches and parses one article (required); it saves nothing.
	Fetch FetchFunc
	// State is where a URL's fetch state is saved once its page is on the
	// records stream: the state Fetch reads its validators from (a
	// *sharedfetch.State, which indexes only the URLs of sources
	// that refresh their articles); nil saves none.
	State URLStateSaver
	// Log gets what becomes of messages; nil means the connection's.
	Log *slog.Logger
	// Name names the worker in dead letters; default host:pid.
	Name string
	// Once makes Run return once the work queue is empty and nothing is
	// in flight anywhere, rather than waiting for more work.
	Once bool
	// Heartbeat is how often a worker tells the server a message is still
	// in progress; default a third of the consumer's AckWait.
	Heartbeat time.Duration
	// MaxAckPending is the consumer's bound on messages delivered and not
	// yet acknowledged, over all workers.
	MaxAckPending int
	// RetryDelay is the delay before a message that failed for a
	// transient reason is delivered again; it doubles with each
	// delivery, up to MaxRetryDelay.
	RetryDelay time.Duration
	// OnMessage, if set, is called after each message with what became
	// of it, for progress and tests, from the goroutine that handled it:
	// calls come at once.
	OnMessage func(Outcome)
}

// URLStateSaver keeps URLs' fetch states (article.FetchState does).
type URLStateSaver interface {
	PutURLStates(ctx context.Context, states []record.URLState) error
}

// Outcome is what became of one work message.
type Outcome int

// The outcomes of a work message.
const (
	// Stored: the page was parsed and published to the records stream.
	Stored Outcome = iota
	// NotModified: a 304, or a 200 with the body of last time: state only.
	NotModified
	// Skipped: robots.txt disallows it, or the site answered 404 or 410;
	// acknowledged, not tried again.
	Skipped
	// Retried: a transient failure; delivered again later.
	Retried
	// Dead: sent to the dead letters.
	Dead
)

// WorkerStats counts a worker's messages by outcome.
type WorkerStats struct {
	Stored, NotModified, Skipped, Retried, Dead int64
}

func (s WorkerStats) String() string {
	return fmt.Sprintf("%d stored, %d not modified, %d skipped, %d retried, %d dead letters",
		s.Stored, s.NotModified, s.Skipped, s.Retried, s.Dead)
}

// Worker pulls article URLs from the work stream's durable consumer,
// fetches and parses each as the one-machine run does, publishes the page
// to the records stream and only then acknowledges. Any number of
// workers, in any number of processes, share the consumer.
type Worker struct {
	c    *cluster.Conn
	cfg  WorkerConfig
	cons jetstream.Consumer
	work jetstream.Stream
	log  *slog.Logger

	profiles sync.Map // sha256 of profile text → *parse.Profiles

	counts [Dead + 1]atomic.Int64
}

// NewWorker creates or updates the work consumer (Names.WorkConsumer:
// explicit acks, the configured AckWait and MaxDeliver, MaxAckPending)
// and returns a worker on it.
func NewWorker(ctx context.Context, c *cluster.Conn, cfg WorkerConfig) (*Worker, error) {
	if cfg.Fetch == nil {
		return nil, errors.New("cluster: worker: no fetch")
	}
	if cfg.Fetchers <= 0 {
		cfg.Fetchers = DefaultWorkerFetchers
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = c.Cfg.AckWait / 3
	}
	if cfg.MaxAckPending <= 0 {
		cfg.MaxAckPending = DefaultMaxAckPending
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.Name == "" {
		host, _ := os.Hostname()
		cfg.Name = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	cons, err := EnsureWorkConsumer(ctx, c, cfg.MaxAckPending)
	if err != nil {
		return nil, err
	}
	work, err := c.JS.Stream(ctx, c.Names.WorkStream)
	if err != nil {
		return nil, fmt.Errorf("cluster: stream %s: %w", c.Names.WorkStream, err)
	}
	log := cfg.Log
	if log == nil {
		log = c.Cfg.Log
	}
	return &Worker{c: c, cfg: cfg, cons: cons, work: work, log: log}, nil
}

// EnsureWorkConsumer creates or updates the work stream's durable pull
// consumer that every worker shares.
func EnsureWorkConsumer(ctx context.Context, c *cluster.Conn, maxAckPending int) (jetstream.Consumer, error) {
	cons, err := c.JS.CreateOrUpdateConsumer(ctx, c.Names.WorkStream, jetstream.ConsumerConfig{
		Durable:       c.Names.WorkConsumer,
		Description:   "newsfeed workers: fetch and parse",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.Cfg.AckWait,
		MaxDeliver:    c.Cfg.MaxDeliver,
		MaxAckPending: maxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: consumer %s: %w", c.Names.WorkConsumer, err)
	}
	return cons, nil
}

// Stats returns the counts so far.
func (w *Worker) Stats() WorkerStats {
	return WorkerStats{w.counts[Stored].Load(), w.counts[NotModified].Load(), w.counts[Skipped].Load(),
		w.counts[Retried].Load(), w.counts[Dead].Load()}
}

// Run handles work until ctx is done (then it stops pulling, finishes
// the messages in flight and returns nil) or, with Once, until the queue
// is empty. Meanwhile it watches the server's max-deliveries advisories,
// and looks for parked work whenever it is idle, so that work whose
// worker died on its last delivery goes to the dead letters rather than
// staying in the queue for ever.
//
// Its puller takes a message when one of the Fetchers handlers is free;
// the handler fetches and parses it, then hands it to the committer,
// which publishes the pages of all the messages waiting at once, then
// saves their fetch states at once, then acknowledges them:
//
//	work consumer ──► puller ──► handlers ──► committer ──► records stream, fetch state, ack
//	                    │ idle       │ unreadable   │ transient: NakWithDelay
//	                    ▼            ▼              ▼ for good, or the last delivery
//	       queueDone, sweepParked   dead letter    dead letter, Term
//
// When Run returns, its deferred calls stop asking for messages, wait for
// the handlers to finish and the committer to commit what they handed
// it, flush the acks, stop the iterator, and stop watching advisories, in
// this order.
func (w *Worker) Run(ctx context.Context) error {
	stopWatching, err := w.watchAdvisories()
	if err != nil {
		return err
	}
	defer stopWatching()
	p, err := w.startPuller(ctx)
	if err != nil {
		return err
	}
	defer p.close()
	// In-flight messages finish after ctx is done: a fetch is bounded by
	// the fetcher's timeout.
	hctx := context.WithoutCancel(ctx)
	cm := w.startCommitter(hctx)
	hs := w.startHandlers(hctx, cm)
	defer func() {
		hs.close()
		cm.close()
		// The acks are sent without waiting for an answer: make sure the
		// server has them before the process may exit.
		if err := w.c.NC.FlushTimeout(time.Minute); err != nil {
			w.log.Warn("flush the last acks", slog.Any("err", err))
		}
	}()
	defer p.stopAsking()
	return p.run(ctx, hctx, hs, func() bool { return hs.busy() || cm.busy() })
}

func (w *Worker) done(o Outcome) {
	w.counts[o].Add(1)
	if w.cfg.OnMessage != nil {
		w.cfg.OnMessage(o)
	}
}

// answer tells the server what became of a work message whose handling
// ended with err (stored: a page was published).
func (w *Worker) answer(ctx context.Context, m jetstream.Msg, u string, seq, delivered uint64, stored bool, err error) {
	switch {
	case err == nil:
		w.ack(m, u)
		if stored {
			w.done(Stored)
		} else {
			w.done(NotModified)
		}
	case skip(err):
		w.log.Info("skipped", slog.String("url", u), slog.Any("err", err))
		w.ack(m, u)
		w.done(Skipped)
	case permanent(err) || delivered >= uint64(w.c.Cfg.MaxDeliver):
		w.dead(ctx, m, seq, delivered, u, err)
	default:
		delay := w.retryDelay(err, delivered)
		w.log.Info("retry later", slog.String("url", u), slog.Uint64("delivery", delivered),
			slog.Duration("delay", delay), slog.Any("err", err))
		if err := m.NakWithDelay(delay); err != nil {
			w.log.Warn("nak", slog.String("url", u), slog.Any("err", err))
		}
		w.done(Retried)
	}
}

func (w *Worker) ack(m jetstream.Msg, u string) {
	if err := m.Ack(); err != nil {
		// Delivered again after AckWait; the records stream drops the
		// page's second publish as a duplicate.
		w.log.Warn("ack", slog.String("url", u), slog.Any("err", err))
	}
}

// dead publishes the message to the dead letters and terminates it. When
// the dead letter cannot be published the message is left to be
// delivered again after AckWait (or, on its last delivery, to the
// max-deliveries advisory).
func (w *Worker) dead(ctx context.Context, m jetstream.Msg, seq, delivered uint64, u string, cause error) {
	d := cluster.DeadLetter{WorkSeq: seq, URL: u, Error: cause.Error(), Deliveries: delivered, Worker: w.cfg.Name, Work: m.Data()}
	if err := w.c.PublishDead(ctx, d); err != nil {
		w.log.Warn("dead letter not published", slog.String("url", u), slog.Any("err", err))
		return
	}
	w.log.Warn("dead letter", slog.String("url", u), slog.Uint64("deliveries", delivered), slog.Any("err", cause))
	if err := m.Term(); err != nil {
		w.log.Warn("term", slog.String("url", u), slog.Any("err", err))
	}
	w.done(Dead)
}

// sourceProfiles returns the profiles of a message's profile text,
// parsed once per text.
func (w *Worker) sourceProfiles(m WorkMessage) (*parse.Profiles, error) {
	if m.Profiles == "" {
		return nil, nil
	}
	key := sha256.Sum256([]byte(m.Profiles))
	if p, ok := w.profiles.Load(key); ok {
		return p.(*parse.Profiles), nil
	}
	p, err := parse.ParseProfiles(strings.NewReader(m.Profiles), "source "+m.Source+" profile")
	if err != nil {
		return nil, err
	}
	w.profiles.Store(key, p)
	return p, nil
}

// skip reports whether a fetch error means the page is not to be had
// and not to be asked for again: robots.txt disallows it, or it is gone
// (404, 410).
func skip(err error) bool {
	return errors.Is(err, fetch.ErrRobots) || fetch.Gone(err)
}

// permanent reports whether an error will be the same on every delivery:
// a page that cannot be parsed, one too large, an address newsfeed
// refuses, too many redirects, or a 4xx answer other than 408 and 429.
func permanent(err error) bool {
	var se *fetch.StatusError
	switch {
	case unparsable(err), errors.Is(err, fetch.ErrTooLarge), errors.Is(err, fetch.ErrPrivateAddress),
		errors.Is(err, fetch.ErrScheme), errors.Is(err, fetch.ErrTooManyRedirects):
		return true
	case errors.As(err, &se):
		return se.Code >= 400 && se.Code < 500 && se.Code != http.StatusRequestTimeout && se.Code != http.StatusTooManyRequests
	}
	return false
}

// retryDelay is how long a message that failed for a transient reason
// waits: until a deferred host may be asked again, else RetryDelay
// doubled with each delivery, capped.
func (w *Worker) retryDelay(err error, delivered uint64) time.Duration {
	var de *fetch.DeferredError
	if errors.As(err, &de) {
		return min(max(time.Until(de.Until), w.cfg.RetryDelay), MaxDeferDelay)
	}
	d := w.cfg.RetryDelay
	for i := uint64(1); i < delivered && d < MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, MaxRetryDelay)
}
