package record

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// An id is a kind prefix and the first idBytes bytes of a SHA-256 in hex:
// "a_" for articles, "i_" for interviews, "h_" for headlines. 80 bits keep
// the chance of a collision below one in a billion up to tens of millions
// of records.
const idBytes = 10

func makeID(prefix string, parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	return prefix + hex.EncodeToString(h.Sum(sum[:0])[:idBytes])
}

// identity is what an id is made from: the canonical URL when there is
// one, else the site and the normalised title.
func identity(site, rawURL, title string) []string {
	if u := CanonicalURL(rawURL); u != "" {
		return []string{"url", u}
	}
	return []string{"title", strings.ToLower(strings.TrimSpace(site)), NormalizeTitle(title)}
}

// ArticleID returns the stable id of the article at rawURL, or, when the
// URL is unknown, of the article titled title on site.
func ArticleID(site, rawURL, title string) string {
	return makeID("a_", identity(site, rawURL, title)...)
}

// HeadlineID returns the stable id of a headline: from its site and
// normalised title. Unlike an article's, it does not come from the URL even
// when one is known: a headline seen first in raw text (no links) and
// later in HTML must stay one record, whose URL the later sighting fills in.
func HeadlineID(site, title string) string {
	return makeID("h_", "title", strings.ToLower(strings.TrimSpace(site)), NormalizeTitle(title))
}

// InterviewID returns the id of the interview contained in the article
// with id articleID.
func InterviewID(articleID string) string {
	return makeID("i_", articleID)
}

// NormalizeTitle folds the ways one title gets written: NFKC (full-width
// letters, digits and punctuation become their ordinary forms), lower
// case, and runs of white space folded to one space.
func NormalizeTitle(title string) string {
	s := norm.NFKC.String(title)
	if isFolded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(toLower(r))
	}
	return b.String()
}

// isFolded reports whether NormalizeTitle's folding would leave s as it
// is. It decodes only the runes that are neither ASCII nor Han.
func isFolded(s string) bool {
	space := true // a leading space needs trimming
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			if c == ' ' && space || c < ' ' || c == 0x7f || 'A' <= c && c <= 'Z' {
				return false
			}
			space = c == ' '
			i++
		case c >= 0xE4 && c <= 0xE9: // U+4000–U+9FFF: Han, uncased
			space = false
			i += 3
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) || toLower(r) != r {
				return false
			}
			space = false
			i += n
		}
	}
	return !space || s == ""
}

// toLower lowers the case of r, skipping the table look-up for the
// uncased scripts (CJK, Hangul) that make up most Chinese titles.
func toLower(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r >= 0x2E80 && r < 0xA640, r >= 0xAC00 && r < 0xD7A4:
		return r
	}
	return unicode.ToLower(r)
}

// trackingParams are query parameters that say how a reader arrived, not
// what was read: campaign tags (utm_*, Matomo's mtm_* and pk_*), ad and
// social click ids (Google, Facebook, Microsoft, Yandex, Instagram, TikTok,
// Twitter/X, LinkedIn), mail tools' ids (Mailchimp, HubSpot, Marketo,
// Vero), analytics cookies carried in links (_ga, _gl), and the
// Chinese platforms' share ids (spm and scm of Alibaba's sites, Weibo's
// and WeChat's share tails). Names ending in "*" are prefixes. A site's
// own ones (guancha.cn's ?s=) go in its profile's tracking key.
var trackingParams = []string{
	"utm_*", "mtm_*", "pk_*", "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid",
	"msclkid", "yclid", "igshid", "ttclid", "twclid", "li_fat_id", "srsltid",
	"mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "vero_conv", "_openstat",
	"_ga", "_gl", "spm", "scm", "ref_src", "ref_url",
	"share_token", "wt.mc_id", "cmpid", "ocid",
	"sharer_shareid", "sharer_sharetime", "share_from", "weibo_id",
}

func isTrackingParam(name string) bool {
	name = strings.ToLower(name)
	for _, p := range trackingParams {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if name == p {
			return true
		}
	}
	return false
}

// CanonicalURL returns rawURL in the form ids are made from: an absolute
// http or https URL with a lower-case host, no default port, no fragment
// and no tracking query parameters, the rest sorted. It returns "" when
// rawURL is not an absolute http(s) URL.
func CanonicalURL(rawURL string) string { return ResolveURL(nil, rawURL, nil) }

// ResolveURL makes href absolute against base (nil: href must be
// absolute itself) and returns it canonical, as CanonicalizeURL does: the
// one way a link found on a page or in a list becomes the URL a record
// keeps. drop, when not nil, names the site's own tracking parameters for
// the resolved URL's (lower-case) host, removed too. It returns "" for a
// link that leads nowhere a reader can go: empty, to a fragment of the
// same page, javascript:, or not to an http(s) URL.
func ResolveURL(base *url.URL, href string, drop func(host string) []string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || hasPrefixFold(href, "javascript:") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	var params []string
	if drop != nil {
		params = drop(strings.ToLower(u.Hostname()))
	}
	return CanonicalizeURL(u, params)
}

// Host returns rawURL's host name in lower case, without its port, or ""
// when rawURL does not parse: the key site profiles and per-host limits
// go by.
func Host(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// CanonicalizeURL is CanonicalURL for a URL already parsed, which it
// changes. Query parameters named in drop are removed too: a site's own
// tracking parameters.
func CanonicalizeURL(u *url.URL, drop []string) string {
	if u == nil || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	u.Scheme = scheme
	host := strings.ToLower(u.Hostname())
	if host == "" { // "https://:80/"
		return ""
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		q := u.Query()
		for name := range q {
			if isTrackingParam(name) {
				q.Del(name)
			}
		}
		for _, name := range drop {
			q.Del(name)
		}
		u.RawQuery = q.Encode() // Encode sorts by key.
	}
	u.ForceQuery = false
	return u.String()
}
