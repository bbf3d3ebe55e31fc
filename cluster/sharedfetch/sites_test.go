package sharedfetch

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"newsfeed/internal/natstest"
	"newsfeed/record"
)

// A site source's method kept by one scheduler is read by another, under
// its source's name (escaped for the key and back).
func TestState_SiteStatesAcrossWorkers(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	a, b := newState(t, connect(t, srv.ClientURL())), newState(t, connect(t, srv.ClientURL()))
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	states := []record.SiteState{
		{Source: "news.example", URL: "https://news.example/", Method: json.RawMessage(`{"kind":"feed","url":"https://news.example/feed.xml"}`),
			Checked: t0, LastNew: t0.Add(time.Hour), Empty: 2},
		{Source: "新闻 section", URL: "https://例子.cn/", Checked: t0},
	}
	if err := a.PutSiteStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	got, err := b.SiteStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]record.SiteState{states[0].Source: states[0], states[1].Source: states[1]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SiteStates =\n%+v\nwant\n%+v", got, want)
	}
}
