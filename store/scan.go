package store

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strings"
)

// This file reads a bbolt file without bbolt: every page is bounds-checked
// before it is believed, so that a damaged file is described, never
// crashed on. check and salvage use it; bbolt's own Tx.Check runs in a
// goroutine of its own, where a panic on a bad page cannot be recovered.
//
// The layout (bbolt 1.x, the same on every platform newsfeed runs on:
// little-endian):
//
//	page:    id(8) | flags(2) | count(2) | overflow(4) | data
//	meta:    magic(4) | version(4) | page size(4) | flags(4) |
//	         root bucket: root pgid(8) | sequence(8) |
//	         freelist pgid(8) | pgid(8) | txid(8) | checksum(8)
//	branch element: pos(4) | ksize(4) | pgid(8), key at element + pos
//	leaf element:   flags(4) | pos(4) | ksize(4) | vsize(4), key then
//	                value at element + pos; flags 1: the value is a
//	                bucket: root pgid(8) | sequence(8), and when the
//	                root is 0 an inline page follows.

const (
	pageHeaderSize = 16
	elemSize       = 16
	flagBranch     = 0x01
	flagLeaf       = 0x02
	flagMeta       = 0x04
	flagFreelist   = 0x10
	leafBucket     = 0x01
	metaChecksumAt = 56 // bytes of meta the checksum covers
)

// rawMeta is a meta page's fields.
type rawMeta struct {
	pageSize uint32
	root     uint64
	rootSeq  uint64
	freelist uint64
	pgid     uint64
	txid     uint64
}

