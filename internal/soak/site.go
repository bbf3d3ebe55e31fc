// Package soak drives newsfeed the way a year of cron runs would, in
// minutes: a test site whose pages appear, change and expire, `newsfeed
// run` every few seconds with a short retention, and a client reading the
// published feeds; it samples the resources each run used so that a test
// can check they stay flat, and plots them. The site is one small
// interface, so that a site served over HTTP can take the folder's place.
package soak

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"newsfeed/internal/testpages"
)

// Site is what a soak run reads pages from: a test site that changes
// between runs.
type Site interface {
	// Step moves the site to step i (0, 1, 2…): pages appear, change
	// and expire.
	Step(i int) error
	// Sources are the arguments `newsfeed run` reads the site from.
	Sources() []string
	// Live returns the sources of the pages the site shows now, as the
	// records' "source" fields name them.
	Live() []string
}

// FolderSite is a Site kept as a folder of raw-text pages made by
// testpages: each step adds New pages, edits Edits of the live ones
// (their lead paragraph gains a line, so their article is updated), and
// removes those older than Lifetime steps.
type FolderSite struct {
	Dir        string
	New, Edits int
	Lifetime   int
	rng        *rand.Rand
	born       map[int]int // page number → step it appeared at
	next       int
	edits      map[int]int // page number → times edited
}

// NewFolderSite returns a site in dir (created if needed).
func NewFolderSite(dir string, newPerStep, edits, lifetime int, seed uint64) (*FolderSite, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("soak: site: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("soak: site: %w", err)
	}
	return &FolderSite{Dir: abs, New: newPerStep, Edits: edits, Lifetime: lifetime,
		rng: rand.New(rand.NewPCG(seed, 1)), born: map[int]int{}, edits: map[int]int{}}, nil
}

func (s *FolderSite) path(n int) string {
	return filepath.Join(s.Dir, fmt.Sprintf("page_%06d.txt", n))
}

// Step adds, edits and expires pages.
func (s *FolderSite) Step(i int) error {
	for n, born := range s.born {
		if i-born >= s.Lifetime {
			if err := os.Remove(s.path(n)); err != nil {
				return fmt.Errorf("soak: site: expire page %d: %w", n, err)
			}
			delete(s.born, n)
			delete(s.edits, n)
		}
	}
	live := slices.Sorted(func(yield func(int) bool) {
		for n := range s.born {
			if !yield(n) {
				return
			}
		}
	})
	for range min(s.Edits, len(live)) {
		n := live[s.rng.IntN(len(live))]
		s.edits[n]++
		if err := s.write(n); err != nil {
			return err
		}
	}
	for range s.New {
		n := s.next
		s.next++
		s.born[n] = i
		if err := s.write(n); err != nil {
			return err
		}
	}
	return nil
}

// write writes page n with its edits.
func (s *FolderSite) write(n int) error {
	b, err := testpages.Page(n)
	if err != nil {
		return fmt.Errorf("soak: site: page %d: %w", n, err)
	}
	if e := s.edits[n]; e > 0 {
		b = bytes.Replace(b, []byte("表示道。"), fmt.Appendf(nil, "表示道。(第%d次更新)", e), 1)
	}
	if err := os.WriteFile(s.path(n), b, 0o644); err != nil {
		return fmt.Errorf("soak: site: %w", err)
	}
	return nil
}

// Sources returns the site's folder.
func (s *FolderSite) Sources() []string { return []string{s.Dir} }

// Live returns the paths of the pages the folder holds.
func (s *FolderSite) Live() []string {
	var out []string
	for n := range s.born {
		out = append(out, s.path(n))
	}
	sort.Strings(out)
	return out
}
