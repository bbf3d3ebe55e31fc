package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/store"
)

// FetchState is ingest.FetchState over the fetch-state bucket: what the
// workers remember of the web, shared, so that a conditional GET works
// whichever worker takes a URL.
//
//   - url.<sha256 of the URL> holds a URL's state (store.URLState with
//     the URL itself), found from the URL alone;
//   - src.<source>.<sha256> indexes a source's URLs with their first
//     fetch time, so that SourceURLs lists one key prefix with one
//     watcher (nats-server 2.9 has no multi-filter listing) and reads
//     only the states it returns;
//   - defer.<host> are the host deferrals, the very keys HostGate reads
//     before each request;
//   - poll.<source> are the list pages' poll times.
//
// Times are the writers' wall clocks: see HostGate on synchronised clocks.
type FetchState struct {
	b   *bucket
	now func() time.Time
}

// NewFetchState returns the fetch state in c's bucket.
func NewFetchState(ctx context.Context, c *Conn) (*FetchState, error) {
	b, err := openBucket(ctx, c, DefaultLease)
	if err != nil {
		return nil, err
	}
	return &FetchState{b: b, now: time.Now}, nil
}

// urlValue is a URL's state as kept: store.URLState with its URL, which
// the key only hashes.
type urlValue struct {
	URL string `json:"url"`
	store.URLState
}

func urlHash(u string) string {
	sum := sha256.Sum256([]byte(u))
	return hex.EncodeToString(sum[:])
}

