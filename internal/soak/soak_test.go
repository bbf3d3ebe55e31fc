package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"newsfeed/record"
	"newsfeed/store"
)

// TestSoak runs the soak for $SOAK (a Go duration; `make soak` sets 30m,
// CI 2m) and is skipped when SOAK is unset. Retention is an eighth of
// the duration, a page lives on the site for half of that, and newsfeed
// runs every $SOAK_EVERY (default 2s). The samples go to
// $SOAK_OUT/soak.csv and soak.png (default: the test's temp folder,
// removed after it).
func TestSoak(t *testing.T) {
	env := os.Getenv("SOAK")
	if env == "" {
		t.Skip("SOAK is not set (make soak runs it)")
	}
	total, err := time.ParseDuration(env)
	if err != nil || total < 30*time.Second {
		t.Fatalf("SOAK=%q: want a duration of 30s or more", env)
	}
	every := 2 * time.Second
	if v := os.Getenv("SOAK_EVERY"); v != "" {
		if every, err = time.ParseDuration(v); err != nil {
			t.Fatalf("SOAK_EVERY=%q: %v", v, err)
		}
	}
	out := os.Getenv("SOAK_OUT")
	if out == "" {
		out = t.TempDir()
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	retention := (total / 8).Round(time.Second)
	lifetime := int(retention / 2 / every) // steps an article stays on the site
	work := t.TempDir()
	bin := filepath.Join(work, "newsfeed")
	if b, err := exec.Command("go", "build", "-o", bin, "newsfeed/cmd/newsfeed").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	lifetime = max(lifetime, 2)
	// Stored articles are fetched again until half a run before they
	// leave the site: every edit is read, and no run asks for a page
	// that is gone.
	refresh := time.Duration(lifetime)*every - every/2
	site, err := NewHTTPSite(t, filepath.Join(work, "site"), 3, 2, lifetime, refresh, uint64(time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(work, "newsfeed.db")
	feeds := filepath.Join(work, "feeds")
	ret := fmt.Sprintf("article=%s,interview=%s,headline=%s,log=%s", retention, retention, retention, retention)
	t.Logf("soak for %v: a run every %v, retention %v, articles live %d steps, refreshed for %v; site %s; output in %s",
		total, every, retention, lifetime, refresh, site.Site.URL(""), out)

	ctx, cancel := context.WithTimeout(context.Background(), total+time.Minute)
	defer cancel()
	client := startClient(ctx, feeds)

	start := time.Now()
	var samples []Sample
	for i := 0; time.Since(start) < total; i++ {
		tick := time.Now()
		if err := site.Step(i); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"run", "--quiet", "-j", "2", "--db", db, "--out", feeds, "--retention", ret,
			"--compact-above", "40"}, site.Sources()...)
		code, stderr, s, err := Run(ctx, bin, args...)
		if err != nil {
			t.Fatal(err)
		}
		if code != 0 || stderr != "" {
			t.Fatalf("run %d: exit %d:\n%s", i, code, stderr)
		}
		s.At = time.Since(start)
		if err := measureDB(ctx, db, &s); err != nil {
			t.Fatal(err)
		}
		s.ClientFDs = OpenFiles()
		samples = append(samples, s)
		time.Sleep(every - time.Since(tick))
	}
	cancel()
	polls, bad := client.stop()

	if err := WriteCSV(filepath.Join(out, "soak.csv"), samples); err != nil {
		t.Fatal(err)
	}
	if err := Plot(filepath.Join(out, "soak.png"), samples); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d runs, %d feed polls; samples in %s", len(samples), polls, filepath.Join(out, "soak.csv"))

	// Every feed read while runs published was valid.
	for _, b := range bad {
		t.Error(b)
	}
	if polls == 0 {
		t.Error("the client read no feed")
	}
	checkFlat(t, samples, 3*retention)
	checkFinal(t, db, feeds, site, retention+2*every+samples[len(samples)-1].Took)
}

// checkFlat checks that after warmUp, what the runs use stays flat: the
// peak of the second half of the samples is within a quarter (plus a
// little) of the peak of the first.
func checkFlat(t *testing.T, samples []Sample, warmUp time.Duration) {
	t.Helper()
	var after []Sample
	for _, s := range samples {
		if s.At >= warmUp {
			after = append(after, s)
		}
	}
	if len(after) < 6 {
		t.Errorf("only %d samples after the warm-up of %v: run the soak longer", len(after), warmUp)
		return
	}
	first, second := after[:len(after)/2], after[len(after)/2:]
	for _, m := range []struct {
		name  string
		value func(Sample) float64
		slack float64
	}{
		{"run peak RSS", func(s Sample) float64 { return float64(s.MaxRSS) }, 16 << 20},
		{"run open files", func(s Sample) float64 { return float64(s.MaxFDs) }, 4},
		{"client open files", func(s Sample) float64 { return float64(s.ClientFDs) }, 4},
		{"database bytes", func(s Sample) float64 { return float64(s.DBBytes) }, 1 << 20},
		{"records", func(s Sample) float64 { return float64(s.Records) }, 50},
		{"change-log entries", func(s Sample) float64 { return float64(s.LogEntries) }, 100},
	} {
		a, b := peak(first, m.value), peak(second, m.value)
		if b > a*1.25+m.slack {
			t.Errorf("%s grows after the warm-up: peak %.0f, then %.0f", m.name, a, b)
		}
	}
}

func peak(samples []Sample, value func(Sample) float64) float64 {
	m := 0.0
	for _, s := range samples {
		m = max(m, value(s))
	}
	return m
}

// measureDB fills s's database fields.
func measureDB(ctx context.Context, db string, s *Sample) error {
	fi, err := os.Stat(db)
	if err != nil {
		return err
	}
	s.DBBytes = fi.Size()
	st, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	stats, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	for _, c := range stats.Kinds {
		s.Records += c.N
	}
	return st.Log(ctx, func(store.LogEntry) error {
		s.LogEntries++
		return nil
	})
}

// checkFinal checks the database after the last run: it passes check;
// every page the site shows has its article exactly once, as it reads
// now (its latest change fetched again); nothing is
// older than the retention (plus slack, the time one run takes to apply
// it); and every feed file parses.
func checkFinal(t *testing.T, db, feeds string, site Site, age time.Duration) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	problems, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("check: %s", p)
	}
	articles := map[string]int{}
	paragraphs := map[string][]string{}
	err = s.Changes(ctx, store.ChangeQuery{Kind: record.KindArticle}, func(c store.Change) error {
		if c.Op == "delete" {
			return nil
		}
		var a record.Article
		if err := json.Unmarshal(c.Record, &a); err != nil {
			return err
		}
		articles[a.Source]++
		paragraphs[a.Source] = a.Texts()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range site.Live() {
		if n := articles[p.Source]; n != 1 {
			t.Errorf("the site shows %s; the database has %d articles from it", p.Source, n)
		}
		if p.Latest != "" && !slices.Contains(paragraphs[p.Source], p.Latest) {
			t.Errorf("%s changed; its stored article lacks the paragraph %q", p.Source, p.Latest)
		}
	}
	ages := map[record.Kind]time.Duration{record.KindArticle: age, record.KindInterview: age, record.KindHeadline: age}
	res, err := s.Prune(ctx, store.PruneOptions{Retention: store.Retention{Ages: ages, Log: age}, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() > 0 || res.Dropped > 0 {
		t.Errorf("past the retention of %v: %+v", age, res)
	}
	if bad := parseFeeds(feeds); len(bad) > 0 {
		t.Errorf("invalid feeds: %s", strings.Join(bad, "\n"))
	}
}

// client reads every feed file again and again while runs publish, as a
// feed reader polling the published folder would.
type client struct {
	wg    sync.WaitGroup
	polls atomic.Int64
	mu    sync.Mutex
	bad   []string
}

func startClient(ctx context.Context, dir string) *client {
	c := &client{}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for ctx.Err() == nil {
			if bad := parseFeeds(dir); len(bad) > 0 {
				c.mu.Lock()
				c.bad = append(c.bad, bad...)
				c.mu.Unlock()
			}
			c.polls.Add(1)
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	return c
}

func (c *client) stop() (int64, []string) {
	c.wg.Wait()
	return c.polls.Load(), c.bad
}

// parseFeeds parses every RSS, Atom and JSON feed file under dir with
// gofeed and returns a line for each that fails (none before the first
// publish).
func parseFeeds(dir string) []string {
	var bad []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		switch filepath.Ext(path) {
		case ".xml", ".rss", ".atom", ".json":
		default:
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil // replaced between the walk and the open
		}
		defer f.Close()
		feed, err := gofeed.NewParser().Parse(f)
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%s: %v", path, err))
		case feed.Title == "":
			bad = append(bad, fmt.Sprintf("%s: no title", path))
		}
		return nil
	})
	return bad
}
