package sharedfetch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsfeed/internal/natstest"
)

// slotRevision returns the revision of a host's slot key and whether a
// lease is held on it.
func slotRevision(t *testing.T, kv jetstream.KeyValue, host string, i int) (uint64, bool) {
	t.Helper()
	key := fmt.Sprintf("%s%d.%s", keySlot, i, keyPart(host, true))
	e, err := kv.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	l, err := decodeValue[leaseValue](key, e.Value())
	if err != nil {
		t.Fatal(err)
	}
	return e.Revision(), l.Owner != ""
}

// newGate returns a gate on its own connection, as a worker process has.
func newGate(t *testing.T, url string, o GateOptions) (*HostGate, jetstream.KeyValue) {
	t.Helper()
	c := connect(t, url)
	g, err := NewHostGate(context.Background(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	kv, err := c.JS.KeyValue(context.Background(), c.Names.FetchBucket)
	if err != nil {
		t.Fatal(err)
	}
	return g, kv
}

// A slot passes from a request that ends to the next of the same
// process, waiting or coming within IdleHold, without a write to the
// bucket: the slot key keeps the revision its take left, held all along.
// After maxHandoffs requests it is freed in the bucket and taken again.
func TestHostGate_HandsSlotOnInProcess(t *testing.T) {
	srv := natstest.Start(t)
	g, kv := newGate(t, srv.ClientURL(), GateOptions{IdleHold: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const host = "example.com"

	release, err := g.Acquire(ctx, host, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	rev, held := slotRevision(t, kv, host, 0)
	if !held {
		t.Fatal("slot not held in the bucket")
	}
	// A second request waits for the only slot; the first's release
	// passes it on.
	got := make(chan func(), 1)
	go func() {
		r, err := g.Acquire(ctx, host, 1, 0)
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	release()
	release = <-got
	if release == nil {
		t.FailNow()
	}
	// One request after the other: the slot waits idle for the next.
	for range maxHandoffs - 2 {
		release()
		if release, err = g.Acquire(ctx, host, 1, 0); err != nil {
			t.Fatal(err)
		}
		if r, held := slotRevision(t, kv, host, 0); r != rev || !held {
			t.Fatalf("slot written in the bucket (revision %d → %d, held %v) while this process used it", rev, r, held)
		}
	}
	// The maxHandoffs-th request in a row ends: the slot is freed in the
	// bucket for the other workers.
	release()
	if r, held := slotRevision(t, kv, host, 0); r == rev || held {
		t.Errorf("after %d requests the slot is still held (revision %d → %d)", maxHandoffs, rev, r)
	}
}

// A slot idle for IdleHold is freed in the bucket, and Close frees the
// idle ones at once: another worker takes them without waiting for the
// lease to run out.
func TestHostGate_IdleSlotFreed(t *testing.T) {
	srv := natstest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const host = "example.com"

	short, kv := newGate(t, srv.ClientURL(), GateOptions{IdleHold: 20 * time.Millisecond})
	release, err := short.Acquire(ctx, host, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	release()
	waitFor(t, "the idle slot freed in the bucket", func() bool {
		_, held := slotRevision(t, kv, host, 0)
		return !held
	})

	// Lease an hour: only a release frees the slot for the other gate
	// within the test's minute.
	long, _ := newGate(t, srv.ClientURL(), GateOptions{IdleHold: time.Hour, Lease: time.Hour})
	if release, err = long.Acquire(ctx, host, 1, 0); err != nil {
		t.Fatal(err)
	}
	release()
	if _, held := slotRevision(t, kv, host, 0); !held {
		t.Fatal("the slot is not held idle")
	}
	long.Close()
	other, _ := newGate(t, srv.ClientURL(), GateOptions{})
	if release, err = other.Acquire(ctx, host, 1, 0); err != nil {
		t.Fatalf("another worker after Close: %v", err)
	}
	release()
}

// With IdleHold negative a slot nobody waits for is freed at once.
func TestHostGate_NoIdleHold(t *testing.T) {
	srv := natstest.Start(t)
	g, kv := newGate(t, srv.ClientURL(), GateOptions{IdleHold: -1})
	release, err := g.Acquire(context.Background(), "example.com", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if _, held := slotRevision(t, kv, "example.com", 0); held {
		t.Error("slot still held after its release")
	}
}
