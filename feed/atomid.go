package feed

import (
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"newsfeed/record"
)

// Atom entry ids must be IRIs (RFC 4287 §4.2.6) that never change, or a
// reader shows an entry twice. A record id (a_0d854ed9…) is not one, so
// an entry's Atom id is
//
//   - for an article whose id was made from its canonical URL, that URL:
//     the id names exactly one URL, so the Atom id is as stable as the
//     record id;
//   - for every other record, a tag URI (RFC 4151) from the base URL's
//     host and the record id: tag:feeds.example.org,2025:a_0d854ed9….
//
// Interviews and headlines always get a tag URI: an interview shows its
// article's URL, and a headline may point at an article of the same
// feed set, so their URLs would repeat another entry's id; a headline's
// URL may also be learnt after it was first published.
//
// RSS guids and JSON Feed ids stay the record ids.

// tagDate is the date part of every tag URI. RFC 4151 asks for a date at
// which the tagging entity held the authority name; it must never change,
// or every entry id would.
const tagDate = "2025"

// AtomID returns the Atom id of the feed's item it: its canonical URL or
// a tag URI (see above). It depends only on the record and the base
// URL's host, so two databases give a record the same id.
func (f *Feed) AtomID(it *Item) string {
	if f.Spec.Kind == record.KindArticle {
		if u := record.CanonicalURL(it.Link); u != "" && record.ArticleID("", u, "") == it.ID {
			return u
		}
	}
	return tagURI(f.base, it.ID)
}

// tagURI returns tag:HOST,tagDate:id for the base URL's host in ASCII
// (an internationalised name in its A-label form). A host a tag URI
// cannot name (an IPv6 literal) gives the base URL with the id as
// fragment instead, which is an IRI too.
func tagURI(base *url.URL, id string) string {
	host, err := idna.Lookup.ToASCII(strings.ToLower(base.Hostname()))
	if err != nil || !isDNSName(host) {
		u := *base
		u.Fragment = id
		return u.String()
	}
	return "tag:" + host + "," + tagDate + ":" + id
}

// isDNSName reports whether host matches RFC 4151's DNSname: labels of
// letters, digits and inner hyphens, separated by dots.
func isDNSName(host string) bool {
	if host == "" {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// atomUpdated returns each entry's Atom updated time: its item's date.
// Entries that share a date are legal, but the W3C validator warns about
// them (readers order and deduplicate by it), so an entry whose date an
// earlier entry already shows is told apart by its record's change-log
// seq, as nanoseconds of that second: 2026-01-14T09:30:00.000000041Z.
// Only the sub-second digits differ from the item's date.
func (f *Feed) atomUpdated() []string {
	out := make([]string, len(f.Items))
	seen := make(map[string]bool, len(f.Items))
	for i, it := range f.Items {
		s := it.Date.Format(time.RFC3339)
		if seen[s] {
			sec := it.Date.Truncate(time.Second)
			for n := it.seq % 1e9; seen[s]; n = (n + 1) % 1e9 {
				if n == 0 {
					continue
				}
				s = sec.Add(time.Duration(n)).Format(time.RFC3339Nano)
			}
		}
		seen[s] = true
		out[i] = s
	}
	return out
}
