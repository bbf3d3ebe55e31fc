package records

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
	"newsfeed/record"
	"newsfeed/store"
)

// Defaults for Materializer's zero fields.
const (
	DefaultApplyBatch    = 500
	DefaultFlushInterval = 50 * time.Millisecond
	// drainWait is how long Run without Follow waits for a message it
	// knows of before it asks the server whether any is left.
	drainWait = 5 * time.Second
	// maxRetryWait bounds the wait between attempts after a failure
	// (NATS unreachable, a commit that failed) with Follow.
	maxRetryWait = 30 * time.Second
	// onceAttempts is how many times Run without Follow tries before it
	// returns the error: a NATS leader election or a reconnect passes.
	onceAttempts = 3
)

// Materializer applies the records stream to a store: every page
// published on it, in stream order, each message once. The last applied
// message's sequence is stored in the same bbolt transaction as its
// pages (store.ApplyPages), so a restart resumes exactly after it: no
// gap, nothing applied twice.
//
// It reads with an ordered consumer starting at the stored sequence + 1
// (DeliverByStartSequencePolicy). The position lives in the store,
// committed with the records; a durable consumer would keep a second
// position on the server that could disagree with it (an ack lost in a
// crash), and would need acks, a name per feed server and removal when
// a server goes away. An ordered consumer is ephemeral, unacknowledged
// and flow-controlled, and the client recreates it after a gap or a
// reconnect from the last sequence it delivered. It needs nothing newer
// than nats-server 2.9.
//
// When the stream no longer holds the next sequence — its first
// sequence is beyond it (MaxAge, a purge), its last is below it, or it
// was deleted and created again — Run logs a warning, counts a rebuild,
// and reads from the stream's first message: pages already stored are
// unchanged and change nothing, so nothing is duplicated. A message that
// cannot be decoded is logged with its sequence and skipped (the cursor
// moves past it); it never stops the reader.
type Materializer struct {
	Conn  *cluster.Conn
	Store *store.Store
	// Follow keeps applying new messages until ctx is done, and retries
	// after failures; without it Run applies what the stream held when
	// it started and returns.
	Follow bool
	// BatchSize is the most messages committed in one transaction;
	// FlushInterval how long a batch waits for more messages before it
	// is committed. Zero means the defaults.
	BatchSize     int
	FlushInterval time.Duration
	// Log gets the rebuilds, skipped messages and failures (Warn) and
	// every batch (Debug); nil means Conn's log.
	Log *slog.Logger
	// OnApply, when set, is called after each committed batch with what
	// it wrote (serve rebuilds its feeds).
	OnApply func(record.WriteResult)

	mu    sync.Mutex
	stats MaterializeStats
}

// MaterializeStats counts what a Materializer did.
type MaterializeStats struct {
	// Messages counts messages read; Bad those that could not be
	// decoded into a storable page, skipped.
	Messages, Bad int
	// Lost counts sequences the stream no longer held when they were
	// due: messages this store never got.
	Lost uint64
	// Rebuilds counts the times reading restarted at the stream's first
	// message because the stream no longer held the next sequence.
	Rebuilds int
	// Batches counts committed transactions.
	Batches int
	// WriteResult adds up the store's results.
	record.WriteResult
	// Cursor is the last message applied.
	Cursor store.StreamCursor
	// Elapsed is the time Run has taken.
	Elapsed time.Duration
}

// String is the summary line of ingest --from-nats.
func (s MaterializeStats) String() string {
	return fmt.Sprintf("%d pages read: %d new, %d changed, %d unchanged, %d failed; "+
		"records: %d inserted, %d updated; last seq %d; "+
		"stream: %d messages, at seq %d, %d lost, %d rebuilds; %s",
		s.New+s.Changed+s.Unchanged+s.Bad, s.New, s.Changed, s.Unchanged, s.Bad,
		s.Inserted, s.Updated, s.LastSeq,
		s.Messages, s.Cursor.Seq, s.Lost, s.Rebuilds, s.Elapsed.Round(time.Millisecond))
}

// Stats returns what Run has done so far; it may be called while Run
// runs (for metrics).
func (m *Materializer) Stats() MaterializeStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

