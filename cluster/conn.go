package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults for Config's zero values.
const (
	DefaultPrefix          = "NEWSFEED"
	DefaultWorkMaxMsgs     = 100_000
	DefaultDuplicateWindow = 2 * time.Hour
	DefaultRecordMaxAge    = 30 * 24 * time.Hour
	DefaultAckWait         = 2 * time.Minute
	DefaultMaxDeliver      = 5
	// DefaultStateTTL is how long the fetch-state bucket keeps a key
	// after its last write.
	DefaultStateTTL = 90 * 24 * time.Hour
)

// Config says which NATS to use and how the streams are set up. The zero
// value of every field but URL takes the default.
type Config struct {
	// URL is the NATS server URL, or several separated by commas
	// ("nats://a:4222,nats://b:4222").
	URL string
	// Name is the client name shown in the server's monitoring.
	Name string
	// Prefix starts every stream, consumer and bucket name, so that
	// several newsfeed deployments can share one NATS account.
	Prefix string
	// Replicas is the streams' and buckets' replica count: 1 for one
	// server, 3 for a production cluster.
	Replicas int
	// WorkMaxMsgs bounds the work queue; a publish beyond it is refused
	// (DiscardNew), which is the scheduler's back-pressure.
	WorkMaxMsgs int64
	// DuplicateWindow is how long the streams remember a Nats-Msg-Id to
	// drop a second publish of it.
	DuplicateWindow time.Duration
	// RecordMaxAge is how long the records stream keeps a message. A feed
	// server that falls further behind rebuilds from the stream's start.
	RecordMaxAge time.Duration
	// AckWait is how long a worker may hold a work message without acking
	// or saying it is still in progress before it is redelivered.
	AckWait time.Duration
	// MaxDeliver is how many times a work message is tried before it goes
	// to the dead letters.
	MaxDeliver int
	// StateTTL is how long the fetch-state bucket keeps a key after its
	// last write: a URL's state is forgotten that long after its last
	// fetch (an article still listed then is fetched once more,
	// unconditionally, and stored unchanged), and so are the list polls,
	// host deferrals and robots.txt files of sources and hosts gone. The
	// bucket stays the size of what is still fetched, however long the
	// deployment runs.
	StateTTL time.Duration
	// Log receives connection events; nil discards.
	Log *slog.Logger
	// Owner makes Connect update streams and the bucket that exist to this
	// configuration. Without it Connect creates what is missing and leaves
	// the rest as it finds it, so that a process started with other flags
	// (a feed server with the default queue bound, say) does not undo the
	// owner's settings. The scheduler is the owner.
	Owner bool
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.WorkMaxMsgs <= 0 {
		c.WorkMaxMsgs = DefaultWorkMaxMsgs
	}
	if c.DuplicateWindow <= 0 {
		c.DuplicateWindow = DefaultDuplicateWindow
	}
	if c.RecordMaxAge <= 0 {
		c.RecordMaxAge = DefaultRecordMaxAge
	}
	if c.AckWait <= 0 {
		c.AckWait = DefaultAckWait
	}
	if c.StateTTL <= 0 {
		c.StateTTL = DefaultStateTTL
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = DefaultMaxDeliver
	}
	if c.Name == "" {
		c.Name = "newsfeed"
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Names are the streams, subjects, consumers and buckets of one prefix.
type Names struct {
	WorkStream, WorkSubject, WorkConsumer string
	RecordStream, RecordSubject           string
	DeadStream, DeadSubject               string
	FetchBucket                           string
}

// NamesFor returns the names under prefix ("NEWSFEED" when empty).
func NamesFor(prefix string) Names {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return Names{
		WorkStream:    prefix + "_WORK",
		WorkSubject:   prefix + ".work",
		WorkConsumer:  prefix + "_WORKERS",
		RecordStream:  prefix + "_RECORDS",
		RecordSubject: prefix + ".records",
		DeadStream:    prefix + "_DEAD",
		DeadSubject:   prefix + ".dead",
		FetchBucket:   prefix + "_FETCH",
	}
}

// Conn is a connection to NATS with the streams and buckets in place.
type Conn struct {
	NC    *nats.Conn
	JS    jetstream.JetStream
	Names Names
	Cfg   Config // with defaults filled in
}

// Connect connects to cfg.URL and creates the streams and the
// fetch-state bucket that are missing; with cfg.Owner it also updates
// those that exist to cfg, so that a changed setting (more replicas, a
// larger queue) takes effect.
func Connect(ctx context.Context, cfg Config) (*Conn, error) {
	c, err := Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := c.setup(ctx); err != nil {
		c.NC.Close()
		return nil, err
	}
	return c, nil
}

// Dial connects to cfg.URL and changes nothing on the server: for a
// process that only looks (newsfeed stats --nats), so that its flags do
// not reconfigure the streams.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	if cfg.URL == "" {
		return nil, errors.New("cluster: no NATS URL")
	}
	cfg = cfg.withDefaults()
	log := cfg.Log
	nc, err := nats.Connect(cfg.URL,
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", slog.Any("err", err))
			}
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				log.Warn("nats", slog.String("subject", sub.Subject), slog.Any("err", err))
				return
			}
			log.Warn("nats", slog.Any("err", err))
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", slog.String("url", nc.ConnectedUrlRedacted()))
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("cluster: connect %s: %w", cfg.URL, err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(RequestTimeout))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("cluster: jetstream: %w", err)
	}
	return &Conn{NC: nc, JS: js, Names: NamesFor(cfg.Prefix), Cfg: cfg}, nil
}