// readMeta decodes the meta page at off in data, and reports whether it
// is valid: bbolt's magic, version 2 and a matching checksum.
func readMeta(data []byte, off int) (rawMeta, bool) {
	if off < 0 || off+pageHeaderSize+64 > len(data) {
		return rawMeta{}, false
	}
	m := data[off+pageHeaderSize : off+pageHeaderSize+64]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != 2 {
		return rawMeta{}, false
	}
	h := fnv.New64a()
	h.Write(m[:metaChecksumAt])
	if h.Sum64() != le.Uint64(m[56:]) {
		return rawMeta{}, false
	}
	return rawMeta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), rootSeq: le.Uint64(m[24:]),
		freelist: le.Uint64(m[32:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, true
}

// newestMeta returns the valid meta page with the highest txid, as bbolt
// picks it. The second meta page is looked for at the first one's page
// size, else at the usual page sizes.
func newestMeta(data []byte) (rawMeta, error) {
	m0, ok0 := readMeta(data, 0)
	sizes := []int{4096, 8192, 16384, 32768, 65536, os.Getpagesize()}
	if ok0 {
		sizes = []int{int(m0.pageSize)}
	}
	var m1 rawMeta
	ok1 := false
	for _, ps := range sizes {
		if m, ok := readMeta(data, ps); ok && (!ok0 || m.pageSize == m0.pageSize) {
			m1, ok1 = m, true
			break
		}
	}
	switch {
	case !ok0 && !ok1:
		return rawMeta{}, fmt.Errorf("both meta pages are invalid")
	case !ok0:
		return m1, nil
	case !ok1 || m0.txid >= m1.txid:
		return m0, nil
	}
	return m1, nil
}

// checkSize returns a *DamagedError when the file at path is shorter than
// the pages its meta page counts (a truncated copy), before bbolt maps
// it: bbolt would fault reading past the end. A file with no valid meta
// page is left to bbolt to refuse.
func checkSize(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // Open reports it
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	head := make([]byte, 2*65536+pageHeaderSize+64)
	n, _ := io.ReadFull(f, head)
	m, err := newestMeta(head[:n])
	if err != nil {
		return nil
	}
	if m.pageSize < 512 || m.pageSize > 1<<20 {
		return damaged(path, 0, "meta page names a page size of %d", m.pageSize)
	}
	need := int64(m.pgid) * int64(m.pageSize)
	if m.pgid > 1<<40 || need > fi.Size() {
		last := fi.Size() / int64(m.pageSize)
		return damaged(path, last, "truncated: the file has %d bytes, its pages need %d", fi.Size(), need)
	}
	return nil
}

// FilePageProblem is one damaged page of the file (bbolt's unit of
// storage, not a news page) that a scan found.
type FilePageProblem struct {
	// Page is the page's number.
	Page uint64
	// Bucket is the path of the bucket the page belongs to ("blobs",
	// "index/kind/article"), or "" for the file's own pages.
	Bucket string
	// Detail says what is wrong.
	Detail string
}

func (p FilePageProblem) String() string {
	b := p.Bucket
	if b == "" {
		b = "(file)"
	}
	return fmt.Sprintf("page %d (bucket %s): %s", p.Page, b, p.Detail)
}

// rawKV is one key/value that a scan read, in the bucket at path, on page.
type rawKV struct {
	path  []string
	page  uint64
	key   []byte
	value []byte
}

// rawBucket is one bucket a scan met, with its sequence.
type rawBucket struct {
	path []string
	seq  uint64
}

// scan is what one pass over a file's bytes found.
type scan struct {
	data     []byte
	meta     rawMeta
	problems []FilePageProblem
	// buckets lists every bucket met, parents first; kvs every value
	// read from a good page, in key order within each bucket.
	buckets []rawBucket
	kvs     []rawKV
	seen    map[uint64]bool
	// swept lists the records addSwept added.
	swept []string
}

// scanFile reads the file at path and walks its pages from the newest
// meta page. It fails only when the file cannot be read or has no valid
// meta page; every damaged page is listed in problems, and what hangs
// under it is not read.
func scanFile(path string) (*scan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return scanBytes(data)
}

// scanBytes walks data, a whole bbolt file.
func scanBytes(data []byte) (*scan, error) {
	m, err := newestMeta(data)
	if err != nil {
		return nil, err
	}
	if m.pageSize < 512 || m.pageSize > 1<<20 {
		return nil, fmt.Errorf("meta page names a page size of %d", m.pageSize)
	}
	s := &scan{data: data, meta: m, seen: map[uint64]bool{0: true, 1: true}}
	if need := int64(m.pgid) * int64(m.pageSize); m.pgid > 1<<40 || need > int64(len(data)) {
		s.problem(uint64(len(data))/uint64(m.pageSize), nil, "truncated: the file has %d bytes, its pages need %d", len(data), need)
	}
	s.freelist()
	s.buckets = append(s.buckets, rawBucket{path: nil, seq: m.rootSeq})
	s.walk(m.root, nil, 0)
	s.unreachable()
	return s, nil
}

func (s *scan) problem(page uint64, path []string, format string, args ...any) {
	s.problems = append(s.problems, FilePageProblem{Page: page, Bucket: strings.Join(path, "/"), Detail: fmt.Sprintf(format, args...)})
}

// page returns page id's bytes (with its overflow pages) after checking
// its header, or nil after noting the problem.
func (s *scan) page(id uint64, path []string, want uint16) []byte {
	ps := uint64(s.meta.pageSize)
	switch {
	case id < 2 || id >= s.meta.pgid:
		s.problem(id, path, "page number %d outside 2..%d", id, s.meta.pgid)
		return nil
	case (id+1)*ps > uint64(len(s.data)):
		s.problem(id, path, "past the end of the file (truncated)")
		return nil
	}
	off := id * ps
	h := s.data[off : off+pageHeaderSize]
	le := binary.LittleEndian
	if got := le.Uint64(h[0:]); got != id {
		s.problem(id, path, "page header says page %d", got)
		return nil
	}
	flags := le.Uint16(h[8:])
	if flags&want == 0 {
		s.problem(id, path, "unexpected page type %#x", flags)
		return nil
	}
	overflow := uint64(le.Uint32(h[12:]))
	end := off + (1+overflow)*ps
	if id+overflow >= s.meta.pgid || end > uint64(len(s.data)) {
		s.problem(id, path, "overflow of %d pages runs past the end", overflow)
		return nil
	}
	for i := uint64(0); i <= overflow; i++ {
		if s.seen[id+i] {
			s.problem(id+i, path, "page reached twice")
			return nil
		}
	}
	for i := uint64(0); i <= overflow; i++ {
		s.seen[id+i] = true
	}
	return s.data[off:end]
}

// maxDepth bounds how deep a walk goes: a damaged branch that points at
// itself through others stops here.
const maxDepth = 64

// walk reads the bucket whose root is page id.
func (s *scan) walk(id uint64, path []string, depth int) {
	if depth > maxDepth {
		s.problem(id, path, "tree deeper than %d", maxDepth)
		return
	}
	p := s.page(id, path, flagBranch|flagLeaf)
	if p == nil {
		return
	}
	s.node(id, p, path, depth)
}

// node reads one branch or leaf page p (page id, or an inline bucket's
// page when id is that of the page holding it).
func (s *scan) node(id uint64, p []byte, path []string, depth int) {
	le := binary.LittleEndian
	if len(p) < pageHeaderSize {
		s.problem(id, path, "inline bucket too short")
		return
	}
	flags := le.Uint16(p[8:])
	count := int(le.Uint16(p[10:]))
	if pageHeaderSize+count*elemSize > len(p) {
		s.problem(id, path, "%d elements do not fit in the page", count)
		return
	}
	switch {
	case flags&flagBranch != 0:
		s.branch(id, p, path, depth, count)
	case flags&flagLeaf != 0:
		s.leaf(id, p, path, depth, count)
	default:
		s.problem(id, path, "unexpected page type %#x", flags)
	}
}

// branch checks the count keys of branch page p, then walks its children.
func (s *scan) branch(id uint64, p []byte, path []string, depth, count int) {
	le := binary.LittleEndian
	var prev []byte
	children := make([]uint64, 0, count)
	for i := 0; i < count; i++ {
		e := pageHeaderSize + i*elemSize
		pos, ksize := int(le.Uint32(p[e:])), int(le.Uint32(p[e+4:]))
		if e+pos+ksize > len(p) || e+pos < e {
			s.problem(id, path, "branch element %d points outside the page", i)
			return
		}
		key := p[e+pos : e+pos+ksize]
		if prev != nil && string(key) <= string(prev) {
			s.problem(id, path, "branch keys out of order at element %d", i)
			return
		}
		prev = key
		children = append(children, le.Uint64(p[e+8:]))
	}
	for _, c := range children {
		s.walk(c, path, depth+1)
	}
}

// subBucket is a bucket held in a leaf: its name, root page and
// sequence; an inline bucket's root is 0 and inline is its page.
type subBucket struct {
	name   []byte
	root   uint64
	seq    uint64
	inline []byte
}

// leaf keeps the count key/values of leaf page p in s.kvs, then walks
// the buckets it holds.
func (s *scan) leaf(id uint64, p []byte, path []string, depth, count int) {
	subs, ok := s.leafElements(id, p, path, count)
	if !ok {
		return
	}
	le := binary.LittleEndian
	for _, b := range subs {
		child := append(append([]string(nil), path...), string(b.name))
		s.buckets = append(s.buckets, rawBucket{path: child, seq: b.seq})
		if b.inline != nil {
			if len(b.inline) < pageHeaderSize || le.Uint16(b.inline[8:])&flagLeaf == 0 {
				s.problem(id, child, "inline bucket is not a leaf")
				continue
			}
			s.node(id, b.inline, child, depth+1)
			continue
		}
		s.walk(b.root, child, depth+1)
	}
}

// leafElements reads leaf page p's elements: key/values into s.kvs, and
// the buckets it holds, returned. A page whose elements cannot be read
// in order adds none of its key/values, and ok is false.
func (s *scan) leafElements(id uint64, p []byte, path []string, count int) (subs []subBucket, ok bool) {
	le := binary.LittleEndian
	var prev []byte
	start := len(s.kvs)
	for i := 0; i < count; i++ {
		e := pageHeaderSize + i*elemSize
		ef := le.Uint32(p[e:])
		pos, ksize, vsize := int(le.Uint32(p[e+4:])), int(le.Uint32(p[e+8:])), int(le.Uint32(p[e+12:]))
		if pos < 0 || ksize < 0 || vsize < 0 || e+pos+ksize+vsize > len(p) || e+pos+ksize+vsize < e {
			s.problem(id, path, "leaf element %d points outside the page", i)
			s.kvs = s.kvs[:start]
			return nil, false
		}
		key := p[e+pos : e+pos+ksize]
		val := p[e+pos+ksize : e+pos+ksize+vsize]
		if prev != nil && string(key) <= string(prev) {
			s.problem(id, path, "leaf keys out of order at element %d", i)
			s.kvs = s.kvs[:start]
			return nil, false
		}
		prev = key
		switch {
		case ef&leafBucket != 0:
			if len(val) < 16 {
				s.problem(id, path, "bucket %q has a short header", key)
				continue
			}
			b := subBucket{name: key, root: le.Uint64(val), seq: le.Uint64(val[8:])}
			if b.root == 0 {
				b.inline = val[16:]
			}
			subs = append(subs, b)
		case ef != 0:
			s.problem(id, path, "leaf element %d has flags %#x", i, ef)
			s.kvs = s.kvs[:start]
			return nil, false
		default:
			s.kvs = append(s.kvs, rawKV{path: path, page: id, key: key, value: val})
		}
	}
	return subs, true
}

// freelist marks the free pages as seen, so that unreachable finds the
// pages that are neither used nor free.
func (s *scan) freelist() {
	if s.meta.freelist == ^uint64(0) { // not synced: bbolt rebuilds it
		return
	}
	p := s.page(s.meta.freelist, []string{"(freelist)"}, flagFreelist)
	if p == nil {
		return
	}
	le := binary.LittleEndian
	count, at := uint64(le.Uint16(p[10:])), pageHeaderSize
	if count == 0xFFFF {
		if len(p) < pageHeaderSize+8 {
			return
		}
		count, at = le.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > uint64(len(p)-at)/8 {
		s.problem(s.meta.freelist, []string{"(freelist)"}, "%d free pages do not fit in the page", count)
		return
	}
	for i := uint64(0); i < count; i++ {
		id := le.Uint64(p[at+int(i)*8:])
		if s.seen[id] {
			s.problem(id, []string{"(freelist)"}, "page both free and in use, or freed twice")
			continue
		}
		s.seen[id] = true
	}
}

// unreachable notes pages below the high-water mark that nothing uses
// and the freelist does not hold (only when nothing else is wrong: a
// damaged page hides what hangs under it).
func (s *scan) unreachable() {
	if len(s.problems) > 0 || s.meta.freelist == ^uint64(0) {
		return
	}
	n := 0
	for id := uint64(2); id < s.meta.pgid && n < 10; id++ {
		if !s.seen[id] {
			s.problem(id, nil, "unreachable and not free")
			n++
		}
	}
}

// bucketKVs returns the values read from the bucket at path.
func (s *scan) bucketKVs(path ...string) []rawKV {
	want := strings.Join(path, "/")
	var out []rawKV
	for _, kv := range s.kvs {
		if len(kv.path) == len(path) && strings.Join(kv.path, "/") == want {
			out = append(out, kv)
		}
	}
	return out
}

// sweep reads, as leaf pages of no known bucket, the pages in the file
// that the walk did not reach (cut off from the tree by a damaged branch
// or a truncated file, or free), and returns the record values and blobs
// whose checksums hold: the checksum binds each value to its key, so
// nothing else passes for one. A record met more than once keeps its
// newest value (the highest seq); deleted has the seq of each
// tombstone-like deleted/ entry met, to leave deleted records deleted.
func (sc *scan) sweep() (recs, blobs map[string]rawKV, deleted map[string]uint64) {
	recs, blobs, deleted = map[string]rawKV{}, map[string]rawKV{}, map[string]uint64{}
	ps := uint64(sc.meta.pageSize)
	le := binary.LittleEndian
	last := min(sc.meta.pgid, uint64(len(sc.data))/ps)
	for id := uint64(2); id < last; id++ {
		if sc.seen[id] {
			continue
		}
		off := id * ps
		h := sc.data[off : off+pageHeaderSize]
		if le.Uint64(h) != id || le.Uint16(h[8:])&flagLeaf == 0 {
			continue
		}
		end := off + (1+uint64(le.Uint32(h[12:])))*ps
		if end > uint64(len(sc.data)) {
			end = off + ps
		}
		p := sc.data[off:end]
		count := int(le.Uint16(h[10:]))
		if pageHeaderSize+count*elemSize > len(p) {
			continue
		}
		for i := 0; i < count; i++ {
			e := pageHeaderSize + i*elemSize
			if le.Uint32(p[e:]) != 0 {
				continue // a bucket
			}
			pos, ksize, vsize := int(le.Uint32(p[e+4:])), int(le.Uint32(p[e+8:])), int(le.Uint32(p[e+12:]))
			if e+pos+ksize+vsize > len(p) || e+pos+ksize+vsize < e {
				break
			}
			key := p[e+pos : e+pos+ksize]
			val := p[e+pos+ksize : e+pos+ksize+vsize]
			kv := rawKV{page: id, key: key, value: val}
			switch {
			case len(key) == 8 && len(val) > sumSize && val[0] == '{':
				if _, err := unseal(key, val); err == nil {
					kv.path = []string{string(bucketBlobs)}
					blobs[string(key)] = kv
				}
			case wellFormedID(string(key)) && len(val) == 8:
				deleted[string(key)] = max(deleted[string(key)], binary.BigEndian.Uint64(val))
			case wellFormedID(string(key)) && len(val) >= 8+stateSize+sumSize:
				body, err := unseal(key, val)
				if err != nil {
					continue
				}
				kv.path = []string{string(recordBucket(KindOf(string(key))))}
				if old, ok := recs[string(key)]; ok && binary.BigEndian.Uint64(old.value[8:]) >= binary.BigEndian.Uint64(body[8:]) {
					continue
				}
				recs[string(key)] = kv
			}
		}
	}
	return recs, blobs, deleted
}
