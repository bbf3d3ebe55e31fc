package app

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
// It reports pages/s and peak memory three ways: the Go heap, the
// process's own resident pages (anon), and its whole peak RSS, which also
// counts the pages of the database file that bbolt's mmap has touched —
// page cache shared with every reader of the file, which the kernel maps
// 64 KiB around each read (fault-around) and reclaims when it needs to.
// The Go memory limit is set as newsfeed ingest sets it.
func BenchmarkIngest(b *testing.B) {
	dir := generatedPages(b)
	ctx := context.Background()
	// As newsfeed ingest runs.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(MemoryLimit))
	var pages, peakHeap, peakAnon, peakRSS float64
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
		stopSampling, heap, anon := sampleMemory()
		b.StartTimer()

		t0 := time.Now()
		sum, err := Ingest(ctx, s, []string{dir}, Options{})
		elapsed += time.Since(t0)

		b.StopTimer()
		stopSampling()
		if err != nil || sum.New != benchPages || sum.Failed != 0 {
			b.Fatalf("run: %v, %+v", err, sum)
		}
		pages += float64(sum.New)
		peakHeap = max(peakHeap, float64(heap.Load()))
		peakAnon = max(peakAnon, float64(anon.Load()))
		peakRSS = max(peakRSS, float64(procStatus("VmHWM:")))
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		os.Remove(dbPath)
		b.StartTimer()
	}
	b.ReportMetric(pages/elapsed.Seconds(), "pages/s")
	b.ReportMetric(peakHeap/(1<<20), "peak-heap-MB")
	if peakRSS > 0 {
		b.ReportMetric(peakAnon/(1<<20), "peak-anon-MB")
		b.ReportMetric(peakRSS/(1<<20), "peak-rss-MB")
	}
}

// sampleMemory samples, every 5ms until stop is called, the Go heap in
// use and the process's anonymous resident memory (RssAnon: its own pages,
// not the database file's, which bbolt maps and the kernel can drop at any
// time), and keeps the largest values seen.
func sampleMemory() (stop func(), heap, anon *atomic.Uint64) {
	heap, anon = new(atomic.Uint64), new(atomic.Uint64)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > heap.Load() {
				heap.Store(v)
			}
			if v := uint64(procStatus("RssAnon:")); v > anon.Load() {
				anon.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, heap, anon
}

// resetPeakRSS resets the kernel's peak RSS of this process (Linux only;
// a no-op elsewhere).
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// procStatus returns the field of /proc/self/status named by key (such
// as "VmHWM:") in bytes, or 0.
func procStatus(key string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(key)); ok {
			f := bytes.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
