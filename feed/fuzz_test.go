package feed

import (
	"reflect"
	"testing"
	"time"
)

// FuzzDecodeItem feeds decodeItem arbitrary bytes (a cached item is read
// back from the database file): it must return an item or errBadItem,
// never panic; and an item it returns must encode to the same bytes.
func FuzzDecodeItem(f *testing.F) {
	it := &Item{Title: "标题", Link: "https://example.com/a", Summary: "s", Language: "zh-CN",
		Authors: []string{"薛澜"}, Tags: []string{"科技", "hot"}, Content: "<p>x</p>",
		Date: time.Date(2025, 12, 9, 10, 0, 0, 5, time.FixedZone("", 8*3600))}
	f.Add(encodeItem(nil, it))
	f.Add(encodeItem(nil, &Item{Date: time.Unix(0, 0).UTC()}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeItem("h_1", b)
		if err != nil {
			return
		}
		again := encodeItem(nil, got)
		back, err := decodeItem("h_1", again)
		if err != nil {
			t.Fatalf("re-encoded item does not decode: %v", err)
		}
		if !reflect.DeepEqual(normalise(back), normalise(got)) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, got)
		}
	})
}

// normalise makes empty lists nil and dates comparable by instant and
// offset, as every feed format writes them.
func normalise(it *Item) Item {
	c := *it
	if len(c.Authors) == 0 {
		c.Authors = nil
	}
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	_, off := c.Date.Zone()
	c.Date = time.Unix(c.Date.Unix(), int64(c.Date.Nanosecond())).In(time.FixedZone("", off))
	return c
}
