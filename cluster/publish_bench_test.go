package cluster

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/internal/natstest"
)

// BenchmarkLogMessage measures what one message costs this machine,
// client and the (embedded) server together: a 2 KB publish to a file
// stream that waits for its acknowledgement, 16 goroutines at once, as a
// worker's commits publish (wait16, through Conn.publishOnce), and the
// same as a synchronous request (sync16); the same publishes all in
// flight (pipelined); and a fetch-state bucket write, 300 bytes, 16 at
// once (kv-put16). BenchmarkQueue's paths are made of such messages.
func BenchmarkLogMessage(b *testing.B) {
	srv := natstest.Start(b)
	ctx := context.Background()
	c, err := Connect(ctx, Config{URL: srv.ClientURL(), Prefix: "LOG"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	kv, err := c.JS.KeyValue(ctx, c.Names.FetchBucket)
	if err != nil {
		b.Fatal(err)
	}
	body := make([]byte, 2048)
	const perIter = 5000
	for _, mode := range []string{"wait16", "sync16", "pipelined", "kv-put16"} {
		b.Run(mode, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				cpu0 := cpuTime(b)
				switch mode {
				case "pipelined":
					for range perIter {
						if _, err := c.JS.PublishAsync(c.Names.RecordSubject, body); err != nil {
							b.Fatal(err)
						}
					}
					<-c.JS.PublishAsyncComplete()
				default:
					var wg sync.WaitGroup
					for g := range 16 {
						wg.Go(func() {
							for i := g; i < perIter; i += 16 {
								var err error
								switch mode {
								case "wait16":
									_, err = c.publishOnce(ctx, &nats.Msg{Subject: c.Names.RecordSubject, Data: body})
								case "sync16":
									_, err = c.JS.Publish(ctx, c.Names.RecordSubject, body)
								default:
									_, err = kv.Put(ctx, fmt.Sprintf("bench.%d", i), body[:300])
								}
								if err != nil {
									b.Error(err)
								}
							}
						})
					}
					wg.Wait()
				}
				cpu += cpuTime(b) - cpu0
			}
			n := float64(b.N * perIter)
			b.ReportMetric(float64(cpu.Nanoseconds())/1e3/n, "cpu-µs/msg")
			b.ReportMetric(n/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// cpuTime returns the CPU time this process has used (user and system):
// the test site, the NATS server and newsfeed, all in this process.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
