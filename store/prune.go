package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// Retention says how long records are kept.
type Retention struct {
	// Ages holds, per kind, the age past which a record is deleted: a
	// headline once its last_seen is older, an article or interview once
	// its published time (when unknown, when it was first seen) is. A
	// kind with no age, or a zero one, is kept forever.
	Ages map[record.Kind]time.Duration
	// Log is the age past which change-log entries superseded by a newer
	// entry of the same record, and tombstones, are dropped: counted from
	// when they were superseded, or written for a tombstone. Zero means
	// the longest of Ages; with no Ages either, nothing is dropped.
	Log time.Duration
}

// ParseRetention parses "headline=30d,article=365d,log=400d": a kind (or
// "log", for Retention.Log) and an age per item; ages are Go durations or
// a whole number of days ("30d"). An empty string is no retention.
func ParseRetention(s string) (Retention, error) {
	r := Retention{Ages: map[record.Kind]time.Duration{}}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, age, ok := strings.Cut(item, "=")
		if !ok {
			return r, fmt.Errorf("retention %q: want KIND=AGE, as in headline=30d", item)
		}
		d, err := ParseAge(strings.TrimSpace(age))
		if err != nil {
			return r, fmt.Errorf("retention %q: %w", item, err)
		}
		switch k := record.Kind(strings.TrimSpace(name)); k {
		case record.KindArticle, record.KindInterview, record.KindHeadline:
			r.Ages[k] = d
		case "log":
			r.Log = d
		default:
			return r, fmt.Errorf("retention %q: unknown kind %q (article, interview, headline or log)", item, k)
		}
	}
	return r, nil
}

// ParseAge parses an age: a Go duration ("720h") or whole days ("30d"),
// as ParseDuration reads them, of at most 100,000 days. It must be
// positive.
func ParseAge(s string) (time.Duration, error) {
	d, err := ParseDuration(s)
	var de *DurationError
	switch {
	case errors.As(err, &de) && de.Days, err == nil && strings.HasSuffix(s, "d") && d > maxAgeDays*day:
		return 0, fmt.Errorf("age %q: want a number of days, as in 30d", s)
	case err != nil:
		return 0, fmt.Errorf("age %q: want 30d or a duration such as 12h", s)
	case d <= 0:
		return 0, fmt.Errorf("age %q: must be positive", s)
	}
	return d, nil
}

// maxAgeDays is the longest age ParseAge takes, in days.
const maxAgeDays = 100_000

// day is the unit of "30d".
const day = 24 * time.Hour

// MaxDays is the most days a time.Duration holds, and so ParseDuration
// reads.
const MaxDays = math.MaxInt64 / int64(day)

// ParseDuration parses a length of time as newsfeed writes one, on the
// command line and in the sources file alike: Go's syntax ("90s", "10m",
// "1h30m") or a whole number of days ("7d"); "0" is zero and a sign is
// allowed. Its errors are *DurationError. It does not trim white space.
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		var ne *strconv.NumError
		switch {
		case errors.As(err, &ne) && ne.Err == strconv.ErrRange, err == nil && (n > MaxDays || n < -MaxDays):
			return 0, &DurationError{Text: s, Days: true, Range: true}
		case err != nil:
			return 0, &DurationError{Text: s, Days: true}
		}
		return time.Duration(n) * day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		// Well formed, it is too long to hold.
		return 0, &DurationError{Text: s, Range: goDuration.MatchString(s)}
	}
	return d, nil
}

// goDuration is the syntax of time.ParseDuration.
var goDuration = regexp.MustCompile(`^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$`)

// DurationError is a length of time ParseDuration cannot read. Callers
// word it for where it was written.
type DurationError struct {
	Text  string // as given
	Days  bool   // written as days ("7d")
	Range bool   // well formed, but longer than a time.Duration holds
}

func (e *DurationError) Error() string {
	if e.Range {
		return fmt.Sprintf("bad duration %q: out of range", e.Text)
	}
	return fmt.Sprintf("bad duration %q", e.Text)
}

// String formats r as ParseRetention reads it.
func (r Retention) String() string {
	var parts []string
	for _, k := range kinds {
		if d := r.Ages[k]; d > 0 {
			parts = append(parts, string(k)+"="+FormatDuration(d))
		}
	}
	if r.Log > 0 {
		parts = append(parts, "log="+FormatDuration(r.Log))
	}
	return strings.Join(parts, ",")
}

