package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/article"
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

// pollWait is how long a worker's pull waits for work on an empty queue.
const pollWait = time.Second

// WorkerConfig configures a Worker. The zero value of every field but
// Ingest.Fetcher takes the default.
type WorkerConfig struct {
	// Fetchers is the number of work messages one worker handles at once.
	Fetchers int
	// Ingest are the fetch and parse options, as article.Fetch
	// takes them: Fetcher (required), State (the shared fetch state; nil
	// fetches unconditionally), Site, Profiles, MaxBytes, Location, Log.
	Ingest article.Options
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
	c    *Conn
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
func NewWorker(ctx context.Context, c *Conn, cfg WorkerConfig) (*Worker, error) {
	if cfg.Ingest.Fetcher == nil {
		return nil, errors.New("cluster: worker: no fetcher")
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
	log := cfg.Ingest.Log
	if log == nil {
		log = c.Cfg.Log
	}
	return &Worker{c: c, cfg: cfg, cons: cons, work: work, log: log}, nil
}

// EnsureWorkConsumer creates or updates the work stream's durable pull
// consumer that every worker shares.
func EnsureWorkConsumer(ctx context.Context, c *Conn, maxAckPending int) (jetstream.Consumer, error) {
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
func (w *Worker) Run(ctx context.Context) error {
	stopWatching, err := w.watchAdvisories()
	if err != nil {
		return err
	}
	defer stopWatching()

	// A pull subscription that keeps up to Fetchers messages at hand.
	it, err := w.cons.Messages(jetstream.PullMaxMessages(w.cfg.Fetchers))
	if err != nil {
		return fmt.Errorf("cluster: pull from %s: %w", w.c.Names.WorkConsumer, err)
	}
	// On ctx's end, stop pulling; the messages already at hand are still
	// handed out, and handled: they were delivered to this worker.
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			it.Drain()
		case <-stopped:
			it.Stop()
		}
	}()

	// In-flight messages finish after ctx is done: a fetch is bounded by
	// the fetcher's timeout.
	hctx := context.WithoutCancel(ctx)
	// A message holds one of slots while one of the Fetchers handler
	// goroutines fetches and parses it (long-lived: their stacks have
	// grown to what parsing takes once, not once a message). It then
	// waits in pending for the committer, which publishes the pages of
	// all the messages waiting at once, then saves their fetch states at
	// once, then acknowledges them: the handler goes on to the next
	// message, and a batch shares its round trips to the server.
	slots := make(chan struct{}, w.cfg.Fetchers)
	pending := make(chan *fetchedWork, commitsPerFetcher*w.cfg.Fetchers)
	var committing atomic.Int64 // messages taken by the committer, not yet answered
	msgs := make(chan jetstream.Msg)
	var handlers sync.WaitGroup
	for range w.cfg.Fetchers {
		handlers.Go(func() {
			for m := range msgs {
				if f := w.handle(hctx, m); f != nil {
					pending <- f
				}
				<-slots
			}
		})
	}
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		w.commit(hctx, pending, &committing)
	}()
	defer func() {
		close(msgs)
		handlers.Wait()
		close(pending)
		<-committed
		// The acks are sent without waiting for an answer: make sure the
		// server has them before the process may exit.
		if err := w.c.NC.FlushTimeout(time.Minute); err != nil {
			w.log.Warn("flush the last acks", slog.Any("err", err))
		}
	}()
	// One goroutine calls Next when a slot is free (asked), and waits in
	// it for as long as it takes, while this loop looks at the queue
	// every pollWait. A Next with a deadline of its own would start the
	// iterator's heartbeat watch again each call and never see heartbeats
	// go missing, so a pull request lost with its server (the consumer's
	// leader shut down) would never be made again: the worker would wait
	// for ever with work on the queue.
	type pulled struct {
		m   jetstream.Msg
		err error
	}
	want, next := make(chan struct{}), make(chan pulled)
	defer close(want)
	go func() {
		for range want {
			m, err := it.Next()
			select {
			case next <- pulled{m, err}:
			case <-stopped:
				return
			}
		}
	}()
	asked := false
	idle := time.NewTimer(pollWait)
	defer idle.Stop()
	for {
		slots <- struct{}{}
		if !asked {
			want <- struct{}{}
			asked = true
		}
		idle.Reset(pollWait)
		var p pulled
		select {
		case p = <-next:
			asked = false
		case <-idle.C:
			p.err = nats.ErrTimeout
		}
		if err := p.err; err != nil {
			<-slots
			switch {
			case errors.Is(err, jetstream.ErrMsgIteratorClosed):
				return nil
			case errors.Is(err, nats.ErrTimeout):
				// Idle: nothing came for pollWait. With nothing in flight
				// here, see whether the queue is done (and sweep work
				// parked after a missed advisory).
				if len(slots) > 0 || len(pending) > 0 || committing.Load() > 0 {
					continue
				}
				// Not cut short by ctx: a parked message is dead-lettered
				// and deleted whole.
				qctx, cancel := context.WithTimeout(hctx, time.Minute)
				done, err := w.queueDone(qctx)
				cancel()
				switch {
				case ctx.Err() != nil: // stopping: the iterator closes
				case err != nil && w.cfg.Once:
					return err
				case err != nil:
					w.log.Warn("check the work queue", slog.Any("err", err))
				case done && w.cfg.Once:
					return nil
				}
			default:
				w.log.Warn("pull work", slog.Any("err", err))
			}
			continue
		}
		msgs <- p.m
	}
}

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
	d := DeadLetter{WorkSeq: raw.Sequence, Deliveries: deliveries, Worker: w.cfg.Name, Work: raw.Data,
		Error: fmt.Sprintf("work message %d: delivered %d times; the last worker to take it never answered (stopped or killed)",
			raw.Sequence, deliveries)}
	if m, err := DecodeWork(raw.Data); err == nil {
		d.URL = m.URL
		d.Error = "fetch " + m.URL + ": " + d.Error
	}
	if err := w.c.publishDead(ctx, d); err != nil {
		return err
	}
	if err := w.work.DeleteMsg(ctx, raw.Sequence); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("cluster: delete work %d: %w", raw.Sequence, err)
	}
	w.log.Warn("dead letter", slog.String("url", d.URL), slog.String("err", d.Error))
	w.done(Dead)
	return nil
}

