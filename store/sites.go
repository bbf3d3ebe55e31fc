package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// bucketFetchSites is fetch/sites/: source name → JSON of a
// record.SiteState, the method a site source (type = "site") polls
// with. Like fetch/hostinfo/ it is created by the first write that has
// a state to keep, so a database without it is one with no site source
// discovered yet, and a newsfeed that does not know it leaves it alone.
var bucketFetchSites = []byte("sites")

// SiteStates returns the states kept of site sources, by source name.
func (s *Store) SiteStates(ctx context.Context) (map[string]record.SiteState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]record.SiteState{}
	err := s.view(func(tx *bolt.Tx) error {
		f := tx.Bucket(bucketFetch)
		if f == nil {
			return fmt.Errorf("database is missing bucket %s", bucketFetch)
		}
		b := f.Bucket(bucketFetchSites)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			st := record.SiteState{Source: string(k)}
			if err := json.Unmarshal(v, &st); err != nil { // decoding copies out of the tx
				return fmt.Errorf("%s: %w", k, storedDamage(err))
			}
			out[st.Source] = st
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: fetch state %s/%s: %w", bucketFetch, bucketFetchSites, err)
	}
	return out, nil
}

// PutSiteStates keeps states, each under its source's name, in one
// transaction.
func (s *Store) PutSiteStates(ctx context.Context, states []record.SiteState) error {
	if len(states) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.updateTx(func(tx *bolt.Tx) error {
		f := tx.Bucket(bucketFetch)
		if f == nil {
			return fmt.Errorf("database is missing bucket %s", bucketFetch)
		}
		b, err := f.CreateBucketIfNotExists(bucketFetchSites)
		if err != nil {
			return err
		}
		for _, st := range states {
			v, err := json.Marshal(st)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(st.Source), v); err != nil {
				return fmt.Errorf("%s: %w", st.Source, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put fetch state %s/%s: %w", bucketFetch, bucketFetchSites, err)
	}
	return nil
}
