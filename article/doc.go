// Package article turns one piece of work into one parsed page: it
// fetches an article conditionally (or reads a file or stdin) and parses
// it into the records a store takes. It is the one path both a local run
// (package app) and a cluster worker call, so a page gives the same
// records whichever process reads it.
//
//	poll ──Work──► Get (conditional GET, stored validators) ──► Body ──► Body.Parse ──► *record.Page ──► write
//	                 └── 304, or the body of last time: the new URLState only ─────────────────────────► write
//	poll ──File──► Read (file or stdin) + parse ───────────────────────────────► *record.Page ──► write
//	cluster worker ──Work──► Fetch (Get + Parse) ──► Fetched{Page, State}
//
// The canonical URL of a fetched page is parse's decision (parse.Options
// Fetched): the page's records take their URL from its canonical link
// when that is on the same site, else from the URL it was fetched from.
// Nothing here saves state: the caller saves Fetched.State once the page
// is stored.
package article
