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
// newest change-log entry, when it was first and last seen, and where it
// sits in the indexes, so that an update can move its index entries and a
// deletion can remove them. Every kind keeps it the same way, beside its
// blob key (see recordValue).
type state struct {
	seq       uint64
	firstSeen int64 // UnixNano
	// lastSeen is a headline's last_seen, and for an article or
	// interview when it was last written (UnixNano). A headline is
	// indexed under it, for retention.
	lastSeen int64
	at       uint64
	site     string
	column   string
}

// newState returns the state of a record first seen at firstSeen and
// ordered by published when known, else by firstSeen; site and column
// are indexed only when they are names (see indexName). lastSeen starts
// at firstSeen.
func newState(firstSeen time.Time, published *time.Time, site, column string) state {
	st := state{firstSeen: firstSeen.UnixNano(), lastSeen: firstSeen.UnixNano(),
		site: indexName(site), column: indexName(column)}
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
	if !h.LastSeen.IsZero() {
		st.lastSeen = h.LastSeen.UnixNano()
	}
	return st
}

// lastSeenKey is st's last_seen as an index key, ordered as timeKey is.
func (st state) lastSeenKey() uint64 { return uint64(st.lastSeen) ^ 1<<63 }

// stateSize is the fixed part of an encoded state.
const stateSize = 34

// appendTo appends st's encoding to b: seq(8) | first_seen(8) | at(8) |
// last_seen(8) | len(site)(2) | site | column.
func (st state) appendTo(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, st.seq)
	b = binary.BigEndian.AppendUint64(b, uint64(st.firstSeen))
	b = binary.BigEndian.AppendUint64(b, st.at)
	b = binary.BigEndian.AppendUint64(b, uint64(st.lastSeen))
	b = binary.BigEndian.AppendUint16(b, uint16(len(st.site)))
	b = append(b, st.site...)
	return append(b, st.column...)
}

var errBadState = errors.New("malformed state value")

// decodeState reverses state.appendTo. The strings are copied out of b.
func decodeState(b []byte) (state, error) {
	if len(b) < stateSize {
		return state{}, errBadState
	}
	n := int(binary.BigEndian.Uint16(b[32:]))
	if len(b) < stateSize+n {
		return state{}, errBadState
	}
	return state{
		seq:       binary.BigEndian.Uint64(b[0:]),
		firstSeen: int64(binary.BigEndian.Uint64(b[8:])),
		at:        binary.BigEndian.Uint64(b[16:]),
		lastSeen:  int64(binary.BigEndian.Uint64(b[24:])),
		site:      string(b[stateSize : stateSize+n]),
		column:    string(b[stateSize+n:]),
	}, nil
}

// A record bucket's value (schema 3), for every kind, is the key of the
// blob that holds the record's JSON, then its state:
//
//	articles/, interviews/, headlines/  id → blob key(8) | state
//
// (Schema 2 kept only a headline's seq, and read the rest from its JSON;
// see the schema 2 helpers in schema.go.)

var errBadValue = errors.New("malformed record value")

// recordValue returns record id's value: blob key | state | CRC-32C of
// the id and both (see seal).
func recordValue(id, blob []byte, st state) []byte {
	return seal(id, recordValueV3(blob, st))
}

// recordValueV3 is a record's value as schema 3 to 6 wrote it, with no
// checksum: blob key | state.
func recordValueV3(blob []byte, st state) []byte {
	return st.appendTo(append(make([]byte, 0, 8+stateSize+len(st.site)+len(st.column)+sumSize), blob...))
}

// splitValue returns record id's value's blob key and state, after
// checking its checksum.
func splitValue(id, v []byte) (blob []byte, st state, err error) {
	v, err = unseal(id, v)
	if err != nil {
		return nil, state{}, err
	}
	return splitValueV3(v)
}

// splitValueV3 splits a value with no checksum.
func splitValueV3(v []byte) (blob []byte, st state, err error) {
	if len(v) < 8 {
		return nil, state{}, errBadValue
	}
	st, err = decodeState(v[8:])
	return v[:8], st, err
}

// valueSeq returns the seq in a record value, without decoding the rest.
func valueSeq(v []byte) (uint64, error) {
	if len(v) < 8+stateSize+sumSize {
		return 0, errBadValue
	}
	return binary.BigEndian.Uint64(v[8:]), nil
}
