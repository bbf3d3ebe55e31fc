package fetch

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds a Retry-After in seconds so that it cannot
// overflow a time.Duration; anything this long defers the host anyway.
const maxRetryAfter = 100 * 365 * 24 * time.Hour

// parseRetryAfter reads a Retry-After header (RFC 9110 §10.2.3): a number
// of seconds, or an HTTP date, which is measured from now. It reports
// false for an empty or unreadable value. A date in the past gives 0.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if value[0] >= '0' && value[0] <= '9' {
		secs, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return maxRetryAfter, true
			}
			// Not all digits: perhaps a date that starts with one.
			return parseRetryDate(value, now)
		}
		if secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	return parseRetryDate(value, now)
}

func parseRetryDate(value string, now time.Time) (time.Duration, bool) {
	t, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return min(d, maxRetryAfter), true
}

// backoff is the wait before retry number n (0 for the first retry): base
// doubled n times, with "equal jitter" — half of it fixed, half random —
// so that clients that failed together do not come back together.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for range n {
		if d > maxRetryAfter/2 {
			break
		}
		d *= 2
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half)
}
