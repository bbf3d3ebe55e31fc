// Package clustertest holds what the tests of the cluster packages
// share: connections to an embedded NATS server or cluster, a store in
// a temp dir, and a wait for a condition.
package clustertest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsfeed/cluster"
	"newsfeed/internal/natstest"
	"newsfeed/store"
)

// Timeout bounds every wait of the cluster tests.
const Timeout = 2 * time.Minute

// ClusterEnv names the environment variable that turns on the tests of
// a three-server cluster that shut a server down; make test-cluster sets
// it.
const ClusterEnv = "NEWSFEED_TEST_CLUSTER"

// NewConn starts an embedded server and connects to it with cfg.
func NewConn(t testing.TB, cfg cluster.Config) *cluster.Conn {
	t.Helper()
	cfg.URL = natstest.Start(t).ClientURL()
	if cfg.AckWait == 0 {
		// Rounds of workers share the connection: a stopped worker's pull
		// request stays with the server until it expires, and a message
		// the server hands it then comes back only after AckWait. Keep
		// that well inside Timeout.
		cfg.AckWait = 15 * time.Second
	}
	c, err := cluster.Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Connect connects to url as one process does (prefix "T"), closing at
// the test's end.
func Connect(t testing.TB, url string) *cluster.Conn {
	t.Helper()
	c, err := cluster.Connect(context.Background(), cluster.Config{URL: url, Prefix: "T"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ConnectPlaced connects with cfg, retrying while a fresh cluster may
// not have all its peers in the meta group yet to place the streams.
// The connection is closed at the test's end.
func ConnectPlaced(t testing.TB, ctx context.Context, cfg cluster.Config) *cluster.Conn {
	t.Helper()
	c, err := cluster.Connect(ctx, cfg)
	for err != nil && Sleep(ctx, 100*time.Millisecond) == nil {
		c, err = cluster.Connect(ctx, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Sleep waits d, or less when ctx is done first (then its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// OpenStore opens a new store in a temp dir, verified and closed at the
// test's end.
func OpenStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if problems, err := s.Verify(context.Background()); err != nil || len(problems) > 0 {
			t.Errorf("verify: %v %q", err, problems)
		}
		s.Close()
	})
	return s
}

// WaitFor polls cond until it holds, failing the test after Timeout.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Export returns what newsfeed export prints for s.
func Export(t testing.TB, s *store.Store) string {
	t.Helper()
	var out strings.Builder
	err := s.Changes(context.Background(), store.ChangeQuery{}, func(c store.Change) error {
		out.Write(c.ExportJSON())
		out.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}
