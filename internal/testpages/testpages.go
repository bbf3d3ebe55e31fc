// Package testpages makes news pages for tests and benchmarks by varying
// the seed page in seeds/: each page has its own title (so its own article
// and interview ids), related headlines drawn from a pool with dates that
// go with them, recommended headlines whose comment counts grow, and a hot
// list that rotates. Pages that share a headline give it the same title and
// date, as a real site does, so ingesting many pages exercises merging.
package testpages

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SeedName is the seed page's file name under seeds/.
const SeedName = "000_3f39084d81a9de5b.txt"

// RelatedPool is the number of distinct related headlines pages draw from.
const RelatedPool = 5000

// SeedPath returns the seed page's path in this source tree.
func SeedPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "seeds", SeedName)
}

// Seed returns the seed page's bytes.
func Seed() ([]byte, error) {
	return os.ReadFile(SeedPath())
}

// lineKind says how Page varies a line of the seed.
type lineKind int

const (
	plain       lineKind = iota
	title                // the page title
	relatedHead          // a related headline's title (the next line is its date)
	relatedDate          // "2025-12-08 21:39 column -"
	recommended          // "title 评论 N"
	hot                  // a hot list title
)

// seedLine is a line of the seed, classified once.
type seedLine struct {
	kind lineKind
	text string
	// For relatedDate: the time and what follows it; for recommended: the
	// title, count and what follows.
	when     time.Time
	rest     string
	comments int
}

var (
	templateOnce sync.Once
	template     []seedLine
	templateErr  error
)

var (
	dateLine    = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(.*)$`)
	commentLine = regexp.MustCompile(`^(.*) 评论 (\d+)(.*)$`)
)

const hotMarker = "最新闻 Hot-"

// load classifies the seed's lines.
func load() ([]seedLine, error) {
	templateOnce.Do(func() {
		b, err := Seed()
		if err != nil {
			templateErr = err
			return
		}
		src := strings.Split(string(b), "\n")
		out := make([]seedLine, len(src))
		inHot := false
		for n, line := range src {
			out[n] = seedLine{text: line}
			switch {
			case n == 1:
				out[n].kind = title
			case n > 1 && dateLine.MatchString(line):
				m := dateLine.FindStringSubmatch(line)
				t, err := time.Parse("2006-01-02 15:04", m[1])
				if err != nil {
					templateErr = err
					return
				}
				out[n] = seedLine{kind: relatedDate, text: line, when: t, rest: m[2]}
				out[n-1].kind = relatedHead
			case commentLine.MatchString(line):
				m := commentLine.FindStringSubmatch(line)
				c, _ := strconv.Atoi(m[2])
				out[n] = seedLine{kind: recommended, text: m[1], comments: c, rest: m[3]}
				inHot = strings.Contains(line, hotMarker)
			case inHot && strings.TrimSpace(line) == "":
				inHot = false
			case inHot && strings.TrimSpace(line) != "-":
				out[n].kind = hot
			}
		}
		template = out
	})
	return template, templateErr
}

// Page returns generated page i. The same i always gives the same bytes.
func Page(i int) ([]byte, error) {
	lines, err := load()
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Grow(12 << 10)
	related, rec, hotN := 0, 0, 0
	for n, l := range lines {
		if n > 0 {
			b.WriteByte('\n')
		}
		switch l.kind {
		case plain:
			b.WriteString(l.text)
		case title:
			fmt.Fprintf(&b, "%s(第%d期)", l.text, i)
		case relatedHead:
			fmt.Fprintf(&b, "%s [%d]", l.text, relatedIndex(i, related))
		case relatedDate:
			p := relatedIndex(i, related)
			b.WriteString(l.when.Add(-time.Duration(p) * 17 * time.Minute).Format("2006-01-02 15:04"))
			b.WriteString(l.rest)
			related++
		case recommended:
			fmt.Fprintf(&b, "%s 评论 %d%s", l.text, l.comments+i/25+rec, l.rest)
			rec++
		case hot:
			b.WriteString(l.text)
			if v := (i/100 + hotN) % 32; v != 0 {
				fmt.Fprintf(&b, " [%d]", v)
			}
			hotN++
		}
	}
	return []byte(b.String()), nil
}

// relatedIndex is the pool index of page i's k-th related headline.
func relatedIndex(i, k int) int {
	return (i*7 + k*131) % RelatedPool
}

// WriteDir writes pages first..first+n-1 into dir as page_NNNNNN.txt and
// returns their paths.
func WriteDir(dir string, first, n int) ([]string, error) {
	paths := make([]string, 0, n)
	for i := first; i < first+n; i++ {
		b, err := Page(i)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("page_%06d.txt", i))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}
