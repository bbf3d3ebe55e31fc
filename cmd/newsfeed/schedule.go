package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"newsfeed/app"
	"newsfeed/cluster/queue"
	"newsfeed/config"
	"newsfeed/poll"
)

// runSchedule polls the list pages as run does and queues one message per
// article to fetch on the work stream, for newsfeed worker processes. It
// takes run's sources (the sources file, URLs, @FILE; not files: a worker
// on another machine cannot read them), its parse and fetch flags, and
// the NATS flags. A full queue makes it wait, never drop.
func runSchedule(ctx context.Context, e *env, args []string) error {
	s, err := newScheduleSetup(e, args, nil)
	if err != nil {
		return err
	}
	return s.run(ctx, e)
}

// scheduleSetup is a parsed `newsfeed schedule`: its flags and sources,
// read once.
type scheduleSetup struct {
	c     *clusterFlags
	srcs  []string
	lists []poll.ListSource
	texts map[string]string
}

// newScheduleSetup parses schedule's flags from args (preset, when set,
// sets flags first, as serve --every --nats does) and reads its sources.
// A usage error is returned as an error.
func newScheduleSetup(e *env, args []string, preset func(fs *flag.FlagSet) error) (*scheduleSetup, error) {
	fs := newFlagSet(e, "schedule", "--nats URL [SOURCE...]  (URLs, @FILE; default: the sources file)")
	c := addClusterFlags(fs)
	c.nats.owner = true // the scheduler's flags set the streams up
	if preset != nil {
		if err := preset(fs); err != nil {
			return nil, err
		}
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if err := c.load(e, fs); err != nil {
		return nil, err
	}
	srcs, err := poll.Expand(fs.Args())
	if err != nil {
		return nil, usagef("%v", err)
	}
	for _, s := range srcs {
		if !poll.IsURL(s) {
			return nil, usagef("schedule: %s: only URLs and the sources file's lists are scheduled (workers cannot read local files)", s)
		}
	}
	sch := &scheduleSetup{c: c, srcs: srcs}
	switch sc := c.sources; {
	case len(srcs) > 0:
	case sc == nil:
		return nil, usagef("schedule: no sources: name URLs or a sources file (--config, or %s)", config.DefaultFile)
	default:
		if sch.lists, err = sourceLists(sc, c.profiles); err == nil {
			sch.texts, err = profileTexts(sc)
		}
		if err != nil {
			return nil, usagef("%v", err)
		}
	}
	return sch, nil
}

// run polls the sources once and queues their articles (app.Schedule
// with the cluster's Scheduler as the sink), and returns what it ends
// with: an error connecting, else the statusCode after the summary line
// (nil: exit status 0).
func (sch *scheduleSetup) run(ctx context.Context, e *env) error {
	c := sch.c
	p, err := c.open(ctx, e, "schedule")
	if err != nil {
		return err
	}
	defer p.close()
	s := queue.NewScheduler(p.conn, sch.texts)
	sum, err := app.Schedule(ctx, sch.srcs, app.Options{
		Site: c.parse.site, MaxBytes: c.parse.maxBytes, Profiles: c.profiles, ParseTimeout: c.parse.parseTimeout(),
		Fetcher: p.fetcher, State: p.state, Lists: sch.lists, Fetchers: c.fetch.fetchers, Log: c.log,
		OnError: func(err error) { fmt.Fprintf(e.stderr, "newsfeed: schedule: %v\n", err) },
	}, s.Enqueue)
	if err == nil && !sum.OK() && ctx.Err() == nil {
		err = app.ErrInputsFailed
	}
	code := exitStatus(ctx, e, "schedule", err) // printed before the summary
	if code == exitOK && ctx.Err() != nil {
		code = signalExit(ctx)
	}
	if !*c.quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: schedule: %s\n", scheduleSummary(sum, s.Counts()))
	}
	return status(code)
}

// scheduleSummary is the line schedule ends with.
func scheduleSummary(sum app.Report, c queue.ScheduleCounts) string {
	f, l := sum.Fetch, sum.Lists
	hosts := ""
	if len(sum.Hosts) > 0 {
		hosts = " (" + app.DeferredHosts(sum.Hosts) + ")"
	}
	return fmt.Sprintf("%d articles queued, %d already queued, %d failed, %d deferred; waited %d times for room; "+
		"lists: %d polled, %d not due, %d deferred, %d failed; http: %d requests, %d 304s, %d robots refusals, %d deferred hosts%s; %s",
		c.Enqueued, c.Duplicates, sum.Failed, sum.Deferred, c.FullWaits,
		l.Polled, l.NotDue, l.Deferred, l.Failed,
		f.Requests, f.NotModified, f.RobotsRefused, f.DeferredHosts, hosts, sum.Elapsed.Round(time.Millisecond))
}

// profileTexts returns the text of each source's own profile file by
// source name: it goes with the source's articles to the workers.
func profileTexts(sc *config.Config) (map[string]string, error) {
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
