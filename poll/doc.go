// Package poll turns a run's sources into work: files, folders and stdin
// into files to read, URLs and the sources file's list pages into
// articles to fetch, each with its list's context (source, site,
// profiles, marker) and whether the fetch state knows it. It fetches the
// list pages (conditionally, with the validators the fetch state keeps)
// but no article: that is package article's job.
//
//	SOURCE args ──► walk ──── files, stdin ──────────────────► Sink.File (article.File)
//	                   └───── URLs (canonical) ─┐
//	sources file ──► ListSource ──► poll lists ─┴─ pick ─────► Sink.Work (article.Work): app's fetchers, or queue.Scheduler.Enqueue
//	                       ▲              └── list errors ───► Sink.Failed
//	FetchState ──── Load (deferrals, poll times)   Save (after the run: deferrals, poll times, the lists' validators)
//
// A list whose articles did not all get through (the caller reports them
// with Failed) keeps no validators, so that the next poll reads it whole
// again rather than getting a 304.
//
// # Site sources
//
// A source of type "site" (config.KindSite) names an address, not a list
// page. At its first poll the poller runs discover.Site on it through the
// run's fetcher (politeness, robots.txt and the address guard hold; the
// requests count against the host), keeps the method found in the fetch
// state (record.SiteState, through SiteStates: the store's fetch/sites/,
// the cluster's site.<source> keys) and polls it as Method.Source makes
// it, under the site source's name and settings:
//
//	site source ──► SiteStates (Load) ── method kept? ──► read it as its feed/sitemap/html source ──► pick ──► Sink.Work
//	                      │ none, or found for another address     │ failed, or no link, or stale
//	                      └──────────────► discover.Site ◄─────────┘ (a new method is read at once)
//	                                           └── method, checked, last new ──► SiteStates (Save, complete or not)
//
// A poll through the method that fails (an HTTP error, a page that does
// not parse as its kind, a page read whole with no article link), or the
// poll after which the method has given no new article for Config.Stale
// (DefaultStale, 7 days) over StalePolls polls, discovers the site again;
// a method that changed is logged at Info ("site NAME: method OLD → NEW")
// and read in the same poll. When discovery fails, the error goes to
// Sink.Failed as a list error naming the source and the address, and the
// old method is kept. A fetch state without SiteStates keeps no method:
// such a poll discovers each site source at every run.
package poll
