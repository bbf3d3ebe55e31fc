package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"newsfeed/record"
)

// RecordProblem is one record, or blob, that a scan found damaged.
type RecordProblem struct {
	// Page is the page it was read from, or 0 when its page was lost.
	Page uint64
	// Bucket is "blobs", "articles", "interviews" or "headlines".
	Bucket string
	// Key is the record's id, or a blob's key in hex.
	Key string
	// Detail says what is wrong.
	Detail string
}

func (p RecordProblem) String() string {
	if p.Page == 0 {
		return fmt.Sprintf("bucket %s, %s: %s", p.Bucket, p.Key, p.Detail)
	}
	return fmt.Sprintf("page %d (bucket %s), %s: %s", p.Page, p.Bucket, p.Key, p.Detail)
}

// DamageReport is what a scan of the file's bytes found: damaged pages,
// records that fail their checksums, and the records lost with them.
type DamageReport struct {
	// FilePages lists the damaged pages of the file; what hangs under
	// one is not read.
	FilePages []FilePageProblem
	// Records lists the records and blobs whose checksum fails.
	Records []RecordProblem
	// Lost lists the ids of records that cannot be read whole: their
	// value or blob fails its checksum or sat on a damaged page (known
	// from the indexes and the change log).
	Lost []string
	// Good counts the records that can be read whole.
	Good int
	// Swept lists the ids of records read from pages cut off from the
	// tree (see Salvage): whole, but when the change log's newer
	// entries were lost too, possibly an older version of the record.
	Swept []string
	// lastSeq is the change log's sequence, as read.
	lastSeq uint64
}

// Damaged reports whether the scan found any damage.
func (r *DamageReport) Damaged() bool { return len(r.FilePages) > 0 || len(r.Records) > 0 }

// Err returns nil for a report with no damage, else a *DamagedError for
// its first problem.
func (r *DamageReport) Err(path string) error {
	switch {
	case len(r.FilePages) > 0:
		p := r.FilePages[0]
		return damaged(path, int64(p.Page), "bucket %s: %s; %d damaged pages, %d records lost", bucketName(p.Bucket), p.Detail, len(r.FilePages), len(r.Lost))
	case len(r.Records) > 0:
		p := r.Records[0]
		return damaged(path, int64(p.Page), "bucket %s, %s: %s; %d records lost", p.Bucket, p.Key, p.Detail, len(r.Lost))
	}
	return nil
}

func bucketName(b string) string {
	if b == "" {
		return "(file)"
	}
	return b
}

// Scan reads the database's file byte by byte, without bbolt, and
// reports its damage (see ScanFile). The store's lock keeps writers out
// meanwhile.
func (s *Store) Scan(ctx context.Context) (*DamageReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ScanFile(s.path)
}

// ScanFile reads the bbolt file at path byte by byte, checking every
// page it can reach from the newest meta page and every record's
// checksum, and never trusting a page before checking it: it works on a
// file Open refuses as damaged. It fails only when the file cannot be
// read or has no valid meta page.
func ScanFile(path string) (rep *DamageReport, err error) {
	defer protect(path, nil, &err)()
	sc, err := scanFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: scan %s: %w", path, err)
	}
	rep, _ = sc.records()
	return rep, nil
}

// goodRecords is what records() keeps for salvage: the record values and
// blobs whose checksums hold.
type goodRecords struct {
	values map[string]bool // bucket/key
	blobs  map[string]bool
	lost   map[string]bool
}

