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

var (
	seedOnce  sync.Once
	seedLines []string
	seedErr   error
)

// Seed returns the seed page's bytes.
func Seed() ([]byte, error) {
	return os.ReadFile(SeedPath())
}

func lines() ([]string, error) {
	seedOnce.Do(func() {
		var b []byte
		b, seedErr = Seed()
		seedLines = strings.Split(string(b), "\n")
	})
	return seedLines, seedErr
}

var (
	dateLine    = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(.*)$`)
	commentLine = regexp.MustCompile(`^(.*) 评论 (\d+)(.*)$`)
)

const hotMarker = "最新闻 Hot-"

// Page returns generated page i. The same i always gives the same bytes.
func Page(i int) ([]byte, error) {
	src, err := lines()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(src))
	copy(out, src)
	out[1] = fmt.Sprintf("%s(第%d期)", src[1], i)
	related, recommended, hot := 0, 0, 0
	inHot := false
	for n := 2; n < len(out); n++ {
		line := src[n]
		switch {
		case dateLine.MatchString(line) && n > 0:
			m := dateLine.FindStringSubmatch(line)
			p := (i*7 + related*131) % RelatedPool
			t, err := time.Parse("2006-01-02 15:04", m[1])
			if err != nil {
				return nil, err
			}
			t = t.Add(-time.Duration(p) * 17 * time.Minute)
			out[n-1] = fmt.Sprintf("%s [%d]", src[n-1], p)
			out[n] = t.Format("2006-01-02 15:04") + m[2]
			related++
		case commentLine.MatchString(line):
			m := commentLine.FindStringSubmatch(line)
			c, _ := strconv.Atoi(m[2])
			out[n] = fmt.Sprintf("%s 评论 %d%s", m[1], c+i/25+recommended, m[3])
			recommended++
			inHot = strings.Contains(line, hotMarker)
		case inHot && strings.TrimSpace(line) == "":
			inHot = false
		case inHot && strings.TrimSpace(line) != "-":
			if v := (i/100 + hot) % 32; v != 0 {
				out[n] = fmt.Sprintf("%s [%d]", line, v)
			}
			hot++
		}
	}
	return []byte(strings.Join(out, "\n")), nil
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
