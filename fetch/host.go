package fetch

import (
	"context"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"newsfeed/internal/timeutil"
)

// host is what a Fetcher keeps about one host (lower-case host[:port]):
// its request slots, the start time of its last request, its robots.txt
// and its deferral.
type host struct {
	name  string
	slots chan struct{} // one token per request in flight: at most PerHost

	mu          sync.Mutex
	delay       time.Duration // min delay between request starts: max(Delay, Crawl-delay)
	lastStart   time.Time     // start reserved by the last request (monotonic clock)
	pausedUntil time.Time     // no request starts before (a Retry-After; monotonic clock)
	failures    int           // consecutive failed Gets
	counted     bool          // already counted in Stats.DeferredHosts

	deferredUntil time.Time // wall clock (Config.Now): nothing is sent before
	deferReason   string
	deferFailing  bool // deferred because its requests failed
	deferredByUs  bool // deferred by this Fetcher, reported by Deferrals

	robots     *robotsRules  // nil until read
	robotsWait chan struct{} // non-nil while one caller reads robots.txt
}

// robotsRules is a host's robots.txt as read: the group that applies to
// our user agent, or, when robots.txt could not be read, why.
type robotsRules struct {
	data        *robotstxt.RobotsData
	group       *robotstxt.Group
	unreachable error // non-nil: robots.txt unreachable, everything disallowed
	// expires, when not zero, is when the rules must be asked for again
	// (rules kept in a Config.Robots cache); zero: for the Fetcher's life.
	expires time.Time
}

func newHost(name string, perHost int, delay time.Duration) *host {
	return &host{name: name, slots: make(chan struct{}, perHost), delay: delay}
}

// acquire waits for a request slot and then for the host's next start
// time, which it reserves: request starts to one host are at least delay
// apart, and none starts before a pause. The caller must call release.
func (h *host) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.mu.Lock()
	now := time.Now()
	start := now
	if !h.lastStart.IsZero() && h.delay > 0 {
		start = timeutil.Later(start, h.lastStart.Add(h.delay))
	}
	start = timeutil.Later(start, h.pausedUntil)
	h.lastStart = start
	h.mu.Unlock()
	if err := sleep(ctx, start.Sub(now)); err != nil {
		h.release()
		return err
	}
	return nil
}

func (h *host) release() { <-h.slots }

// currentDelay is the minimum delay between request starts to the host:
// Config.Delay, or the robots.txt Crawl-delay when that is larger.
func (h *host) currentDelay() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.delay
}

// pause holds every request to the host back for d (a Retry-After or a
// back-off): a struggling server gets the wait from all our requests, not
// only from the one that was told.
func (h *host) pause(d time.Duration) {
	h.mu.Lock()
	h.pausedUntil = timeutil.Later(h.pausedUntil, time.Now().Add(d))
	h.mu.Unlock()
}

// deferral returns the error for a deferred host, or nil. now is the
// Fetcher's wall clock.
func (h *host) deferral(now time.Time) (*DeferredError, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.deferredUntil.IsZero() || !now.Before(h.deferredUntil) {
		return nil, false
	}
	first := !h.counted
	h.counted = true
	return &DeferredError{Host: h.name, Until: h.deferredUntil, Reason: h.deferReason, Failing: h.deferFailing}, first
}

// deferUntil defers the host until t (keeping a later deferral already
// set). byUs says the Fetcher decided it, so that Deferrals reports it;
// failing that the host's requests failed. It reports whether the host
// was not counted as deferred before.
func (h *host) deferUntil(t time.Time, reason string, byUs, failing bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.After(h.deferredUntil) {
		h.deferredUntil, h.deferReason, h.deferFailing = t, reason, failing
		h.deferredByUs = h.deferredByUs || byUs
	}
	first := byUs && !h.counted
	if byUs {
		h.counted = true
	}
	return first
}

// failed counts a failed Get and reports the number of failures in a row.
func (h *host) failed() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	return h.failures
}

func (h *host) succeeded() {
	h.mu.Lock()
	h.failures = 0
	h.mu.Unlock()
}

// rules returns the host's robots.txt rules, reading them with read the
// first time: one read per host per Fetcher, however many Gets wait for
// it. A read that fails with a context error is not kept, so the next Get
// tries again.
func (h *host) rules(ctx context.Context, read func(context.Context) (*robotsRules, error)) (*robotsRules, error) {
	for {
		h.mu.Lock()
		if r := h.robots; r != nil && (r.expires.IsZero() || time.Now().Before(r.expires)) {
			h.mu.Unlock()
			return r, nil
		}
		if wait := h.robotsWait; wait != nil {
			h.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		h.robotsWait = done
		h.mu.Unlock()

		r, err := read(ctx)
		h.mu.Lock()
		h.robotsWait = nil
		if err == nil {
			h.robots = r
			if r.group != nil && r.group.CrawlDelay > h.delay {
				h.delay = r.group.CrawlDelay
			}
		}
		h.mu.Unlock()
		close(done)
		return r, err
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