// records checks the checksums of every record value and blob the scan
// read, and finds the records lost.
func (sc *scan) records() (*DamageReport, *goodRecords) {
	rep := &DamageReport{FilePages: sc.problems}
	for _, b := range sc.buckets {
		if len(b.path) == 1 && b.path[0] == string(bucketChanges) {
			rep.lastSeq = b.seq
		}
	}
	good := &goodRecords{values: map[string]bool{}, blobs: map[string]bool{}, lost: map[string]bool{}}
	sums := sc.schema() >= checksumVersion
	if len(sc.problems) > 0 && sums {
		sc.addSwept()
	}
	sc.checkBlobs(rep, good, sums)
	present := sc.checkValues(rep, good, sums)
	if len(sc.problems) > 0 {
		sc.findLost(good, present)
	}
	for id := range good.lost {
		if !wellFormedID(id) {
			delete(good.lost, id) // a damaged key: reported above, names nothing
			continue
		}
		rep.Lost = append(rep.Lost, id)
	}
	sort.Strings(rep.Lost)
	rep.Swept = sc.swept
	return rep, good
}

// checkBlobs notes in good the blobs whose checksums hold (every blob
// when sums is false), and reports the others.
func (sc *scan) checkBlobs(rep *DamageReport, good *goodRecords, sums bool) {
	for _, kv := range sc.bucketKVs(string(bucketBlobs)) {
		if sums {
			if _, err := unseal(kv.key, kv.value); err != nil {
				rep.Records = append(rep.Records, RecordProblem{kv.page, string(bucketBlobs), fmt.Sprintf("blob %x", kv.key), err.Error()})
				continue
			}
		}
		good.blobs[string(kv.key)] = true
	}
}

// checkValues notes in good the record values whose checksums hold and
// whose blobs are good, reports the others (noting their records lost),
// and returns the ids of every record value the scan read.
func (sc *scan) checkValues(rep *DamageReport, good *goodRecords, sums bool) (present map[string]bool) {
	present = map[string]bool{}
	for _, k := range kinds {
		name := string(recordBucket(k))
		for _, kv := range sc.bucketKVs(name) {
			id := string(kv.key)
			present[id] = true
			if !wellFormedID(id) || KindOf(id) != k {
				rep.Records = append(rep.Records, RecordProblem{kv.page, name, fmt.Sprintf("%q", id), "not a record id of this bucket"})
				continue
			}
			v := kv.value
			if sums {
				var err error
				if v, err = unseal(kv.key, v); err != nil {
					rep.Records = append(rep.Records, RecordProblem{kv.page, name, fmt.Sprintf("%q", id), err.Error()})
					good.lost[id] = true
					continue
				}
			}
			if len(v) < 8 || !good.blobs[string(v[:8])] {
				rep.Records = append(rep.Records, RecordProblem{kv.page, name, id, "its blob is damaged or on a damaged page"})
				good.lost[id] = true
				continue
			}
			good.values[name+"/"+id] = true
			rep.Good++
		}
	}
	return present
}

// findLost notes in good the records whose values sat on a lost page:
// the indexes and the change log still name them.
func (sc *scan) findLost(good *goodRecords, present map[string]bool) {
	for _, k := range kinds {
		for _, kv := range sc.bucketKVs(string(bucketIndex), string(bucketByKind), string(k)) {
			if len(kv.key) > 8 && !present[string(kv.key[8:])] {
				good.lost[string(kv.key[8:])] = true
			}
		}
	}
	last := map[string]string{}
	for _, kv := range sc.bucketKVs(string(bucketChanges)) {
		var ch change
		if json.Unmarshal(kv.value, &ch) == nil && KindOf(ch.ID) != "" {
			last[ch.ID] = ch.Op
		}
	}
	for id, op := range last {
		if op != opDelete && !present[id] {
			good.lost[id] = true
		}
	}
}

