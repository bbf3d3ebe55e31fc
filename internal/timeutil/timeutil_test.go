package timeutil

import (
	"testing"
	"time"
)

func TestLaterEarlier(t *testing.T) {
	a := time.Date(2025, 12, 9, 10, 0, 0, 0, time.UTC)
	b := a.Add(time.Second)
	if Later(a, b) != b || Later(b, a) != b || Earlier(a, b) != a || Earlier(b, a) != a {
		t.Error("Later/Earlier pick the wrong time")
	}
	// Equal instants in other zones: the first is kept.
	c := a.In(time.FixedZone("CST", 8*3600))
	if got := Later(c, a); got.Location() != c.Location() {
		t.Errorf("Later(c, a) = %v, want c", got)
	}
	if got := Earlier(c, a); got.Location() != c.Location() {
		t.Errorf("Earlier(c, a) = %v, want c", got)
	}
}
