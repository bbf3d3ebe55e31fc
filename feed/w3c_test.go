package feed

import (
	"bytes"
	"context"
	"testing"

	"newsfeed/internal/feedcheck"
	"newsfeed/store"
)

// TestRender_W3CRules renders every feed of the seed, a mixed and a
// hostile database in every format and checks the W3C Feed Validation
// Service's rules that apply offline (feedcheck.W3C): Atom ids are
// IRIs, one self link at the feed's own URL, entries' updated times
// distinct and RFC 3339, RSS dates RFC 822, guids unique.
func TestRender_W3CRules(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]*store.Store{
		"seed":    func() *store.Store { s, _ := mustSeedStore(t); return s }(),
		"mixed":   mustMixedStore(t),
		"hostile": mustHostileStore(t),
	} {
		b := mustBuilder(t, s, Options{BaseURL: testBase})
		specs, err := Specs(ctx, s, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range specs {
			f, err := b.Build(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, format := range Formats {
				var buf bytes.Buffer
				if err := f.Render(&buf, format); err != nil {
					t.Fatal(err)
				}
				for _, p := range feedcheck.W3C(buf.Bytes(), string(format), f.URL(format)) {
					t.Errorf("%s: %s.%s: %s", name, spec.Path(), format, p)
				}
			}
		}
	}
}

// TestAtomID_StableAcrossDatabases: two databases that stored the same
// pages at other times give every entry the same Atom id.
func TestAtomID_StableAcrossDatabases(t *testing.T) {
	ctx := context.Background()
	ids := func(s *store.Store) map[string]string {
		out := map[string]string{}
		b := mustBuilder(t, s, Options{BaseURL: testBase})
		specs, err := Specs(ctx, s, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range specs {
			f, err := b.Build(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range f.Items {
				out[it.ID] = f.AtomID(it)
			}
		}
		return out
	}
	a, b := ids(mustMixedStore(t)), ids(mustMixedStore(t))
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d and %d records", len(a), len(b))
	}
	for id, x := range a {
		if b[id] != x {
			t.Errorf("%s: Atom id %q, then %q", id, x, b[id])
		}
	}
}
