package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Validators are the HTTP cache validators kept per URL.
type Validators struct{ ETag, LastModified string }

// Response is the result of a successful Get.
type Response struct {
	URL         string // final URL after redirects
	Status      int    // 200 (or another 2xx) or 304
	NotModified bool   // Status == 304; Body is nil
	Body        []byte // decoded body (Content-Encoding undone)
	ContentType string // the Content-Type header as sent (charset witness for the parser)
	// Validators are what to store for this URL for next time: on 200 the
	// validators as sent (missing -> ""); on 304 each validator the
	// response carries replaces the old one, a missing one keeps the old
	// one (never invented from the clock).
	Validators Validators
	Date       time.Time // when fetched (Config.Now)
}

// Stats counts what the Fetcher did; safe for concurrent use.
type Stats struct {
	Requests      int64 // HTTP requests sent: robots.txt, redirects and retries included
	NotModified   int64 // Gets answered 304
	Bytes         int64 // body bytes read off the wire (before decoding)
	Retries       int64 // requests sent again after a failure
	RobotsRefused int64 // Gets refused by robots.txt
	DeferredHosts int64 // hosts deferred during the Fetcher's life, or found deferred by a Get; each once
}

// Fetcher is one HTTP fetcher: one shared http.Client and Transport, and
// per-host politeness state. It is safe for concurrent use.
type Fetcher struct {
	cfg         Config
	client      *http.Client
	robotsAgent string

	mu    sync.Mutex
	hosts map[string]*host

	requests, notModified, bytes, retries, robotsRefused, deferredHosts atomic.Int64
}

// New returns a Fetcher for cfg.
func New(cfg Config) *Fetcher {
	cfg = cfg.withDefaults()
	guard := addressGuard{allowPrivate: cfg.AllowPrivate}
	for _, ap := range cfg.AllowAddrs {
		guard.allow = append(guard.allow, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
	}
	dialer := &net.Dialer{
		Timeout:   cfg.ConnectTimeout,
		KeepAlive: 30 * time.Second,
		Control:   guard.control,
	}
	transport := &http.Transport{
		// No proxy: the address check must see the address we connect to.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ResponseHeaderTimeout:  cfg.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    max(cfg.PerHost, 2),
		MaxResponseHeaderBytes: 1 << 20,
		// We ask for gzip and br ourselves and decode with a cap.
		DisableCompression: true,
	}
	return &Fetcher{
		cfg: cfg,
		client: &http.Client{
			Transport: transport,
			// Redirects are followed by Get, each checked again.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		robotsAgent: robotsAgent(cfg.UserAgent),
		hosts:       make(map[string]*host),
	}
}

// Close closes the idle connections.
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

// Stats returns the counters so far.
func (f *Fetcher) Stats() Stats {
	return Stats{
		Requests:      f.requests.Load(),
		NotModified:   f.notModified.Load(),
		Bytes:         f.bytes.Load(),
		Retries:       f.retries.Load(),
		RobotsRefused: f.robotsRefused.Load(),
		DeferredHosts: f.deferredHosts.Load(),
	}
}

// Defer marks host as not to be contacted before until (loaded from the
// store at the start of a run). host is a URL host (with port if any);
// case does not matter.
func (f *Fetcher) Defer(host string, until time.Time) {
	f.host(strings.ToLower(host)).deferUntil(until, "deferred by an earlier run", false, false)
}

// LoadDeferral is Defer with the reason and the failing flag an earlier
// run stored: a Get refused for it says why, and a host deferred because
// it failed stays an outage.
func (f *Fetcher) LoadDeferral(d Deferral) {
	reason := d.Reason
	if reason == "" {
		reason = "deferred by an earlier run"
	}
	f.host(strings.ToLower(d.Host)).deferUntil(d.Until, reason, false, d.Failing)
}

// Deferred returns the hosts this Fetcher deferred, or that a Get found
// deferred, and are still deferred, sorted by host: what a run's summary
// names.
func (f *Fetcher) Deferred() []Deferral {
	now := f.cfg.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Deferral
	for name, h := range f.hosts {
		h.mu.Lock()
		if h.counted && h.deferredUntil.After(now) {
			out = append(out, Deferral{Host: name, Until: h.deferredUntil, Reason: h.deferReason, Failing: h.deferFailing})
		}
		h.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b Deferral) int { return strings.Compare(a.Host, b.Host) })
	return out
}

// Deferrals returns every host deferred by this Fetcher during its life
// (by a long Retry-After or repeated failures) with the time it may be
// asked again — the caller saves them in the store.
func (f *Fetcher) Deferrals() map[string]time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]time.Time)
	for name, h := range f.hosts {
		h.mu.Lock()
		if h.deferredByUs {
			out[name] = h.deferredUntil
		}
		h.mu.Unlock()
	}
	return out
}

