package sharedfetch

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
)

// The fetch-state bucket (Names.FetchBucket) holds, under these keys
// (<host> and <source> escaped by keyPart; <sha> the SHA-256 of the URL
// in hex):
//
//	url.<sha>                 a URL's fetch state: validators, body hash, times (urlValue)
//	src.<source>.<sha>        the index of a source's URLs: when first fetched (srcValue)
//	poll.<source>             when a source's list page was last polled (timeValue)
//	site.<source>             how a site source is followed (record.SiteState)
//	defer.<host>              not to be contacted before (deferValue)
//	next.<host>               the last reserved request start (nextValue)
//	pause.<host>              no request starts before (timeValue)
//	slot.<i>.<host>           request slot i, 0 ≤ i < per_host: its holder, or an empty lease (leaseValue)
//	robots.<host>             robots.txt as read (robotsValue)
//	robotslock.<host>         held while one worker reads robots.txt (leaseValue)
//
// Every value is JSON, so that `nats kv get` shows it as it is. Times are
// absolute (RFC 3339 with nanoseconds) from the writer's wall clock: the
// workers' clocks must be NTP-synchronised. A time that lies further
// ahead than it can legitimately be (a lease beyond twice its length, a
// pause beyond MaxPause) is taken as a skewed or broken clock and
// ignored, so one bad clock cannot hold a host back for long.
const (
	keyURL        = "url."
	keySource     = "src."
	keyPoll       = "poll."
	keySite       = "site."
	keyDefer      = "defer."
	keyNext       = "next."
	keyPause      = "pause."
	keySlot       = "slot."
	keyRobots     = "robots."
	keyRobotsLock = "robotslock."
)

// keyPart escapes s (a host, a source name) for a key: letters a–z,
// digits and '-' stand as they are; '.' too when dots are allowed and it
// is neither first, last nor after another dot (a key's tokens must not
// be empty); every other byte is "_" and two upper-case hex digits. The
// empty string is "_". Keys allow only [-/_=.a-zA-Z0-9], so ports
// ("_3A8080"), IPv6 brackets, upper case and IDN hosts come through, and
// decodeKeyPart undoes it exactly.
func keyPart(s string, dots bool) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
			b.WriteByte(c)
		case c == '.' && dots && i > 0 && i < len(s)-1 && s[i-1] != '.':
			b.WriteByte(c)
		default:
			const digits = "0123456789ABCDEF"
			b.WriteByte('_')
			b.WriteByte(digits[c>>4])
			b.WriteByte(digits[c&15])
		}
	}
	return b.String()
}

// decodeKeyPart undoes keyPart.
func decodeKeyPart(k string) (string, error) {
	if k == "_" {
		return "", nil
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c != '_' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(k) {
			return "", fmt.Errorf("key part %q: _ without two hex digits", k)
		}
		v, err := hex.DecodeString(k[i+1 : i+3])
		if err != nil {
			return "", fmt.Errorf("key part %q: %w", k, err)
		}
		b.WriteByte(v[0])
		i += 2
	}
	return b.String(), nil
}

// leaseValue is a held slot or lock: who holds it and until when. The
// holder renews it while it works; a holder that died loses it at Until.
type leaseValue struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// nextValue is the last request start reserved for a host.
type nextValue struct {
	Last time.Time `json:"last"`
}

// deferValue is a host deferral.
type deferValue struct {
	Until  time.Time `json:"until"`
	Reason string    `json:"reason,omitempty"`
}

// srcValue is a source's index entry for one URL.
type srcValue struct {
	FirstFetched time.Time `json:"first_fetched"`
}

// timeValue is a list page's poll time, or the end of a host's pause.
type timeValue struct {
	At time.Time `json:"at"`
}

// robotsValue is robots.txt as read (fetch.RobotsFile).
type robotsValue struct {
	Status      int       `json:"status,omitempty"`
	Body        []byte    `json:"body,omitempty"`
	Unreachable string    `json:"unreachable,omitempty"`
	Fetched     time.Time `json:"fetched"`
	Expires     time.Time `json:"expires"`
}

// decodeValue decodes the JSON value of key into v, with an error that
// names the key.
func decodeValue[T any](key string, data []byte) (T, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("%s: %w: %v", key, errBadValue, err)
	}
	return v, nil
}

// errBadValue: a value in the bucket does not decode.
var errBadValue = errors.New("bad value")

// getValue reads and decodes key's value; ok is false when there is none.
func getValue[T any](ctx context.Context, b *bucket, key string) (v T, ok bool, err error) {
	e, err := b.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("get %s: %w", key, err)
	}
	v, err = decodeValue[T](key, e.Value())
	return v, err == nil, err
}

// subject is the subject of key's messages in the bucket's stream: a
// write to key is a publish to it.
func (b *bucket) subject(key string) string { return "$KV." + b.kv.Bucket() + "." + key }

// maxGetMany is the most reads getMany has in flight at once.
const maxGetMany = 1024

