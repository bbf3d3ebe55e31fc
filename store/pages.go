package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SourceInfo is what the store remembers of a page it has stored: the
// value of the pages bucket, keyed by source. (A fetched URL's HTTP
// validators are its fetch state, record.URLState, in fetch/urls/.)
type SourceInfo struct {
	// ContentHash is the article's content hash when last stored.
	ContentHash string    `json:"content_hash"`
	ArticleID   string    `json:"article_id"`
	FirstSeen   time.Time `json:"first_seen"`
	// LastSeen is when the page was last stored with other content; an
	// unchanged page is not written, so it does not move.
	LastSeen time.Time `json:"last_seen"`
}

// Source returns what the store remembers of the page read from source,
// and whether it has stored that source at all.
func (s *Store) Source(ctx context.Context, source string) (SourceInfo, bool, error) {
	var info SourceInfo
	if err := ctx.Err(); err != nil {
		return info, false, err
	}
	var found bool
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPages).Get([]byte(source))
		if v == nil {
			return nil
		}
		found = true
		return storedDamage(json.Unmarshal(v, &info)) // decoding copies out of the tx
	})
	if err != nil {
		return SourceInfo{}, false, fmt.Errorf("store: page %s: %w", source, err)
	}
	return info, found, nil
}
