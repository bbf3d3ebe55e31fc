package store

import (
	"bytes"
	"testing"
	"time"
)

// FuzzRecordValues feeds the decoders of the store's binary values
// arbitrary bytes (they read a file another program could have damaged):
// they must refuse what is malformed, never panic, and what they accept
// must encode back to the same bytes.
func FuzzRecordValues(f *testing.F) {
	st := state{seq: 7, firstSeen: 1, lastSeen: 2, at: timeKey(time.Date(2025, 12, 9, 10, 0, 0, 0, beijing)), site: "guancha.cn", column: "科技前沿"}
	f.Add(recordValue([]byte("h_0123"), seqKey(3), st))
	f.Add(appendStateV2(seqKey(3), st))
	f.Add(itemValue(4, 5, "a_1", []byte("item")))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, v []byte) {
		if blob, st, err := splitValue([]byte("h_0123"), v); err == nil {
			if again := recordValue([]byte("h_0123"), blob, st); !bytes.Equal(again, v) {
				t.Errorf("record value %x re-encodes as %x", v, again)
			}
		}
		if len(v) >= 8 {
			if st, err := decodeStateV2(v[8:]); err == nil {
				if again := appendStateV2(copyBytes(v[:8]), st); !bytes.Equal(again, v) {
					t.Errorf("schema 2 value %x re-encodes as %x", v, again)
				}
			}
		}
		if version, key, dep, item, ok := splitItemValue(v); ok {
			if again := itemValue(version, key, string(dep), item); !bytes.Equal(again, v) {
				t.Errorf("item value %x re-encodes as %x", v, again)
			}
		}
	})
}
