package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of a dead letter. Its body is the work message as it was, so
// that it can be published to the work subject again once the cause is
// mended.
const (
	DeadURLHeader        = "Newsfeed-URL"
	DeadErrorHeader      = "Newsfeed-Error"
	DeadDeliveriesHeader = "Newsfeed-Deliveries"
	DeadWorkerHeader     = "Newsfeed-Worker"
	DeadWorkSeqHeader    = "Newsfeed-Work-Seq"
)

// DeadLetter is work that will not be tried again: it failed on its last
// delivery, failed for good (a page that cannot be parsed, a message
// that cannot be read), or its worker stopped answering on its last
// delivery.
type DeadLetter struct {
	// Seq is its sequence in the dead-letter stream; Time when it got
	// there.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	// WorkSeq is the work message's sequence in the work stream.
	WorkSeq uint64 `json:"work_seq"`
	// URL is the article's ("" when the message could not be read).
	URL string `json:"url"`
	// Error says why, naming the message or the URL.
	Error string `json:"error"`
	// Deliveries is how often the work was delivered.
	Deliveries uint64 `json:"deliveries"`
	// Worker names the process that gave up on it.
	Worker string `json:"worker"`
	// Work is the work message's body.
	Work []byte `json:"-"`
}

// PublishDead publishes d to the dead-letter stream and waits for the
// stream's acknowledgement. Its message id is the work stream's name and
// sequence: two workers giving up on the same message leave one letter.
func (c *Conn) PublishDead(ctx context.Context, d DeadLetter) error {
	m := nats.NewMsg(c.Names.DeadSubject)
	m.Data = d.Work
	m.Header.Set(nats.MsgIdHdr, c.Names.WorkStream+"-"+strconv.FormatUint(d.WorkSeq, 10))
	m.Header.Set(DeadURLHeader, headerValue(d.URL))
	m.Header.Set(DeadErrorHeader, headerValue(d.Error))
	m.Header.Set(DeadDeliveriesHeader, strconv.FormatUint(d.Deliveries, 10))
	m.Header.Set(DeadWorkerHeader, headerValue(d.Worker))
	m.Header.Set(DeadWorkSeqHeader, strconv.FormatUint(d.WorkSeq, 10))
	if _, err := c.Publish(ctx, m, nil); err != nil {
		return fmt.Errorf("dead letter for work %d (%s): %w", d.WorkSeq, d.URL, err)
	}
	return nil
}

// oneLine folds line breaks, which a header value cannot hold.
func headerValue(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// DeadLetters returns the number of dead letters and the newest limit of
// them (all when limit <= 0), oldest first.
func (c *Conn) DeadLetters(ctx context.Context, limit int) (total uint64, letters []DeadLetter, err error) {
	st, err := c.JS.Stream(ctx, c.Names.DeadStream)
	if err != nil {
		return 0, nil, fmt.Errorf("dead letters: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("dead letters: %w", err)
	}
	s := info.State
	for seq := s.LastSeq; seq >= s.FirstSeq && seq > 0 && (limit <= 0 || len(letters) < limit); seq-- {
		raw, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue // deleted
		}
		if err != nil {
			return 0, nil, fmt.Errorf("dead letter %d: %w", seq, err)
		}
		letters = append(letters, deadLetter(raw))
	}
	slices.Reverse(letters)
	return s.Msgs, letters, nil
}

// deadLetter reads a dead-letter stream message. Headers that do not
// parse leave their fields zero: a letter is shown whatever it holds.
func deadLetter(raw *jetstream.RawStreamMsg) DeadLetter {
	h := raw.Header
	d := DeadLetter{Seq: raw.Sequence, Time: raw.Time, URL: h.Get(DeadURLHeader), Error: h.Get(DeadErrorHeader),
		Worker: h.Get(DeadWorkerHeader), Work: raw.Data}
	d.Deliveries, _ = strconv.ParseUint(h.Get(DeadDeliveriesHeader), 10, 64)
	d.WorkSeq, _ = strconv.ParseUint(h.Get(DeadWorkSeqHeader), 10, 64)
	return d
}
