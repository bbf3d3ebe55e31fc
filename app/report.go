package app

import (
	"fmt"
	"strings"
	"time"

	"newsfeed/fetch"
	"newsfeed/poll"
	"newsfeed/record"
)

// Report counts what a run did.
type Report struct {
	// Read counts inputs taken up; each ends stored (new, changed or
	// unchanged: see the WriteResult), not parsed, enqueued, gone, or
	// failed.
	Read, Failed int
	// NotParsed counts fetched pages not parsed because they had not
	// changed: answered 304, or 200 with the body of last time.
	NotParsed int
	// Deferred counts articles not fetched because their host is
	// deferred.
	Deferred int
	// Gone counts articles the site answered 404 or 410 for: skipped,
	// not failed.
	Gone int
	// Enqueued counts the articles handed to Schedule's sink.
	Enqueued int
	// WriteResult adds up what the store reported: pages new, changed and
	// unchanged, records inserted and updated, and the newest change-log
	// sequence number after the run.
	record.WriteResult
	// FetchTime, ParseTime and WriteTime add up the time spent in each
	// stage, over every goroutine of it: in Gets (list pages included),
	// in reading and parsing, and in commits.
	FetchTime, ParseTime, WriteTime time.Duration
	// Fetched is set when the run fetched anything; Fetch is then what
	// the fetcher did, and Lists what became of the list pages.
	Fetched bool
	Fetch   fetch.Stats
	Lists   poll.ListCounts
	// Hosts are the hosts deferred at the end of the run that the run
	// deferred or found deferred, with the time each may be asked again.
	Hosts   []fetch.Deferral
	Elapsed time.Duration
	// Interrupted is set when ctx was cancelled before every input was read.
	Interrupted bool
}

// OK reports whether every input and list was read.
func (s Report) OK() bool { return s.Failed == 0 && s.Lists.Failed == 0 }

// String is the summary line newsfeed prints at the end of a run.
func (s Report) String() string {
	var line string
	if !s.Fetched {
		line = fmt.Sprintf("%d pages read: %d new, %d changed, %d unchanged, %d failed; ",
			s.Read, s.New, s.Changed, s.Unchanged, s.Failed)
	} else {
		line = fmt.Sprintf("%d pages read: %d new, %d changed, %d unchanged, %d not modified, %d failed, %d gone, %d deferred; ",
			s.Read, s.New, s.Changed, s.Unchanged, s.NotParsed, s.Failed, s.Gone, s.Deferred)
	}
	line += fmt.Sprintf("records: %d inserted, %d updated; last seq %d; ", s.Inserted, s.Updated, s.LastSeq)
	if s.Fetched {
		f, l := s.Fetch, s.Lists
		line += fmt.Sprintf("lists: %d polled, %d not due, %d deferred, %d failed; "+
			"http: %d requests, %d 304s, %s read, %d retries, %d robots refusals, %d deferred hosts; ",
			l.Polled, l.NotDue, l.Deferred, l.Failed,
			f.Requests, f.NotModified, byteSize(f.Bytes), f.Retries, f.RobotsRefused, f.DeferredHosts)
		if len(s.Hosts) > 0 {
			line = strings.TrimSuffix(line, "; ") + " (" + DeferredHosts(s.Hosts) + "); "
		}
	}
	line += s.Elapsed.Round(time.Millisecond).String()
	if s.Interrupted {
		line += " (interrupted)"
	}
	return line
}

// byteSize writes n bytes in B, KB, MB or GB (powers of 1024).
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 2 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, strings.Split("KB MB GB", " ")[i])
}

// DeferredHosts names each deferred host with the time it may be asked
// again: "a.example until 2026-12-03T17:00:00Z, b.example until …".
func DeferredHosts(hosts []fetch.Deferral) string {
	parts := make([]string, len(hosts))
	for i, d := range hosts {
		parts[i] = d.Host + " until " + d.Until.UTC().Format(time.RFC3339)
		if d.Failing {
			parts[i] += " (failing)"
		}
	}
	return strings.Join(parts, ", ")
}
