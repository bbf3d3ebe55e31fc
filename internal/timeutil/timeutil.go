// Package timeutil holds the small comparisons of times that the fetcher,
// the cluster's host gate and serve's snapshots share. It is a leaf: it
// imports nothing of newsfeed's.
package timeutil

import "time"

// Later returns the later of a and b (a when they are equal).
func Later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Earlier returns the earlier of a and b (a when they are equal).
func Earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
