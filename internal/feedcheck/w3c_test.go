package feedcheck

import (
	"strings"
	"testing"
)

const atomHead = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
<id>https://x.example/a.atom</id><title>t</title><updated>2026-01-14T09:30:00Z</updated>
<author><name>n</name></author>
<link rel="self" href="https://x.example/a.atom" type="application/atom+xml"/>
`

// TestW3C_Atom: each rule finds what it is for, and a good feed passes.
func TestW3C_Atom(t *testing.T) {
	entry := func(id, updated string) string {
		return `<entry><id>` + id + `</id><title>e</title><updated>` + updated +
			`</updated><content type="html">x</content></entry>`
	}
	cases := []struct {
		name, body, want string
	}{
		{"OK", entry("tag:x.example,2025:a_1", "2026-01-14T09:30:00Z") +
			entry("https://x.example/p/1", "2026-01-14T09:30:00.000000041Z"), ""},
		{"BareRecordID", entry("a_0d854ed9a9f2ab116899", "2026-01-14T09:30:00Z"), "InvalidIRI"},
		{"BadTag", entry("tag:x.example:a_1", "2026-01-14T09:30:00Z"), "InvalidIRI/InvalidTAG"},
		{"DuplicateUpdated", entry("tag:x.example,2025:a", "2026-01-14T09:30:00Z") +
			entry("tag:x.example,2025:b", "2026-01-14T09:30:00Z"), "DuplicateUpdated"},
		{"DuplicateID", entry("tag:x.example,2025:a", "2026-01-14T09:30:00Z") +
			entry("tag:x.example,2025:a", "2026-01-14T09:31:00Z"), "DuplicateEntries"},
		{"NoSeconds", entry("tag:x.example,2025:a", "2026-01-14T09:30Z"), "InvalidRFC3339Date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(W3C([]byte(atomHead+c.body+"</feed>"), "atom", "https://x.example/a.atom"), "\n")
			if c.want == "" && got != "" || !strings.Contains(got, c.want) {
				t.Errorf("problems:\n%s\nwant %q", got, c.want)
			}
		})
	}
	if got := W3C([]byte(atomHead+"</feed>"), "atom", "https://elsewhere.example/a.atom"); len(got) != 1 ||
		!strings.Contains(got[0], "SelfDoesntMatchLocation") {
		t.Errorf("self link served elsewhere: %q", got)
	}
}

// TestW3C_RSS: dates must be RFC 822, guids unique and not permalinks.
func TestW3C_RSS(t *testing.T) {
	doc := func(items string) []byte {
		return []byte(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>t</title><link>https://x.example/</link><description>d</description>
<lastBuildDate>Wed, 14 Jan 2026 09:30:00 +0000</lastBuildDate>
<atom:link href="https://x.example/a.rss" rel="self" type="application/rss+xml"></atom:link>` + items + `</channel></rss>`)
	}
	item := func(guid, date string) string {
		return `<item><title>i</title><link>https://x.example/1</link><guid isPermaLink="false">` + guid +
			`</guid><pubDate>` + date + `</pubDate></item>`
	}
	if got := W3C(doc(item("a_1", "Wed, 14 Jan 2026 09:30:00 +0800")), "rss", "https://x.example/a.rss"); len(got) != 0 {
		t.Errorf("good feed: %q", got)
	}
	got := strings.Join(W3C(doc(item("a_1", "2026-01-14T09:30:00Z")+item("a_1", "Wed, 14 Jan 2026 09:30:00 +0800")),
		"rss", "https://x.example/a.rss"), "\n")
	for _, want := range []string{"InvalidRFC2822Date", "DuplicateItem"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant %s", got, want)
		}
	}
}
