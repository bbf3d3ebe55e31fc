package main

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flusher and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A buffered log holds lines back until its interval passes, and close
// writes out the rest.
func TestBufferedLog(t *testing.T) {
	var out syncBuffer
	b := newBufferedLog(context.Background(), &out, 20*time.Millisecond)
	b.Write([]byte("one\n"))
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "one\n" {
		if time.Now().After(deadline) {
			t.Fatalf("not flushed after its interval: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	b = newBufferedLog(context.Background(), &out, time.Hour)
	b.Write([]byte("two\n"))
	if got := out.String(); got != "one\n" {
		t.Fatalf("written before its interval: %q", got)
	}
	b.close()
	b.close() // twice is harmless
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("after close: %q", got)
	}
}
