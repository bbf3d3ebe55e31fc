package main

import (
	"context"
)

// runRun ingests the sources (default seeds/), then publishes every feed:
// the one command a crontab needs. It takes ingest's flags and publish's
// --out, --base-url, --limit and --title; --db, --lock-timeout, --quiet
// and -v apply to both. Publishing goes on when some inputs failed (the
// rest were stored); the exit status is the worse of the two. Between
// the two it applies --retention (see retention.go), so that feeds never
// list a record it deleted; after publishing it drops stale cached items
// and compacts past --compact-above.
func runRun(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "run", "[SOURCE...]  (default seeds/)")
	in := ingestFlags(fs)
	pub := publishFlags(fs, false)
	mt := maintainFlags(fs)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if code := mt.parse(e); code >= 0 {
		return code
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