// Close drains the connection: what was published is sent first.
func (c *Conn) Close() error { return c.NC.Drain() }

// setup creates the streams and the bucket, or, for the owner, updates
// them.
func (c *Conn) setup(ctx context.Context) error {
	n, cfg := c.Names, c.Cfg
	streams := []jetstream.StreamConfig{{
		Name:        n.WorkStream,
		Description: "newsfeed: article URLs to fetch",
		Subjects:    []string{n.WorkSubject},
		Retention:   jetstream.WorkQueuePolicy,
		Discard:     jetstream.DiscardNew,
		MaxMsgs:     cfg.WorkMaxMsgs,
		Duplicates:  cfg.DuplicateWindow,
		Replicas:    cfg.Replicas,
		Storage:     jetstream.FileStorage,
	}, {
		Name:        n.RecordStream,
		Description: "newsfeed: parsed pages, one message each",
		Subjects:    []string{n.RecordSubject},
		Retention:   jetstream.LimitsPolicy,
		MaxAge:      cfg.RecordMaxAge,
		Duplicates:  cfg.DuplicateWindow,
		Replicas:    cfg.Replicas,
		Storage:     jetstream.FileStorage,
	}, {
		Name:        n.DeadStream,
		Description: "newsfeed: work that failed every delivery, with the error",
		Subjects:    []string{n.DeadSubject},
		Retention:   jetstream.LimitsPolicy,
		Replicas:    cfg.Replicas,
		Storage:     jetstream.FileStorage,
	}}
	for _, sc := range streams {
		var err error
		if cfg.Owner {
			_, err = c.JS.CreateOrUpdateStream(ctx, sc)
		} else if _, err = c.JS.Stream(ctx, sc.Name); errors.Is(err, jetstream.ErrStreamNotFound) {
			_, err = c.JS.CreateStream(ctx, sc)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				err = nil // another process made it first
			}
		}
		if err != nil {
			return fmt.Errorf("cluster: stream %s: %w", sc.Name, err)
		}
	}
	kv := jetstream.KeyValueConfig{
		Bucket:      n.FetchBucket,
		Description: "newsfeed: shared fetch state and politeness",
		TTL:         cfg.StateTTL,
		Replicas:    cfg.Replicas,
		Storage:     jetstream.FileStorage,
	}
	var err error
	if cfg.Owner {
		_, err = c.JS.CreateOrUpdateKeyValue(ctx, kv)
	} else if _, err = c.JS.KeyValue(ctx, kv.Bucket); errors.Is(err, jetstream.ErrBucketNotFound) {
		_, err = c.JS.CreateKeyValue(ctx, kv)
		if errors.Is(err, jetstream.ErrBucketExists) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("cluster: bucket %s: %w", n.FetchBucket, err)
	}
	return nil
}