// URLStates returns the kept state of each of urls that has one.
func (s *FetchState) URLStates(ctx context.Context, urls []string) (map[string]store.URLState, error) {
	found := make([]*store.URLState, len(urls))
	err := concurrently(len(urls), func(i int) error {
		st, ok, err := s.urlState(ctx, urlHash(urls[i]))
		if ok && st.URL == urls[i] {
			found[i] = &st
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: fetch state: %w", err)
	}
	out := make(map[string]store.URLState, len(urls))
	for _, st := range found {
		if st != nil {
			out[st.URL] = *st
		}
	}
	return out, nil
}

// kvConcurrency is how many requests to the bucket one call of
// FetchState has in flight: a batch's states are read and written in
// parallel, not one round trip after the other.
const kvConcurrency = 64

// concurrently calls fn(i) for each i < n, kvConcurrency at a time, and
// returns their errors joined.
func concurrently(n int, fn func(i int) error) error {
	sem := make(chan struct{}, kvConcurrency)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// urlState reads the state kept under url.<hash>.
func (s *FetchState) urlState(ctx context.Context, hash string) (store.URLState, bool, error) {
	v, ok, err := getValue[urlValue](ctx, s.b, keyURL+hash)
	if !ok {
		return store.URLState{}, false, err
	}
	st := v.URLState
	st.URL = v.URL
	return st, true, nil
}

// SourceURLs returns the state of every URL that source found and first
// fetched at since or later, newest first: the articles a refresh
// fetches again.
func (s *FetchState) SourceURLs(ctx context.Context, source string, since time.Time) ([]store.URLState, error) {
	prefix := keySource + keyPart(source, false) + "."
	entries, err := s.b.list(ctx, prefix+"*")
	if err != nil {
		return nil, fmt.Errorf("cluster: fetch state of %s: %w", source, err)
	}
	found := make([]*store.URLState, len(entries))
	err = concurrently(len(entries), func(i int) error {
		e := entries[i]
		idx, err := decodeValue[srcValue](e.Key(), e.Value())
		if err != nil || idx.FirstFetched.Before(since) {
			return nil
		}
		st, ok, err := s.urlState(ctx, strings.TrimPrefix(e.Key(), prefix))
		// The URL may have moved to another source since it was indexed.
		if ok && st.Source == source && !st.FirstFetched.Before(since) {
			found[i] = &st
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: fetch state of %s: %w", source, err)
	}
	var out []store.URLState
	for _, st := range found {
		if st != nil {
			out = append(out, *st)
		}
	}
	slices.SortStableFunc(out, func(a, b store.URLState) int { return b.FirstFetched.Compare(a.FirstFetched) })
	return out, nil
}

// PutURLStates keeps states, each with its source's index entry.
func (s *FetchState) PutURLStates(ctx context.Context, states []store.URLState) error {
	return concurrently(len(states), func(i int) error { return s.PutURLState(ctx, states[i], true) })
}

// PutURLState keeps a URL's state and, with indexed, its source's index
// entry. A worker indexes only the articles of sources that refresh them:
// SourceURLs is read for those alone, and the entry would cost a second
// write per article fetched (and a key kept for ever) for every other.
func (s *FetchState) PutURLState(ctx context.Context, st store.URLState, indexed bool) error {
	for _, e := range urlStateEntries(st, indexed) {
		if _, err := s.b.kv.Put(ctx, e.key, e.value); err != nil {
			return fmt.Errorf("cluster: put fetch state of %s: %w", st.URL, err)
		}
	}
	return nil
}

// stateMessages returns the messages that PutURLState(st, indexed)
// writes, for a worker to publish them with others at once: a bucket
// write is a publish to the bucket's stream.
func (s *FetchState) stateMessages(st store.URLState, indexed bool) []*nats.Msg {
	prefix := "$KV." + s.b.kv.Bucket() + "."
	var msgs []*nats.Msg
	for _, e := range urlStateEntries(st, indexed) {
		msgs = append(msgs, &nats.Msg{Subject: prefix + e.key, Data: e.value})
	}
	return msgs
}

// kvEntry is a key and its value.
type kvEntry struct {
	key   string
	value []byte
}

// urlStateEntries returns what a URL's state is kept as: url.<hash>, and,
// with indexed, its source's index entry.
func urlStateEntries(st store.URLState, indexed bool) []kvEntry {
	hash := urlHash(st.URL)
	entries := []kvEntry{{keyURL + hash, encodeValue(urlValue{URL: st.URL, URLState: st})}}
	if indexed && st.Source != "" {
		entries = append(entries, kvEntry{keySource + keyPart(st.Source, false) + "." + hash,
			encodeValue(srcValue{FirstFetched: st.FirstFetched})})
	}
	return entries
}

// HostDeferrals returns the hosts not to contact before a time still to
// come, with that time.
func (s *FetchState) HostDeferrals(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	now := s.now()
	err := s.eachDeferral(ctx, func(host string, d deferValue, _ jetstream.KeyValueEntry) {
		if d.Until.After(now) {
			out[host] = d.Until
		}
	})
	return out, err
}

// PutHostDeferrals keeps when each host may be contacted again (a later
// deferral already kept stays), and forgets the deferrals that have run
// out.
func (s *FetchState) PutHostDeferrals(ctx context.Context, until map[string]time.Time) error {
	for host, t := range until {
		if err := deferHost(ctx, s.b, host, t, "deferred by an earlier run"); err != nil {
			return fmt.Errorf("cluster: %w", err)
		}
	}
	now := s.now()
	var expired []jetstream.KeyValueEntry
	if err := s.eachDeferral(ctx, func(_ string, d deferValue, e jetstream.KeyValueEntry) {
		if !d.Until.After(now) {
			expired = append(expired, e)
		}
	}); err != nil {
		return err
	}
	for _, e := range expired {
		// On its revision: a deferral renewed meanwhile stays.
		err := s.b.kv.Delete(ctx, e.Key(), jetstream.LastRevision(e.Revision()))
		if err != nil && !isConflict(err) {
			return fmt.Errorf("cluster: forget %s: %w", e.Key(), err)
		}
	}
	return nil
}

// eachDeferral calls fn with every deferral kept; a key or value that
// does not decode is an error naming it.
func (s *FetchState) eachDeferral(ctx context.Context, fn func(host string, d deferValue, e jetstream.KeyValueEntry)) error {
	entries, err := s.b.list(ctx, keyDefer+">")
	if err != nil {
		return fmt.Errorf("cluster: host deferrals: %w", err)
	}
	for _, e := range entries {
		host, err := decodeKeyPart(strings.TrimPrefix(e.Key(), keyDefer))
		if err != nil {
			return fmt.Errorf("cluster: host deferrals: %w", err)
		}
		d, err := decodeValue[deferValue](e.Key(), e.Value())
		if err != nil {
			return fmt.Errorf("cluster: host deferrals: %w", err)
		}
		fn(host, d, e)
	}
	return nil
}

// ListPolls returns when each list page (by source name) was last polled.
func (s *FetchState) ListPolls(ctx context.Context) (map[string]time.Time, error) {
	entries, err := s.b.list(ctx, keyPoll+">")
	if err != nil {
		return nil, fmt.Errorf("cluster: list polls: %w", err)
	}
	out := make(map[string]time.Time, len(entries))
	for _, e := range entries {
		source, err := decodeKeyPart(strings.TrimPrefix(e.Key(), keyPoll))
		if err != nil {
			return nil, fmt.Errorf("cluster: list polls: %w", err)
		}
		v, err := decodeValue[timeValue](e.Key(), e.Value())
		if err != nil {
			return nil, fmt.Errorf("cluster: list polls: %w", err)
		}
		out[source] = v.At
	}
	return out, nil
}

// PutListPolls keeps when each list page (by source name) was polled.
func (s *FetchState) PutListPolls(ctx context.Context, polled map[string]time.Time) error {
	for source, t := range polled {
		if _, err := s.b.kv.Put(ctx, keyPoll+keyPart(source, true), encodeValue(timeValue{At: t})); err != nil {
			return fmt.Errorf("cluster: put poll time of %s: %w", source, err)
		}
	}
	return nil
}
