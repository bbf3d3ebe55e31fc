package sharedfetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/cluster"
	"newsfeed/record"
)

// State is article.FetchState over the fetch-state bucket: what the
// workers remember of the web, shared, so that a conditional GET works
// whichever worker takes a URL.
//
//   - url.<sha256 of the URL> holds a URL's state (record.URLState with
//     the URL itself), found from the URL alone; many are read at once
//     with direct gets all in flight, and written at once as publishes;
//   - src.<source>.<sha256> indexes a source's URLs with their first
//     fetch time, so that SourceURLs lists one key prefix with one
//     watcher (nats-server 2.9 has no multi-filter listing) and reads
//     only the states it returns; workers keep it for the sources that
//     refresh their articles only;
//   - defer.<host> are the host deferrals, the very keys HostGate reads
//     before each request;
//   - poll.<source> are the list pages' poll times;
//   - site.<source> are the site sources' methods (record.SiteState).
//
// Times are the writers' wall clocks: see HostGate on synchronised clocks.
type State struct {
	c   *cluster.Conn
	b   *bucket
	now func() time.Time
}

// NewState returns the fetch state in c's bucket.
func NewState(ctx context.Context, c *cluster.Conn) (*State, error) {
	b, err := openBucket(ctx, c, DefaultLease)
	if err != nil {
		return nil, err
	}
	return &State{c: c, b: b, now: time.Now}, nil
}

// urlValue is a URL's state as kept: record.URLState with its URL, which
// the key only hashes.
type urlValue struct {
	URL string `json:"url"`
	record.URLState
}

// sourceIndex is the key prefix of source's index: src.<source>.
func sourceIndex(source string) string { return keySource + keyPart(source, false) + "." }

func urlHash(u string) string {
	sum := sha256.Sum256([]byte(u))
	return hex.EncodeToString(sum[:])
}

// URLStates returns the kept state of each of urls that has one.
func (s *State) URLStates(ctx context.Context, urls []string) (map[string]record.URLState, error) {
	hashes := make([]string, len(urls))
	for i, u := range urls {
		hashes[i] = urlHash(u)
	}
	states, err := s.urlStates(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("cluster: fetch state: %w", err)
	}
	out := make(map[string]record.URLState, len(urls))
	for i, st := range states {
		if st != nil && st.URL == urls[i] {
			out[st.URL] = *st
		}
	}
	return out, nil
}

// urlStates reads the states kept under url.<hash> for each hash, all at
// once; nil where there is none. One that does not decode is an error.
func (s *State) urlStates(ctx context.Context, hashes []string) ([]*record.URLState, error) {
	keys := make([]string, len(hashes))
	for i, h := range hashes {
		keys[i] = keyURL + h
	}
	values, err := s.b.getMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]*record.URLState, len(keys))
	for i, data := range values {
		if data == nil {
			continue
		}
		v, err := decodeValue[urlValue](keys[i], data)
		if err != nil {
			return nil, err
		}
		st := v.URLState
		st.URL = v.URL
		out[i] = &st
	}
	return out, nil
}

// SourceURLs returns the state of every URL that source found and first
// fetched at since or later, newest first: the articles a refresh
// fetches again.
func (s *State) SourceURLs(ctx context.Context, source string, since time.Time) ([]record.URLState, error) {
	prefix := sourceIndex(source)
	entries, err := s.b.list(ctx, prefix+"*")
	if err != nil {
		return nil, fmt.Errorf("cluster: fetch state of %s: %w", source, err)
	}
	var hashes []string
	for _, e := range entries {
		idx, err := decodeValue[srcValue](e.Key(), e.Value())
		if err == nil && !idx.FirstFetched.Before(since) {
			hashes = append(hashes, strings.TrimPrefix(e.Key(), prefix))
		}
	}
	states, err := s.urlStates(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("cluster: fetch state of %s: %w", source, err)
	}
	var out []record.URLState
	for _, st := range states {
		// The URL may have moved to another source since it was indexed.
		if st != nil && st.Source == source && !st.FirstFetched.Before(since) {
			out = append(out, *st)
		}
	}
	slices.SortStableFunc(out, func(a, b record.URLState) int { return b.FirstFetched.Compare(a.FirstFetched) })
	return out, nil
}

