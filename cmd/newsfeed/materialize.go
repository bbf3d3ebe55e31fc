package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"newsfeed/cluster"
	"newsfeed/cluster/records"
	"newsfeed/record"
	"newsfeed/serve"
	"newsfeed/store"
)

// This file wires the records stream into a database: ingest --from-nats
// (applies the stream, for cron or with --follow as a service) and
// serve --nats (a feed server that materialises the stream itself).

// natsConfig holds the flags every process on the NATS streams must give
// alike: they name the streams and set them up.
type natsConfig struct {
	prefix   *string
	replicas *int
}

func addNATSFlags(fs *flag.FlagSet) *natsConfig {
	return &natsConfig{
		prefix:   fs.String("nats-prefix", cluster.DefaultPrefix, "the prefix of the NATS streams' and buckets' names"),
		replicas: fs.Int("nats-replicas", 1, "the streams' replicas: 1 for one NATS server, 3 for a cluster"),
	}
}

// materializer opens the database at db for writing and connects to
// url, for command cmd. It returns the error to end with (the database
// closed) when either fails; the caller closes the connection and the
// store.
func (c *natsConfig) materializer(ctx context.Context, cmd, db string, lockTimeout time.Duration, url string,
	log *slog.Logger) (*records.Materializer, error) {
	s, err := openStore(ctx, db, store.Options{LockTimeout: lockTimeout})
	if err != nil {
		return nil, err
	}
	conn, err := cluster.Connect(ctx, cluster.Config{URL: url, Name: "newsfeed " + cmd,
		Prefix: *c.prefix, Replicas: *c.replicas, Log: log})
	if err != nil {
		return nil, closeStore(s, failed(err))
	}
	return &records.Materializer{Conn: conn, Store: s, Log: log}, nil
}

// ingestFromNATS applies the records stream to the database: what it
// holds now, or with follow everything until SIGINT or SIGTERM (exit 0,
// the last batch committed). It prints the usual summary line.
func (c *ingestConfig) ingestFromNATS(ctx context.Context, e *env, nc *natsConfig, url string, follow bool) error {
	log := e.log
	if *c.verbose {
		log = e.verboseLog()
	}
	m, err := nc.materializer(ctx, "ingest", *c.db, *c.lockTimeout, url, log)
	if err != nil {
		return err
	}
	defer m.Conn.Close()
	m.Follow = follow
	if c.set["batch"] {
		m.BatchSize = *c.batch
	}
	sum, err := m.Run(ctx)
	// Stopping is how --follow ends: not an interruption.
	return c.end(ctx, e, m.Store, err, ctx.Err() != nil && !follow, sum.Bad == 0, sum)
}

// serveNATS serves cfg on addr while materialising the records stream
// at url into cfg.DB, which it holds open for writing: the feeds are
// built again from the open store after each committed batch. schedule,
// if set, runs beside them until serving stops (serve --every). It
// returns when ctx is done, the last batch committed; an error after
// serving began is printed before it returns (the access log is flushed
// after).
func serveNATS(ctx context.Context, e *env, cfg serve.Config, addr string, nc *natsConfig, url string,
	lockTimeout time.Duration, schedule func(context.Context)) error {
	log := cfg.Log
	m, err := nc.materializer(ctx, "serve", cfg.DB, lockTimeout, url, log)
	if err != nil {
		return err
	}
	defer m.Conn.Close()
	s := m.Store
	applied := make(chan struct{}, 1)
	m.Follow = true
	m.OnApply = func(record.WriteResult) {
		select {
		case applied <- struct{}{}:
		default: // a refresh is due already
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	materializeMetrics(reg, m)
	cfg.Store, cfg.Registry = s, reg
	srv, err := serve.New(cfg)
	if err != nil {
		return closeStore(s, usagef("serve: %v", err))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return closeStore(s, failed(err))
	}
	// Both stop when serving does, also when it fails.
	mctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		m.Run(mctx) // with Follow: until mctx is done, retrying after failures
	})
	if schedule != nil {
		wg.Go(func() { schedule(mctx) })
	}
	wg.Go(func() {
		for {
			select {
			case <-mctx.Done():
				return
			case <-applied:
			}
			if err := srv.Refresh(mctx); err != nil && mctx.Err() == nil {
				log.Warn("feeds not rebuilt after a batch; serving the previous ones", slog.Any("error", err))
			}
		}
	})
	err = srv.Serve(ctx, ln)
	stop()
	wg.Wait()
	return status(exitStatus(ctx, e, "serve", closeStore(s, failed(err))))
}

// materializeMetrics registers m's counters with reg.
func materializeMetrics(reg prometheus.Registerer, m *records.Materializer) {
	counter := func(name, help string, v func(records.MaterializeStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return v(m.Stats()) })
	}
	reg.MustRegister(
		counter("newsfeed_stream_messages_total", "Records-stream messages read.",
			func(s records.MaterializeStats) float64 { return float64(s.Messages) }),
		counter("newsfeed_stream_bad_messages_total", "Records-stream messages skipped: not a page that can be stored.",
			func(s records.MaterializeStats) float64 { return float64(s.Bad) }),
		counter("newsfeed_stream_lost_total", "Records-stream sequences the stream no longer held when they were due.",
			func(s records.MaterializeStats) float64 { return float64(s.Lost) }),
		counter("newsfeed_stream_rebuilds_total", "Times the records stream was read again from its first message.",
			func(s records.MaterializeStats) float64 { return float64(s.Rebuilds) }),
		counter("newsfeed_stream_batches_total", "Batches of the records stream committed.",
			func(s records.MaterializeStats) float64 { return float64(s.Batches) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsfeed_stream_seq",
			Help: "The records-stream sequence of the last message applied."},
			func() float64 { return float64(m.Stats().Cursor.Seq) }),
	)
}
