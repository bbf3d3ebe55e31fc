package serve

import (
	"net/http"
	"net/url"
	"testing"
)

// FuzzAcceptsGzip: any Accept-Encoding value is read without panic; an
// item appended after it never changes the answer (the first item naming
// gzip decides), and a leading plain gzip always wins.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "br, gzip;q=0.5", "*;q=0", "x-gzip", "", ";;,,=", "gzip; q=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := acceptsGzip(v)
		if acceptsGzip(v+", br") != got {
			t.Errorf("%q: appending br changed the answer", v)
		}
		if !acceptsGzip("gzip, " + v) {
			t.Errorf("%q after a plain gzip refuses gzip", v)
		}
	})
}

// FuzzETagList: a list that names a tag matches it, wherever it is, and
// a list of other tags never does.
func FuzzETagList(f *testing.F) {
	for _, s := range []string{`"a"`, `W/"a", "b"`, `*`, ``, `,,,`, `"a`} {
		f.Add(s)
	}
	const tag = `"Zk3_tag"`
	f.Fuzz(func(t *testing.T, v string) {
		if !etagListMatches(v+", "+tag, tag) || !etagListMatches(tag+","+v, tag) || !etagListMatches(v+", W/"+tag, tag) {
			t.Errorf("%q with %s appended does not match it", v, tag)
		}
		etagListMatches(v, tag) // no panic, whatever v is
	})
}

// FuzzRecordsQuery: any query string is either refused with an error or
// gives values within the limits.
func FuzzRecordsQuery(f *testing.F) {
	for _, s := range []string{"since=3&kind=article&limit=5", "limit=0", "since=-1", "kind=x", "a=%zz", "limit=10000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{URL: &url.URL{RawQuery: raw}}
		q, err := parseRecordsQuery(r)
		if err != nil {
			return
		}
		if q.Limit < 1 || q.Limit > MaxRecordsLimit {
			t.Errorf("%q: limit %d", raw, q.Limit)
		}
		switch q.Kind {
		case "", "article", "interview", "headline":
		default:
			t.Errorf("%q: kind %q", raw, q.Kind)
		}
	})
}
