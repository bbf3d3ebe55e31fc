package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Hosts lists the deferred hosts with the reason kept; expired ones and
// their reasons go; ClearHost forgets one, and refuses a host that is not
// deferred.
func TestStore_Hosts(t *testing.T) {
	ctx := context.Background()
	s, clk := mustOpenStore(t)
	now := clk.now()
	if hosts, err := s.Hosts(ctx); err != nil || len(hosts) != 0 {
		t.Fatalf("new database: %+v, %v", hosts, err)
	}
	err := s.PutHostDeferrals(ctx, map[string]time.Time{
		"b.example": now.Add(24 * time.Hour), "a.example:8080": now.Add(time.Hour), "old.example": now.Add(time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.PutHostReasons(ctx, []HostDeferral{
		{Host: "b.example", Until: now.Add(24 * time.Hour), Reason: "HTTP 503, asked to wait 24h0m0s"},
		{Host: "a.example:8080", Until: now.Add(time.Hour), Reason: "3 failed requests in a row", Failing: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := s.Hosts(ctx)
	if err != nil || len(hosts) != 3 {
		t.Fatalf("Hosts = %+v, %v", hosts, err)
	}
	if h := hosts[0]; h.Host != "a.example:8080" || !h.Failing || h.Reason != "3 failed requests in a row" || !h.Until.Equal(now.Add(time.Hour)) {
		t.Errorf("first = %+v", h)
	}
	if h := hosts[1]; h.Host != "b.example" || h.Failing || h.Reason == "" {
		t.Errorf("second = %+v", h)
	}
	if h := hosts[2]; h.Host != "old.example" || h.Reason != "" {
		t.Errorf("third = %+v (no reason kept)", h)
	}

	clk.t = now.Add(2 * time.Hour) // a.example's and old.example's deferrals run out
	if err := s.PutHostReasons(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if why, _ := s.HostReasons(ctx); len(why) != 1 || why["b.example"].Reason == "" {
		t.Errorf("reasons after expiry = %+v", why)
	}
	if hosts, _ := s.Hosts(ctx); len(hosts) != 1 || hosts[0].Host != "b.example" {
		t.Errorf("Hosts after expiry = %+v", hosts)
	}

	if err := s.ClearHost(ctx, "B.Example"); err != nil {
		t.Fatal(err)
	}
	if hosts, _ := s.Hosts(ctx); len(hosts) != 0 {
		t.Errorf("Hosts after clear = %+v", hosts)
	}
	if why, _ := s.HostReasons(ctx); len(why) != 0 {
		t.Errorf("reasons after clear = %+v", why)
	}
	if err := s.ClearHost(ctx, "nowhere.example"); !errors.Is(err, ErrNoSuchHost) {
		t.Errorf("ClearHost of a host not deferred: %v", err)
	}
}
