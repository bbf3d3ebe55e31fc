package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"newsfeed/cluster"
	"newsfeed/fetch"
	"newsfeed/ingest"
	"newsfeed/parse"
	"newsfeed/sources"
)

// queueConfig holds the flags that say which NATS to use and how its
// streams are set up, for schedule and worker: every process of one
// deployment takes the same (--nats-prefix and --nats-replicas as serve
// --nats and ingest --from-nats do), since each creates or updates the
// streams on connecting.
type queueConfig struct {
	url, prefix string
	replicas    int
	queueMax    int64
	ackWait     time.Duration
	maxDeliver  int
}

// addQueueFlags adds the NATS flags of schedule and worker to fs.
func addQueueFlags(fs *flag.FlagSet) *queueConfig {
	c := &queueConfig{}
	fs.StringVar(&c.url, "nats", "", "the NATS server URL, or several joined by commas (required)")
	fs.StringVar(&c.prefix, "nats-prefix", cluster.DefaultPrefix, "the prefix of the streams, consumer and bucket names")
	fs.IntVar(&c.replicas, "nats-replicas", 1, "the streams' replicas: 1 for one NATS server, 3 for a cluster")
	fs.Int64Var(&c.queueMax, "queue-max", cluster.DefaultWorkMaxMsgs, "the most articles queued; schedule waits beyond it")
	fs.DurationVar(&c.ackWait, "ack-wait", cluster.DefaultAckWait, "how long a worker may go silent on an article before it goes to another")
	fs.IntVar(&c.maxDeliver, "max-deliver", cluster.DefaultMaxDeliver, "deliveries of an article before it goes to the dead letters")
	return c
}

// config returns the cluster configuration the flags describe.
func (c *queueConfig) config(log *slog.Logger) cluster.Config {
	return cluster.Config{URL: c.url, Name: "newsfeed", Prefix: c.prefix, Replicas: c.replicas,
		WorkMaxMsgs: c.queueMax, AckWait: c.ackWait, MaxDeliver: c.maxDeliver, Log: log}
}

// connect connects to NATS and sets up the streams, or prints why not
// and returns the exit status: 2 without --nats, else 1.
func (c *queueConfig) connect(ctx context.Context, e *env, cmd string, log *slog.Logger) (*cluster.Conn, int) {
	if c.url == "" {
		fmt.Fprintf(e.stderr, "newsfeed: %s: --nats URL is required\n", cmd)
		return nil, exitUsage
	}
	conn, err := cluster.Connect(ctx, c.config(log))
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %s: %v\n", cmd, err)
		if ctx.Err() != nil {
			return nil, signalExit(ctx)
		}
		return nil, exitFailed
	}
	return conn, -1
}

// clusterFlags are the flags schedule and worker share: the parse,
// fetch and NATS flags, --quiet and -v; and, once loaded, the sources
// file, the profiles and the logger they give.
type clusterFlags struct {
	parse          *parseConfig
	fetch          *fetchConfig
	nats           *queueConfig
	quiet, verbose *bool

	sources  *sources.Config
	profiles *parse.Profiles
	log      *slog.Logger
}

// addClusterFlags adds the shared flags to fs.
func addClusterFlags(fs *flag.FlagSet) *clusterFlags {
	return &clusterFlags{
		parse: addParseFlags(fs), fetch: addFetchFlags(fs), nats: addQueueFlags(fs),
		quiet:   fs.Bool("quiet", false, "print nothing but errors; the summary only when something failed (for cron)"),
		verbose: fs.Bool("v", false, "log each request"),
	}
}

// load reads the sources file, if any, filling in the flags not given,
// and the profiles. It returns the exit status to end with, or -1.
func (c *clusterFlags) load(e *env, fs *flag.FlagSet) int {
	sc, code := loadSourcesFile(e, setFlags(fs), c.parse, c.fetch)
	if code >= 0 {
		return code
	}
	profiles, err := c.parse.loadProfiles()
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitUsage
	}
	c.sources, c.profiles, c.log = sc, profiles, e.log
	if *c.verbose {
		c.log = e.verboseLog()
	}
	return -1
}

