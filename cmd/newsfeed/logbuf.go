package main

import (
	"bufio"
	"context"
	"io"
	"sync"
	"time"
)

// bufferedLog is a writer for a busy log (serve's access log): lines are
// gathered in memory and written out when the buffer fills, every
// interval, and at close, rather than with one write(2) each — which cost
// a fifth of the CPU of answering a 304.
type bufferedLog struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// newBufferedLog starts flushing w's buffer every interval until close
// or until ctx is done.
func newBufferedLog(ctx context.Context, w io.Writer, interval time.Duration) *bufferedLog {
	b := &bufferedLog{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-ctx.Done():
				return
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write buffers p; a log handler writes one whole line per call.
func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *bufferedLog) flush() {
	b.mu.Lock()
	b.w.Flush()
	b.mu.Unlock()
}

// close stops the flushing and writes out what is buffered.
func (b *bufferedLog) close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
	b.flush()
}
