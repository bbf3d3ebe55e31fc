// Package soak drives newsfeed the way a year of cron runs would, in
// minutes: a test site whose pages appear, change and expire, `newsfeed
// run` every few seconds with a short retention, and a client reading the
// published feeds; it samples the resources each run used so that a test
// can check they stay flat, and plots them. The site is one small
// interface (Site); HTTPSite serves it on 127.0.0.1.
package soak

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"newsfeed/internal/testsite"
)

// Site is what a soak run reads pages from: a test site that changes
// between runs.
type Site interface {
	// Step moves the site to step i (0, 1, 2…): pages appear, change
	// and expire.
	Step(i int) error
	// Sources are the arguments `newsfeed run` reads the site from.
	Sources() []string
	// Live returns the pages the site shows now.
	Live() []Page
}

// Page is a page a Site shows.
type Page struct {
	// Source names the page as its records' "source" field does.
	Source string
	// Latest is the paragraph its latest change added ("" when it never
	// changed): its stored article must hold it.
	Latest string
}

// HTTPSite is a Site served over HTTP on 127.0.0.1 by testsite, read by
// `newsfeed run` through a sources file that lists its section page,
// RSS feed and news sitemap. Each step adds New articles dated now,
// edits Edits of the live ones (a paragraph more: new body, ETag and
// Last-Modified), and removes those older than Lifetime steps (they
// leave the lists and their pages answer 404).
type HTTPSite struct {
	Site       *testsite.Site
	New, Edits int
	Lifetime   int
	config     string
	rng        *rand.Rand
	born       map[int]int    // article index → step it appeared at
	latest     map[int]string // article index → paragraph its last edit added
}

// NewHTTPSite starts a site with no articles (tb's cleanup stops it) and
// writes into dir its site profile and a sources file. The sources file
// polls every list on every run, allows the loopback address, sends
// requests without delay, and fetches stored articles again
// (conditionally) while they are younger than refresh, so that edited
// ones are read again; refresh should end before an article leaves the
// site, or the run would ask for a page that is gone.
func NewHTTPSite(tb testing.TB, dir string, newPerStep, edits, lifetime int, refresh time.Duration, seed uint64) (*HTTPSite, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("soak: site: %w", err)
	}
	profile, err := testsite.ProfileText()
	if err != nil {
		return nil, fmt.Errorf("soak: site: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "site-profiles.txt"), []byte(profile), 0o644); err != nil {
		return nil, fmt.Errorf("soak: site: %w", err)
	}
	s := &HTTPSite{Site: testsite.New(tb, 0), New: newPerStep, Edits: edits, Lifetime: lifetime,
		config: filepath.Join(dir, "newsfeed.toml"), rng: rand.New(rand.NewPCG(seed, 1)), born: map[int]int{}, latest: map[int]string{}}
	u := s.Site.URL("")
	toml := fmt.Sprintf(`profiles = "site-profiles.txt"
allow_private = true
delay = "0s"
retries = 1
timeout = "20s"

[defaults]
every = "1ns"
refresh = %q

[[source]]
name = "section"
html = "%s%s"

[[source]]
name = "feed"
feed = "%s%s"

[[source]]
name = "sitemap"
sitemap = "%s%s"
`, refresh, u, testsite.SectionPath, u, testsite.FeedPath, u, testsite.SitemapPath)
	if err := os.WriteFile(s.config, []byte(toml), 0o644); err != nil {
		return nil, fmt.Errorf("soak: site: %w", err)
	}
	return s, nil
}

// Step removes the articles Lifetime steps old, edits some of the
// others, and adds new ones. It also forgets the requests the site
// recorded, so that the site's memory stays flat.
func (s *HTTPSite) Step(i int) error {
	for n, born := range s.born {
		if i-born >= s.Lifetime {
			s.Site.Remove(n)
			delete(s.born, n)
			delete(s.latest, n)
		}
	}
	live := s.live()
	for range min(s.Edits, len(live)) {
		n := live[s.rng.IntN(len(live))]
		s.latest[n] = fmt.Sprintf("第%d步更新：第%d篇报道的各方表示将继续保持沟通。", i, n)
		s.Site.Edit(n, s.latest[n])
	}
	now := time.Now()
	for range s.New {
		n := s.Site.Add()
		s.Site.SetDate(n, now) // retention counts from the published date
		s.born[n] = i
	}
	s.Site.Reset()
	return nil
}

func (s *HTTPSite) live() []int {
	return slices.Sorted(func(yield func(int) bool) {
		for n := range s.born {
			if !yield(n) {
				return
			}
		}
	})
}

// Sources names the sources file; `--allow-private` and `--delay 0`
// are given as flags as well, so that they hold whatever the file says.
func (s *HTTPSite) Sources() []string {
	return []string{"--config", s.config, "--allow-private", "--delay", "0"}
}

// Live returns the articles the site shows, by URL.
func (s *HTTPSite) Live() []Page {
	var out []Page
	for _, n := range s.live() {
		out = append(out, Page{Source: s.Site.ArticleURL(n), Latest: s.latest[n]})
	}
	return out
}
