package record

import (
	"encoding/json"
	"time"
)

// SiteState is what newsfeed keeps of a site source (type = "site"): the
// method discovery found to follow the site, and how polls through it
// have fared, so that it discovers the site again only when the method
// fails or stops yielding new articles. The store keeps it in
// fetch/sites/ (keyed by the source's name), the cluster in its
// fetch-state bucket.
type SiteState struct {
	// Source is the source's name: the key, not part of the value.
	Source string `json:"-"`
	// URL is the site's address the source named when the method was
	// found: a source that names another discovers again.
	URL string `json:"url"`
	// Method is the method found, as package discover writes it
	// (discover.Method's JSON: kind, url, links, pattern…).
	Method json.RawMessage `json:"method,omitempty"`
	// Checked is when discovery last ran, whatever came of it.
	Checked time.Time `json:"checked"`
	// LastNew is when a poll through the method last gave an article
	// not fetched before.
	LastNew time.Time `json:"last_new,omitempty"`
	// Empty counts the polls since LastNew (or Checked) that gave none.
	Empty int `json:"empty,omitempty"`
}
