package app

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"newsfeed/fetch"
	"newsfeed/internal/testsite"
	"newsfeed/poll"
)

// deadAddr returns a loopback address where nothing listens: connections
// to it are refused.
func deadAddr(t *testing.T) netip.AddrPort {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort(l.Addr().String())
	l.Close()
	return ap
}

// siteAddr returns the address of site's server.
func siteAddr(t *testing.T, site *testsite.Site) netip.AddrPort {
	u, _ := url.Parse(site.URL(""))
	return netip.MustParseAddrPort(u.Host)
}

// A URL on a host that refuses connections is a failure naming the host,
// not a robots refusal: robots.txt unreachable means the host is down.
func TestRun_HostDownIsFailure(t *testing.T) {
	s := mustOpenStore(t)
	dead := deadAddr(t)
	f := fetch.New(fetch.Config{Delay: -1, Retries: -1, AllowAddrs: []netip.AddrPort{dead}})
	defer f.Close()
	var errs errorLog
	sum, err := Ingest(context.Background(), s, []string{"http://" + dead.String() + "/a"},
		Options{Fetcher: f, State: s, OnError: errs.add})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || sum.OK() || sum.Fetch.RobotsRefused != 0 {
		t.Errorf("summary %s: want 1 failed, not OK, no robots refusal", sum)
	}
	if len(errs.errs) != 1 || !strings.Contains(errs.errs[0].Error(), "host "+dead.String()+" failing") {
		t.Errorf("errors %v: want one naming host %s", errs.errs, dead)
	}
}

// A host deferred for failing stays an outage in the next run: its list
// counts as failed, not deferred, the error names the host once, and the
// store keeps why it is deferred.
func TestRun_FailingHostDeferralIsFailure(t *testing.T) {
	s := mustOpenStore(t)
	dead := deadAddr(t)
	now := time.Now()
	cfg, err := parseSources("[[source]]\nfeed = \"http://" + dead.String() + "/feed.xml\"\n" +
		"[[source]]\nname = \"urls\"\nurls = [\"http://" + dead.String() + "/a\", \"http://" + dead.String() + "/b\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	run := func() (Report, []error) {
		f := fetch.New(fetch.Config{Delay: -1, Retries: -1, DeferAfter: 1, IgnoreRobots: true,
			AllowAddrs: []netip.AddrPort{dead}, Now: func() time.Time { return now }})
		defer f.Close()
		var errs errorLog
		sum, err := Ingest(context.Background(), s, nil, Options{Fetcher: f, State: s, Fetchers: 1,
			Lists: []poll.ListSource{{Source: cfg[0]}, {Source: cfg[1]}}, OnError: errs.add, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return sum, errs.errs
	}
	sum, _ := run()
	if sum.OK() || sum.Failed+sum.Lists.Failed != 3 {
		t.Fatalf("first run: %s; want the list and both articles failed", sum)
	}
	hosts, err := s.Hosts(context.Background())
	if err != nil || len(hosts) != 1 || hosts[0].Host != dead.String() || !hosts[0].Failing || hosts[0].Reason == "" {
		t.Fatalf("stored deferrals %+v, %v; want %s failing with its reason", hosts, err, dead)
	}
	now = now.Add(15 * time.Minute) // the lists are due again; the host is still deferred
	sum, errs := run()
	if sum.OK() || sum.Lists.Failed != 1 || sum.Lists.Deferred != 0 || sum.Failed != 2 || sum.Deferred != 0 {
		t.Errorf("second run: %s; want the list and the articles failed, none merely deferred", sum)
	}
	if len(errs) != 2 { // one for the list, one for the articles of the host
		t.Errorf("second run: %d errors, want 2: %v", len(errs), errs)
	}
	for _, e := range errs {
		if !strings.Contains(e.Error(), dead.String()) {
			t.Errorf("error %q does not name the host", e)
		}
	}
	if len(sum.Hosts) != 1 || !strings.Contains(sum.String(), dead.String()+" until ") {
		t.Errorf("summary does not name the deferred host: %s", sum)
	}
}

// A host that asks for a very long wait is deferred for the cap, and the
// summary names it with its until-time; being asked to wait is no failure.
func TestRun_DeferredHostNamed(t *testing.T) {
	site := testsite.New(t, 2)
	site.Handle(testsite.SectionPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "999999999")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	s := mustOpenStore(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f := fetch.New(fetch.Config{Delay: -1, AllowAddrs: []netip.AddrPort{siteAddr(t, site)}, IgnoreRobots: true,
		Now: func() time.Time { return now }})
	defer f.Close()
	cfg, _ := parseSources("[[source]]\nhtml = \"" + site.URL(testsite.SectionPath) + "\"\n")
	sum, err := Ingest(context.Background(), s, nil, Options{Fetcher: f, State: s, Lists: []poll.ListSource{{Source: cfg[0]}},
		Profiles: siteProfiles(t), Now: func() time.Time { return now }})
	if err != nil || !sum.OK() || sum.Lists.Deferred != 1 {
		t.Fatalf("%s, %v", sum, err)
	}
	want := siteAddr(t, site).String() + " until " + now.Add(fetch.DefaultMaxRetryAfter).Format(time.RFC3339)
	if !strings.Contains(sum.String(), want) {
		t.Errorf("summary %q does not say %q", sum, want)
	}
}

// A run that writes nothing (every page unchanged) reports the database's
// last seq, not 0.
func TestRun_LastSeqOfUnchangedRun(t *testing.T) {
	site := testsite.New(t, 3)
	s := mustOpenStore(t)
	srcs := []string{site.ArticleURL(0), site.ArticleURL(1)}
	run := func() Report {
		f := fetch.New(fetch.Config{Delay: -1, AllowAddrs: []netip.AddrPort{siteAddr(t, site)}, IgnoreRobots: true})
		defer f.Close()
		sum, err := Ingest(context.Background(), s, srcs, Options{Fetcher: f, State: s, Profiles: siteProfiles(t)})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	first := run()
	seq, err := s.LastSeq(context.Background())
	if err != nil || seq == 0 || first.LastSeq != seq {
		t.Fatalf("first run: %s; database at %d (%v)", first, seq, err)
	}
	second := run()
	if second.New+second.Changed != 0 || second.NotParsed != 2 {
		t.Fatalf("second run: %s; want both pages unchanged", second)
	}
	if second.LastSeq != seq {
		t.Errorf("second run says last seq %d, the database is at %d", second.LastSeq, seq)
	}
}