func (m *Materializer) update(fn func(*MaterializeStats)) {
	m.mu.Lock()
	fn(&m.stats)
	m.mu.Unlock()
}

// Run applies the stream until it has applied what the stream held at
// start or, with Follow, until ctx is done; the batch in flight is then
// committed. A failure (NATS unreachable, a failed commit) is logged and
// retried from the stored cursor with a growing wait: with Follow for
// ever, without it up to three times in all, and then returned. A
// cancelled ctx is not an error.
func (m *Materializer) Run(ctx context.Context) (MaterializeStats, error) {
	if m.Conn == nil || m.Store == nil {
		return MaterializeStats{}, errors.New("cluster: materializer needs a connection and a store")
	}
	if m.BatchSize <= 0 {
		m.BatchSize = DefaultApplyBatch
	}
	if m.FlushInterval <= 0 {
		m.FlushInterval = DefaultFlushInterval
	}
	if m.Log == nil {
		m.Log = m.Conn.Cfg.Log
	}
	t0 := time.Now()
	done := func(err error) (MaterializeStats, error) {
		m.update(func(s *MaterializeStats) { s.Elapsed = time.Since(t0) })
		return m.Stats(), err
	}
	wait, failures := time.Second, 0
	for {
		before := m.Stats().Cursor.Seq
		err := m.pass(ctx)
		switch {
		case ctx.Err() != nil, err == nil:
			return done(nil)
		case errors.Is(err, errStreamChanged):
			continue // start says so, and reads the new stream
		}
		if m.Stats().Cursor.Seq > before {
			// The pass committed pages before it failed: this is a new
			// failure (a leader election, say), not the last one going
			// on, and is waited for from the start again.
			wait = time.Second
		}
		if failures++; !m.Follow && failures >= onceAttempts {
			return done(err)
		}
		m.Log.Warn("records stream: applying failed; retrying from the stored position",
			slog.Any("error", err), slog.Duration("retry_in", wait))
		select {
		case <-ctx.Done():
			return done(nil)
		case <-time.After(wait):
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// start decides where a pass begins: after the stored cursor, or at the
// stream's first message when the stream no longer holds the next one.
func (m *Materializer) start(ctx context.Context) (next uint64, info *jetstream.StreamInfo, err error) {
	name := m.Conn.Names.RecordStream
	cur, found, err := m.Store.StreamCursor(ctx, name)
	if err != nil {
		return 0, nil, err
	}
	stream, err := m.Conn.JS.Stream(ctx, name)
	if err != nil {
		return 0, nil, fmt.Errorf("cluster: stream %s: %w", name, err)
	}
	info = stream.CachedInfo()
	first, last := info.State.FirstSeq, info.State.LastSeq
	rebuild := func(why string) {
		m.Log.Warn("records stream: the stream no longer holds the next message; "+
			"reading it again from its first message (pages already stored change nothing)",
			slog.String("stream", name), slog.String("why", why), slog.Uint64("stored_seq", cur.Seq),
			slog.Uint64("first_seq", first), slog.Uint64("last_seq", last))
		m.update(func(s *MaterializeStats) { s.Rebuilds++ })
	}
	next = cur.Seq + 1
	switch {
	case !found:
		next = first
	case !cur.Created.Equal(info.Created):
		rebuild("the stream was created again")
		next = first
	case cur.Seq > last:
		rebuild("its last sequence is below the stored one")
		next = first
	case next < first:
		rebuild("its first sequence is beyond the stored one (max age or purge)")
		m.update(func(s *MaterializeStats) { s.Lost += first - next })
		next = first
	}
	m.update(func(s *MaterializeStats) { s.Cursor = cur })
	return max(next, 1), info, nil
}

// pass reads from the stored position until done (without Follow) or an
// error; it returns nil when ctx is done. Batches are committed by an
// applier goroutine, in order, so that reading and decoding the next
// batch overlaps the commit (and fsync) of the last.
func (m *Materializer) pass(ctx context.Context) error {
	next, info, err := m.start(ctx)
	if err != nil {
		return err
	}
	name := m.Conn.Names.RecordStream
	target := info.State.LastSeq
	if !m.Follow && (info.State.Msgs == 0 || target < next) {
		return nil // nothing to apply
	}
	m.Log.Debug("records stream: applying", slog.String("stream", name), slog.Uint64("from_seq", next),
		slog.Uint64("last_seq", target))
	cons, err := m.Conn.JS.OrderedConsumer(ctx, name, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   next,
		// The client recreates the consumer after a gap or a reconnect;
		// when it cannot (the stream is gone), Next fails and Run starts
		// again from the stored cursor, checking the stream.
		MaxResetAttempts: 3,
	})
	if err != nil {
		return fmt.Errorf("cluster: consumer on %s: %w", name, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(2 * m.BatchSize))
	if err != nil {
		return fmt.Errorf("cluster: consume %s: %w", name, err)
	}
	defer it.Stop()
	// Next may wait in the client's consumer reset, which ctx does not
	// reach: stopping the iterator does.
	defer context.AfterFunc(ctx, it.Stop)()
	a := m.startApplier(ctx)
	err = m.read(ctx, cons, it, a, &batch{created: info.Created, expect: next}, target)
	if aerr := a.close(); err == nil {
		err = aerr
	}
	return err
}

// errStreamChanged ends a pass whose stream was deleted and created again
// under it: Run starts again, and start reads the new stream from its
// first message.
var errStreamChanged = errors.New("the stream was created again")

// handOver hands b to a, unless the stream is no longer the one b was
// read from: an ordered consumer that recreates itself after the stream
// was deleted and made again would go on at the old stream's next
// sequence, skipping the new stream's first messages; so the batch is
// dropped and the pass ends with errStreamChanged.
func (m *Materializer) handOver(ctx context.Context, a *applier, b *batch) error {
	if b.last > 0 {
		stream, err := m.Conn.JS.Stream(context.WithoutCancel(ctx), m.Conn.Names.RecordStream)
		if err != nil {
			return fmt.Errorf("cluster: stream %s: %w", m.Conn.Names.RecordStream, err)
		}
		if !stream.CachedInfo().Created.Equal(b.created) {
			return errStreamChanged
		}
	}
	return a.send(b)
}

// read reads messages into batches and hands them to a until done
// (without Follow: the message at target, or none left), ctx is done
// (the batch in flight is handed over), or an error.
func (m *Materializer) read(ctx context.Context, cons jetstream.Consumer, it jetstream.MessagesContext,
	a *applier, b *batch, target uint64) error {
	name := m.Conn.Names.RecordStream
	for {
		var opt jetstream.NextOpt
		switch {
		case b.last > 0:
			opt = jetstream.NextMaxWait(max(time.Until(b.deadline), time.Millisecond))
		case m.Follow:
			opt = jetstream.NextContext(ctx)
		default:
			opt = jetstream.NextMaxWait(drainWait)
		}
		msg, err := it.Next(opt)
		switch {
		case errors.Is(err, nats.ErrTimeout) && b.last > 0:
			if err := m.handOver(ctx, a, b); err != nil || ctx.Err() != nil {
				return err
			}
			continue
		case errors.Is(err, nats.ErrTimeout) && !m.Follow:
			// Nothing came: done when the server has nothing left for us.
			ci, err := cons.Info(ctx)
			if err != nil {
				return fmt.Errorf("cluster: consumer on %s: %w", name, err)
			}
			if ci.NumPending == 0 {
				return nil
			}
			continue
		case errors.Is(err, nats.ErrTimeout):
			continue
		case err != nil && ctx.Err() != nil:
			return m.handOver(ctx, a, b)
		case err != nil:
			if serr := m.handOver(ctx, a, b); serr != nil {
				return serr
			}
			return fmt.Errorf("cluster: read %s: %w", name, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			m.Log.Warn("records stream: message with no metadata skipped", slog.Any("error", err))
			continue
		}
		if b.last == 0 {
			b.deadline = time.Now().Add(m.FlushInterval)
		}
		m.add(b, msg, md)
		if !m.Follow && (md.Sequence.Stream >= target || md.NumPending == 0) {
			return m.handOver(ctx, a, b)
		}
		if b.n >= m.BatchSize || ctx.Err() != nil {
			if err := m.handOver(ctx, a, b); err != nil || ctx.Err() != nil {
				return err
			}
		}
	}
}

// batch is the messages read and not yet handed to the applier.
type batch struct {
	created  time.Time
	pages    []*record.Page
	n        int       // messages in the batch
	last     uint64    // the stream sequence of the newest; 0 when empty
	expect   uint64    // the sequence that should come next
	deadline time.Time // when the batch is committed however small
}

// add decodes msg into the batch. A message that is no storable page is
// logged and skipped; a sequence beyond the one expected is counted as
// lost.
func (m *Materializer) add(b *batch, msg jetstream.Msg, md *jetstream.MsgMetadata) {
	seq := md.Sequence.Stream
	if seq < b.expect {
		return // delivered already
	}
	if seq > b.expect {
		m.Log.Warn("records stream: messages no longer in the stream were skipped",
			slog.Uint64("from_seq", b.expect), slog.Uint64("to_seq", seq-1))
		m.update(func(s *MaterializeStats) { s.Lost += seq - b.expect })
	}
	b.expect, b.last = seq+1, seq
	b.n++
	p, err := DecodePage(msg.Data(), msg.Headers())
	if err == nil {
		err = store.CheckPage(p)
	}
	m.update(func(s *MaterializeStats) {
		s.Messages++
		if err != nil {
			s.Bad++
		}
	})
	if err != nil {
		m.Log.Warn("records stream: message skipped", slog.Uint64("seq", seq), slog.Any("error", err))
		return
	}
	if p.Seen.IsZero() {
		// The stream's own time: the same on every server.
		p.Seen = md.Timestamp.UTC()
	}
	b.pages = append(b.pages, p)
}

// applier commits batches in order in a goroutine of its own.
type applier struct {
	in   chan applyBatch
	done chan error
	// failed is set once a commit failed: nothing after it is applied,
	// which would leave a gap, and the reader stops at its next batch.
	failed atomic.Pointer[error]
}

// applyBatch is one transaction's pages and the cursor after them.
type applyBatch struct {
	pages []*record.Page
	cur   store.StreamCursor
	n     int
}

func (m *Materializer) startApplier(ctx context.Context) *applier {
	a := &applier{in: make(chan applyBatch, 1), done: make(chan error, 1)}
	go func() {
		var err error
		for ab := range a.in {
			if err != nil {
				continue // drain: nothing after a failed commit
			}
			if err = m.commit(ctx, ab); err != nil {
				a.failed.Store(&err)
			}
		}
		a.done <- err
	}()
	return a
}

// send hands b over to be committed, and empties it; it returns the
// error of an earlier commit that failed.
func (a *applier) send(b *batch) error {
	if err := a.failed.Load(); err != nil {
		return *err
	}
	if b.last == 0 {
		return nil
	}
	a.in <- applyBatch{pages: b.pages, cur: store.StreamCursor{Seq: b.last, Created: b.created}, n: b.n}
	b.pages, b.n, b.last = nil, 0, 0
	return nil
}

// close waits for the batches handed over to be committed.
func (a *applier) close() error {
	close(a.in)
	return <-a.done
}

// commit applies a batch with its last sequence in one transaction, even
// when ctx is done: the batch in flight is committed.
func (m *Materializer) commit(ctx context.Context, ab applyBatch) error {
	res, err := m.Store.ApplyPages(context.WithoutCancel(ctx), m.Conn.Names.RecordStream, ab.cur, ab.pages)
	if err != nil {
		return fmt.Errorf("cluster: apply up to seq %d: %w", ab.cur.Seq, err)
	}
	m.Log.Debug("records stream: batch applied", slog.Uint64("seq", ab.cur.Seq), slog.Int("messages", ab.n),
		slog.Int("pages", len(ab.pages)), slog.Int("inserted", res.Inserted), slog.Int("updated", res.Updated))
	m.update(func(s *MaterializeStats) {
		s.Batches++
		s.Add(res)
		s.Cursor = ab.cur
	})
	if m.OnApply != nil {
		m.OnApply(res)
	}
	return nil
}