func (w *Worker) done(o Outcome) {
	w.counts[o].Add(1)
	if w.cfg.OnMessage != nil {
		w.cfg.OnMessage(o)
	}
}

// commitsPerFetcher is how many fetched messages a worker keeps waiting
// for the committer per message it fetches at once.
const commitsPerFetcher = 4

// fetchedWork is a work message fetched and parsed, waiting for its
// commit: its page published, its fetch state saved, the server answered.
type fetchedWork struct {
	m              jetstream.Msg
	url            string
	refresh        bool
	seq, delivered uint64
	got            article.Fetched
	page           *nats.Msg // the page's records-stream message; nil: none
	err            error     // the fetch's, then the commit's
	stop           func()    // stops the heartbeat
}

// handle fetches and parses one work message and returns it for the
// committer. A message that cannot be read is answered at once, and
// handle returns nil.
func (w *Worker) handle(ctx context.Context, m jetstream.Msg) *fetchedWork {
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
	// A redelivery may follow a fetch whose state was saved: read it.
	work := article.Work{URL: wm.URL, Source: wm.Source, Site: wm.Site, Marker: wm.Marker, New: wm.New && delivered == 1, Refresh: wm.Refresh}
	if work.Profiles, err = w.sourceProfiles(wm); err != nil {
		w.dead(ctx, m, seq, delivered, wm.URL, fmt.Errorf("work message %d: %w", seq, err))
		return nil
	}
	f := &fetchedWork{m: m, url: wm.URL, refresh: wm.Refresh, seq: seq, delivered: delivered, stop: w.heartbeat(m)}
	f.got, f.err = article.Fetch(ctx, work, w.cfg.Ingest)
	if f.err == nil && f.got.Page != nil {
		f.page, f.err = EncodePage(w.c.Names.RecordSubject, f.got.Page)
	}
	return f
}

// maxCommitBatch is the most messages one commit takes.
const maxCommitBatch = 256

// commit commits the fetched messages from pending until it is closed,
// each time all those waiting, in is how many it holds.
func (w *Worker) commit(ctx context.Context, pending <-chan *fetchedWork, in *atomic.Int64) {
	for f := range pending {
		batch := []*fetchedWork{f}
	take:
		for len(batch) < maxCommitBatch {
			select {
			case f, ok := <-pending:
				if !ok {
					break take
				}
				batch = append(batch, f)
			default:
				break take
			}
		}
		in.Store(int64(len(batch)))
		w.commitBatch(ctx, batch)
		in.Store(0)
	}
}

// commitBatch publishes the batch's pages, all in flight at once, then
// saves the fetch states of those published, then answers the server
// for each message. A page or state the stream does not take at once is
// tried again alone, as Conn.publish tries.
func (w *Worker) commitBatch(ctx context.Context, batch []*fetchedWork) {
	pages := make([]*nats.Msg, len(batch))
	for i, f := range batch {
		if f.err == nil {
			pages[i] = f.page
		}
	}
	_, errs := w.c.publishAll(ctx, pages, nil)
	for i, err := range errs {
		if err != nil {
			batch[i].err = fmt.Errorf("%s: %w", batch[i].got.Page.Source, err)
		}
	}
	w.saveStates(ctx, batch)
	for _, f := range batch {
		f.stop()
		w.answer(ctx, f.m, f.url, f.seq, f.delivered, f.page != nil, f.err)
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

// heartbeat tells the server every Heartbeat that m is in progress, until
// the returned stop is called. A timer, not a goroutine: most messages
// are done before the first beat.
func (w *Worker) heartbeat(m jetstream.Msg) (stop func()) {
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

// saveStates saves the fetch state of each message of the batch fetched
// and published without error, its URL indexed under its source when the
// source refreshes its articles; with the fetch-state bucket, all at
// once.
func (w *Worker) saveStates(ctx context.Context, batch []*fetchedWork) {
	var todo []*fetchedWork
	var states []record.URLState
	for _, f := range batch {
		if f.err == nil {
			todo, states = append(todo, f), append(states, f.got.State)
		}
	}
	var errs []error
	switch s := w.cfg.Ingest.State.(type) {
	case nil:
		return
	case *FetchState:
		errs = s.putURLStates(ctx, states, func(i int) bool { return todo[i].refresh })
	default:
		errs = []error{s.PutURLStates(ctx, states)}
		if errs[0] != nil {
			// Which failed is not known: each is tried again.
			errs = slices.Repeat(errs, len(todo))
		}
	}
	for i, err := range errs {
		if err != nil {
			todo[i].err = fmt.Errorf("save fetch state of %s: %w", todo[i].got.State.URL, err)
		}
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
	d := DeadLetter{WorkSeq: seq, URL: u, Error: cause.Error(), Deliveries: delivered, Worker: w.cfg.Name, Work: m.Data()}
	if err := w.c.publishDead(ctx, d); err != nil {
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
	var pe *article.ParseError
	var se *fetch.StatusError
	switch {
	case errors.As(err, &pe), errors.Is(err, fetch.ErrTooLarge), errors.Is(err, fetch.ErrPrivateAddress),
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
