package parse

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Hostile pages: plain markup that is cheap to send and was costly to
// read (issue 19). They are generated at test time, not stored.

// hostilePage is one generated page and what a sane parse of it yields.
type hostilePage struct {
	name string
	gen  func() []byte
}

// Inside <article>, the pages reach go-trafilatura's content selectors:
// a bare <body> of paragraphs takes another, linear, path.
const (
	hostileHead = "<!doctype html><html lang=en><head><meta charset=utf-8><title>A hostile page</title></head><body><article>\n"
	hostileTail = "</article></body></html>"
)

// paragraphsPage is n paragraphs of short text: 300,000 of them are
// 8.4 MB.
func paragraphsPage(n int) []byte {
	var b strings.Builder
	b.Grow(len(hostileHead) + 28*n + 20)
	b.WriteString(hostileHead)
	for range n {
		b.WriteString("<p>short para text here</p>")
	}
	b.WriteString(hostileTail)
	return []byte(b.String())
}

// titlePrefixPage is n paragraphs that each show the start of the page's
// <title>, whose rest ("xyz", the site's name as chooseTitle reads it)
// no line shows: chooseTitle's search for the site's name in every line
// ran once for each of them.
func titlePrefixPage(n int) []byte {
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=en><head><meta charset=utf-8><title>short para text here xyz</title></head><body><article>\n")
	for range n {
		b.WriteString("<p>short para text here</p>")
	}
	b.WriteString(hostileTail)
	return []byte(b.String())
}

// proseBody is n distinct sentences in paragraphs: the text of a long
// article, which the classifier reads line by line.
func proseBody(n int) []byte {
	var b strings.Builder
	b.WriteString(hostileHead)
	for i := range n {
		fmt.Fprintf(&b, "<p>Sentence number %d of a very long article, which goes on and on.</p>", i)
	}
	b.WriteString(hostileTail)
	return []byte(b.String())
}

// fill repeats item(i) after head until the page would pass size bytes.
func fill(size int, item func(i int) string, tail string) []byte {
	var b strings.Builder
	b.Grow(size)
	b.WriteString(hostileHead)
	for i := 0; ; i++ {
		s := item(i)
		if b.Len()+len(s)+len(tail) > size {
			break
		}
		b.WriteString(s)
	}
	b.WriteString(tail)
	return []byte(b.String())
}

// tablePage is one table of the given size in bytes, rows of three
// cells.
func tablePage(size int) []byte {
	return fill(size-len("<table>"), func(i int) string {
		if i == 0 {
			return "<table>"
		}
		return fmt.Sprintf("<tr><td>row %d</td><td>cell text</td><td>%d</td></tr>", i, i*7)
	}, "</table>"+hostileTail)
}

// linksPage is n links in lists of 50 under a "Most read" heading each,
// as a page's headline lists are marked: all siblings, as many lists
// are on a page of lists.
func linksPage(n int) []byte { return linksPageN(n, 50) }

// linksPageN is n links in lists of per links each.
func linksPageN(n, per int) []byte {
	var b strings.Builder
	b.WriteString(hostileHead)
	for i := range n {
		if i%per == 0 {
			if i > 0 {
				b.WriteString("</ul>")
			}
			b.WriteString("<h3>Most read</h3><ul>")
		}
		fmt.Fprintf(&b, "<li><a href=\"/news/2025/story-%d.html\">A headline of story number %d</a></li>", i, i)
	}
	b.WriteString("</ul>" + hostileTail)
	return []byte(b.String())
}

// imagesPage is n images with alt text between two paragraphs.
func imagesPage(n int) []byte {
	var b strings.Builder
	b.WriteString(hostileHead)
	b.WriteString("<p>The first paragraph of an article with many pictures, long enough to be one.</p>")
	for i := range n {
		fmt.Fprintf(&b, "<img src=\"/img/%d.jpg\" alt=\"picture %d\">", i, i)
	}
	b.WriteString("<p>The last paragraph of an article with many pictures, long enough to be one.</p>")
	b.WriteString(hostileTail)
	return []byte(b.String())
}

// hostilePages are the pages of the issue, at full size.
var hostilePages = []hostilePage{
	{"paragraphs300k", func() []byte { return paragraphsPage(300_000) }},
	{"table16MiB", func() []byte { return tablePage(DefaultMaxBytes) }},
	{"links100k", func() []byte { return linksPage(100_000) }},
	{"images100k", func() []byte { return imagesPage(100_000) }},
}

// cpuTime returns the CPU time the process has used, in seconds: on a
// shared machine the benchmarks' wall-clock times vary with the load.
func cpuTime() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// heapNow returns the bytes in heap objects.
func heapNow() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// peakHeap samples the heap's size in objects every millisecond until
// stop is called, which returns the largest value seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	read := func() {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		read()
		return peak
	}
}

