package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"reflect"

	bolt "go.etcd.io/bbolt"
)

// Every blob and every record value ends with a CRC-32C (Castagnoli) of
// its key and the value's bytes before it, big-endian, written in the
// same Put: a flipped byte inside a record or its key, which bbolt's
// page check cannot see, fails its checksum when it is read, and check,
// export and salvage name the record instead of printing broken JSON.

// sumSize is the length of the checksum after a value.
const sumSize = 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errChecksum says a value's bytes do not match its checksum.
var errChecksum = errors.New("checksum mismatch")

// checksum is the CRC-32C of key, then v.
func checksum(key, v []byte) uint32 {
	return crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, v)
}

// seal returns v, the value of key, with its checksum appended. v's
// spare capacity may be used: pass a slice the caller owns.
func seal(key, v []byte) []byte {
	return binary.BigEndian.AppendUint32(v, checksum(key, v))
}

// sealCopy returns a new slice: a copy of v with its checksum.
func sealCopy(key, v []byte) []byte {
	return seal(key, append(make([]byte, 0, len(v)+sumSize), v...))
}

// unseal returns v, the value of key, without its checksum, or
// errChecksum when the checksum does not hold. The result aliases v.
func unseal(key, v []byte) ([]byte, error) {
	if len(v) < sumSize {
		return nil, errChecksum
	}
	body := v[:len(v)-sumSize]
	if checksum(key, body) != binary.BigEndian.Uint32(v[len(body):]) {
		return nil, errChecksum
	}
	return body, nil
}

// recordDamage is an error for a record or blob whose checksum fails.
// It wraps ErrDamaged; the Store method that meets it returns a
// *DamagedError naming the file (see protect).
type recordDamage struct {
	what string
	err  error
}

func (e *recordDamage) Error() string { return e.what + ": " + e.err.Error() }

// Unwrap returns ErrDamaged.
func (e *recordDamage) Unwrap() error { return ErrDamaged }

// storedDamage marks err, from decoding a value the store wrote itself
// (a page's or a URL's JSON), as damage: what it wrote decoded.
func storedDamage(err error) error {
	if err == nil {
		return nil
	}
	return &recordDamage{what: "a stored value", err: err}
}

// missingRecord is the error for an index entry whose record is gone:
// the indexes and the records disagree, as after damage (check --repair
// rebuilds the indexes when nothing else is wrong).
func missingRecord(id []byte) error {
	return &recordDamage{what: fmt.Sprintf("index names %s", id), err: errors.New("which is missing")}
}

// blobData returns a blob's JSON after checking its checksum; nil raw
// (no such blob) gives nil, nil.
func blobData(key, raw []byte) ([]byte, error) {
	if raw == nil {
		return nil, nil
	}
	data, err := unseal(key, raw)
	if err != nil {
		return nil, &recordDamage{what: fmt.Sprintf("blob %x", key), err: err}
	}
	return data, nil
}

// recordState returns a record value's blob key and state; a value that
// fails its checksum gives a recordDamage naming id.
func recordState(id, v []byte) ([]byte, state, error) {
	blob, st, err := splitValue(id, v)
	if errors.Is(err, errChecksum) {
		return nil, state{}, &recordDamage{what: fmt.Sprintf("record %q", id), err: err}
	}
	return blob, st, err
}

// addChecksums is the migration that seals every blob and every record
// value with its checksum (see seal): whatever values the migrations
// before it left, it seals as they are. A value sealed already is left
// alone, so that running it twice changes nothing.
func addChecksums(tx *bolt.Tx) error {
	names := [][]byte{bucketBlobs}
	for _, k := range kinds {
		names = append(names, recordBucket(k))
	}
	for _, name := range names {
		b := tx.Bucket(name)
		if b == nil {
			return fmt.Errorf("database is missing bucket %s", name)
		}
		type kv struct{ k, v []byte }
		var out []kv
		err := b.ForEach(func(k, v []byte) error {
			if v == nil {
				return nil // a nested bucket: none are expected
			}
			if _, err := unseal(k, v); err == nil {
				// Sealed already: init runs the newest migration again
				// for a database of its version that lacks a bucket.
				return nil
			}
			out = append(out, kv{copyBytes(k), sealCopy(k, v)})
			return nil
		})
		if err != nil {
			return err
		}
		fill := b.FillPercent
		if string(name) == string(bucketBlobs) {
			b.FillPercent = 1.0
		}
		for _, e := range out {
			if err := b.Put(e.k, e.v); err != nil {
				return fmt.Errorf("seal %s/%x: %w", name, e.k, err)
			}
		}
		b.FillPercent = fill
	}
	return nil
}

// checksumVersion is the first schema version whose values carry
// checksums: the number of the migration addChecksums. A raw scan of an
// older file checks no record checksum.
var checksumVersion = func() uint64 {
	want := reflect.ValueOf(addChecksums).Pointer()
	for i, m := range migrations {
		if reflect.ValueOf(m).Pointer() == want {
			return uint64(i + 1)
		}
	}
	return SchemaVersion + 1
}()
