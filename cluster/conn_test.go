package cluster

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/internal/natstest"
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
