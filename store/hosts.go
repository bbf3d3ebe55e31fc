package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketFetchHostInfo is fetch/hostinfo/: host → JSON {until, reason,
// failing}, why each host of fetch/hosts/ is deferred. It sits beside
// fetch/hosts/ (whose values stay the bare time every reader of it
// expects) and is created by the first write that has a reason to keep,
// so a database without it is simply one with no reasons yet.
var bucketFetchHostInfo = []byte("hostinfo")

// HostDeferral is a host not to be contacted before Until, and why.
type HostDeferral struct {
	Host   string    `json:"-"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason,omitempty"`
	// Failing: deferred because its requests failed (an outage), not
	// because it asked for time.
	Failing bool `json:"failing,omitempty"`
}

// Hosts returns the hosts deferred until a time still to come, sorted by
// host, each with its reason when one was kept.
func (s *Store) Hosts(ctx context.Context) ([]HostDeferral, error) {
	until, err := s.HostDeferrals(ctx)
	if err != nil {
		return nil, err
	}
	why, err := s.HostReasons(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]HostDeferral, 0, len(until))
	for host, t := range until {
		d := why[host]
		d.Host, d.Until = host, t
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b HostDeferral) int { return strings.Compare(a.Host, b.Host) })
	return out, nil
}

// HostReasons returns the reasons kept for deferred hosts, by host.
func (s *Store) HostReasons(ctx context.Context) (map[string]HostDeferral, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]HostDeferral{}
	err := s.db.View(func(tx *bolt.Tx) error {
		f := tx.Bucket(bucketFetch)
		if f == nil {
			return fmt.Errorf("database is missing bucket %s", bucketFetch)
		}
		b := f.Bucket(bucketFetchHostInfo)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			d := HostDeferral{Host: string(k)}
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			out[d.Host] = d
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: fetch state %s/%s: %w", bucketFetch, bucketFetchHostInfo, err)
	}
	return out, nil
}

// PutHostReasons keeps why each of hosts is deferred, and forgets the
// reasons of deferrals that have run out.
func (s *Store) PutHostReasons(ctx context.Context, hosts []HostDeferral) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		f := tx.Bucket(bucketFetch)
		if f == nil {
			return fmt.Errorf("database is missing bucket %s", bucketFetch)
		}
		b := f.Bucket(bucketFetchHostInfo)
		if b == nil {
			if len(hosts) == 0 {
				return nil
			}
			var err error
			if b, err = f.CreateBucket(bucketFetchHostInfo); err != nil {
				return err
			}
		}
		var expired [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var d HostDeferral
			if json.Unmarshal(v, &d) != nil || !d.Until.After(now) {
				expired = append(expired, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		for _, d := range hosts {
			v, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(d.Host), v); err != nil {
				return fmt.Errorf("%s: %w", d.Host, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put fetch state %s/%s: %w", bucketFetch, bucketFetchHostInfo, err)
	}
	return nil
}

// ErrNoSuchHost is returned by ClearHost for a host that is not deferred.
var ErrNoSuchHost = errors.New("host is not deferred")

// ClearHost forgets host's deferral (host as stored: lower case, with its
// port if any), so that the next run asks it again. A host that is not
// deferred gives an error wrapping ErrNoSuchHost.
func (s *Store) ClearHost(ctx context.Context, host string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key := []byte(strings.ToLower(host))
	err := s.db.Update(func(tx *bolt.Tx) error {
		hosts, err := fetchBucket(tx, bucketFetchHosts)
		if err != nil {
			return err
		}
		if hosts.Get(key) == nil {
			return fmt.Errorf("%s: %w", key, ErrNoSuchHost)
		}
		if err := hosts.Delete(key); err != nil {
			return err
		}
		if info := tx.Bucket(bucketFetch).Bucket(bucketFetchHostInfo); info != nil {
			return info.Delete(key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: clear host: %w", err)
	}
	return nil
}
