package sharedfetch

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"newsfeed/cluster"
)

// validKey is what the key-value store accepts in a key.
var validKey = regexp.MustCompile(`^[-/_=a-zA-Z0-9]+(\.[-/_=a-zA-Z0-9]+)*$`)

func TestKeyPart(t *testing.T) {
	tests := []struct {
		in         string
		dots, want string
	}{
		{"example.com", "example.com", "example_2Ecom"},
		{"127.0.0.1:8080", "127.0.0.1_3A8080", "127_2E0_2E0_2E1_3A8080"},
		{"[::1]:80", "_5B_3A_3A1_5D_3A80", "_5B_3A_3A1_5D_3A80"},
		{"例子.cn", "_E4_BE_8B_E5_AD_90.cn", "_E4_BE_8B_E5_AD_90_2Ecn"},
		{".a..b.", "_2Ea._2Eb_2E", "_2Ea_2E_2Eb_2E"},
		{"Up_per", "_55p_5Fper", "_55p_5Fper"},
		{"", "_", "_"},
	}
	for _, tt := range tests {
		for _, dots := range []bool{true, false} {
			want := tt.want
			if dots {
				want = tt.dots
			}
			got := keyPart(tt.in, dots)
			if got != want {
				t.Errorf("keyPart(%q, %v) = %q, want %q", tt.in, dots, got, want)
			}
			if back, err := decodeKeyPart(got); err != nil || back != tt.in {
				t.Errorf("decodeKeyPart(%q) = %q, %v, want %q", got, back, err, tt.in)
			}
		}
	}
	for _, bad := range []string{"a_", "a_4", "a_zz"} {
		if _, err := decodeKeyPart(bad); err == nil {
			t.Errorf("decodeKeyPart(%q) took a broken escape", bad)
		}
	}
}

// FuzzKeyPart: any string makes a valid key part, one token when dots
// are not allowed, that decodes back to it.
func FuzzKeyPart(f *testing.F) {
	for _, s := range []string{"example.com", "127.0.0.1:8080", "[::1]:80", "例子.cn", "..", "_", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, dots := range []bool{true, false} {
			k := keyPart(s, dots)
			if !validKey.MatchString(k) {
				t.Fatalf("keyPart(%q, %v) = %q: not a valid key", s, dots, k)
			}
			if !dots && strings.Contains(k, ".") {
				t.Fatalf("keyPart(%q, false) = %q has a dot", s, k)
			}
			if back, err := decodeKeyPart(k); err != nil || back != s {
				t.Fatalf("decodeKeyPart(keyPart(%q, %v)) = %q, %v", s, dots, back, err)
			}
		}
	})
}

// FuzzDecodeValues: a value read from the bucket — written by any
// version, or by hand — either decodes, and then encodes to a value that
// decodes to the same, or is an error naming its key; never a panic.
func FuzzDecodeValues(f *testing.F) {
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 123, time.UTC)
	for _, v := range []any{
		leaseValue{Owner: "host/1/abc", Until: t0},
		nextValue{Last: t0},
		deferValue{Until: t0, Reason: "HTTP 503"},
		srcValue{FirstFetched: t0},
		timeValue{At: t0},
		robotsValue{Status: 200, Body: []byte("User-agent: *\nDisallow: /x\n"), Fetched: t0, Expires: t0.Add(time.Hour)},
		urlValue{URL: "https://example.com/a"},
	} {
		f.Add(encodeValue(v))
	}
	f.Add([]byte(`{"until":"not a time"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[leaseValue](t, data)
		roundTrip[nextValue](t, data)
		roundTrip[deferValue](t, data)
		roundTrip[srcValue](t, data)
		roundTrip[timeValue](t, data)
		roundTrip[robotsValue](t, data)
		roundTrip[urlValue](t, data)
	})
}

func roundTrip[T any](t *testing.T, data []byte) {
	t.Helper()
	v, err := decodeValue[T]("k.x", data)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "k.x: ") {
			t.Fatalf("error %q does not name the key", err)
		}
		return
	}
	again, err := decodeValue[T]("k.x", encodeValue(v))
	if err != nil {
		t.Fatalf("%T %+v: its encoding does not decode: %v", v, v, err)
	}
	if !reflect.DeepEqual(normalise(again), normalise(v)) {
		t.Fatalf("%T: %+v encodes and decodes to %+v", v, v, again)
	}
}

// normalise drops what JSON does not keep of a time (its location and
// monotonic reading) by comparing the values' encodings.
func normalise(v any) string { return string(encodeValue(v)) }

// getMany reads many keys at once, more than one chunk of them: a value
// for each key kept, nil for one never written, deleted or purged.
func TestBucket_GetMany(t *testing.T) {
	ctx := context.Background()
	c := newConn(t, cluster.Config{Prefix: "T"})
	b, err := openBucket(ctx, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := maxGetMany + 200
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k.%d", i)
		if i%3 != 0 { // every third never written
			if _, err := b.kv.Put(ctx, keys[i], []byte(keys[i])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := b.kv.Delete(ctx, keys[1]); err != nil {
		t.Fatal(err)
	}
	if err := b.kv.Purge(ctx, keys[2]); err != nil {
		t.Fatal(err)
	}
	got, err := b.getMany(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		want := keys[i]
		if i%3 == 0 || i == 1 || i == 2 {
			want = ""
		}
		if string(v) != want || (want == "") != (v == nil) {
			t.Errorf("%s: %q, want %q", keys[i], v, want)
		}
	}
}
