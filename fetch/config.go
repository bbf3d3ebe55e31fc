package fetch

import (
	"log/slog"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxBytes        = 16 << 20
	DefaultPerHost         = 2
	DefaultDelay           = time.Second
	DefaultRetries         = 3
	DefaultConnectTimeout  = 10 * time.Second
	DefaultHeaderTimeout   = 30 * time.Second
	DefaultTimeout         = 60 * time.Second
	DefaultMaxRetryWait    = 30 * time.Second
	DefaultMaxRetryAfter   = 24 * time.Hour
	DefaultBackoff         = time.Second
	DefaultDeferAfter      = 3
	DefaultFailureDeferral = time.Hour

	// MaxRedirects is how many redirects a Get follows; one more is an
	// error wrapping ErrTooManyRedirects.
	MaxRedirects = 5
)

// Config configures a Fetcher. Zero values take the defaults shown.
type Config struct {
	UserAgent string // full User-Agent; see UserAgent(); default UserAgent(build version, "")
	// MaxBytes caps the body, raw and decoded (gzip, br); default 16 MiB.
	// Beyond it Get fails with an error wrapping ErrTooLarge, never a
	// silent truncation.
	MaxBytes int64
	PerHost  int // max concurrent requests to one host; default 2
	// Delay is the minimum delay between request starts to one host;
	// default 1s; robots.txt Crawl-delay wins when larger. Negative = no
	// delay (benchmarks).
	Delay          time.Duration
	Retries        int           // retries on connection errors, timeouts, 5xx, 429; default 3; negative = none
	ConnectTimeout time.Duration // TCP connect and TLS handshake, each; default 10s
	HeaderTimeout  time.Duration // from request sent to response headers; default 30s
	Timeout        time.Duration // whole request incl. body, per attempt; default 60s
	// MaxRetryWait: a Retry-After (or back-off) longer than this defers
	// the host instead of waiting; default 30s.
	MaxRetryWait time.Duration
	// MaxRetryAfter caps a Retry-After: a server asking for longer (a
	// year, say) is taken to ask for this long, and the cap is logged at
	// Warn with the host and the value sent. Default 24h.
	MaxRetryAfter time.Duration
	// Backoff is the wait before the first retry when the server gives
	// no Retry-After; it doubles with each retry, with jitter (half of it
	// random). Default 1s.
	Backoff time.Duration
	// DeferAfter consecutive failed Gets to one host (each after all its
	// retries: connection errors, timeouts, 5xx, 429) defer that host for
	// FailureDeferral. Default 3; negative = never.
	DeferAfter      int
	FailureDeferral time.Duration // default 1h
	// AllowPrivate allows loopback, private, link-local, multicast,
	// unspecified and other special addresses (tests, sites on the
	// user's own network).
	AllowPrivate bool
	// AllowAddrs allows exactly these IP:port pairs even though they are
	// not public: meant for tests, which allow their own httptest server
	// and so can check that every other private address is refused.
	AllowAddrs   []netip.AddrPort
	IgnoreRobots bool
	// Logger gets each request at Info: method, url, status, bytes, ms
	// (and error). nil = discard.
	Logger *slog.Logger
	// Now is the wall clock for Response.Date, Retry-After dates and
	// deferrals; nil = time.Now (tests). Waits use the real clock.
	Now func() time.Time
	// Gate shares the per-host limits (PerHost, Delay and Crawl-delay,
	// Retry-After pauses) and host deferrals with other Fetchers, on this
	// machine or others; nil keeps them in this Fetcher's memory.
	Gate HostGate
	// Robots shares robots.txt as read with other Fetchers, each host's
	// read once for all of them and kept RobotsMaxAge; nil keeps the
	// rules in this Fetcher's memory for its life.
	Robots RobotsCache
}

// UserAgent returns "newsfeed/VERSION (+CONTACT)" (CONTACT omitted when
// empty; VERSION "dev" when empty).
func UserAgent(version, contact string) string {
	if version == "" {
		version = "dev"
	}
	if contact == "" {
		return "newsfeed/" + version
	}
	return "newsfeed/" + version + " (+" + contact + ")"
}

// buildVersion is the main module's version, or "dev" in a work tree.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// robotsAgent is the product token robots.txt groups are matched against:
// the User-Agent up to its first '/' or space ("newsfeed").
func robotsAgent(userAgent string) string {
	if i := strings.IndexAny(userAgent, "/ "); i >= 0 {
		return userAgent[:i]
	}
	return userAgent
}

func (c Config) withDefaults() Config {
	if c.UserAgent == "" {
		c.UserAgent = UserAgent(buildVersion(), "")
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.PerHost <= 0 {
		c.PerHost = DefaultPerHost
	}
	if c.Delay == 0 {
		c.Delay = DefaultDelay
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	}
	if c.Retries < 0 {
		c.Retries = 0
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = DefaultHeaderTimeout
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = DefaultMaxRetryWait
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.DeferAfter == 0 {
		c.DeferAfter = DefaultDeferAfter
	}
	if c.FailureDeferral <= 0 {
		c.FailureDeferral = DefaultFailureDeferral
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}
