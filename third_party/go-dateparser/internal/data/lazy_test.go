// Tests of the newsfeed patch (see PATCHED.md): every locale is built on
// the first GetLocaleData call instead of in package initialisers.

package data

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
)

// upstreamTablesSHA256 is tablesDump's hash for the tables that
// github.com/markusmobius/go-dateparser v1.2.3, unpatched, builds in its
// initialisers (computed by running tablesDump inside that module).
const upstreamTablesSHA256 = "d4d117924d32084b7e56e92a60078c3e13c9fc9abb2eb632dac722988b3405e6"

// TestLazyLocales_ConcurrentFirstUse must stay the first test of the
// package (nothing builds the locales at start-up), so that its
// goroutines make the first use together; under -race the detector
// watches the build and the reads of every locale.
func TestLazyLocales_ConcurrentFirstUse(t *testing.T) {
	const goroutines = 16
	locales := localeNames()
	got := make([][]string, goroutines)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for g := range got {
		g := g // go.mod says go 1.21: one variable per loop otherwise
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			res := make([]string, len(locales))
			for i := range locales {
				// Each goroutine begins at another locale.
				k := (g*len(locales)/goroutines + i) % len(locales)
				ld, ok := GetLocaleData(locales[k])
				if !ok {
					res[k] = "missing"
					continue
				}
				res[k] = fmt.Sprintf("%p %s %s %d %d %d %v", ld, ld.Name, ld.DateOrder,
					len(ld.Simplifications), len(ld.Translations), len(ld.KnownWords), ld.RxCombined != nil)
			}
			got[g] = res
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()

	for i, name := range locales {
		if !strings.Contains(got[0][i], " "+name+" ") {
			t.Errorf("locale %s: %s", name, got[0][i])
		}
		for g := 1; g < goroutines; g++ {
			if got[g][i] != got[0][i] {
				t.Errorf("locale %s: goroutine %d got %s, goroutine 0 %s", name, g, got[g][i], got[0][i])
			}
		}
	}
}

// TestLazyLocales_SameAsUpstreamEager compares every locale built on
// first use with the tables upstream's initialisers built, through a
// hash of their whole content.
func TestLazyLocales_SameAsUpstreamEager(t *testing.T) {
	dump := tablesDump()
	if sum := fmt.Sprintf("%x", sha256.Sum256([]byte(dump))); sum != upstreamTablesSHA256 {
		t.Errorf("locale tables hash %s (%d bytes), upstream's initialisers give %s", sum, len(dump), upstreamTablesSHA256)
	}
}

func localeNames() []string {
	var names []string
	for name := range LocaleOrder {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// tablesDump writes every locale's data as text, maps in key order and
// expressions as their source.
func tablesDump() string {
	var b strings.Builder
	rx := func(r interface{ String() string }, isNil bool) string {
		if isNil {
			return "<nil>"
		}
		return r.String()
	}
	for _, name := range localeNames() {
		ld, ok := GetLocaleData(name)
		if !ok {
			fmt.Fprintf(&b, "%s missing\n", name)
			continue
		}
		fmt.Fprintf(&b, "%s\n%q %q %v %d %q %q\n", name, ld.Name, ld.DateOrder, ld.NoWordSpacing,
			ld.SentenceSplitterGroup, string(ld.Charset), ld.Abbreviations)
		for _, s := range ld.Simplifications {
			fmt.Fprintf(&b, "s %s => %q\n", rx(s.Rx, s.Rx == nil), s.Replacement)
		}
		for _, k := range sortedKeys(ld.Translations) {
			fmt.Fprintf(&b, "t %q %q\n", k, ld.Translations[k])
		}
		for _, k := range sortedKeys(ld.RelativeType) {
			fmt.Fprintf(&b, "r %q %q\n", k, ld.RelativeType[k])
		}
		for _, s := range ld.RelativeTypeRegexes {
			fmt.Fprintf(&b, "rr %s => %q\n", rx(s.Rx, s.Rx == nil), s.Replacement)
		}
		fmt.Fprintf(&b, "c %s\ne %s\nk %q\n", rx(ld.RxCombined, ld.RxCombined == nil),
			rx(ld.RxExactCombined, ld.RxExactCombined == nil), ld.KnownWords)
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