// wellFormedID reports whether id can be a record id: a kind's prefix,
// then printable ASCII (record.ID makes 20 hex digits) with nothing a
// JSON string would escape; a damaged key seldom is.
func wellFormedID(id string) bool {
	if len(id) > 256 || KindOf(id) == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// schema returns the schema version the scan read from meta/; when
// meta/ was lost with a damaged page, this binary's: the file is taken
// for one it wrote.
func (sc *scan) schema() uint64 {
	for _, kv := range sc.bucketKVs(string(bucketMeta)) {
		if string(kv.key) == string(keySchema) && len(kv.value) == 8 {
			return binary.BigEndian.Uint64(kv.value)
		}
	}
	if len(sc.problems) > 0 {
		return SchemaVersion
	}
	return 0
}

// addSwept adds to the values the walk read the records and blobs that
// sweep finds on pages the walk did not reach, for the records the walk
// did not find: each with its blob, and none that a deleted/ entry
// newer than it names.
func (sc *scan) addSwept() {
	recs, blobs, deleted := sc.sweep()
	present := map[string]bool{}
	for _, k := range kinds {
		for _, kv := range sc.bucketKVs(string(recordBucket(k))) {
			present[string(kv.key)] = true
		}
	}
	for _, kv := range sc.bucketKVs(string(bucketDeleted)) {
		if len(kv.value) == 8 {
			deleted[string(kv.key)] = max(deleted[string(kv.key)], binary.BigEndian.Uint64(kv.value))
		}
	}
	// The change log says which seq is each record's newest: a swept
	// value older than that is a version since replaced (its page was
	// freed), not the record.
	newest := map[string]uint64{}
	for _, kv := range sc.bucketKVs(string(bucketChanges)) {
		if ch, err := decodeChange(kv.value); err == nil && len(kv.key) == 8 {
			newest[ch.ID] = max(newest[ch.ID], binary.BigEndian.Uint64(kv.key))
		}
	}
	treeBlobs := map[string]bool{}
	for _, kv := range sc.bucketKVs(string(bucketBlobs)) {
		treeBlobs[string(kv.key)] = true
	}
	ids := make([]string, 0, len(recs))
	for id := range recs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		kv := recs[id]
		seq := binary.BigEndian.Uint64(kv.value[8:])
		if present[id] || deleted[id] > seq || newest[id] > seq {
			continue
		}
		blob := string(kv.value[:8])
		b, ok := blobs[blob]
		if !ok && !treeBlobs[blob] {
			continue
		}
		if ok && !treeBlobs[blob] {
			sc.kvs = append(sc.kvs, b)
			treeBlobs[blob] = true
		}
		sc.kvs = append(sc.kvs, kv)
		sc.swept = append(sc.swept, id)
	}
}

// SalvageResult says what Salvage copied.
type SalvageResult struct {
	// Report is the damage found in the source.
	Report *DamageReport
	// Records counts the records copied; Relogged those whose newest
	// change-log entry was lost and that were logged again as updates;
	// Tombstones the lost records given a deletion in the change log, so
	// that a reader learns they are gone.
	Records, Relogged, Tombstones int
}

// Salvage copies every record whose checksum holds, with its blob, and
// everything else readable (pages, the change log, fetch state…) from
// the database file at path, damaged or not, into a new database at out,
// which must not exist. Damaged pages lose only what they hold. The copy
// is then mended so that check passes: indexes rebuilt, a record whose
// change-log entry was lost logged again, a lost record given a
// tombstone, and the log's count of dropped entries set to what is
// missing. path is never written.
func Salvage(ctx context.Context, path, out string, opts Options) (res SalvageResult, err error) {
	defer protect(path, nil, &err)()
	if _, err := os.Stat(out); err == nil {
		return res, fmt.Errorf("store: salvage: %s exists: name a new file", out)
	}
	sc, err := scanFile(path)
	if err != nil {
		return res, fmt.Errorf("store: salvage %s: %w", path, err)
	}
	rep, good := sc.records()
	res.Report = rep
	tmp := out + ".salvage"
	os.Remove(tmp)
	if err := writeSalvage(sc, good, tmp); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("store: salvage %s: %w", path, err)
	}
	opts.ReadOnly = false
	s, err := Open(ctx, tmp, opts)
	if err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("store: salvage %s: open the copy: %w", path, err)
	}
	err = s.update(ctx, func(w *writer) error {
		var err error
		res.Records, res.Relogged, res.Tombstones, err = w.mendSalvaged(good.lost)
		return err
	})
	if err == nil {
		_, err = s.Repair(ctx)
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = replaceFile(tmp, out, opts.NoSync)
	}
	if err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("store: salvage %s: %w", path, err)
	}
	return res, nil
}