// unbounded is a budget without bounds: the parse goes all the way.
var unbounded = Options{Timeout: -1, MaxNodes: -1, MaxBlocks: -1}

// BenchmarkParseHostile parses each hostile page (and the paragraphs page
// at 10k and 30k, to see how time grows), reporting seconds and peak
// heap bytes per MB of page: with the default budget ("budget", where
// most are refused), and without one ("unbounded", where the parse goes
// all the way).
func BenchmarkParseHostile(b *testing.B) {
	pages := append([]hostilePage{
		{"paragraphs10k", func() []byte { return paragraphsPage(10_000) }},
		{"paragraphs30k", func() []byte { return paragraphsPage(30_000) }},
		{"titleprefix30k", func() []byte { return titlePrefixPage(30_000) }},
	}, hostilePages...)
	for _, hp := range pages {
		data := hp.gen()
		for _, mode := range []struct {
			name string
			opts Options
		}{{"budget", Options{}}, {"unbounded", unbounded}} {
			b.Run(hp.name+"/"+mode.name, func(b *testing.B) {
				benchHostile(b, hp.name, data, mode.opts)
			})
		}
	}
}

func benchHostile(b *testing.B, name string, data []byte, opts Options) {
	mb := float64(len(data)) / (1 << 20)
	opts.Source = name
	b.SetBytes(int64(len(data)))
	var peak uint64
	var cpu float64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		base := heapNow()
		stop := peakHeap()
		b.StartTimer()
		c0 := cpuTime()
		_, err := HTML(data, opts)
		cpu += cpuTime() - c0
		b.StopTimer()
		top := stop()
		peak = max(peak, top-min(base, top))
		if err != nil {
			b.Logf("%v", err)
		}
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/mb, "s/MB")
	b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20)/mb, "peakMB/MB") // heap grown by the parse
	b.ReportMetric(float64(peak)/(1<<20), "peakMB")
}

// TestHostilePages parses each hostile page of issue 19 at full size with
// the default bounds of work: each is refused with ErrBudget, naming the page and
// the bound, or read into a sane article; either way with allocations a
// small multiple of the page's size (before the fixes, the paragraphs
// page allocated gigabytes).
func TestHostilePages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refused string // what the error says, or "" for a page read
	}{
		{"paragraphs300k", "more than 300000 elements"},
		{"table16MiB", "more than 300000 elements"},
		{"links100k", "102000 lines of text, more than 30000"},
		{"images100k", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gen func() []byte
			for _, hp := range hostilePages {
				if hp.name == tc.name {
					gen = hp.gen
				}
			}
			data := gen()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			// No time budget: the outcome must not depend on the machine's
			// speed (TestParseTimeout tests the time budget).
			res, err := HTML(data, Options{Source: tc.name + ".html", Timeout: -1})
			runtime.ReadMemStats(&m1)
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 60*uint64(len(data)) {
				t.Errorf("parse of %d bytes allocated %d bytes, more than 60 times the page", len(data), alloc)
			}
			if tc.refused != "" {
				if !errors.Is(err, ErrBudget) || !strings.HasPrefix(err.Error(), tc.name+".html: ") || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("err = %v, want ErrBudget naming %s.html and saying %q", err, tc.name, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a := res.Article
			if a.Title != "A hostile page" || len(a.Texts()) != 2 || !strings.HasPrefix(a.Texts()[0], "The first paragraph") {
				t.Errorf("article = %q with paragraphs %q", a.Title, a.Texts())
			}
		})
	}
}

// TestHostileLinear parses each hostile page, without a budget, at two
// sizes a factor four apart: the bytes allocated per byte of page must
// not grow with the size. A quadratic path grows them fourfold: the
// paragraphs page through go-trafilatura's concatenation of every <p>,
// the prose page through go-htmldate's conversion of the page's rest to
// runes at each number, the lists page through goquery's PrevAll for the
// header of each of many sibling lists. The small sizes keep the pages
// under libraryNodes, on the libraries' path, but for the lists (and the
// large images page, on the cheaper path).
func TestHostileLinear(t *testing.T) {
	HTML(proseBody(10), Options{}) // the date library's tables, built once
	for _, tc := range []struct {
		name string
		gen  func(n int) []byte
		n    int
	}{
		{"paragraphs", paragraphsPage, 2000},
		{"prose", proseBody, 1000},
		{"table", func(n int) []byte { return tablePage(n * 60) }, 1000},
		{"lists", func(n int) []byte { return linksPageN(n, 2) }, 4000},
		{"images", imagesPage, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var perByte [2]float64
			for i, n := range []int{tc.n, 4 * tc.n} {
				data := tc.gen(n)
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				if _, err := HTML(data, unbounded); err != nil {
					t.Fatal(err)
				}
				runtime.ReadMemStats(&m1)
				perByte[i] = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(len(data))
			}
			if perByte[1] > 1.5*perByte[0] {
				t.Errorf("allocated %.0f bytes a byte of page at %d items, %.0f at %d: more than linear", perByte[0], tc.n, perByte[1], 4*tc.n)
			}
		})
	}
}

