package record

import "time"

// URLState is what newsfeed keeps of a URL it fetched: the validators to
// send next time and when the URL was fetched and changed. The store keeps
// it as the value of fetch/urls/ (keyed by the URL), the cluster in its
// fetch-state bucket; it lives here so that neither the fetching stages
// nor the cluster import the store for a type.
type URLState struct {
	// URL is the key; it is not part of the value.
	URL string `json:"-"`
	// Source names the sources-file source that found the URL; "" for a
	// URL named on the command line.
	Source string `json:"source,omitempty"`
	// ETag and LastModified are the validators to send next time, each
	// as the server last sent it.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// BodyHash is the SHA-256 (hex) of the last body received: a 200 with
	// the same body is not parsed again.
	BodyHash string `json:"body_hash,omitempty"`
	// Status is the HTTP status of the last fetch (200 or 304).
	Status int `json:"status,omitempty"`
	// FirstFetched, LastFetched and LastChanged are when the URL was
	// fetched first and last, and when its body last changed.
	FirstFetched time.Time `json:"first_fetched"`
	LastFetched  time.Time `json:"last_fetched"`
	LastChanged  time.Time `json:"last_changed"`
}