// writeSalvage writes what sc read into a new bbolt file: every bucket
// met, with its sequence, and every value, but of the record buckets and
// blobs only those good holds.
func writeSalvage(sc *scan, good *goodRecords, file string) error {
	db, err := bolt.Open(file, 0o644, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, rb := range sc.buckets {
			if len(rb.path) == 0 {
				continue
			}
			b, err := createPath(tx, rb.path)
			if err != nil {
				return fmt.Errorf("bucket %s: %w", strings.Join(rb.path, "/"), err)
			}
			if err := b.SetSequence(rb.seq); err != nil {
				return err
			}
		}
		if err := putSalvaged(tx, sc.kvs, good); err != nil {
			return err
		}
		return finishSalvaged(tx)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// createPath returns the bucket at path (top-level bucket first) in tx,
// creating what is missing.
func createPath(tx *bolt.Tx, path []string) (*bolt.Bucket, error) {
	if len(path) == 0 {
		return nil, errors.New("no bucket")
	}
	b, err := tx.CreateBucketIfNotExists([]byte(path[0]))
	for _, name := range path[1:] {
		if err != nil {
			return nil, err
		}
		b, err = b.CreateBucketIfNotExists([]byte(name))
	}
	return b, err
}

// putSalvaged puts the key/values a scan read into tx, but for records
// and blobs that are not good and change-log entries that do not decode.
func putSalvaged(tx *bolt.Tx, kvs []rawKV, good *goodRecords) error {
	isRecord := map[string]bool{}
	for _, k := range kinds {
		isRecord[string(recordBucket(k))] = true
	}
	for _, kv := range kvs {
		if len(kv.path) == 0 {
			continue // the root holds only buckets
		}
		name := strings.Join(kv.path, "/")
		switch {
		case isRecord[name] && !good.values[name+"/"+string(kv.key)]:
			continue
		case name == string(bucketBlobs) && !good.blobs[string(kv.key)]:
			continue
		case name == string(bucketChanges):
			if _, err := decodeChange(kv.value); err != nil || len(kv.key) != 8 {
				continue // a damaged entry: mendSalvaged counts it as dropped
			}
		}
		b, err := createPath(tx, kv.path)
		if err != nil {
			return err
		}
		if b.Bucket(kv.key) != nil {
			continue
		}
		if err := b.Put(copyBytes(kv.key), copyBytes(kv.value)); err != nil {
			return fmt.Errorf("%s/%x: %w", name, kv.key, err)
		}
	}
	return nil
}

// finishSalvaged gives a salvaged file what damage may have cost it: a
// schema version, and the sequences of the change log and the blobs.
func finishSalvaged(tx *bolt.Tx) error {
	// A meta bucket lost with a damaged page: the file is taken for
	// one this binary wrote (its values' checksums held).
	if meta := tx.Bucket(bucketMeta); meta == nil || meta.Get(keySchema) == nil {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion)); err != nil {
			return err
		}
	}
	// A bucket whose header was lost restarts its sequence at 0: the
	// change log's and the blobs' go on after their last key.
	for _, name := range [][]byte{bucketChanges, bucketBlobs} {
		if b := tx.Bucket(name); b != nil {
			if k, _ := b.Cursor().Last(); len(k) == 8 && binary.BigEndian.Uint64(k) > b.Sequence() {
				if err := b.SetSequence(binary.BigEndian.Uint64(k)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// mendSalvaged makes a salvaged copy consistent: each record whose
// newest change-log entry is missing is logged again; each lost record
// gets a tombstone; deleted/ loses entries whose tombstone is gone; and
// log_dropped counts the entries missing.
func (w *writer) mendSalvaged(lost map[string]bool) (records, relogged, tombstones int, err error) {
	w.dirty = true
	for _, k := range kinds {
		n, fixed, err := w.relogSalvaged(k)
		records += n
		relogged += fixed
		if err != nil {
			return records, relogged, tombstones, err
		}
	}
	if tombstones, err = w.tombstoneLost(lost); err != nil {
		return records, relogged, tombstones, err
	}
	if err := w.dropStaleDeleted(); err != nil {
		return records, relogged, tombstones, err
	}
	return records, relogged, tombstones, w.recountDropped()
}

// relogSalvaged gives every record of kind k whose newest change-log
// entry is gone or is not its insert or update a new update entry. It
// returns how many records it read and how many it logged again.
func (w *writer) relogSalvaged(k record.Kind) (records, relogged int, err error) {
	type fix struct {
		id string
		v  []byte
	}
	var fixes []fix
	err = w.records[k].ForEach(func(id, v []byte) error {
		records++
		blob, st, err := splitValue(id, v)
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		if e := w.changes.Get(seqKey(st.seq)); e != nil {
			if ch, err := decodeChange(e); err == nil && ch.ID == string(id) && ch.Op != opDelete {
				return nil
			}
		}
		seq, err := w.changes.NextSequence()
		if err != nil {
			return err
		}
		if err := w.changes.Put(seqKey(seq), changeValue(opUpdate, k, string(id))); err != nil {
			return err
		}
		st.seq = seq
		fixes = append(fixes, fix{string(id), recordValue(id, copyBytes(blob), st)})
		return nil
	})
	if err != nil {
		return records, relogged, err
	}
	for _, f := range fixes {
		if err := w.records[k].Put([]byte(f.id), f.v); err != nil {
			return records, relogged, err
		}
		relogged++
	}
	return records, relogged, nil
}

// tombstoneLost logs a tombstone for each lost record that is not
// stored, in the order of their ids, and returns how many.
func (w *writer) tombstoneLost(lost map[string]bool) (tombstones int, err error) {
	ids := make([]string, 0, len(lost))
	for id := range lost {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		k := KindOf(id)
		if k == "" || w.records[k].Get([]byte(id)) != nil {
			continue
		}
		seq, err := w.changes.NextSequence()
		if err != nil {
			return tombstones, err
		}
		if err := w.changes.Put(seqKey(seq), changeValue(opDelete, k, id)); err != nil {
			return tombstones, err
		}
		if err := w.deleted.Put([]byte(id), seqKey(seq)); err != nil {
			return tombstones, err
		}
		tombstones++
	}
	return tombstones, nil
}

// dropStaleDeleted forgets the deleted/ entries whose tombstone is gone
// or is not one, and those of records that are stored.
func (w *writer) dropStaleDeleted() error {
	var stale [][]byte
	w.deleted.ForEach(func(id, v []byte) error {
		e := w.changes.Get(v)
		ch, err := decodeChange(e)
		k := KindOf(string(id))
		if e == nil || err != nil || ch.Op != opDelete || ch.ID != string(id) || k == "" || w.records[k].Get(id) != nil {
			stale = append(stale, copyBytes(id))
		}
		return nil
	})
	for _, id := range stale {
		if err := w.deleted.Delete(id); err != nil {
			return err
		}
	}
	return nil
}

// recountDropped sets log_dropped to the change-log entries missing
// below its sequence.
func (w *writer) recountDropped() error {
	n := uint64(0)
	c := w.changes.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	if last := w.changes.Sequence(); last >= n {
		if err := w.meta.Put(keyLogDropped, binary.BigEndian.AppendUint64(nil, last-n)); err != nil {
			return err
		}
	}
	return nil
}
