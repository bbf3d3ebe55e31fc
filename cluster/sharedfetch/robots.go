package sharedfetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"newsfeed/cluster"
	"newsfeed/fetch"
)

// RobotsCache is fetch.RobotsCache over the fetch-state bucket: each
// host's robots.txt, as one worker read it, is the key robots.<host>
// until its Expires (fetch.RobotsMaxAge), so every worker applies the
// same rules — a Crawl-delay included — and the site sees robots.txt once
// for all of them. While one worker reads it, it holds the lease
// robotslock.<host> (renewed as a request slot is); the others wait for
// the file in short sleeps, and take the lock over if its holder dies.
type RobotsCache struct {
	b *bucket
}

var _ fetch.RobotsCache = (*RobotsCache)(nil)

// NewRobotsCache returns the cache over c's fetch-state bucket; lease is
// how long the reading lock is held without renewal (0: DefaultLease).
func NewRobotsCache(ctx context.Context, c *cluster.Conn, lease time.Duration) (*RobotsCache, error) {
	if lease <= 0 {
		lease = DefaultLease
	}
	b, err := openBucket(ctx, c, lease)
	if err != nil {
		return nil, err
	}
	return &RobotsCache{b: b}, nil
}

// Robots implements fetch.RobotsCache.
func (rc *RobotsCache) Robots(ctx context.Context, host string, read func(context.Context) (fetch.RobotsFile, error)) (fetch.RobotsFile, error) {
	hk := keyPart(host, true)
	key, lockKey := keyRobots+hk, keyRobotsLock+hk
	for attempt := 0; ; attempt++ {
		file, ok, err := rc.get(ctx, key)
		if err != nil || ok {
			return file, err
		}
		lock, until, err := rc.b.take(ctx, lockKey)
		if err != nil {
			return fetch.RobotsFile{}, fmt.Errorf("robots.txt of %s: %w", host, err)
		}
		if lock == nil {
			wait := jitter(attempt, 10*time.Millisecond, 200*time.Millisecond)
			if d := time.Until(until); d < wait {
				wait = max(d, time.Millisecond)
			}
			if err := sleepCtx(ctx, wait); err != nil {
				return fetch.RobotsFile{}, err
			}
			continue
		}
		return rc.read(ctx, host, key, lock, read)
	}
}

// read reads robots.txt under the lock and keeps it.
func (rc *RobotsCache) read(ctx context.Context, host, key string, lock *held, read func(context.Context) (fetch.RobotsFile, error)) (fetch.RobotsFile, error) {
	defer lock.release()
	// Another worker may have kept it between our look and the lock.
	if file, ok, err := rc.get(ctx, key); err != nil || ok {
		return file, err
	}
	file, err := read(ctx)
	if err != nil {
		return file, err
	}
	file.Body = cutRobots(file.Body)
	v := robotsValue{Status: file.Status, Body: file.Body, Unreachable: file.Unreachable, Fetched: file.Fetched, Expires: file.Expires}
	if _, err := rc.b.kv.Put(ctx, key, encodeValue(v)); err != nil {
		// The rules stand for this worker; the others read it again.
		rc.b.log.Warn("robots.txt not shared", slog.String("host", host), slog.String("error", err.Error()))
	}
	return file, nil
}

// maxRobotsBody is how much of a robots.txt the cache keeps: RFC 9309
// §2.5 lets a crawler parse no more than 500 KiB, and a bucket value must
// fit the server's largest message (1 MiB by default).
const maxRobotsBody = 500 << 10

// cutRobots cuts body to maxRobotsBody, at the end of a line, so that
// every worker parses the same rules.
func cutRobots(body []byte) []byte {
	if len(body) <= maxRobotsBody {
		return body
	}
	body = body[:maxRobotsBody]
	if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
		body = body[:i+1]
	}
	return body
}

// get returns the robots.txt kept under key when it is still fresh. One
// that does not decode, has expired or expires further ahead than it can
// (a skewed clock) counts as none.
func (rc *RobotsCache) get(ctx context.Context, key string) (fetch.RobotsFile, bool, error) {
	v, ok, err := getValue[robotsValue](ctx, rc.b, key)
	if errors.Is(err, errBadValue) {
		rc.b.log.Warn("robots.txt: reading again over a bad value", slog.String("error", err.Error()))
		return fetch.RobotsFile{}, false, nil
	}
	if !ok {
		return fetch.RobotsFile{}, false, err
	}
	now := time.Now()
	if !now.Before(v.Expires) || v.Expires.After(now.Add(2*fetch.RobotsMaxAge)) {
		return fetch.RobotsFile{}, false, nil
	}
	return fetch.RobotsFile{Status: v.Status, Body: v.Body, Unreachable: v.Unreachable, Fetched: v.Fetched, Expires: v.Expires}, true, nil
}
