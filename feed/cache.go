package feed

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"time"
)

// Items are rendered once: sanitising HTML and decoding a record's JSON
// are most of what building a feed costs, so a rendered item is kept in
// the store's item cache (store.PutItems) until its record changes, as
// Miniflux keeps an entry's content already sanitised. A cached item is
// decoded here without touching its content: the encoding below keeps
// the HTML as raw bytes behind a length.

// itemFormat is the version of what an item is rendered to and how it is
// encoded. Bump it whenever rendering changes what an item holds (the
// renderers, the labels, clean, the encoding below): items cached by an
// older version then miss, and are rendered again. TestItemFormat fails
// until it is bumped after a change to the seed's golden feeds.
const itemFormat = 3

// cacheKey returns the fingerprint of everything an item depends on
// besides its record: the format version and the base URL (links to
// records without a URL of their own point there). Labels follow each
// record's language and are covered by itemFormat.
func cacheKey(base string) uint64 {
	h := sha256.New()
	h.Write(binary.BigEndian.AppendUint64(nil, itemFormat))
	h.Write([]byte(base))
	return binary.BigEndian.Uint64(h.Sum(nil))
}

// An encoded item is
//
//	date: seconds(8) | nanoseconds(4) | zone offset in seconds(4)
//	title, link, summary, language, image: uvarint length | bytes, each
//	authors, tags: uvarint count, then each as uvarint length | bytes
//	content: the rest, raw
//
// The id is not in it: the cache is keyed by it. Only the zone's offset
// is kept, which is all any feed format writes.

// encodeItem appends it, without its id, to b.
func encodeItem(b []byte, it *Item) []byte {
	_, off := it.Date.Zone()
	b = binary.BigEndian.AppendUint64(b, uint64(it.Date.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(it.Date.Nanosecond()))
	b = binary.BigEndian.AppendUint32(b, uint32(int32(off)))
	for _, s := range [...]string{it.Title, it.Link, it.Summary, it.Language, it.Image} {
		b = appendString(b, s)
	}
	for _, list := range [...][]string{it.Authors, it.Tags} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			b = appendString(b, s)
		}
	}
	return append(b, it.Content...)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errBadItem = errors.New("malformed cached item")

// decodeItem reverses encodeItem for the item of record id.
func decodeItem(id string, b []byte) (*Item, error) {
	if len(b) < 16 {
		return nil, errBadItem
	}
	sec, nsec := int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint32(b[8:]))
	off := int(int32(binary.BigEndian.Uint32(b[12:])))
	it := &Item{ID: id, Date: time.Unix(sec, nsec).In(zone(off))}
	d := itemDecoder{b: b[16:]}
	it.Title, it.Link, it.Summary, it.Language, it.Image = d.string(), d.string(), d.string(), d.string(), d.string()
	it.Authors, it.Tags = d.strings(), d.strings()
	if d.bad {
		return nil, errBadItem
	}
	it.Content = string(d.b)
	return it, nil
}

// zone returns a location with offset off: UTC for 0, so that dates
// read back compare and print as the ones rendered.
func zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

// itemDecoder reads what encodeItem wrote; bad is set, and every read
// after returns nothing, once the bytes run out.
type itemDecoder struct {
	b   []byte
	bad bool
}

func (d *itemDecoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	n, size := binary.Uvarint(d.b)
	if size <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[size:]
	return n
}

func (d *itemDecoder) string() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *itemDecoder) strings() []string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return nil
	}
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.string()
	}
	return out
}
