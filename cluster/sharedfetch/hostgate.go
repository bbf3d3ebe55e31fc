package sharedfetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
	"newsfeed/fetch"
	"newsfeed/internal/timeutil"
)

// Defaults for GateOptions' zero values.
const (
	DefaultLease    = 30 * time.Second
	DefaultMaxPause = 5 * time.Minute
	DefaultIdleHold = 10 * time.Millisecond
)

// GateOptions configure a HostGate; zero values take the defaults.
type GateOptions struct {
	// Lease is how long a request slot (or the robots.txt lock) is held
	// without renewal; the holder renews it every Lease/3 while its
	// request runs, however long. A worker killed mid-request frees its
	// slots after at most Lease. Default 30s.
	Lease time.Duration
	// MaxPause is the longest pause (a Retry-After) the gate keeps; a
	// longer one read from the bucket comes from a skewed clock and is cut
	// to it. The fetcher defers a host rather than pause it beyond its
	// MaxRetryWait (30s by default). Default 5 minutes.
	MaxPause time.Duration
	// IdleHold is how long a request slot no request of this process
	// uses stays held for its next request to the host before it is
	// freed in the bucket; negative frees it at once. Default 10ms.
	IdleHold time.Duration
}

// HostGate is fetch.HostGate over the fetch-state bucket: the per-host
// limits hold across every worker that shares the bucket.
//
//   - A request slot is the key slot.<i>.<host>, 0 ≤ i < per_host. It is
//     taken with a compare-and-set on its revision (Create for a new key,
//     Update for a free or expired one), which fails while another holds
//     it, and freed by writing an empty lease on the revision held. Its
//     value names the holder and a lease expiry the holder renews while
//     its request runs; a slot whose lease ran out (its worker was killed,
//     or could not reach the bucket for a whole lease) is taken over the
//     same way.
//   - next.<host> reserves the request starts: each Acquire moves its
//     last start on by the delay with a compare-and-set, and waits for the
//     start it reserved (no key is written without a delay).
//   - pause.<host> (a Retry-After) holds every start back until its time;
//     defer.<host> is the host's deferral. The gate watches both prefixes
//     and keeps them in memory, so that reading them before each request
//     costs no round trip; a pause or deferral one worker writes reaches
//     the others as fast as the server pushes it.
//
// Within one process at most per_host goroutines per host hold or
// contend for slots, and one at a time looks for a free one in the
// bucket; the others wait in memory. A request that ends passes its slot
// straight to one of them, or keeps it held for the next request for
// IdleHold, rather than freeing it in the bucket and taking it again: two
// round trips fewer per request while this process keeps asking the host;
// after maxHandoffs requests in a row the slot is freed in the bucket,
// where the other workers have their chance at it. Contended compare-and-sets retry
// after a random wait that doubles, never in a hot loop, and a slot
// holder is waited for in short sleeps, at most until its lease expires.
//
// The leases and start times are absolute wall-clock times compared
// across machines: the workers' clocks must be NTP-synchronised. A skewed
// clock's effect is bounded: a lease more than twice Lease ahead counts
// as expired, a pause is cut to MaxPause, and a reserved start further
// ahead than per_host delays and MaxPause is ignored.
type HostGate struct {
	b        *bucket
	maxPause time.Duration
	idleHold time.Duration

	mu       sync.Mutex
	local    map[string]*localHost // host → what this process does with it
	paused   map[string]time.Time  // host → the end of its pause, as pause.> says
	deferred map[string]deferValue // host → its deferral, as defer.> says
	closed   bool                  // Close was called: no slot is held idle

	stopWatching context.CancelFunc
	watchers     []jetstream.KeyWatcher
	watching     sync.WaitGroup
}

var _ fetch.HostGate = (*HostGate)(nil)

// localHost is a host as this process's goroutines use it.
type localHost struct {
	sem     chan struct{} // the slots this process holds or contends for in the bucket: per_host at most
	handoff chan handoff  // unbuffered: a slot passed from a request that ends to one waiting
	looking chan struct{} // the one request looking for a free slot in the bucket
	idle    []handoff     // held slots no request uses, the last left idle last
	freed   []int         // the slots this process freed, the last freed last
}

