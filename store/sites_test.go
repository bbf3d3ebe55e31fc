package store

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"newsfeed/record"
)

// Site states are kept by source name in fetch/sites/, which the first
// put makes: a database without it reads as none kept, and the file
// still verifies.
func TestStore_SiteStates(t *testing.T) {
	ctx := context.Background()
	s, _ := mustOpenStore(t)
	got, err := s.SiteStates(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("SiteStates before any put = %v, %v", got, err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	states := []record.SiteState{
		{Source: "a", URL: "https://a.example/", Method: json.RawMessage(`{"kind":"feed","url":"https://a.example/feed.xml"}`),
			Checked: t0, LastNew: t0.Add(time.Hour), Empty: 3},
		{Source: "b", URL: "https://b.example/", Checked: t0},
	}
	if err := s.PutSiteStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	states[1].Empty = 1
	if err := s.PutSiteStates(ctx, states[1:]); err != nil {
		t.Fatal(err)
	}
	got, err = s.SiteStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got["a"], states[0]) || !reflect.DeepEqual(got["b"], states[1]) {
		t.Errorf("SiteStates = %+v\nwant %+v", got, states)
	}
	mustVerify(t, s)
}
