package store

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
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
// the indexes, so that an update can move its index entries.
type state struct {
	seq       uint64
	firstSeen int64 // UnixNano
	at        uint64
	site      string
	column    string
}

// encode returns seq(8) | first_seen(8) | at(8) | len(site)(2) | site | column.
func (st state) encode() []byte {
	b := make([]byte, 26, 26+len(st.site)+len(st.column))
	binary.BigEndian.PutUint64(b[0:], st.seq)
	binary.BigEndian.PutUint64(b[8:], uint64(st.firstSeen))
	binary.BigEndian.PutUint64(b[16:], st.at)
	binary.BigEndian.PutUint16(b[24:], uint16(len(st.site)))
	b = append(b, st.site...)
	return append(b, st.column...)
}

var errBadState = errors.New("malformed state value")

// decodeState reverses state.encode. The strings are copied out of b.
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
