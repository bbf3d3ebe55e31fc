package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"newsfeed/record"
)

// hosts lists each site source's method, sources sorted, "-" for a time
// not yet known and "(none found)" for a site discovery found nothing on.
func TestWriteSites(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := writeSites(&b, map[string]record.SiteState{
		"b": {URL: "https://b.example/", Checked: t0},
		"a": {URL: "https://a.example/", Checked: t0, LastNew: t0.Add(time.Hour),
			Method: json.RawMessage(`{"kind":"html","url":"https://a.example/","links":"ul.news a"}`)},
	}, true)
	want := "\nCHECKED               LAST NEW              SITE SOURCE  METHOD\n" +
		"2026-12-03T04:00:00Z  2026-12-03T05:00:00Z  a            html https://a.example/ links \"ul.news a\"\n" +
		"2026-12-03T04:00:00Z  -                     b            (none found)\n"
	if err != nil || b.String() != want {
		t.Errorf("writeSites:\n%q, %v\nwant\n%q", b.String(), err, want)
	}
}
