package ingest

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsfeed/internal/testpages"
	"newsfeed/store"
)

// benchPages is the number of pages BenchmarkIngest stores per run.
const benchPages = 10000

var (
	pagesOnce sync.Once
	pagesDir  string
	pagesErr  error
)

// generatedPages writes benchPages pages once per test binary into a
// folder TestMain removes.
func generatedPages(b *testing.B) string {
	b.Helper()
	pagesOnce.Do(func() {
		pagesDir, pagesErr = os.MkdirTemp("", "newsfeed-bench-pages-")
		if pagesErr == nil {
			_, pagesErr = testpages.WriteDir(pagesDir, 0, benchPages)
		}
	})
	if pagesErr != nil {
		b.Fatal(pagesErr)
	}
	return pagesDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pagesDir != "" {
		os.RemoveAll(pagesDir)
	}
	os.Exit(code)
}

// BenchmarkIngest stores 10,000 generated pages into a fresh database per
// iteration, end to end: walk, read, parse, batch, commit (with fsync).
// It reports pages/s, the peak Go heap and the process's peak RSS (which
// counts the database file's pages mapped by bbolt too). The Go memory
// limit is set as newsfeed ingest sets it.
func BenchmarkIngest(b *testing.B) {
	dir := generatedPages(b)
	ctx := context.Background()
	// As newsfeed ingest runs.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(MemoryLimit))
	var pages, peakHeap, peakRSS float64
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		dbPath := filepath.Join(b.TempDir(), "bench.db")
		s, err := store.Open(ctx, dbPath, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		resetPeakRSS()
		stopSampling, heap := sampleHeap()
		b.StartTimer()

		t0 := time.Now()
		sum, err := Run(ctx, s, []string{dir}, Options{})
		elapsed += time.Since(t0)

		b.StopTimer()
		stopSampling()
		if err != nil || sum.New != benchPages || sum.Failed != 0 {
			b.Fatalf("run: %v, %+v", err, sum)
		}
		pages += float64(sum.New)
		peakHeap = max(peakHeap, float64(heap.Load()))
		peakRSS = max(peakRSS, float64(readPeakRSS()))
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		os.Remove(dbPath)
		b.StartTimer()
	}
	b.ReportMetric(pages/elapsed.Seconds(), "pages/s")
	b.ReportMetric(peakHeap/(1<<20), "peak-heap-MB")
	if peakRSS > 0 {
		b.ReportMetric(peakRSS/(1<<20), "peak-rss-MB")
	}
}

// sampleHeap samples the Go heap in use every 5ms until stop is called and
// keeps the largest value seen.
func sampleHeap() (stop func(), peak *atomic.Uint64) {
	peak = new(atomic.Uint64)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
}

// resetPeakRSS resets the kernel's peak RSS of this process (Linux only;
// a no-op elsewhere).
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// readPeakRSS returns VmHWM from /proc/self/status in bytes, or 0.
func readPeakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			f := bytes.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
