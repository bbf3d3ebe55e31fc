package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/internal/natstest"
	"newsfeed/record"
)

// Connecting twice (a second process, or a restart) finds the streams as
// the first made them, and the work queue refuses what is over its bound.
func TestConnectSetsUpStreams(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	cfg := Config{URL: s.ClientURL(), Prefix: "T", WorkMaxMsgs: 2}
	for range 2 {
		c, err := Connect(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	c, err := Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, name := range []string{"T_WORK", "T_RECORDS", "T_DEAD", "KV_T_FETCH"} {
		if _, err := c.JS.Stream(ctx, name); err != nil {
			t.Errorf("stream %s: %v", name, err)
		}
	}
	for i, id := range []string{"a", "b", "c"} {
		_, err := c.JS.Publish(ctx, c.Names.WorkSubject, []byte(id), jetstream.WithMsgID(id))
		if i < 2 && err != nil {
			t.Fatalf("publish %s: %v", id, err)
		}
		if i == 2 && err == nil {
			t.Fatal("third publish to a work queue bounded at 2 was accepted")
		}
	}
	// A second publish with the same Nats-Msg-Id is dropped as a duplicate.
	ack, err := c.JS.Publish(ctx, c.Names.RecordSubject, []byte("x"), jetstream.WithMsgID("same"))
	if err != nil || ack.Duplicate {
		t.Fatalf("first publish: %v, duplicate %v", err, ack != nil && ack.Duplicate)
	}
	ack, err = c.JS.Publish(ctx, c.Names.RecordSubject, []byte("x"), jetstream.WithMsgID("same"))
	if err != nil || !ack.Duplicate {
		t.Fatalf("second publish: %v, duplicate %v", err, ack != nil && ack.Duplicate)
	}
}

func TestClusterR3(t *testing.T) {
	if testing.Short() {
		t.Skip("three servers")
	}
	ctx := context.Background()
	servers := natstest.Cluster(t, 3)
	c, err := Connect(ctx, Config{URL: natstest.URLs(servers...), Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	info, err := c.JS.Stream(ctx, c.Names.RecordStream)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.CachedInfo().Config.Replicas; got != 3 {
		t.Fatalf("replicas %d, want 3", got)
	}
}

// The fetch-state bucket forgets a key StateTTL after its last write, so
// that it keeps only what is still fetched; the owner's setting replaces
// the bucket's.
func TestConnect_StateTTL(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	c, err := Connect(ctx, Config{URL: s.ClientURL(), Prefix: "T", StateTTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	state, err := NewFetchState(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	const u = "https://example.com/a"
	if err := state.PutURLStates(ctx, []record.URLState{{URL: u, ETag: `"1"`, Source: "s"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := state.URLStates(ctx, []string{u}); err != nil || got[u].ETag != `"1"` {
		t.Fatalf("URLStates = %v, %v", got, err)
	}
	waitFor(t, "the state to expire", func() bool {
		got, err := state.URLStates(ctx, []string{u})
		return err == nil && len(got) == 0
	})
	if got, err := state.SourceURLs(ctx, "s", time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("SourceURLs after the TTL = %v, %v", got, err)
	}

	owner, err := Connect(ctx, Config{URL: s.ClientURL(), Prefix: "T", StateTTL: time.Hour, Owner: true})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	kv, err := owner.JS.KeyValue(ctx, owner.Names.FetchBucket)
	if err != nil {
		t.Fatal(err)
	}
	st, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.TTL() != time.Hour {
		t.Errorf("bucket TTL %v after the owner connected with 1h", st.TTL())
	}
}