// NewHostGate returns the gate over c's fetch-state bucket, with the
// pauses and deferrals already kept loaded; ctx bounds the loading. The
// gate watches them until Close.
func NewHostGate(ctx context.Context, c *cluster.Conn, o GateOptions) (*HostGate, error) {
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.MaxPause <= 0 {
		o.MaxPause = DefaultMaxPause
	}
	if o.IdleHold == 0 {
		o.IdleHold = DefaultIdleHold
	}
	b, err := openBucket(ctx, c, o.Lease)
	if err != nil {
		return nil, err
	}
	g := &HostGate{
		b: b, maxPause: o.MaxPause, idleHold: o.IdleHold, local: map[string]*localHost{},
		paused: map[string]time.Time{}, deferred: map[string]deferValue{},
	}
	// The watchers outlive ctx: a watcher stops when its context ends.
	watchCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	g.stopWatching = stop
	err = errors.Join(
		g.watch(ctx, watchCtx, keyPause, func(host string, data []byte, key string) error {
			v, err := decodeValue[timeValue](key, data)
			if err == nil {
				g.paused[host] = v.At
			}
			return err
		}, func(host string) { delete(g.paused, host) }),
		g.watch(ctx, watchCtx, keyDefer, func(host string, data []byte, key string) error {
			v, err := decodeValue[deferValue](key, data)
			if err == nil {
				g.deferred[host] = v
			}
			return err
		}, func(host string) { delete(g.deferred, host) }),
	)
	if err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// watch keeps the keys under prefix in memory through put and del
// (called under g.mu) until watchCtx ends, and returns once the current
// ones are loaded, or ctx ends.
func (g *HostGate) watch(ctx, watchCtx context.Context, prefix string, put func(host string, data []byte, key string) error, del func(host string)) error {
	w, err := g.b.kv.Watch(watchCtx, prefix+">")
	if err != nil {
		return fmt.Errorf("cluster: watch %s>: %w", prefix, err)
	}
	g.watchers = append(g.watchers, w)
	loaded := make(chan struct{})
	wait := loaded
	g.watching.Go(func() {
		for e := range w.Updates() {
			if e == nil {
				if loaded != nil {
					close(loaded)
					loaded = nil
				}
				continue
			}
			host, err := decodeKeyPart(strings.TrimPrefix(e.Key(), prefix))
			if err == nil {
				g.mu.Lock()
				if e.Operation() == jetstream.KeyValuePut {
					err = put(host, e.Value(), e.Key())
				} else {
					del(host)
				}
				g.mu.Unlock()
			}
			if err != nil {
				g.b.log.Warn("host gate: ignoring a bad key", slog.String("key", e.Key()), slog.String("error", err.Error()))
			}
		}
	})
	select {
	case <-wait:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cluster: loading %s>: %w", prefix, ctx.Err())
	}
}

// Close frees the slots held idle and stops watching the pauses and
// deferrals.
func (g *HostGate) Close() {
	g.mu.Lock()
	g.closed = true
	hosts := slices.Collect(maps.Values(g.local))
	g.mu.Unlock()
	for _, lh := range hosts {
		g.freeIdle(lh, true)
	}
	g.stopWatching()
	for _, w := range g.watchers {
		w.Stop()
	}
	g.watching.Wait()
}

// Acquire implements fetch.HostGate.
func (g *HostGate) Acquire(ctx context.Context, host string, perHost int, delay time.Duration) (release func(), err error) {
	perHost = max(perHost, 1)
	lh := g.localHost(host, perHost)
	ho, ok := g.takeIdle(lh)
	if !ok {
		select {
		case ho = <-lh.handoff: // a slot this process holds, with its place in sem
		case lh.sem <- struct{}{}:
			if ho, err = g.slot(ctx, host, lh, perHost); err != nil {
				<-lh.sem
				return nil, fmt.Errorf("host %s: %w", host, err)
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	release = sync.OnceFunc(func() { g.release(lh, ho) })
	start, err := g.reserve(ctx, host, perHost, delay)
	if err == nil {
		err = sleepCtx(ctx, time.Until(start))
	}
	if err != nil {
		release()
		return nil, fmt.Errorf("host %s: %w", host, err)
	}
	return release, nil
}

// maxHandoffs is how many requests in a row may use a request slot this
// process took before it is freed in the bucket, where the other workers
// contend for it.
const maxHandoffs = 16

// handoff is a request slot this process holds, used by n requests so
// far; idle since when no request uses it.
type handoff struct {
	slot *held
	i, n int
	idle time.Time
}

// release ends a request's hold on its slot. The slot passes as it is,
// lease and all, to another of this process's requests for the host
// waiting in Acquire, or else stays held for IdleHold for the next one:
// no round trip to the bucket for either, and the slots held in the
// bucket still bound the requests of all workers together. After
// maxHandoffs requests, or IdleHold unused, the slot is freed in the
// bucket.
func (g *HostGate) release(lh *localHost, ho handoff) {
	ho.n++
	if ho.n >= maxHandoffs || !ho.slot.alive() {
		g.free(lh, ho)
		return
	}
	select {
	case lh.handoff <- ho:
		return
	default: // nobody waits
	}
	ho.idle = time.Now()
	g.mu.Lock()
	if g.closed || g.idleHold < 0 {
		g.mu.Unlock()
		g.free(lh, ho)
		return
	}
	lh.idle = append(lh.idle, ho)
	g.mu.Unlock()
	time.AfterFunc(g.idleHold, func() { g.freeIdle(lh, false) })
}

// takeIdle returns the slot of lh last left idle, if any.
func (g *HostGate) takeIdle(lh *localHost) (handoff, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := len(lh.idle)
	if n == 0 {
		return handoff{}, false
	}
	ho := lh.idle[n-1]
	lh.idle = lh.idle[:n-1]
	return ho, true
}

// freeIdle frees in the bucket the slots of lh idle for IdleHold or
// longer; with all, every idle slot.
func (g *HostGate) freeIdle(lh *localHost, all bool) {
	g.mu.Lock()
	var expired []handoff
	// Oldest first: slots are taken back from the end.
	cut := time.Now().Add(-g.idleHold)
	k := 0
	for k < len(lh.idle) && (all || !lh.idle[k].idle.After(cut)) {
		k++
	}
	expired = append(expired, lh.idle[:k]...)
	lh.idle = append(lh.idle[:0], lh.idle[k:]...)
	g.mu.Unlock()
	for _, ho := range expired {
		g.free(lh, ho)
	}
}

// free frees a slot in the bucket and gives its place in sem back.
func (g *HostGate) free(lh *localHost, ho handoff) {
	ho.slot.release()
	g.mu.Lock()
	lh.freed = append(lh.freed, ho.i)
	g.mu.Unlock()
	<-lh.sem
}

// localHost returns what this process keeps of host.
func (g *HostGate) localHost(host string, perHost int) *localHost {
	g.mu.Lock()
	defer g.mu.Unlock()
	lh, ok := g.local[host]
	if !ok {
		lh = &localHost{sem: make(chan struct{}, perHost), handoff: make(chan handoff), looking: make(chan struct{}, 1)}
		g.local[host] = lh
	}
	return lh
}

// slot takes one of host's perHost slots, waiting while all are held,
// and returns it with its index. The slot this process freed last comes
// first: it takes it in one round trip unless another took it meanwhile.
// One request of this process at a time looks in the bucket, the others
// wait in memory: every look reads every slot held. While it waits, a
// slot another of this process's requests passes on (with its place in
// sem: the caller's is given back) ends the wait.
func (g *HostGate) slot(ctx context.Context, host string, lh *localHost, perHost int) (handoff, error) {
	select {
	case lh.looking <- struct{}{}:
		defer func() { <-lh.looking }()
	case ho := <-lh.handoff:
		<-lh.sem
		return ho, nil
	case <-ctx.Done():
		return handoff{}, ctx.Err()
	}
	hk := keyPart(host, true)
	first := rand.IntN(perHost)
	g.mu.Lock()
	if n := len(lh.freed); n > 0 {
		first = lh.freed[n-1] % perHost
		lh.freed = lh.freed[:n-1]
	}
	g.mu.Unlock()
	for attempt := 0; ; attempt++ {
		var soonest time.Time
		for j := range perHost {
			i := (first + j) % perHost
			h, until, err := g.b.take(ctx, fmt.Sprintf("%s%d.%s", keySlot, i, hk))
			if err != nil {
				return handoff{}, err
			}
			if h != nil {
				return handoff{slot: h, i: i}, nil
			}
			if soonest.IsZero() || until.Before(soonest) {
				soonest = until
			}
		}
		wait := jitter(attempt, 5*time.Millisecond, 100*time.Millisecond)
		if d := time.Until(soonest); d < wait {
			wait = max(d, time.Millisecond)
		}
		t := time.NewTimer(wait)
		select {
		case ho := <-lh.handoff:
			t.Stop()
			<-lh.sem
			return ho, nil
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return handoff{}, ctx.Err()
		}
		first = rand.IntN(perHost)
	}
}

// reserve returns the host's next start time: now, or delay after the
// last start reserved, and not before a pause. With a delay it reserves
// it in next.<host>; without one it reads only the pause, in memory.
func (g *HostGate) reserve(ctx context.Context, host string, perHost int, delay time.Duration) (time.Time, error) {
	pausedUntil := func(now time.Time) time.Time {
		g.mu.Lock()
		p := g.paused[host]
		g.mu.Unlock()
		if p.After(now) && !p.After(now.Add(g.maxPause)) {
			return p
		}
		return now
	}
	if delay <= 0 {
		return pausedUntil(time.Now()), nil
	}
	var start time.Time
	_, err := update(ctx, g.b, keyNext+keyPart(host, true), func(cur nextValue, _ bool) (nextValue, bool) {
		now := time.Now()
		start = pausedUntil(now)
		// A start further ahead than perHost reservations and a pause can
		// reach comes from a skewed clock: ignored.
		if last := cur.Last; !last.IsZero() && !last.After(now.Add(time.Duration(perHost)*delay+g.maxPause)) {
			start = timeutil.Later(start, last.Add(delay))
		}
		return nextValue{Last: start}, true
	})
	return start, err
}

// Pause implements fetch.HostGate.
func (g *HostGate) Pause(ctx context.Context, host string, until time.Time) error {
	until = timeutil.Earlier(until, time.Now().Add(g.maxPause))
	g.mu.Lock()
	g.paused[host] = timeutil.Later(g.paused[host], until) // before the watcher brings it back
	g.mu.Unlock()
	_, err := update(ctx, g.b, keyPause+keyPart(host, true), func(cur timeValue, _ bool) (timeValue, bool) {
		return timeValue{At: until}, until.After(cur.At)
	})
	if err != nil {
		return fmt.Errorf("pause %s: %w", host, err)
	}
	return nil
}

// Defer implements fetch.HostGate.
func (g *HostGate) Defer(ctx context.Context, host string, until time.Time, reason string) error {
	g.mu.Lock()
	if until.After(g.deferred[host].Until) {
		g.deferred[host] = deferValue{Until: until, Reason: reason}
	}
	g.mu.Unlock()
	return deferHost(ctx, g.b, host, until, reason)
}

// Deferral implements fetch.HostGate, from memory.
func (g *HostGate) Deferral(ctx context.Context, host string) (until time.Time, reason string, err error) {
	g.mu.Lock()
	d := g.deferred[host]
	g.mu.Unlock()
	return d.Until, d.Reason, ctx.Err()
}

// deferHost defers host until until, keeping a later deferral.
func deferHost(ctx context.Context, b *bucket, host string, until time.Time, reason string) error {
	_, err := update(ctx, b, keyDefer+keyPart(host, true), func(cur deferValue, _ bool) (deferValue, bool) {
		if !until.After(cur.Until) {
			return cur, false
		}
		return deferValue{Until: until, Reason: reason}, true
	})
	if err != nil {
		return fmt.Errorf("defer %s: %w", host, err)
	}
	return nil
}