// getMany reads keys' values (nil for a key with none, or deleted), all
// in flight at once on one reply subscription, where Get makes a request
// of its own each: the bucket's direct get of the last message on the
// key's subject, which every server of the bucket answers.
func (b *bucket) getMany(ctx context.Context, keys []string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for start := 0; start < len(keys); start += maxGetMany {
		chunk := keys[start:min(start+maxGetMany, len(keys))]
		if err := b.getChunk(ctx, chunk, out[start:]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// getChunk is getMany for at most maxGetMany keys, the values put in out.
func (b *bucket) getChunk(ctx context.Context, keys []string, out [][]byte) error {
	inbox := nats.NewInbox()
	replies := make(chan *nats.Msg, len(keys))
	sub, err := b.nc.ChanSubscribe(inbox+".*", replies)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	defer sub.Unsubscribe()
	prefix := "$JS.API.DIRECT.GET.KV_" + b.kv.Bucket() + "." + b.subject("")
	for i, k := range keys {
		if err := b.nc.PublishRequest(prefix+k, inbox+"."+strconv.Itoa(i), nil); err != nil {
			return fmt.Errorf("get %s: %w", k, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, cluster.RequestTimeout)
	defer cancel()
	for answered := make([]bool, len(keys)); len(keys) > 0; {
		var m *nats.Msg
		select {
		case m = <-replies:
		case <-ctx.Done():
			return fmt.Errorf("get %d keys: %w", len(keys), ctx.Err())
		}
		i, err := strconv.Atoi(strings.TrimPrefix(m.Subject, inbox+"."))
		if err != nil || i < 0 || i >= len(answered) || answered[i] {
			continue
		}
		answered[i] = true
		keys = keys[:len(keys)-1] // one fewer to wait for
		switch status := m.Header.Get(statusHdr); status {
		case "":
			if m.Header.Get(kvOperationHdr) == "" { // not a delete or purge marker
				out[i] = m.Data
			}
		case "404": // no message: no value
		default:
			return fmt.Errorf("get %s.*: status %s %s", prefix, status, m.Header.Get(descrHdr))
		}
	}
	return nil
}

// Headers of the server's answers: a status without a message (nats.go
// keeps its own names unexported), and the mark of a bucket's delete
// and purge markers.
const (
	statusHdr      = "Status"
	descrHdr       = "Description"
	kvOperationHdr = "KV-Operation"
)

// encodeValue is json.Marshal for the value types above, which cannot fail.
func encodeValue(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cluster: encoding %T: %v", v, err))
	}
	return data
}

// bucket is the fetch-state bucket as one process uses it.
type bucket struct {
	kv    jetstream.KeyValue
	nc    *nats.Conn
	owner string        // this process: host, pid and a random part
	lease time.Duration // how long a slot or lock is held without renewal
	log   *slog.Logger

	mu       sync.Mutex
	released map[string]uint64 // key → the revision this process's release left
}

func openBucket(ctx context.Context, c *cluster.Conn, lease time.Duration) (*bucket, error) {
	kv, err := c.JS.KeyValue(ctx, c.Names.FetchBucket)
	if err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", c.Names.FetchBucket, err)
	}
	return &bucket{kv: kv, nc: c.NC, owner: ownerID(), lease: lease, log: c.Cfg.Log, released: map[string]uint64{}}, nil
}

// ownerID names this process in the leases it holds.
func ownerID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), crand.Text()[:8])
}

// expired reports whether a lease no longer holds at now: past its
// Until, or further ahead than a lease can be (a skewed clock).
func (b *bucket) expired(l leaseValue, now time.Time) bool {
	return !now.Before(l.Until) || l.Until.After(now.Add(2*b.lease))
}

// held is a lease this process holds on a key, renewed until released.
type held struct {
	b    *bucket
	key  string
	mu   sync.Mutex
	rev  uint64
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// isConflict reports whether err is a lost compare-and-set.
func isConflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}

// take tries to take the lease on key. A free key — new, or released (an
// empty lease) — is taken with a compare-and-set on its revision, and so
// is one whose lease has run out (its holder died or hangs); a key this
// process released last is tried first on the revision its release left,
// in one round trip. When someone else holds it, take returns nil and
// the time that lease runs out.
func (b *bucket) take(ctx context.Context, key string) (*held, time.Time, error) {
	if rev := b.freed(key); rev != 0 {
		v := encodeValue(leaseValue{Owner: b.owner, Until: time.Now().Add(b.lease)})
		rev, err := b.kv.Update(ctx, key, v, rev)
		if err == nil {
			return b.hold(key, rev), time.Time{}, nil
		}
		if !isConflict(err) {
			return nil, time.Time{}, fmt.Errorf("take %s: %w", key, err)
		}
	}
	for range 3 {
		now := time.Now()
		v := encodeValue(leaseValue{Owner: b.owner, Until: now.Add(b.lease)})
		var (
			l   leaseValue
			rev uint64
		)
		e, err := b.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			rev, err = b.kv.Create(ctx, key, v)
		case err != nil:
		default:
			var derr error
			if l, derr = decodeValue[leaseValue](key, e.Value()); derr == nil && l.Owner != "" && !b.expired(l, now) {
				return nil, l.Until, nil
			}
			rev, err = b.kv.Update(ctx, key, v, e.Revision())
		}
		if isConflict(err) {
			continue
		}
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("take %s: %w", key, err)
		}
		if l.Owner != "" {
			b.log.Warn("took over an expired lease", slog.String("key", key), slog.String("owner", l.Owner), slog.Time("until", l.Until))
		}
		return b.hold(key, rev), time.Time{}, nil
	}
	// Three races lost in a row: as good as held; the caller waits.
	return nil, time.Now().Add(b.lease), nil
}