// PutURLStates keeps states, each with its source's index entry, all
// written at once.
func (s *State) PutURLStates(ctx context.Context, states []record.URLState) error {
	return errors.Join(s.PutURLStatesIndexed(ctx, states, func(int) bool { return true })...)
}

// PutURLStatesIndexed keeps states, all written at once (a bucket write is a
// publish to the bucket's stream), states[i] indexed under its source
// when indexed(i), and returns each one's error. A worker indexes only
// the articles of sources that refresh them: SourceURLs is read for
// those alone, and the entry would cost a second write per article
// fetched for every other.
func (s *State) PutURLStatesIndexed(ctx context.Context, states []record.URLState, indexed func(i int) bool) []error {
	var msgs []*nats.Msg
	var owners []int // the index in states of each message
	for i, st := range states {
		hash := urlHash(st.URL)
		msgs = append(msgs, &nats.Msg{Subject: s.b.subject(keyURL + hash), Data: encodeValue(urlValue{URL: st.URL, URLState: st})})
		owners = append(owners, i)
		if indexed(i) && st.Source != "" {
			msgs = append(msgs, &nats.Msg{Subject: s.b.subject(sourceIndex(st.Source) + hash),
				Data: encodeValue(srcValue{FirstFetched: st.FirstFetched})})
			owners = append(owners, i)
		}
	}
	_, put := s.c.PublishAll(ctx, msgs, nil)
	errs := make([]error, len(states))
	for j, err := range put {
		if i := owners[j]; err != nil && errs[i] == nil {
			errs[i] = fmt.Errorf("cluster: put fetch state of %s: %w", states[i].URL, err)
		}
	}
	return errs
}

// HostDeferrals returns the hosts not to contact before a time still to
// come, with that time.
func (s *State) HostDeferrals(ctx context.Context) (map[string]time.Time, error) {
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
func (s *State) PutHostDeferrals(ctx context.Context, until map[string]time.Time) error {
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
func (s *State) eachDeferral(ctx context.Context, fn func(host string, d deferValue, e jetstream.KeyValueEntry)) error {
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
func (s *State) ListPolls(ctx context.Context) (map[string]time.Time, error) {
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
func (s *State) PutListPolls(ctx context.Context, polled map[string]time.Time) error {
	for source, t := range polled {
		if _, err := s.b.kv.Put(ctx, keyPoll+keyPart(source, true), encodeValue(timeValue{At: t})); err != nil {
			return fmt.Errorf("cluster: put poll time of %s: %w", source, err)
		}
	}
	return nil
}

// SiteStates returns the states kept of site sources, by source name.
func (s *State) SiteStates(ctx context.Context) (map[string]record.SiteState, error) {
	entries, err := s.b.list(ctx, keySite+">")
	if err != nil {
		return nil, fmt.Errorf("cluster: site states: %w", err)
	}
	out := make(map[string]record.SiteState, len(entries))
	for _, e := range entries {
		source, err := decodeKeyPart(strings.TrimPrefix(e.Key(), keySite))
		if err != nil {
			return nil, fmt.Errorf("cluster: site states: %w", err)
		}
		st, err := decodeValue[record.SiteState](e.Key(), e.Value())
		if err != nil {
			return nil, fmt.Errorf("cluster: site states: %w", err)
		}
		st.Source = source
		out[source] = st
	}
	return out, nil
}

// PutSiteStates keeps states, each under its source's name.
func (s *State) PutSiteStates(ctx context.Context, states []record.SiteState) error {
	for _, st := range states {
		if _, err := s.b.kv.Put(ctx, keySite+keyPart(st.Source, true), encodeValue(st)); err != nil {
			return fmt.Errorf("cluster: put site state of %s: %w", st.Source, err)
		}
	}
	return nil
}
