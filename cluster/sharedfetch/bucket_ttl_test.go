package sharedfetch

import (
	"context"
	"testing"
	"time"

	"newsfeed/cluster"
	"newsfeed/internal/natstest"
	"newsfeed/record"
)

// The fetch-state bucket forgets a key StateTTL after its last write, so
// that it keeps only what is still fetched; the owner's setting replaces
// the bucket's.
func TestConnect_StateTTL(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	c, err := cluster.Connect(ctx, cluster.Config{URL: s.ClientURL(), Prefix: "T", StateTTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	state, err := NewState(ctx, c)
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

	owner, err := cluster.Connect(ctx, cluster.Config{URL: s.ClientURL(), Prefix: "T", StateTTL: time.Hour, Owner: true})
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
