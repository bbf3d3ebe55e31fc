package main

import (
	"context"
)

// runRun ingests the sources, then publishes every feed: the one command
// a crontab needs. With no SOURCE it runs every source of the sources
// file (newsfeed.toml, or --config), and with no sources file it reads
// seeds/. It takes ingest's flags and publish's --out, --base-url,
// --limit and --title (a sources file's out and base_url fill in the
// ones not given, and its [retention] and compact_above fill in
// --retention and --compact-above); --db, --lock-timeout, --quiet and -v
// apply to both.
// Publishing goes on when some inputs failed (the rest were stored); the
// exit status is the worse of the two. Between the two it applies
// --retention (see retention.go), so that feeds never list a record it
// deleted; after publishing it drops stale cached items and compacts past
// --compact-above.
func runRun(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "run", "[SOURCE...]  (default: the sources file, else seeds/)")
	in := ingestFlags(fs)
	pub := publishFlags(fs)
	mt := maintainFlags(fs)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if code := mt.parse(e); code >= 0 {
		return code
	}
	if code := in.load(e, fs); code >= 0 {
		return code
	}
	if sc := in.sources; sc != nil {
		if !in.set["out"] && sc.Out != "" {
			pub.out = relative(sc, sc.Out)
		}
		if !in.set["base-url"] && sc.BaseURL != "" {
			pub.baseURL = sc.BaseURL
		}
		mt.apply(sc, in.set)
	}
	pub.quiet, pub.verbose = *in.quiet, *in.verbose

	code := in.ingest(ctx, e, fs.Args())
	if code != exitOK && code != exitFailed {
		return code // usage, locked, interrupted: nothing new to publish
	}
	code = max(code, mt.prune(ctx, e, *in.db, *in.lockTimeout, *in.quiet))
	if ctx.Err() != nil {
		return signalExit(ctx)
	}
	code = max(code, pub.publish(ctx, e, *in.db, *in.lockTimeout))
	if code != exitOK && code != exitFailed {
		return code
	}
	return max(code, mt.tidy(ctx, e, *in.db, *in.lockTimeout, pub.limit, *in.quiet))
}
