package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"newsfeed/cluster/queue"
	"newsfeed/ingest"
	"newsfeed/sources"
)

// runSchedule polls the list pages as run does and queues one message per
// article to fetch on the work stream, for newsfeed worker processes. It
// takes run's sources (the sources file, URLs, @FILE; not files: a worker
// on another machine cannot read them), its parse and fetch flags, and
// the NATS flags. A full queue makes it wait, never drop.
func runSchedule(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "schedule", "--nats URL [SOURCE...]  (URLs, @FILE; default: the sources file)")
	c := addClusterFlags(fs)
	c.nats.owner = true // the scheduler's flags set the streams up
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if code := c.load(e, fs); code >= 0 {
		return code
	}
	srcs, err := ingest.Expand(fs.Args())
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitUsage
	}
	for _, s := range srcs {
		if !ingest.IsURL(s) {
			fmt.Fprintf(e.stderr, "newsfeed: schedule: %s: only URLs and the sources file's lists are scheduled (workers cannot read local files)\n", s)
			return exitUsage
		}
	}
	var lists []ingest.ListSource
	var texts map[string]string
	switch sc := c.sources; {
	case len(srcs) > 0:
	case sc == nil:
		fmt.Fprintf(e.stderr, "newsfeed: schedule: no sources: name URLs or a sources file (--config, or %s)\n", sources.DefaultFile)
		return exitUsage
	default:
		if lists, err = sourceLists(sc, c.profiles); err == nil {
			texts, err = profileTexts(sc)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
			return exitUsage
		}
	}
	p, code := c.open(ctx, e, "schedule")
	if code >= 0 {
		return code
	}
	defer p.close()
	s := queue.NewScheduler(p.conn, texts)
	sum, err := ingest.Run(ctx, nil, srcs, ingest.Options{
		Site: c.parse.site, MaxBytes: c.parse.maxBytes, Profiles: c.profiles, ParseTimeout: c.parse.parseTimeout(),
		Fetcher: p.fetcher, State: p.state, Lists: lists, Fetchers: c.fetch.fetchers,
		Enqueue: s.Enqueue, Log: c.log,
		OnError: func(err error) { fmt.Fprintf(e.stderr, "newsfeed: schedule: %v\n", err) },
	})
	code = runExit(ctx, e, "schedule", err, ctx.Err() != nil, sum.OK())
	if !*c.quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: schedule: %s\n", scheduleSummary(sum, s.Counts()))
	}
	return code
}

// scheduleSummary is the line schedule ends with.
func scheduleSummary(sum ingest.Summary, c queue.ScheduleCounts) string {
	f, l := sum.Fetch, sum.Lists
	hosts := ""
	if len(sum.Hosts) > 0 {
		hosts = " (" + ingest.DeferredHosts(sum.Hosts) + ")"
	}
	return fmt.Sprintf("%d articles queued, %d already queued, %d failed, %d deferred; waited %d times for room; "+
		"lists: %d polled, %d not due, %d deferred, %d failed; http: %d requests, %d 304s, %d robots refusals, %d deferred hosts%s; %s",
		c.Enqueued, c.Duplicates, sum.Failed, sum.Deferred, c.FullWaits,
		l.Polled, l.NotDue, l.Deferred, l.Failed,
		f.Requests, f.NotModified, f.RobotsRefused, f.DeferredHosts, hosts, sum.Elapsed.Round(time.Millisecond))
}

// profileTexts returns the text of each source's own profile file by
// source name: it goes with the source's articles to the workers.
func profileTexts(sc *sources.Config) (map[string]string, error) {
	texts := map[string]string{}
	for _, s := range sc.Sources {
		if s.Profile == "" {
			continue
		}
		b, err := os.ReadFile(relative(sc, s.Profile))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: profile: %w", sc.Path, s.Line, err)
		}
		texts[s.Name] = string(b)
	}
	return texts, nil
}

// runExit prints err, if any, and returns the exit status of a run of
// cmd: 1 when it failed, or (not ok) some of its inputs did; 128+n after
// signal n when interrupted; else 0. ingest and schedule end with it.
func runExit(ctx context.Context, e *env, cmd string, err error, interrupted, ok bool) int {
	switch {
	case err != nil:
		fmt.Fprintf(e.stderr, "newsfeed: %s: %v\n", cmd, err)
		return exitFailed
	case interrupted:
		return signalExit(ctx)
	case !ok:
		return exitFailed
	}
	return exitOK
}
