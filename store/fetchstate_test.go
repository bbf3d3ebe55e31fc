package store

import (
	"context"
	"newsfeed/record"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestStore_URLStates(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	t0 := time.Date(2025, 12, 9, 10, 0, 0, 0, time.UTC)
	states := []record.URLState{
		{URL: "https://a.example/1", Source: "a", ETag: `"x"`, LastModified: "Tue, 09 Dec 2025 10:00:00 GMT", BodyHash: "h1", Status: 200,
			FirstFetched: t0, LastFetched: t0, LastChanged: t0},
		{URL: "https://a.example/2", Source: "a", FirstFetched: t0.Add(time.Hour), LastFetched: t0.Add(time.Hour)},
		{URL: "https://b.example/1", Source: "b", FirstFetched: t0.Add(2 * time.Hour)},
	}
	if err := s.PutURLStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	got, err := s.URLStates(ctx, []string{"https://a.example/1", "https://nowhere.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got["https://a.example/1"], states[0]) {
		t.Errorf("URLStates = %+v", got)
	}
	recent, err := s.SourceURLs(ctx, "a", t0)
	if err != nil || len(recent) != 2 || recent[0].URL != "https://a.example/2" || recent[1].URL != "https://a.example/1" {
		t.Errorf("SourceURLs(a, t0) = %+v, %v; want 2 then 1", recent, err)
	}
	if recent, _ := s.SourceURLs(ctx, "a", t0.Add(time.Minute)); len(recent) != 1 {
		t.Errorf("SourceURLs(a, t0+1m) = %+v", recent)
	}
}

func TestStore_HostDeferralsAndListPolls(t *testing.T) {
	ctx := context.Background()
	s, clk := mustOpenStore(t)
	now := clk.t
	if err := s.PutHostDeferrals(ctx, map[string]time.Time{"a.example": now.Add(time.Hour), "b.example": now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.HostDeferrals(ctx)
	if err != nil || len(got) != 1 || !got["a.example"].Equal(now.Add(time.Hour)) {
		t.Errorf("HostDeferrals = %v, %v", got, err)
	}
	clk.t = now.Add(2 * time.Hour) // a.example's deferral ran out: the next put forgets it
	if err := s.PutHostDeferrals(ctx, nil); err != nil {
		t.Fatal(err)
	}
	s.view(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketFetch).Bucket(bucketFetchHosts).Stats().KeyN; n != 0 {
			t.Errorf("%d expired deferrals kept", n)
		}
		return nil
	})

	if err := s.PutListPolls(ctx, map[string]time.Time{"intl": now}); err != nil {
		t.Fatal(err)
	}
	if polls, err := s.ListPolls(ctx); err != nil || !polls["intl"].Equal(now) {
		t.Errorf("ListPolls = %v, %v", polls, err)
	}
}