// Get fetches url; old are the validators stored from before (zero value:
// unconditional). It sends old.ETag as If-None-Match and old.LastModified
// as If-Modified-Since, verbatim, when non-empty. Politeness (per-host
// limit, delay, robots.txt fetched once per host per Fetcher), retries
// with exponential back-off + jitter honouring Retry-After (seconds or
// HTTP date), redirects (<= 5, each re-checked for scheme, robots and
// address) all happen inside.
func (f *Fetcher) Get(ctx context.Context, rawURL string, old Validators) (*Response, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	resp, err := f.follow(ctx, u, old, !f.cfg.IgnoreRobots)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	return resp, nil
}

// parseURL accepts absolute http and https URLs with a host.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrScheme, err)
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkURL refuses what is not an absolute http or https URL with a host,
// and drops the fragment: it is never sent, and Response.URL leaves it out.
func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return fmt.Errorf("%w: %q has no scheme", ErrScheme, u.String())
	default:
		return fmt.Errorf("%w: scheme %q", ErrScheme, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("%w: %q has no host", ErrScheme, u.String())
	}
	u.Fragment, u.RawFragment = "", ""
	return nil
}

// follow fetches u and the redirects it leads to, at most MaxRedirects.
func (f *Fetcher) follow(ctx context.Context, u *url.URL, old Validators, checkRobots bool) (*Response, error) {
	first := u
	for redirects := 0; ; redirects++ {
		resp, next, err := f.fetchOne(ctx, u, old, checkRobots)
		if err != nil {
			if u != first {
				err = fmt.Errorf("redirected to %s: %w", u, err)
			}
			return nil, err
		}
		if next == nil {
			return resp, nil
		}
		if redirects == MaxRedirects {
			return nil, fmt.Errorf("%w: more than %d, the last to %s", ErrTooManyRedirects, MaxRedirects, next)
		}
		u = next
	}
}

func (f *Fetcher) host(name string) *host {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.hosts[name]
	if !ok {
		h = newHost(name, f.cfg.PerHost, max(f.cfg.Delay, 0))
		f.hosts[name] = h
	}
	return h
}

