package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"newsfeed/record"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The fetch state's buckets (see the package doc).
var (
	bucketFetch      = []byte("fetch")
	bucketFetchURLs  = []byte("urls")
	bucketFetchHosts = []byte("hosts")
	bucketFetchLists = []byte("lists")
)

// addFetchState is the migration that adds the fetch state: fetch/ and
// its urls/, hosts/ and lists/ buckets, and nothing else.
func addFetchState(tx *bolt.Tx) error {
	f, err := tx.CreateBucketIfNotExists(bucketFetch)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketFetch, err)
	}
	for _, name := range [][]byte{bucketFetchURLs, bucketFetchHosts, bucketFetchLists} {
		if _, err := f.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s/%s: %w", bucketFetch, name, err)
		}
	}
	return nil
}

// fetchBucket returns fetch/name in tx, or an error for a database that
// lacks it.
func fetchBucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	if f := tx.Bucket(bucketFetch); f != nil {
		if b := f.Bucket(name); b != nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("database is missing bucket %s/%s", bucketFetch, name)
}

// URLStates returns the stored state of each of urls that has one.
func (s *Store) URLStates(ctx context.Context, urls []string) (map[string]record.URLState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]record.URLState, len(urls))
	err := s.view(func(tx *bolt.Tx) error {
		b, err := fetchBucket(tx, bucketFetchURLs)
		if err != nil {
			return err
		}
		for _, u := range urls {
			v := b.Get([]byte(u))
			if v == nil {
				continue
			}
			st := record.URLState{URL: u}
			if err := json.Unmarshal(v, &st); err != nil { // decoding copies out of the tx
				return fmt.Errorf("%s: %w", u, storedDamage(err))
			}
			out[u] = st
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: fetch state: %w", err)
	}
	return out, nil
}

// SourceURLs returns the state of every URL that source found and first
// fetched at since or later, newest first: the articles a refresh
// fetches again.
func (s *Store) SourceURLs(ctx context.Context, source string, since time.Time) ([]record.URLState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []record.URLState
	err := s.view(func(tx *bolt.Tx) error {
		b, err := fetchBucket(tx, bucketFetchURLs)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			st := record.URLState{URL: string(k)}
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("%s: %w", k, storedDamage(err))
			}
			if st.Source == source && !st.FirstFetched.Before(since) {
				out = append(out, st)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: fetch state of %s: %w", source, err)
	}
	slices.SortStableFunc(out, func(a, b record.URLState) int { return b.FirstFetched.Compare(a.FirstFetched) })
	return out, nil
}

// PutURLStates stores states in one transaction.
func (s *Store) PutURLStates(ctx context.Context, states []record.URLState) error {
	if len(states) == 0 {
		return nil
	}
	return s.updateFetch(ctx, bucketFetchURLs, func(b *bolt.Bucket) error {
		for _, st := range states {
			v, err := json.Marshal(st)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(st.URL), v); err != nil {
				return fmt.Errorf("%s: %w", st.URL, err)
			}
		}
		return nil
	})
}

// HostDeferrals returns the hosts not to contact before a time still to
// come, with that time.
func (s *Store) HostDeferrals(ctx context.Context) (map[string]time.Time, error) {
	return s.times(ctx, bucketFetchHosts, s.now())
}

// PutHostDeferrals stores when each host may be contacted again, and
// forgets the deferrals that have run out.
func (s *Store) PutHostDeferrals(ctx context.Context, until map[string]time.Time) error {
	now := s.now()
	return s.updateFetch(ctx, bucketFetchHosts, func(b *bolt.Bucket) error {
		var expired [][]byte
		b.ForEach(func(k, v []byte) error {
			if len(v) != 8 || !unixNano(v).After(now) {
				expired = append(expired, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return putTimes(b, until)
	})
}

// ListPolls returns when each list page (by source name) was last polled.
func (s *Store) ListPolls(ctx context.Context) (map[string]time.Time, error) {
	return s.times(ctx, bucketFetchLists, time.Time{})
}

// PutListPolls stores when each list page (by source name) was polled.
func (s *Store) PutListPolls(ctx context.Context, polled map[string]time.Time) error {
	return s.updateFetch(ctx, bucketFetchLists, func(b *bolt.Bucket) error { return putTimes(b, polled) })
}

// times reads a bucket of name → UnixNano(8), keeping times after after.
func (s *Store) times(ctx context.Context, name []byte, after time.Time) (map[string]time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	err := s.view(func(tx *bolt.Tx) error {
		b, err := fetchBucket(tx, name)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("%s: %w", k, errBadValue)
			}
			if t := unixNano(v); t.After(after) {
				out[string(k)] = t
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: fetch state %s: %w", name, err)
	}
	return out, nil
}

// updateFetch runs fn on fetch/name in one write transaction.
func (s *Store) updateFetch(ctx context.Context, name []byte, fn func(b *bolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.updateTx(func(tx *bolt.Tx) error {
		b, err := fetchBucket(tx, name)
		if err != nil {
			return err
		}
		return fn(b)
	})
	if err != nil {
		return fmt.Errorf("store: put fetch state %s: %w", name, err)
	}
	return nil
}

func putTimes(b *bolt.Bucket, times map[string]time.Time) error {
	for k, t := range times {
		if err := b.Put([]byte(k), binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

func unixNano(v []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
}
