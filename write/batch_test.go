package write

import (
	"context"
	"errors"
	"testing"
	"time"

	"newsfeed/record"
)

// recorder is a Writer and a StateSaver that records the order of
// their calls.
type recorder struct {
	calls []string
	fail  error
}

func (r *recorder) WritePages(_ context.Context, pages []*record.Page) (record.WriteResult, error) {
	r.calls = append(r.calls, "pages")
	if r.fail != nil {
		return record.WriteResult{}, r.fail
	}
	return record.WriteResult{New: len(pages)}, nil
}

func (r *recorder) PutURLStates(_ context.Context, states []record.URLState) error {
	r.calls = append(r.calls, "states")
	return nil
}

// A full batch is committed at once, its states saved after it; a state
// alone waits for the batch to fill or a flush.
func TestBatcher_StatesAfterTheirBatch(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	b := New(r, r, Options{BatchSize: 2, FlushInterval: time.Hour})
	b.Add(ctx, &record.Page{Source: "a"}, &record.URLState{URL: "a"})
	if len(r.calls) != 0 {
		t.Fatalf("committed early: %v", r.calls)
	}
	b.Add(ctx, &record.Page{Source: "c"}, nil)
	if got := r.calls; len(got) != 2 || got[0] != "pages" || got[1] != "states" {
		t.Fatalf("calls %v, want pages then states", got)
	}
	b.Add(ctx, nil, &record.URLState{URL: "d"})
	b.Flush(ctx)
	if res := b.Result(); res.New != 2 || len(r.calls) != 3 || r.calls[2] != "states" || b.Err() != nil {
		t.Errorf("%+v, calls %v, err %v", res, r.calls, b.Err())
	}
}

// A failed commit counts its pages failed, saves none of their states,
// calls OnFail and stores nothing after.
func TestBatcher_FailedCommit(t *testing.T) {
	ctx := context.Background()
	r := &recorder{fail: errors.New("disk full")}
	failed := 0
	b := New(r, r, Options{BatchSize: 2, OnFail: func() { failed++ }})
	b.Add(ctx, &record.Page{Source: "a"}, &record.URLState{URL: "a"})
	b.Add(ctx, &record.Page{Source: "b"}, &record.URLState{URL: "b"})
	b.Add(ctx, &record.Page{Source: "c"}, nil)
	b.Flush(ctx)
	if res := b.Result(); res.Failed != 2 || failed != 1 || b.Err() == nil || len(r.calls) != 1 {
		t.Errorf("%+v, OnFail %d times, err %v, calls %v", res, failed, b.Err(), r.calls)
	}
}
