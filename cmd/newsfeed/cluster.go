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
	"newsfeed/cluster/sharedfetch"
	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/parse"
)

// queueConfig holds the NATS flags of schedule and worker: the URL, the
// names and replicas every process gives alike (natsConfig), and the
// queue's settings. schedule owns the streams' settings: it updates them
// to its flags, while every other process only creates what is missing.
type queueConfig struct {
	*natsConfig
	url        string
	queueMax   int64
	ackWait    time.Duration
	maxDeliver int
	stateTTL   config.Duration
	owner      bool
}

// addQueueFlags adds the NATS flags of schedule and worker to fs.
func addQueueFlags(fs *flag.FlagSet) *queueConfig {
	c := &queueConfig{natsConfig: addNATSFlags(fs)}
	fs.StringVar(&c.url, "nats", "", "the NATS server URL, or several joined by commas (required)")
	fs.Int64Var(&c.queueMax, "queue-max", cluster.DefaultWorkMaxMsgs, "the most articles queued; schedule waits beyond it")
	fs.DurationVar(&c.ackWait, "ack-wait", cluster.DefaultAckWait, "how long a worker may go silent on an article before it goes to another")
	fs.IntVar(&c.maxDeliver, "max-deliver", cluster.DefaultMaxDeliver, "deliveries of an article before it goes to the dead letters")
	c.stateTTL = config.Duration(cluster.DefaultStateTTL)
	fs.TextVar(&c.stateTTL, "state-ttl", c.stateTTL, "how long the shared fetch state keeps a URL's validators after its last fetch")
	return c
}

// config returns the cluster configuration the flags describe.
func (c *queueConfig) config(log *slog.Logger) cluster.Config {
	return cluster.Config{URL: c.url, Name: "newsfeed", Prefix: *c.prefix, Replicas: *c.replicas,
		WorkMaxMsgs: c.queueMax, AckWait: c.ackWait, MaxDeliver: c.maxDeliver, StateTTL: c.stateTTL.D(),
		Owner: c.owner, Log: log}
}

// connect connects to NATS and sets up the streams, for command cmd, or
// returns why not: a usageError without --nats, else an interrupted
// failure.
func (c *queueConfig) connect(ctx context.Context, cmd string, log *slog.Logger) (*cluster.Conn, error) {
	if c.url == "" {
		return nil, usagef("%s: --nats URL is required", cmd)
	}
	conn, err := cluster.Connect(ctx, c.config(log))
	if err != nil {
		return nil, interrupted(err)
	}
	return conn, nil
}

// clusterFlags are the flags schedule and worker share: the parse,
// fetch and NATS flags, --quiet and -v; and, once loaded, the sources
// file, the profiles and the logger they give.
type clusterFlags struct {
	parse          *parseConfig
	fetch          *fetchConfig
	nats           *queueConfig
	quiet, verbose *bool

	sources  *config.Config
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
// and the profiles. An error is a usageError.
func (c *clusterFlags) load(e *env, fs *flag.FlagSet) error {
	sc, err := sourcesFile(setFlags(fs), c.parse, c.fetch)
	if err != nil {
		return err
	}
	profiles, err := c.parse.loadProfiles()
	if err != nil {
		return usagef("%v", err)
	}
	c.sources, c.profiles, c.log = sc, profiles, e.log
	if *c.verbose {
		c.log = e.verboseLog()
	}
	return nil
}

// clusterProc is what a schedule or worker process holds: its NATS
// connection, and the fetcher and fetch state it shares with every other
// through the fetch-state bucket.
type clusterProc struct {
	conn    *cluster.Conn
	fetcher *fetch.Fetcher
	state   *sharedfetch.State
	gate    *sharedfetch.HostGate
}

// close closes the fetcher, the gate and the connection.
func (p *clusterProc) close() {
	p.fetcher.Close()
	p.gate.Close()
	p.conn.Close()
}

// open connects to NATS and sets up the process's fetcher and fetch
// state, or returns the error to end with (see connect). The fetcher's per-host
// slots, start times, pauses, deferrals and robots.txt are those of the
// fetch-state bucket, so that politeness holds across all workers
// together; its URL validators too, so that a conditional GET works
// whichever worker takes the URL. The caller closes it.
func (c *clusterFlags) open(ctx context.Context, e *env, cmd string) (*clusterProc, error) {
	conn, err := c.nats.connect(ctx, cmd, c.log)
	if err != nil {
		return nil, err
	}
	p := &clusterProc{conn: conn}
	gate, err := sharedfetch.NewHostGate(ctx, conn, sharedfetch.GateOptions{})
	var robots *sharedfetch.RobotsCache
	if err == nil {
		p.gate = gate
		robots, err = sharedfetch.NewRobotsCache(ctx, conn, 0)
	}
	if err == nil {
		p.state, err = sharedfetch.NewState(ctx, conn)
	}
	if err != nil {
		if p.gate != nil {
			p.gate.Close()
		}
		conn.Close()
		return nil, interrupted(err)
	}
	fc := c.fetch.settings(c.sources, c.parse.maxBytes, e, *c.verbose)
	fc.Gate, fc.Robots = gate, robots
	p.fetcher = fetch.New(fc)
	return p, nil
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
func natsStats(ctx context.Context, e *env, o *natsStatsOptions) error {
	conn, err := cluster.Dial(ctx, cluster.Config{URL: o.url, Prefix: o.prefix, Log: e.log})
	if err != nil {
		return failed(err)
	}
	defer conn.Close()
	st, err := conn.Status(ctx, o.dead)
	if err != nil {
		return failed(fmt.Errorf("%s: %w", o.url, err))
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(st)
	} else {
		err = writeNATSStats(e.stdout, o.url, st)
	}
	if err != nil {
		return failed(fmt.Errorf("write: %w", err))
	}
	return nil
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
