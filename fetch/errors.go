package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Errors a Get may wrap; test for them with errors.Is.
var (
	// ErrTooLarge: the body, as sent or decoded, is over Config.MaxBytes.
	// The body is never silently truncated.
	ErrTooLarge = errors.New("fetch: response body too large")
	// ErrPrivateAddress: the host resolved to a loopback, private,
	// link-local, multicast, unspecified or otherwise special address and
	// Config.AllowPrivate is off. Nothing was sent to it.
	ErrPrivateAddress = errors.New("fetch: refusing a non-public address")
	// ErrRobots: the site's robots.txt disallows the URL for our user
	// agent: the site's wish, not a failure. A robots.txt that could not
	// be read because the host is failing is a *HostError instead.
	ErrRobots = errors.New("fetch: disallowed by robots.txt")
	// ErrScheme: the URL is not http or https (or is not a URL at all).
	ErrScheme = errors.New("fetch: only http and https URLs are fetched")
	// ErrTooManyRedirects: more than MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
)

// StatusError is a final answer that is neither 2xx nor 304 (after any
// retries), or a 304 to a request that was not conditional. Its message
// is the status alone: Get's error around it names the URL asked for
// (and the one redirected to).
type StatusError struct {
	URL  string // the URL that answered (after redirects)
	Code int    // the HTTP status code
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// Gone reports whether err is the site saying a page is not there: a
// 404 Not Found or a 410 Gone. Such a page is skipped, not failed: the
// site took it down, and asking again now would get the same answer.
func Gone(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)
}

// DeferredError says a host is deferred: nothing was sent for this Get.
// Until is when it may be asked again; Reason says why (a long
// Retry-After, repeated failures, or a deferral loaded with Defer).
// Failing is set when the host was deferred because its requests failed
// (Config.DeferAfter): an outage, not the site's wish.
type DeferredError struct {
	Host    string
	Until   time.Time
	Reason  string
	Failing bool
}

func (e *DeferredError) Error() string {
	return fmt.Sprintf("fetch: host %s deferred until %s: %s", e.Host, e.Until.UTC().Format(time.RFC3339), e.Reason)
}

// HostError says a host is failing: its robots.txt could not be read (a
// 5xx, a 429 or a connection failure, after the retries), so that, after
// RFC 9309, nothing of it may be fetched. It is an outage to report as a
// failure, not a refusal by the site (ErrRobots).
type HostError struct {
	Host string // the URL host, lower case, with its port if any
	Err  error  // why
}

func (e *HostError) Error() string { return fmt.Sprintf("host %s failing: %v", e.Host, e.Err) }

// Unwrap returns the cause.
func (e *HostError) Unwrap() error { return e.Err }

// Deferral is a host not to be asked before Until, and why.
type Deferral struct {
	Host   string
	Until  time.Time
	Reason string
	// Failing: deferred because its requests failed (Config.DeferAfter),
	// an outage; else because it asked for time (a long Retry-After) or
	// for a reason an earlier run gave.
	Failing bool
}