// open connects to NATS and returns the connection and the process's
// fetcher, or the exit status to end with. The caller closes both.
func (c *clusterFlags) open(ctx context.Context, e *env, cmd string) (*cluster.Conn, *fetch.Fetcher, int) {
	conn, code := c.nats.connect(ctx, e, cmd, c.log)
	if code >= 0 {
		return nil, nil, code
	}
	return conn, clusterFetcher(c.fetch, c.sources, c.parse.maxBytes, e, *c.verbose, conn), -1
}

// clusterFetcher returns the fetcher of a schedule or worker process:
// the one place where the fetch flags and the shared state on NATS meet.
func clusterFetcher(fc *fetchConfig, sc *sources.Config, maxBytes int, e *env, verbose bool, _ *cluster.Conn) *fetch.Fetcher {
	return fc.fetcher(sc, maxBytes, e, verbose)
}

// clusterFetchState returns the fetch state shared by every schedule and
// worker process. There is none yet: lists are read whole at every poll
// (the work stream drops the articles already queued) and articles are
// fetched unconditionally (the records stream drops a page published
// again unchanged).
func clusterFetchState(*cluster.Conn) ingest.FetchState {
	return nil
}

// natsStatsOptions are stats' flags for the state on NATS.
type natsStatsOptions struct {
	url, prefix string
	json        bool
	dead        int
}

// natsStatsFlags adds stats' NATS flags to fs.
func natsStatsFlags(fs *flag.FlagSet) *natsStatsOptions {
	o := &natsStatsOptions{}
	fs.StringVar(&o.url, "nats", "", "print the work queue, the workers, the records stream and the dead letters on this NATS instead of the database")
	fs.StringVar(&o.prefix, "nats-prefix", cluster.DefaultPrefix, "with --nats: the prefix of the streams' names")
	fs.BoolVar(&o.json, "json", false, "with --nats: print JSON")
	fs.IntVar(&o.dead, "dead", 20, "with --nats: the newest dead letters listed (0: all)")
	return o
}

// natsStats prints the state on NATS, changing nothing there.
func natsStats(ctx context.Context, e *env, o *natsStatsOptions) int {
	conn, err := cluster.Dial(ctx, cluster.Config{URL: o.url, Prefix: o.prefix, Log: e.log})
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: stats: %v\n", err)
		return exitFailed
	}
	defer conn.Close()
	st, err := conn.Status(ctx, o.dead)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: stats: %s: %v\n", o.url, err)
		return exitFailed
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(st)
	} else {
		err = writeNATSStats(e.stdout, o.url, st)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: stats: write: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// writeNATSStats prints st as aligned tables.
func writeNATSStats(w io.Writer, url string, st cluster.Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "nats\t%s (streams of %d replicas)\n", url, st.Records.Replicas)
	fmt.Fprintf(tw, "work queue\t%s: %d articles (%s)\n", st.Work.Name, st.Work.Messages, humanBytes(int64(st.Work.Bytes)))
	if c := st.Workers; c.Exists {
		fmt.Fprintf(tw, "workers\t%s: %d pending, %d ack pending, %d redelivered, %d pulls waiting\n",
			c.Name, c.Pending, c.AckPending, c.Redelivered, c.Waiting)
	} else {
		fmt.Fprintf(tw, "workers\t%s: none has run yet\n", c.Name)
	}
	fmt.Fprintf(tw, "records\t%s: %d pages (%s), last seq %d\n", st.Records.Name, st.Records.Messages,
		humanBytes(int64(st.Records.Bytes)), st.Records.LastSeq)
	fmt.Fprintf(tw, "dead letters\t%s: %d\n", st.Dead.Name, st.Dead.Messages)
	if len(st.Letters) > 0 {
		fmt.Fprintln(tw)
		// The error goes last: it is long.
		fmt.Fprintln(tw, "SEQ\tWHEN\tDELIVERIES\tWORKER\tURL\tERROR")
		for _, d := range st.Letters {
			u := d.URL
			if u == "" {
				u = "-"
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", d.Seq, formatTime(d.Time), d.Deliveries, d.Worker, u, d.Error)
		}
	}
	return tw.Flush()
}
