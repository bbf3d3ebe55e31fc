// Tests of the newsfeed patch (see PATCHED.md): the offset tables are
// built by sync.OnceValues on first use instead of at start-up.

package timezone

import (
	"fmt"
	"sort"
	"sync"
	"testing"
)

// TestLazyOffsets_ConcurrentFirstUse must stay the first test of the
// package that touches the tables (nothing does at start-up), so that
// its goroutines make the first use together; under -race the detector
// watches the build and every read.
func TestLazyOffsets_ConcurrentFirstUse(t *testing.T) {
	const goroutines = 8
	// Every third case (PopTzOffset tries hundreds of expressions; under
	// -race one call takes about 20 ms here).
	var cases []int
	for i := 0; i < len(upstreamOffsetCases); i += 3 {
		cases = append(cases, i)
	}
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
			res := make([]string, len(cases))
			for i := range cases {
				// Each goroutine begins at another case.
				k := (g + i) % len(cases)
				left, tz := PopTzOffset(upstreamOffsetCases[cases[k]].Text)
				res[k] = fmt.Sprintf("%d %q %v", tz.Offset, left, WordIsTz(tz.Name))
			}
			got[g] = res
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()

	for _, c := range upstreamOffsetCases {
		_, tz := PopTzOffset(c.Text)
		if want := int(c.Expected * 3600); tz.Offset != want {
			t.Errorf("PopTzOffset(%q) offset %d, upstream expects %d", c.Text, tz.Offset, want)
		}
	}
	for i, k := range cases {
		c := upstreamOffsetCases[k]
		for g := 1; g < goroutines; g++ {
			if got[g][i] != got[0][i] {
				t.Errorf("%q: goroutine %d got %s, goroutine 0 %s", c.Text, g, got[g][i], got[0][i])
			}
		}
	}
}

// TestLazyOffsets_SameAsEager compares the tables built on first use with
// tables built again by the function the initialiser used to run. The
// offsets come out in map order upstream too, so they are compared as
// sets.
func TestLazyOffsets_SameAsEager(t *testing.T) {
	lazy, lazyRx := offsetTables()
	eager, rx, rxIC := buildOffsetTables()
	if len(lazy) == 0 || len(lazy) != len(eager) {
		t.Fatalf("lazy tables have %d offsets, eager %d", len(lazy), len(eager))
	}
	key := func(offsets []OffsetData) []string {
		var keys []string
		for _, o := range offsets {
			keys = append(keys, fmt.Sprintf("%s %d %s", o.Name, o.Offset, o.Regex))
		}
		sort.Strings(keys)
		return keys
	}
	lk, ek := key(lazy), key(eager)
	for i := range lk {
		if lk[i] != ek[i] {
			t.Fatalf("offset %d: lazy %s, eager %s", i, lk[i], ek[i])
		}
	}
	if lazyRx.exact.String() != rx.String() || lazyRx.ignoreCase.String() != rxIC.String() {
		t.Error("lazy search expressions differ from eager ones")
	}
}

// upstreamOffsetCases is the table of TestPopTzOffset_getOffset in
// internal/timezone/parser_test.go of github.com/markusmobius/go-dateparser
// v1.2.3 (BSD 3-Clause, copyright Markus Mobius and the dateparser
// authors; see LICENSE), copied as is.
var upstreamOffsetCases = []struct {
	Text     string
	Expected float64
}{
	{"Sep 03 2014 | 4:32 pm EDT", -4},
	{"17th October, 2034 @ 01:08 am PDT", -7},
	{"17th October, 2034 @ 01:08 am (PDT)", -7},
	{"October 17, 2014 at 7:30 am PST", -8},
	{"20 Oct 2014 13:08 CET", +1},
	{"20 Oct 2014 13:08cet", +1},
	{"Nov 25 2014 | 10:17 pm EST", -5},
	{"Nov 25 2014 | 10:17 pm +0600", +6},
	{"Nov 25 2014 | 10:17 pm -0930", -9.5},
	{"20 Oct 2014 | 05:17 am -1200", -12},
	{"20 Oct 2014 | 05:17 am +0000", 0},
	{"20 Oct 2014 | 05:17 am -0000", 0},
	{"Wed Aug 05 12:00:00 EDT 2015", -4},
	{"April 10, 2016 at 12:00:00 UTC", 0},
	{"April 10, 2016 at 12:00:00 MEZ", 1},
	{"April 10, 2016 at 12:00:00 MESZ", 2},
	{"April 10, 2016 at 12:00:00 GMT+2", 2},
	{"April 10, 2016 at 12:00:00 UTC+2:00", 2},
	{"April 10, 2016 at 12:00:00 GMT+02:00", 2},
	{"April 10, 2016 at 12:00:00 UTC+5:30", 5.5},
	{"April 10, 2016 at 12:00:00 GMT+05:30", 5.5},
	{"April 10, 2016 at 12:00:00 UTC-2", -2},
	{"April 10, 2016 at 12:00:00 GMT-2:00", -2},
	{"April 10, 2016 at 12:00:00 UTC-02:00", -2},
	{"April 10, 2016 at 12:00:00 GMT-9:30", -9.5},
	{"April 10, 2016 at 12:00:00 UTC-09:30", -9.5},
	{"Thu, 24 Nov 2016 16:03:00 UT", 0},
	{"Fri Sep 23 2016 10:34:51 GMT+0800 (CST)", 8},
	{"Fri Sep 23 2016 10:34:51 GMT+12", 12},
	{"Fri Sep 23 2016 10:34:51 UTC+13", 13},
	{"Fri Sep 23 2016 10:34:51 GMT+1245 (CST)", 12.75},
	{"Fri Sep 23 2016 10:34:51 UTC+1245", 12.75},
	{"2019-07-17T12:30:00.000-03:30", -3.5},
	{"2019-07-17T12:30:00.000-02:30", -2.5},
	{"16. srpna 2021 9:59:44 SELČ", 2},
	{"16. srpna 2021 9:59:44 SEČ", 1},
	{"16. srpna 2021 9:59:44 ZEČ", 0},
	{"16. srpna 2021 9:59:44 VEČ", 2},
}
