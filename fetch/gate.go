package fetch

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// HostGate shares a host's politeness among Fetchers, in one process or
// in many: the request slots (Config.PerHost), the minimum delay between
// request starts, the pauses a Retry-After or a back-off asks for, and
// host deferrals. Set it in Config.Gate; nil keeps all of it in the
// Fetcher's memory, for that Fetcher alone.
//
// host is a URL host in lower case with its port, if any ("example.com",
// "127.0.0.1:8080", "xn--fiqs8s.example"). Times are absolute wall-clock
// times: Fetchers on several machines compare them, so their clocks must
// be synchronised (NTP).
type HostGate interface {
	// Acquire waits for one of host's perHost request slots, then for the
	// host's next start time, which it reserves: starts to one host are
	// at least delay apart across every Fetcher sharing the gate, and none
	// starts before a pause. The caller must call release, once, when its
	// request is over; release frees the slot even after ctx is done.
	Acquire(ctx context.Context, host string, perHost int, delay time.Duration) (release func(), err error)
	// Pause holds every request to host back until until.
	Pause(ctx context.Context, host string, until time.Time) error
	// Defer marks host as not to be contacted before until, keeping a
	// later deferral already set, with the reason.
	Defer(ctx context.Context, host string, until time.Time, reason string) error
	// Deferral returns host's deferral: the zero time when it has none.
	// The caller compares until with its own clock.
	Deferral(ctx context.Context, host string) (until time.Time, reason string, err error)
}

// RobotsCache keeps hosts' robots.txt as read, for every Fetcher sharing
// it, so that a host's robots.txt is read once for all of them and all
// apply the same rules (a Crawl-delay included). Set it in Config.Robots;
// nil keeps the rules in the Fetcher's memory, read once per host for the
// Fetcher's life.
type RobotsCache interface {
	// Robots returns host's robots.txt as kept, when its Expires has not
	// passed. Otherwise it calls read, keeps what read returns and returns
	// it; while one caller reads a host's robots.txt, the others (in any
	// process) wait for it. An error from read is returned and not kept,
	// so that the next caller reads again.
	Robots(ctx context.Context, host string, read func(context.Context) (RobotsFile, error)) (RobotsFile, error)
}

// How long a robots.txt read through a RobotsCache is kept: a file (or
// its absence) RobotsMaxAge, as RFC 9309 §2.4 allows; a robots.txt that
// could not be reached — which disallows the whole host — only
// RobotsUnreachableMaxAge, so that a server's bad hour does not shut a
// long-running cluster out of it for a day.
const (
	RobotsMaxAge            = 24 * time.Hour
	RobotsUnreachableMaxAge = time.Hour
)

// RobotsFile is a host's robots.txt as read, before it is parsed.
type RobotsFile struct {
	// Status is the HTTP status robots.txt was answered with: a 2xx with
	// Body parsed; any other status allows everything. 0 with Unreachable
	// empty: robots.txt was unusable (too large, too many redirects) and
	// allows everything.
	Status int
	Body   []byte
	// Unreachable, when not empty, is why robots.txt could not be read
	// (a 5xx, 429 or connection failure after the retries): the whole
	// host is disallowed (RFC 9309 §2.3.1.4).
	Unreachable string
	// Fetched is when it was read; Expires is when it must be read again.
	Fetched, Expires time.Time
}

// gateWriteTimeout bounds a pause or a deferral written to Config.Gate:
// it is written even when the Get's context has ended, as it records what
// the server asked for.
const gateWriteTimeout = 10 * time.Second

// acquire takes a request slot and a start time on h, from Config.Gate
// when set, else from h itself; the caller calls release.
func (f *Fetcher) acquire(ctx context.Context, h *host) (release func(), err error) {
	if f.cfg.Gate == nil {
		if err := h.acquire(ctx); err != nil {
			return nil, err
		}
		return h.release, nil
	}
	release, err = f.cfg.Gate.Acquire(ctx, h.name, f.cfg.PerHost, h.currentDelay())
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("host gate: %w", err)
	}
	return release, nil
}

// pause holds every request to h back for d: in this Fetcher, and in
// every Fetcher sharing Config.Gate.
func (f *Fetcher) pause(ctx context.Context, h *host, d time.Duration) {
	h.pause(d)
	if f.cfg.Gate == nil {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), gateWriteTimeout)
	defer cancel()
	if err := f.cfg.Gate.Pause(wctx, h.name, time.Now().Add(d)); err != nil {
		f.cfg.Logger.Warn("host gate: pause not shared", slog.String("host", h.name), slog.String("error", err.Error()))
	}
}

// checkDeferred returns the DeferredError of a deferred host, as this
// Fetcher knows it or, failing that, as Config.Gate does.
func (f *Fetcher) checkDeferred(ctx context.Context, h *host) error {
	now := f.cfg.Now()
	d, first := h.deferral(now)
	if d == nil && f.cfg.Gate != nil {
		until, reason, err := f.cfg.Gate.Deferral(ctx, h.name)
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return fmt.Errorf("host gate: %w", err)
		}
		if until.After(now) {
			// Deferrals only ever grow: keep it, and ask the gate no more.
			h.deferUntil(until, reason, false, false)
			d, first = h.deferral(now)
		}
	}
	if d == nil {
		return nil
	}
	if first {
		f.deferredHosts.Add(1)
	}
	return d
}

// deferHost defers h until until, in this Fetcher and in Config.Gate;
// failing says its requests failed.
func (f *Fetcher) deferHost(ctx context.Context, h *host, until time.Time, reason string, failing bool) *DeferredError {
	if h.deferUntil(until, reason, true, failing) {
		f.deferredHosts.Add(1)
	}
	f.cfg.Logger.Warn("host deferred", slog.String("host", h.name), slog.Time("until", until), slog.String("reason", reason))
	if f.cfg.Gate != nil {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), gateWriteTimeout)
		defer cancel()
		if err := f.cfg.Gate.Defer(wctx, h.name, until, reason); err != nil {
			f.cfg.Logger.Warn("host gate: deferral not shared", slog.String("host", h.name), slog.String("error", err.Error()))
		}
	}
	return &DeferredError{Host: h.name, Until: until, Reason: reason, Failing: failing}
}