// TestParseTimeout: a parse that spends its time budget fails with
// ErrBudget naming the page, on every path (generic, profile, text),
// and stops at once: a hostile page then costs little more than reading
// its bytes.
func TestParseTimeout(t *testing.T) {
	pages := []struct {
		name string
		data []byte
		opts Options
		f    func([]byte, Options) (*Result, error)
	}{
		{"generic_en.html", readFile(t, "testdata/html/generic_en.html"), Options{}, HTML},
		{"guancha_seed.html", readFile(t, "testdata/html/guancha_seed.html"), Options{URL: seedURL}, HTML},
		{"seed.txt", readFile(t, seedPath), Options{}, Text},
		{"paragraphs300k.html", paragraphsPage(300_000), Options{}, HTML},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			opts := p.opts
			opts.Source, opts.Timeout = p.name, time.Nanosecond
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			_, err := p.f(p.data, opts)
			runtime.ReadMemStats(&m1)
			if !errors.Is(err, ErrBudget) || !strings.HasPrefix(err.Error(), p.name+": ") || !strings.Contains(err.Error(), "time budget of 1ns spent") {
				t.Fatalf("err = %v, want ErrBudget naming %s and the time budget", err, p.name)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; len(p.data) > smallMarkup && alloc > 4*uint64(len(p.data)) {
				t.Errorf("a parse out of time allocated %d bytes for a page of %d: it did not stop", alloc, len(p.data))
			}
			// Without a time budget, the same page parses.
			opts.Timeout = -1
			if _, err := p.f(p.data, opts); err != nil && !errors.Is(err, ErrBudget) {
				t.Fatal(err)
			}
		})
	}
}

// TestLargePageCheaperPath: a page over libraryNodes elements is read by
// mainByDensity, not by the libraries, and its article is the one the
// libraries find on the page alone.
func TestLargePageCheaperPath(t *testing.T) {
	page := readFile(t, "testdata/html/generic_en.html")
	want, err := HTML(page, Options{Source: "generic_en.html"})
	if err != nil {
		t.Fatal(err)
	}
	// The same page with libraryNodes empty elements more, in a footer.
	filler := strings.Repeat("<span></span>", libraryNodes)
	large := strings.Replace(string(page), "</body>", "<footer>"+filler+"</footer></body>", 1)
	if len(large) == len(page) {
		t.Fatal("no </body> in the page")
	}
	got, err := HTML([]byte(large), Options{Source: "large.html"})
	if err != nil {
		t.Fatal(err)
	}
	// The cheaper reading keeps the byline line above the body, which the
	// library drops; the rest is the same.
	if got.Article.Title != want.Article.Title || !slices.Equal(got.Article.Texts()[1:], want.Article.Texts()) ||
		!slices.Equal(got.Article.Authors, want.Article.Authors) {
		t.Errorf("cheaper path read %q %q %q\nthe library read %q %q %q", got.Article.Title, got.Article.Authors, got.Article.Texts(),
			want.Article.Title, want.Article.Authors, want.Article.Texts())
	}
	// With the bound on elements below the page's, the page is refused.
	if _, err := HTML(page, Options{Source: "generic_en.html", MaxNodes: 10}); !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "generic_en.html: ") {
		t.Errorf("MaxNodes 10: err = %v, want ErrBudget naming the page", err)
	}
	if _, err := HTML(page, Options{Source: "generic_en.html", MaxBlocks: 3}); !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "lines of text, more than 3") {
		t.Errorf("MaxBlocks 3: err = %v, want ErrBudget", err)
	}
}

// TestTextLinesBound: a raw text of more lines than MaxBlocks is refused
// before the classifier reads them, naming the page.
func TestTextLinesBound(t *testing.T) {
	data := []byte("A title\n" + strings.Repeat("a line\n", DefaultMaxBlocks))
	if _, err := Text(data, Options{Source: "long.txt"}); !errors.Is(err, ErrBudget) || !strings.HasPrefix(err.Error(), "long.txt: ") ||
		!strings.Contains(err.Error(), fmt.Sprintf("%d lines of text, more than %d", DefaultMaxBlocks+1, DefaultMaxBlocks)) {
		t.Fatalf("err = %v, want ErrBudget naming long.txt", err)
	}
	if _, err := Text(data, Options{Source: "long.txt", MaxBlocks: -1}); err != nil {
		t.Fatal(err)
	}
}
