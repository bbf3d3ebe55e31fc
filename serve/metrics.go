package serve

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, all named newsfeed_*.
type metrics struct {
	requests    *prometheus.CounterVec
	notModified *prometheus.CounterVec
	bytes       *prometheus.CounterVec
	buildTime   prometheus.Histogram
	builds      *prometheus.CounterVec
	records     *prometheus.GaugeVec
	lastWrite   prometheus.Gauge
	lastSeq     prometheus.Gauge
	feeds       prometheus.Gauge
	snapBuilt   prometheus.Gauge
	handler     http.Handler

	routesMu sync.Mutex
	routes   map[string]*routeCounters
	// damaged is newsfeed_db_damaged; dbDamaged what is damaged, nil
	// when nothing is known to be (see noteDamage).
	damaged   prometheus.Gauge
	dbDamaged atomic.Pointer[string]
}

// routeCounters are one route's counters for the statuses assets are
// answered with, resolved once: counting a request is then an atomic
// add, with no label look-up.
type routeCounters struct {
	route                    string
	ok, notModified, nmTotal prometheus.Counter
	bytes                    prometheus.Counter
	m                        *metrics
}

// forRoute returns the counters of route, resolving them the first time.
func (m *metrics) forRoute(route string) *routeCounters {
	m.routesMu.Lock()
	defer m.routesMu.Unlock()
	if c := m.routes[route]; c != nil {
		return c
	}
	c := &routeCounters{
		route:       route,
		ok:          m.requests.WithLabelValues(route, "200"),
		notModified: m.requests.WithLabelValues(route, "304"),
		nmTotal:     m.notModified.WithLabelValues(route),
		bytes:       m.bytes.WithLabelValues(route),
		m:           m,
	}
	m.routes[route] = c
	return c
}

// count counts one request answered with code and n body bytes.
func (c *routeCounters) count(code, n int) {
	switch code {
	case http.StatusOK:
		c.ok.Inc()
	case http.StatusNotModified:
		c.notModified.Inc()
		c.nmTotal.Inc()
	default:
		c.m.request(c.route, code, n)
		return
	}
	if n > 0 {
		c.bytes.Add(float64(n))
	}
}

// newRegistry returns a registry with the Go runtime and process
// collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// newMetrics creates the metrics and registers them with reg.
func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsfeed_http_requests_total", Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		notModified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsfeed_http_not_modified_total", Help: "Requests answered 304 Not Modified, by route.",
		}, []string{"route"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsfeed_http_response_bytes_total", Help: "Response body bytes written, by route.",
		}, []string{"route"}),
		buildTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "newsfeed_build_duration_seconds", Help: "Time to build every feed, the index and the stats from the database.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		builds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsfeed_builds_total", Help: "Snapshot builds, by result (ok, error).",
		}, []string{"result"}),
		records: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsfeed_records", Help: "Records in the database, by kind, as of the last build.",
		}, []string{"kind"}),
		lastWrite: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsfeed_db_last_write_timestamp_seconds", Help: "When a commit last changed the database (Unix time; 0 if never).",
		}),
		lastSeq: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsfeed_db_last_seq", Help: "The newest change-log sequence number, as of the last build.",
		}),
		feeds: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsfeed_feeds", Help: "Feeds served (each in three formats).",
		}),
		snapBuilt: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsfeed_build_timestamp_seconds", Help: "When the feeds served were built (Unix time).",
		}),
		damaged: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsfeed_db_damaged", Help: "1 while the database is damaged (the last good feeds are served, the API answers 503), else 0.",
		}),
		routes: map[string]*routeCounters{},
	}
	reg.MustRegister(m.requests, m.notModified, m.bytes, m.buildTime, m.builds, m.records,
		m.lastWrite, m.lastSeq, m.feeds, m.snapBuilt, m.damaged)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

// request counts one answered request.
func (m *metrics) request(route string, code, n int) {
	m.requests.WithLabelValues(route, statusText(code)).Inc()
	if code == http.StatusNotModified {
		m.notModified.WithLabelValues(route).Inc()
	}
	if n > 0 {
		m.bytes.WithLabelValues(route).Add(float64(n))
	}
}

// statusTexts caches the label of the common status codes.
var statusTexts = func() map[int]string {
	m := map[int]string{}
	for _, c := range []int{200, 304, 400, 404, 405, 500, 503} {
		m[c] = strconv.Itoa(c)
	}
	return m
}()

func statusText(code int) string {
	if s, ok := statusTexts[code]; ok {
		return s
	}
	return strconv.Itoa(code)
}

// build records one build attempt.
func (m *metrics) build(d time.Duration, err error) {
	if err != nil {
		m.builds.WithLabelValues("error").Inc()
		return
	}
	m.builds.WithLabelValues("ok").Inc()
	m.buildTime.Observe(d.Seconds())
}

// snapshot sets the gauges from a new snapshot.
func (m *metrics) snapshot(s *snapshot) {
	for _, c := range s.kinds {
		m.records.WithLabelValues(string(c.Kind)).Set(float64(c.N))
	}
	if !s.lastWrite.IsZero() {
		m.lastWrite.Set(float64(s.lastWrite.UnixNano()) / 1e9)
	}
	m.lastSeq.Set(float64(s.lastSeq))
	m.feeds.Set(float64(s.feeds))
	m.snapBuilt.Set(float64(s.built.UnixNano()) / 1e9)
}