// fetchOne does one hop: the deferral and robots checks, then the request
// with its retries. It returns the response, or the URL a redirect points
// to.
func (f *Fetcher) fetchOne(ctx context.Context, u *url.URL, old Validators, checkRobots bool) (*Response, *url.URL, error) {
	h := f.host(strings.ToLower(u.Host))
	if err := f.checkDeferred(ctx, h); err != nil {
		return nil, nil, err // not even robots.txt
	}
	if checkRobots {
		if err := f.checkRobots(ctx, h, u); err != nil {
			return nil, nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		release, err := f.acquire(ctx, h)
		if err != nil {
			return nil, nil, err
		}
		// The host may have been deferred while this Get waited for robots.txt,
		// a slot, its start time or its retry.
		if err := f.checkDeferred(ctx, h); err != nil {
			release()
			return nil, nil, err
		}
		r := f.send(ctx, u, old)
		release()
		if !r.retryable {
			if r.answered {
				h.succeeded()
			}
			return r.resp, r.next, r.err
		}
		wait := backoff(f.cfg.Backoff, attempt)
		if r.hasRetryAfter {
			wait = r.retryAfter
		}
		if wait > f.cfg.MaxRetryWait {
			reason := fmt.Sprintf("%v, asked to wait %s", r.err, wait.Round(time.Second))
			if r.cappedFrom != "" {
				reason += fmt.Sprintf(" (Retry-After: %.40q, capped)", r.cappedFrom)
			}
			return nil, nil, f.deferHost(ctx, h, f.cfg.Now().Add(wait), reason, false)
		}
		if attempt >= f.cfg.Retries {
			if n := h.failed(); f.cfg.DeferAfter > 0 && n >= f.cfg.DeferAfter {
				reason := fmt.Sprintf("%d failed requests in a row, the last: %v", n, r.err)
				f.deferHost(ctx, h, f.cfg.Now().Add(f.cfg.FailureDeferral), reason, true)
			}
			if attempt > 0 {
				return nil, nil, fmt.Errorf("%w (after %d retries)", r.err, attempt)
			}
			return nil, nil, r.err
		}
		f.retries.Add(1)
		f.pause(ctx, h, wait)
	}
}

// result is the outcome of one HTTP request.
type result struct {
	resp          *Response
	next          *url.URL // a redirect's target
	err           error
	retryable     bool  // a connection error, timeout, 5xx or 429
	answered      bool  // the server gave an answer that is not a failure
	bytes         int64 // body bytes read off the wire
	retryAfter    time.Duration
	hasRetryAfter bool
	cappedFrom    string // the Retry-After sent, when over Config.MaxRetryAfter
}

// send makes one HTTP request to u, reads its answer and logs it.
func (f *Fetcher) send(ctx context.Context, u *url.URL, old Validators) result {
	attemptCtx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(attemptCtx, http.MethodGet, u.String(), nil)
	if err != nil {
		return result{err: fmt.Errorf("%w: %v", ErrScheme, err)}
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept-Encoding", acceptEncoding)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if old.ETag != "" {
		req.Header.Set("If-None-Match", old.ETag)
	}
	if old.LastModified != "" {
		req.Header.Set("If-Modified-Since", old.LastModified)
	}

	start := time.Now()
	f.requests.Add(1)
	var r result
	status := 0
	resp, err := f.client.Do(req)
	if err != nil {
		r = f.transportError(ctx, attemptCtx, err)
	} else {
		status = resp.StatusCode
		r = f.answer(ctx, attemptCtx, u, old, resp)
	}
	f.bytes.Add(r.bytes)

	attrs := []slog.Attr{
		slog.String("method", req.Method), slog.String("url", u.String()),
		slog.Int("status", status), slog.Int64("bytes", r.bytes),
		slog.Int64("ms", time.Since(start).Milliseconds()),
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", r.err.Error()))
	}
	f.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
	return r
}

// answer reads resp (and closes its body): a 2xx body, a 304, a redirect,
// or an error status, retryable or not.
func (f *Fetcher) answer(ctx, attemptCtx context.Context, u *url.URL, old Validators, resp *http.Response) result {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		body, n, err := readBody(resp, f.cfg.MaxBytes)
		resp.Body.Close()
		if err != nil {
			r := result{err: err, answered: true}
			if !errors.Is(err, ErrTooLarge) && isTransient(err) {
				r = f.transportError(ctx, attemptCtx, err)
			}
			r.bytes = n
			return r
		}
		return result{answered: true, bytes: n, resp: &Response{
			URL: u.String(), Status: code, Body: body,
			ContentType: resp.Header.Get("Content-Type"),
			Validators: Validators{
				ETag:         resp.Header.Get("ETag"),
				LastModified: resp.Header.Get("Last-Modified"),
			},
			Date: f.cfg.Now(),
		}}
	}

	var r result
	switch {
	case code == http.StatusNotModified && old != (Validators{}):
		f.notModified.Add(1)
		v := old
		if e := resp.Header.Get("ETag"); e != "" {
			v.ETag = e
		}
		if lm := resp.Header.Get("Last-Modified"); lm != "" {
			v.LastModified = lm
		}
		r.resp = &Response{
			URL: u.String(), Status: code, NotModified: true,
			ContentType: resp.Header.Get("Content-Type"),
			Validators:  v, Date: f.cfg.Now(),
		}
	case isRedirect(code) && resp.Header.Get("Location") != "":
		r = redirect(u, resp.Header.Get("Location"))
	case code == http.StatusTooManyRequests || code >= 500:
		r = result{err: &StatusError{URL: u.String(), Code: code}, retryable: true}
		value := resp.Header.Get("Retry-After")
		r.retryAfter, r.hasRetryAfter = parseRetryAfter(value, f.cfg.Now())
		if r.retryAfter > f.cfg.MaxRetryAfter {
			f.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "Retry-After capped",
				slog.String("host", strings.ToLower(u.Host)), slog.String("retry_after", value),
				slog.Duration("cap", f.cfg.MaxRetryAfter))
			r.retryAfter, r.cappedFrom = f.cfg.MaxRetryAfter, value
		}
	default:
		r.err = &StatusError{URL: u.String(), Code: code}
	}
	r.answered = !r.retryable
	r.bytes = drain(resp.Body)
	return r
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirect resolves a Location against u and checks its scheme.
func redirect(u *url.URL, location string) result {
	next, err := u.Parse(location)
	if err != nil {
		return result{err: fmt.Errorf("redirect to a bad Location %q: %w", location, err)}
	}
	if err := checkURL(next); err != nil {
		return result{err: fmt.Errorf("redirect to %s: %w", location, err)}
	}
	return result{next: next}
}

// transportError classifies an error from sending a request or reading
// its body: the caller's context ending is final; a refused address or a
// bad certificate is final; anything else (refused, reset, timed out) is
// a connection error worth retrying.
func (f *Fetcher) transportError(ctx, attemptCtx context.Context, err error) result {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats the URL, which our caller adds.
	}
	switch {
	case ctx.Err() != nil:
		return result{err: context.Cause(ctx)}
	case attemptCtx.Err() != nil:
		err = fmt.Errorf("no complete answer within %s: %w", f.cfg.Timeout, err)
	case !isTransient(err):
		return result{err: err}
	}
	return result{err: err, retryable: true}
}

// isTransient reports whether err may go away on a retry.
func isTransient(err error) bool {
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalid     x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrTooLarge), errors.Is(err, errUnsupportedEncoding),
		errors.As(err, &certErr), errors.As(err, &unknownAuth),
		errors.As(err, &hostErr), errors.As(err, &invalid):
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	return true
}