// freed returns (and forgets) the revision this process's release of key
// left, or 0.
func (b *bucket) freed(key string) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	rev := b.released[key]
	delete(b.released, key)
	return rev
}

// hold starts renewing the lease on key at a third of its length.
func (b *bucket) hold(key string, rev uint64) *held {
	h := &held{b: b, key: key, rev: rev, stop: make(chan struct{}), done: make(chan struct{})}
	go h.renew()
	return h
}

func (h *held) renew() {
	defer close(h.done)
	t := time.NewTicker(h.b.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		h.mu.Lock()
		rev := h.rev
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), h.b.lease/3)
		v := encodeValue(leaseValue{Owner: h.b.owner, Until: time.Now().Add(h.b.lease)})
		next, err := h.b.kv.Update(ctx, h.key, v, rev)
		cancel()
		switch {
		case err == nil:
			h.mu.Lock()
			h.rev = next
			h.mu.Unlock()
		case isConflict(err):
			h.b.log.Warn("lost a lease: renewed too late, another took it", slog.String("key", h.key))
			return
		default:
			h.b.log.Warn("lease not renewed", slog.String("key", h.key), slog.String("error", err.Error()))
		}
	}
}

// alive reports whether the lease is still held: neither released nor
// lost to another that took it over.
func (h *held) alive() bool {
	select {
	case <-h.done:
		return false
	default:
		return true
	}
}

// release stops renewing and frees the key — an empty lease written on
// the revision it holds, so that a lease another took over stays theirs;
// once. Freeing with a write rather than a delete lets this process take
// the key again in one round trip.
func (h *held) release() {
	h.once.Do(func() {
		close(h.stop)
		<-h.done
		h.mu.Lock()
		rev := h.rev
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		next, err := h.b.kv.Update(ctx, h.key, encodeValue(leaseValue{}), rev)
		switch {
		case err == nil:
			h.b.mu.Lock()
			h.b.released[h.key] = next
			h.b.mu.Unlock()
		case !isConflict(err):
			h.b.log.Warn("lease not released; it runs out by itself", slog.String("key", h.key), slog.String("error", err.Error()))
		}
	})
}

// update applies change to key's value with compare-and-set, again with
// jitter while other processes win the race. change gets the current
// value (the zero value when there is none, or it does not decode) and
// returns the new one, or false to leave the key as it is.
func update[T any](ctx context.Context, b *bucket, key string, change func(cur T, exists bool) (T, bool)) (T, error) {
	for attempt := 0; ; attempt++ {
		var (
			cur    T
			rev    uint64
			exists bool
		)
		e, err := b.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return cur, fmt.Errorf("get %s: %w", key, err)
		default:
			rev = e.Revision()
			if v, derr := decodeValue[T](key, e.Value()); derr == nil {
				cur, exists = v, true
			} else {
				b.log.Warn("fetch state: replacing a bad value", slog.String("error", derr.Error()))
			}
		}
		next, write := change(cur, exists)
		if !write {
			return cur, nil
		}
		data := encodeValue(next)
		if rev == 0 {
			_, err = b.kv.Create(ctx, key, data)
		} else {
			_, err = b.kv.Update(ctx, key, data, rev)
		}
		if err == nil {
			return next, nil
		}
		if !isConflict(err) {
			return cur, fmt.Errorf("put %s: %w", key, err)
		}
		if err := sleepCtx(ctx, jitter(attempt, time.Millisecond, 50*time.Millisecond)); err != nil {
			return cur, err
		}
	}
}

// jitter is a wait for the attempt-th retry: base doubled per attempt up
// to ceiling, of which a random part between a half and all.
func jitter(attempt int, base, ceiling time.Duration) time.Duration {
	d := base << min(attempt, 16)
	if d > ceiling || d <= 0 {
		d = ceiling
	}
	return d/2 + rand.N(d/2+1)
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-time.After(d):
		return ctx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// list returns the current entries of the keys filter matches (deleted
// ones left out), read with one watcher: nats-server 2.9 has no
// multi-filter listing.
func (b *bucket) list(ctx context.Context, filter string) ([]jetstream.KeyValueEntry, error) {
	w, err := b.kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", filter, err)
	}
	defer w.Stop()
	var out []jetstream.KeyValueEntry
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("list %s: watcher closed", filter)
			}
			if e == nil {
				return out, nil
			}
			out = append(out, e)
		case <-ctx.Done():
			return nil, fmt.Errorf("list %s: %w", filter, ctx.Err())
		}
	}
}
