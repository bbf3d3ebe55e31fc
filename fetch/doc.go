// Package fetch is newsfeed's one HTTP fetcher: polite, conditional,
// bounded GET requests to news sites.
//
//	f := fetch.New(fetch.Config{UserAgent: fetch.UserAgent(version, contactURL)})
//	defer f.Close()
//	for host, until := range storedDeferrals {
//		f.Defer(host, until)
//	}
//	resp, err := f.Get(ctx, pageURL, stored) // stored: the Validators kept for pageURL
//	switch {
//	case err != nil: // errors.Is(err, fetch.ErrRobots), errors.As(err, &deferred), …
//	case resp.NotModified: // save resp.Validators; nothing to parse
//	default: // parse resp.Body with resp.ContentType; save resp.Validators
//	}
//	save(f.Deferrals()); log(f.Stats())
//
// # Conditional requests
//
// Get sends the stored ETag as If-None-Match and the stored Last-Modified
// as If-Modified-Since, verbatim and each only when non-empty; it never
// makes an If-Modified-Since up from the clock. Response.Validators is
// what to store next: after a 200 the validators the server sent (a
// missing one is ""), after a 304 each validator the 304 carries replaces
// the stored one and a missing one keeps it. A 304 to a request that sent
// no validator is a StatusError.
//
// # Politeness
//
// Each host (the URL's host, lower case, with its port) gets at most
// Config.PerHost requests in flight, and request starts at least
// Config.Delay apart, or the robots.txt Crawl-delay when that is larger.
// robots.txt is read once per host per Fetcher, before the first request
// to it, and obeyed for the product token of the User-Agent ("newsfeed"),
// after RFC 9309: a 4xx means no restriction; a 5xx or a connection
// failure (after retries) disallows the whole host for the Fetcher's life,
// and each Get to it fails with a *HostError (the host is failing: an
// outage, not the site's refusal, which is ErrRobots).
// Config.IgnoreRobots skips it. A Crawl-delay is honoured however long it
// is; the caller's context bounds a run.
//
// Connection errors, timeouts, 429 and 5xx are retried up to
// Config.Retries times, after the Retry-After the server gives (seconds or
// an HTTP date) or else an exponential back-off with jitter
// (Config.Backoff doubled per retry, half of it random). The wait holds
// back every request to the host, not only the one retried. A wait longer
// than Config.MaxRetryWait is not waited: the host is deferred until then
// and the Get fails with a DeferredError; a Retry-After beyond
// Config.MaxRetryAfter (24h) is capped, with a warning naming the host
// and the value. Config.DeferAfter failed Gets in
// a row (each after its retries) defer the host for
// Config.FailureDeferral, and its DeferredError says Failing. A deferred host is sent nothing until its time;
// Deferrals lists the deferrals this Fetcher made, for the caller to store,
// and Defer (or LoadDeferral, with the reason) loads them back in the next
// run; Deferred lists every host deferred that this Fetcher deferred or
// ran into, for a run's summary.
//
// # Sharing politeness among Fetchers
//
// By default all of the above lives in the Fetcher's memory and holds for
// that Fetcher alone. Workers on several machines share it through two
// hooks (package cluster implements both over a NATS JetStream key-value
// bucket): with Config.Gate, a HostGate gives out the request slots and
// start times and keeps the pauses and deferrals, so PerHost, Delay (and
// a Crawl-delay, which each Fetcher passes on as its delay), Retry-After
// and deferrals hold across all of them together; with Config.Robots, a
// RobotsCache keeps each host's robots.txt as read, so it is read once
// for all of them and kept RobotsMaxAge (RobotsUnreachableMaxAge when it
// could not be reached), after which it is read again. A consecutive
// failure count (DeferAfter) stays each Fetcher's own.
//
// # Limits and safety
//
// Only http and https URLs are fetched (ErrScheme). The address check runs
// on every resolved IP just before connecting (a net.Dialer Control hook),
// so a hostname, a redirect or a DNS answer that changes cannot reach a
// loopback, private, link-local, multicast, unspecified or other special
// address (ErrPrivateAddress) unless Config.AllowPrivate is set;
// Config.AllowAddrs lets tests allow exactly their own server. No proxy is
// used, as the check must see the address connected to. At most
// MaxRedirects redirects are followed (ErrTooManyRedirects), each checked
// again for scheme, deferral, robots.txt and address. Connects and TLS
// handshakes are bounded by Config.ConnectTimeout, the wait for headers by
// Config.HeaderTimeout, and each attempt as a whole by Config.Timeout. The
// body is capped at Config.MaxBytes both on the wire and decoded; gzip
// and brotli are asked for and decoded here, so a compression bomb stops
// at the cap (ErrTooLarge), and a larger body is an error, never a
// truncation.
//
// # Reporting
//
// Every HTTP request is logged at Info on Config.Logger with method, url,
// status (0 when none came), bytes, ms and any error; Stats counts
// requests, 304s, bytes, retries, robots refusals and deferred hosts.
package fetch
