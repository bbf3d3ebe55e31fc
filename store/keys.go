package store

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"newsfeed/record"
)

// timeKey encodes t as 8 bytes that sort as t does: UnixNano with the sign
// bit flipped, so that times before 1970 sort before those after. Times
// outside what UnixNano can hold (before 1678, after 2262) are clamped.
func timeKey(t time.Time) uint64 {
	var n int64
	switch {
	case t.Before(minTime):
		n = math.MinInt64
	case t.After(maxTime):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	return uint64(n) ^ 1<<63
}

// keyTime decodes a timeKey.
func keyTime(k uint64) time.Time {
	return time.Unix(0, int64(k^1<<63))
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// indexKey is at(8) | id: a record's entry in an index bucket.
func indexKey(at uint64, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, at)
	return append(k, id...)
}

// seqKey is a change-log key: the sequence number, big-endian.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

// state is what the store keeps about a record besides the record: its
// newest change-log entry, when it was first seen, and where it sits in
// the indexes, so that an update can move its index entries. A headline's
// state is its seq and what its JSON says; an article's or interview's
// is kept beside its blob key (see the package doc).
type state struct {
	seq       uint64
	firstSeen int64 // UnixNano
	at        uint64
	site      string
	column    string
}

// newState returns the state of a record first seen at firstSeen and
// ordered by published when known, else by firstSeen; site and column
// are indexed only when they are names (see indexName).
func newState(firstSeen time.Time, published *time.Time, site, column string) state {
	st := state{firstSeen: firstSeen.UnixNano(), site: indexName(site), column: indexName(column)}
	if published != nil {
		st.at = timeKey(*published)
	} else {
		st.at = timeKey(firstSeen)
	}
	return st
}

// headlineState returns the state of stored headline h whose newest
// change-log entry is seq.
func headlineState(seq uint64, h *record.Headline) state {
	st := newState(h.FirstSeen, h.Published, h.Site, h.Column)
	st.seq = seq
	return st
}

// appendTo appends st's encoding to b:
// seq(8) | first_seen(8) | at(8) | len(site)(2) | site | column.
func (st state) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, st.seq)
	b = binary.BigEndian.AppendUint64(b, uint64(st.firstSeen))
	b = binary.BigEndian.AppendUint64(b, st.at)
	b = binary.BigEndian.AppendUint16(b, uint16(len(st.site)))
	b = append(b, st.site...)
	return append(b, st.column...)
}

var errBadState = errors.New("malformed state value")

// decodeState reverses state.appendTo. The strings are copied out of b.
func decodeState(b []byte) (state, error) {
	if len(b) < 26 {
		return state{}, errBadState
	}
	n := int(binary.BigEndian.Uint16(b[24:]))
	if len(b) < 26+n {
		return state{}, errBadState
	}
	return state{
		seq:       binary.BigEndian.Uint64(b[0:]),
		firstSeen: int64(binary.BigEndian.Uint64(b[8:])),
		at:        binary.BigEndian.Uint64(b[16:]),
		site:      string(b[26 : 26+n]),
		column:    string(b[26+n:]),
	}, nil
}

// A record bucket's values (schema 2) start with the key of the blob that
// holds the record's JSON:
//
//	headlines/              id → blob key(8) | seq(8)
//	articles/, interviews/  id → blob key(8) | state
//
// A headline's first_seen, time, site and column are in its JSON, so only
// its seq is kept; an interview's time, site and column are its article's,
// so an article's or interview's whole state is kept.

var errBadValue = errors.New("malformed record value")

// headlineValue returns a headline's value: blob key | seq(8).
func headlineValue(blob []byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(make([]byte, 0, 16), blob...), seq)
}

// docValue returns an article's or interview's value: blob key | state.
func docValue(blob []byte, st state) []byte {
	return st.appendTo(append(make([]byte, 0, 8+26+len(st.site)+len(st.column)), blob...))
}

// splitDocValue returns a doc value's blob key and state.
func splitDocValue(v []byte) (blob []byte, st state, err error) {
	if len(v) < 8 {
		return nil, state{}, errBadValue
	}
	st, err = decodeState(v[8:])
	return v[:8], st, err
}

// valueSeq returns the seq in a record value of any kind.
func valueSeq(v []byte) (uint64, error) {
	if len(v) < 16 {
		return 0, errBadValue
	}
	return binary.BigEndian.Uint64(v[8:]), nil
}
