// Package config reads newsfeed's sources file (newsfeed.toml) into one
// typed Config: the program's settings (database, feed folder, fetcher
// limits, retention, compaction) and the list pages to poll. It checks
// every value before decoding it, so that each error names the file, the
// line and the key; it reads the file and does nothing else.
//
// A sources file:
//
//	contact = "https://example.org/about-our-bot"   # goes into the User-Agent
//	per_host = 2
//	delay = "1s"
//
//	compact_above = 50  # percent of free pages past which run compacts
//
//	[retention]         # how long run keeps records: a store.Retention
//	headline = "30d"
//	article = "365d"
//
//	[defaults]
//	every = "10m"
//
//	[[source]]
//	name = "guancha-international"
//	html = "https://www.guancha.cn/GuoJi%C2%B7ZhanLue/list_1.shtml"
//	links = "h4.module-title a"
//
//	[[source]]
//	name = "example"
//	type = "site"       # KindSite: the address alone
//	url = "https://example.org/"
//
// A source is one list page of a kind (feed, sitemap, html, urls), or a
// site source (type = "site" and a url, KindSite), which names no list
// page: the polling stage discovers one (package discover) and reads it
// as the feed, sitemap or html source found. A site source may not set
// links or pattern, nor another kind's key.
//
// Hand-offs:
//
//	newsfeed.toml ──Load──► Config ──► cmd: fetch.Config (contact, per_host, delay…), store options, app.Config
//	                           ├── Retention ──► store.Prune (after each run)
//	                           └── Sources ──► poll: a list source ──► sources.Discover (the list's article links)
//	                                                 a site source ──► discover.Site ──► Method.Source ──► polled as that kind
package config