// FormatDuration writes d as ParseDuration reads it: a positive whole
// number of days as "30d", else Go's syntax.
func FormatDuration(d time.Duration) string {
	if d > 0 && d%day == 0 {
		return strconv.Itoa(int(d/day)) + "d"
	}
	return d.String()
}

// logAge is the age past which droppable change-log entries go.
func (r Retention) logAge() time.Duration {
	if r.Log > 0 {
		return r.Log
	}
	var longest time.Duration
	for _, d := range r.Ages {
		longest = max(longest, d)
	}
	return longest
}

// PruneOptions configure Prune.
type PruneOptions struct {
	Retention
	// DryRun counts what would go, and changes nothing.
	DryRun bool
	// BatchSize is how many records or log entries one transaction
	// deletes; zero means DefaultPruneBatch. A crash loses at most the
	// batch in flight, which the next prune deletes.
	BatchSize int
}

// DefaultPruneBatch is PruneOptions.BatchSize's default.
const DefaultPruneBatch = 10_000

// PruneResult counts what Prune deleted, or would delete.
type PruneResult struct {
	// Deleted counts records per kind.
	Deleted map[record.Kind]int
	// Dropped counts change-log entries dropped.
	Dropped int
	// LogFloor is LogFloor after the prune.
	LogFloor uint64
}

// Total returns the number of records deleted.
func (r PruneResult) Total() int {
	n := 0
	for _, d := range r.Deleted {
		n += d
	}
	return n
}

// Prune applies opts.Retention: it deletes every record past its kind's
// age, each with a tombstone in the change log (see Delete), then drops
// the change-log entries past the log's age. Each transaction deletes at
// most opts.BatchSize; readers never wait on more than one. It finds
// what to delete from the front of an index — headlines by last_seen,
// articles and interviews by time — so a prune with nothing to delete
// costs a few cursor seeks, however large the database.
func (s *Store) Prune(ctx context.Context, opts PruneOptions) (PruneResult, error) {
	res := PruneResult{Deleted: map[record.Kind]int{}}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = DefaultPruneBatch
	}
	now := s.now()
	for _, k := range kinds {
		age := opts.Ages[k]
		if age <= 0 {
			continue
		}
		cutoff := timeKey(now.Add(-age))
		for {
			var ids []string
			err := s.view(func(tx *bolt.Tx) error {
				limit := batch
				if opts.DryRun {
					limit = -1
				}
				ids = expired(tx, k, cutoff, limit)
				return nil
			})
			if err != nil {
				return res, fmt.Errorf("store: prune %s: %w", k, err)
			}
			if opts.DryRun || len(ids) == 0 {
				res.Deleted[k] += len(ids)
				break
			}
			for _, id := range ids {
				if KindOf(id) != k {
					// The index holds what was never an id of its kind.
					return res, fmt.Errorf("store: prune %s: %w", k,
						&recordDamage{what: fmt.Sprintf("index %s entry %q", k, id), err: errors.New("not a record id")})
				}
			}
			n, err := s.Delete(ctx, ids...)
			if err != nil {
				return res, fmt.Errorf("store: prune %s: %w", k, err)
			}
			res.Deleted[k] += n
			if len(ids) < batch {
				break
			}
		}
	}
	if age := opts.logAge(); age > 0 {
		cutoff := timeKey(now.Add(-age))
		for more := true; more; {
			if opts.DryRun {
				err := s.view(func(tx *bolt.Tx) error {
					res.Dropped = countDroppable(tx, cutoff)
					return nil
				})
				if err != nil {
					return res, fmt.Errorf("store: prune log: %w", err)
				}
				break
			}
			if !s.hasDroppable(cutoff) {
				break
			}
			err := s.update(ctx, func(w *writer) error {
				n, m, err := w.dropLog(cutoff, batch)
				res.Dropped += n
				more = m
				return err
			})
			if err != nil {
				return res, fmt.Errorf("store: prune log: %w", err)
			}
		}
	}
	floor, err := s.LogFloor(ctx)
	res.LogFloor = floor
	return res, err
}

