package parse

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsfeed/parse/htmlpage"
)

// pageURL returns the URL an HTML page's records are made from. For a
// fetched page (opts.Fetched) it is the page's <link rel="canonical">
// when that is on the same site as opts.URL, the URL the page was
// fetched from, else opts.URL. The link is read from the decoded text,
// so the page gives the same URL in every encoding. For a page not
// fetched, opts.URL when given, else the page's canonical link or
// og:url.
func pageURL(text string, meta htmlpage.Meta, opts Options) string {
	if !opts.Fetched {
		if opts.URL == "" {
			return meta.Canonical
		}
		return opts.URL
	}
	return sameSiteCanonical(canonicalLink(text), opts.URL)
}

// sameSiteCanonical returns canon resolved against fetched when it is
// an http(s) URL on fetched's site, else fetched.
func sameSiteCanonical(canon, fetched string) string {
	if canon == "" {
		return fetched
	}
	f, err1 := url.Parse(fetched)
	c, err2 := url.Parse(canon)
	if err1 != nil || err2 != nil {
		return fetched
	}
	c = f.ResolveReference(c)
	if (c.Scheme != "http" && c.Scheme != "https") || siteHost(c.Host) != siteHost(f.Host) {
		return fetched
	}
	return c.String()
}

// siteHost folds the forms of one site's host: case and a leading www.
func siteHost(h string) string {
	return strings.TrimPrefix(strings.ToLower(h), "www.")
}

// canonicalLink returns the href of an HTML page's first
// <link rel="canonical">, looking no further than the start of <body>.
// It reads the decoded text, so the page gives the same link in every
// encoding.
func canonicalLink(text string) string {
	z := html.NewTokenizer(strings.NewReader(text))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Body {
				return ""
			}
			if a != atom.Link || !hasAttr {
				continue
			}
			var rel, href string
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "rel":
					rel = string(v)
				case "href":
					href = string(v)
				}
			}
			if strings.EqualFold(strings.TrimSpace(rel), "canonical") && strings.TrimSpace(href) != "" {
				return strings.TrimSpace(href)
			}
		}
	}
}
