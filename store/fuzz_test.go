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
	st := state{seq: 7, firstSeen: 1, at: timeKey(time.Date(2025, 12, 9, 10, 0, 0, 0, beijing)), site: "guancha.cn", column: "科技前沿"}
	f.Add(docValue(seqKey(3), st))
	f.Add(headlineValue(seqKey(3), 9))
	f.Add(itemValue(4, 5, "a_1", []byte("item")))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, v []byte) {
		if blob, st, err := splitDocValue(v); err == nil {
			if again := docValue(blob, st); !bytes.Equal(again, v) {
				t.Errorf("doc value %x re-encodes as %x", v, again)
			}
		}
		if seq, err := valueSeq(v); err == nil && len(v) == 16 {
			if again := headlineValue(v[:8], seq); !bytes.Equal(again, v) {
				t.Errorf("headline value %x re-encodes as %x", v, again)
			}
		}
		if version, key, dep, item, ok := splitItemValue(v); ok {
			if again := itemValue(version, key, string(dep), item); !bytes.Equal(again, v) {
				t.Errorf("item value %x re-encodes as %x", v, again)
			}
		}
	})
}