// expired returns the ids of up to limit records of kind k (all when
// limit < 0) whose retention time is before cutoff, oldest first.
func expired(tx *bolt.Tx, k record.Kind, cutoff uint64, limit int) []string {
	parent := bucketByKind
	if k == record.KindHeadline {
		parent = bucketByLastSeen
	}
	b := nested(tx.Bucket(bucketIndex), parent, []byte(k))
	if b == nil {
		return nil
	}
	var ids []string
	c := b.Cursor()
	for key, _ := c.First(); len(key) > 8 && binary.BigEndian.Uint64(key) < cutoff; key, _ = c.Next() {
		if len(ids) == limit {
			break
		}
		ids = append(ids, string(key[8:]))
	}
	return ids
}

// hasDroppable reports whether a change-log entry became droppable
// before cutoff.
func (s *Store) hasDroppable(cutoff uint64) bool {
	found := false
	s.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketDroppable).Cursor().First()
		found = len(k) == 16 && binary.BigEndian.Uint64(k) < cutoff
		return nil
	})
	return found
}

// countDroppable counts the change-log entries dropLog would drop.
func countDroppable(tx *bolt.Tx, cutoff uint64) int {
	n := 0
	changes := tx.Bucket(bucketChanges)
	c := tx.Bucket(bucketDroppable).Cursor()
	for k, _ := c.First(); len(k) == 16 && binary.BigEndian.Uint64(k) < cutoff; k, _ = c.Next() {
		if changes.Get(k[8:]) != nil {
			n++
		}
	}
	return n
}

// PruneItems deletes the cached items (see LatestItems) of records that
// no feed of up to limit items shows any more: those outside the newest
// limit of every kind, site and column, and of every site within a
// column. It returns how many it deleted. Dropping an item a feed still
// shows costs only its rendering the next time.
func (s *Store) PruneItems(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("store: prune items: limit %d is not positive", limit)
	}
	keep := map[string]bool{}
	var drop [][]byte
	err := s.view(func(tx *bolt.Tx) error {
		items := tx.Bucket(bucketItems)
		if items.Stats().KeyN == 0 {
			return nil
		}
		idx := tx.Bucket(bucketIndex)
		if err := keepNewest(tx, idx.Bucket(bucketByKind), limit, false, keep); err != nil {
			return err
		}
		for _, group := range [][]byte{bucketBySite, bucketByColumn} {
			parent := idx.Bucket(group)
			err := parent.ForEachBucket(func(name []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				return keepNewest(tx, parent.Bucket(name), limit, bytes.Equal(group, bucketByColumn), keep)
			})
			if err != nil {
				return err
			}
		}
		return items.ForEach(func(id, _ []byte) error {
			if !keep[string(id)] {
				drop = append(drop, copyBytes(id))
			}
			return nil
		})
	})
	if err != nil || len(drop) == 0 {
		return 0, err
	}
	err = s.update(ctx, func(w *writer) error {
		for _, id := range drop {
			if err := w.items.Delete(id); err != nil {
				return err
			}
		}
		w.dirty = true
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune items: %w", err)
	}
	return len(drop), nil
}

// keepNewest marks in keep the newest limit ids of each kind bucket
// under parent; perSite also marks the newest limit of each site in
// them (a column's feed narrowed to a site), walking at most
// 20 × limit entries.
func keepNewest(tx *bolt.Tx, parent *bolt.Bucket, limit int, perSite bool, keep map[string]bool) error {
	for _, k := range kinds {
		b := parent.Bucket([]byte(k))
		if b == nil {
			continue
		}
		sites := map[string]int{}
		c := b.Cursor()
		n := 0
		for key, _ := c.Last(); len(key) > 8; key, _ = c.Prev() {
			if n >= limit && (!perSite || n >= 20*limit) {
				break
			}
			id := key[8:]
			if n < limit {
				keep[string(id)] = true
			}
			if perSite {
				st, err := storedState(tx, k, id)
				if err != nil {
					return fmt.Errorf("state of %s: %w", id, err)
				}
				if sites[st.site] < limit {
					keep[string(id)] = true
				}
				sites[st.site]++
			}
			n++
		}
	}
	return nil
}
