package queue

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster/sharedfetch"
	"newsfeed/record"
)

// commitsPerFetcher is how many fetched messages a worker keeps waiting
// for the committer per message it fetches at once.
const commitsPerFetcher = 4

// maxCommitBatch is the most messages one commit takes.
const maxCommitBatch = 256

// fetchedWork is a work message fetched and parsed, waiting for its
// commit: its page published, its fetch state saved, the server answered.
type fetchedWork struct {
	m              jetstream.Msg
	url            string
	refresh        bool
	seq, delivered uint64
	source         string          // the page's source, when there is a page
	state          record.URLState // the URL's fetch state after the fetch
	page           *nats.Msg       // the page's records-stream message; nil: none
	err            error           // the fetch's, then the commit's
	stop           func()          // stops the heartbeat
}

// committer commits a worker's fetched messages: it publishes the pages
// of all the messages waiting at once, then saves their fetch states at
// once, then answers the server for each, so that the handlers go on to
// the next message and a batch shares its round trips to the server.
type committer struct {
	w       *Worker
	pending chan *fetchedWork
	// committing counts the messages taken, not yet answered.
	committing atomic.Int64
	done       chan struct{}
}

// startCommitter starts committing what the handlers send to pending.
func (w *Worker) startCommitter(ctx context.Context) *committer {
	cm := &committer{w: w, pending: make(chan *fetchedWork, commitsPerFetcher*w.cfg.Fetchers), done: make(chan struct{})}
	go func() {
		defer close(cm.done)
		cm.run(ctx)
	}()
	return cm
}

// busy reports whether any message waits for, or is in, a commit.
func (cm *committer) busy() bool { return len(cm.pending) > 0 || cm.committing.Load() > 0 }

// close waits for the messages sent to be committed; no more may come.
func (cm *committer) close() {
	close(cm.pending)
	<-cm.done
}

// run commits the fetched messages from pending until it is closed,
// each time all those waiting.
func (cm *committer) run(ctx context.Context) {
	for f := range cm.pending {
		batch := []*fetchedWork{f}
	take:
		for len(batch) < maxCommitBatch {
			select {
			case f, ok := <-cm.pending:
				if !ok {
					break take
				}
				batch = append(batch, f)
			default:
				break take
			}
		}
		cm.committing.Store(int64(len(batch)))
		cm.commit(ctx, batch)
		cm.committing.Store(0)
	}
}

// commit publishes the batch's pages, all in flight at once, then saves
// the fetch states of those published, then answers the server for each
// message. A page or state the stream does not take at once is tried
// again alone, as Conn.Publish tries.
func (cm *committer) commit(ctx context.Context, batch []*fetchedWork) {
	w := cm.w
	pages := make([]*nats.Msg, len(batch))
	for i, f := range batch {
		if f.err == nil {
			pages[i] = f.page
		}
	}
	_, errs := w.c.PublishAll(ctx, pages, nil)
	for i, err := range errs {
		if err != nil {
			batch[i].err = fmt.Errorf("%s: %w", batch[i].source, err)
		}
	}
	cm.saveStates(ctx, batch)
	for _, f := range batch {
		f.stop()
		w.answer(ctx, f.m, f.url, f.seq, f.delivered, f.page != nil, f.err)
	}
}

// saveStates saves the fetch state of each message of the batch fetched
// and published without error, its URL indexed under its source when the
// source refreshes its articles; with the fetch-state bucket, all at
// once.
func (cm *committer) saveStates(ctx context.Context, batch []*fetchedWork) {
	var todo []*fetchedWork
	var states []record.URLState
	for _, f := range batch {
		if f.err == nil {
			todo, states = append(todo, f), append(states, f.state)
		}
	}
	var errs []error
	switch s := cm.w.cfg.State.(type) {
	case nil:
		return
	case *sharedfetch.State:
		errs = s.PutURLStatesIndexed(ctx, states, func(i int) bool { return todo[i].refresh })
	default:
		errs = []error{s.PutURLStates(ctx, states)}
		if errs[0] != nil {
			// Which failed is not known: each is tried again.
			errs = slices.Repeat(errs, len(todo))
		}
	}
	for i, err := range errs {
		if err != nil {
			todo[i].err = fmt.Errorf("save fetch state of %s: %w", todo[i].state.URL, err)
		}
	}
}
