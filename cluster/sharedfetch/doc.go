// Package sharedfetch keeps the fetching state that every newsfeed
// schedule and worker process shares in the fetch-state bucket
// (NEWSFEED_FETCH): per-host request slots, start times, pauses and
// deferrals (HostGate), robots.txt read once for all (RobotsCache), and
// each URL's validators, the list polls and the site sources' methods
// (State). With it, politeness holds across all workers together and a
// conditional GET works whichever worker takes a URL.
//
//	fetch.Fetcher ── Acquire/Pause/Defer ──► HostGate ─────┐
//	fetch.Fetcher ── Robots ───────────────► RobotsCache ──┼──► bucket (keys in fetchkv.go)
//	poll, article (schedule, worker) ── URL states, polls, site methods ──► State ┘
//	queue.Worker ── PutURLStatesIndexed after the page is published ──► State
//
// The files: fetchkv.go (the keys, the values and leases: take, renew,
// release, compare-and-set updates), hostgate.go, robots.go, state.go.
package sharedfetch
