package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsfeed/internal/testsite"
)

// siteRun is a sources file for a testsite.Site and the database and
// feed folder it names, in a temporary folder.
type siteRun struct {
	t      *testing.T
	site   *testsite.Site
	dir    string
	config string
}

// newSiteRun starts a site with n articles and writes a sources file
// whose settings are extra (TOML, before the sources) and whose sources
// are sources (TOML; SITE stands for the site's address).
func newSiteRun(t *testing.T, n int, extra, sources string) *siteRun {
	t.Helper()
	r := &siteRun{t: t, site: testsite.New(t, n), dir: t.TempDir()}
	testsite.WriteProfile(t, r.dir)
	r.config = filepath.Join(r.dir, "newsfeed.toml")
	r.write(extra, sources)
	return r
}

func (r *siteRun) write(extra, sources string) {
	r.t.Helper()
	text := fmt.Sprintf(`db = "news.db"
out = "feeds"
profiles = "site-profiles.txt"
allow_private = true
delay = "1ms"
retries = 0
timeout = "20s"
%s

[defaults]
every = "1ns"

%s
`, extra, strings.ReplaceAll(sources, "SITE", r.site.URL("")))
	if err := os.WriteFile(r.config, []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// section is the sources-file entry for the site's section page.
const section = "[[source]]\nname = \"section\"\nhtml = \"SITE/internation\"\n"

// run runs newsfeed run with the sources file and returns the exit
// status, the ingest summary line and all of stderr.
func (r *siteRun) run(args ...string) (code int, summary, stderr string) {
	r.t.Helper()
	code, _, stderr = runCmd(r.t, "", append([]string{"run", "--config", r.config}, args...)...)
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "newsfeed: ingest: ") && strings.Contains(line, " pages read: ") {
			summary = line
		}
	}
	return code, summary, stderr
}

// mustRun runs and fails the test unless it exits 0 with a summary.
func (r *siteRun) mustRun(args ...string) string {
	r.t.Helper()
	code, sum, stderr := r.run(args...)
	if code != exitOK || sum == "" {
		r.t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	return sum
}

// count returns the number before label in a summary line ("20 new").
func count(t *testing.T, summary, label string) int {
	t.Helper()
	m := regexp.MustCompile(`(\d+) ` + regexp.QuoteMeta(label) + `\b`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no %q in summary %q", label, summary)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// export returns the stored records as export prints them.
func (r *siteRun) export(since uint64) []map[string]any {
	r.t.Helper()
	code, out, stderr := runCmd(r.t, "", "export", "--db", filepath.Join(r.dir, "news.db"), "--since", strconv.FormatUint(since, 10))
	if code != exitOK {
		r.t.Fatalf("export: exit %d: %s", code, stderr)
	}
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			r.t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// pageRequests returns the requests of the run for pages (robots.txt
// left out).
func pageRequests(site *testsite.Site) []testsite.Request {
	var out []testsite.Request
	for _, r := range site.Requests() {
		if r.Path != "/robots.txt" {
			out = append(out, r)
		}
	}
	return out
}

// The first run stores every article; the second asks for each page
// conditionally, gets 304s, parses nothing and changes nothing.
func TestRunFetch_ConditionalSecondRun(t *testing.T) {
	r := newSiteRun(t, 20, "", section+"refresh = \"30d\"\n")
	sum := r.mustRun()
	if count(t, sum, "new") != 20 || count(t, sum, "failed") != 0 || count(t, sum, "polled") != 1 {
		t.Fatalf("first run: %s", sum)
	}
	seq := uint64(count(t, sum, "inserted"))
	if reqs := r.site.Requests(); len(reqs) != 22 || !strings.HasPrefix(reqs[0].UserAgent, "newsfeed/") {
		t.Errorf("first run: %d requests (want robots.txt, the section, 20 articles), UA %q", len(reqs), reqs[0].UserAgent)
	}
	if st := r.site.Stats(); st.MaxInFlight > 2 {
		t.Errorf("%d requests in flight at once, per_host is 2", st.MaxInFlight)
	}
	recs := r.export(0)
	if len(recs) != int(seq) {
		t.Fatalf("%d records exported, %d inserted", len(recs), seq)
	}
	articles := 0
	for _, rec := range recs {
		if rec["kind"] == "article" {
			articles++
			if u := rec["url"].(string); strings.Contains(u, "?s=") || rec["source"] != u || rec["site"] != "观察者网" {
				t.Errorf("article url %q source %q site %q: want the canonical URL, no tracking tail", u, rec["source"], rec["site"])
			}
		}
	}
	if articles != 20 {
		t.Errorf("%d articles stored", articles)
	}

	r.site.Reset()
	sum = r.mustRun()
	if count(t, sum, "not modified") != 20 || count(t, sum, "new") != 0 || count(t, sum, "changed") != 0 ||
		count(t, sum, "inserted") != 0 || count(t, sum, "updated") != 0 || count(t, sum, "304s") != 21 {
		t.Errorf("second run: %s", sum)
	}
	for _, req := range pageRequests(r.site) {
		if req.IfNoneMatch == "" || req.IfModifiedSince == "" {
			t.Errorf("second run: %s asked without both validators: %+v", req.Path, req)
		}
	}
	if recs := r.export(seq); len(recs) != 0 {
		t.Errorf("second run logged %d changes", len(recs))
	}
}

// Each way a server treats validators is handled as it should be: the
// validators stored are the ones last sent, each on its own, and a page
// whose body did not change is not written.
func TestRunFetch_ValidatorBehaviours(t *testing.T) {
	tests := map[string]struct {
		mode          testsite.Validators
		inm, ims      bool // what the later runs must send
		notModified   int  // 304s in the later runs: the section and the articles
		sameBodyCount int
	}{
		"ChangingETag":     {testsite.ChangingETag, true, true, 6, 0},
		"LastModifiedOnly": {testsite.LastModifiedOnly, false, true, 6, 0},
		"NoValidators":     {testsite.NoValidators, false, false, 0, 5},
		"IgnoreValidators": {testsite.IgnoreValidators, true, true, 0, 5},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r := newSiteRun(t, 5, "", section+"refresh = \"30d\"\n")
			r.site.SetValidators(tt.mode)
			sum := r.mustRun()
			if count(t, sum, "new") != 5 {
				t.Fatalf("first run: %s", sum)
			}
			seq := uint64(count(t, sum, "inserted"))
			for run := 2; run <= 3; run++ {
				r.site.Reset()
				sum = r.mustRun()
				if count(t, sum, "304s") != tt.notModified || count(t, sum, "not modified") != tt.notModified-min(tt.notModified, 1)+tt.sameBodyCount ||
					count(t, sum, "new")+count(t, sum, "changed") != 0 {
					t.Errorf("run %d: %s", run, sum)
				}
				for _, req := range pageRequests(r.site) {
					if (req.IfNoneMatch != "") != tt.inm || (req.IfModifiedSince != "") != tt.ims {
						t.Errorf("run %d: %s sent If-None-Match %q, If-Modified-Since %q", run, req.Path, req.IfNoneMatch, req.IfModifiedSince)
					}
				}
			}
			if recs := r.export(seq); len(recs) != 0 {
				t.Errorf("later runs logged %d changes", len(recs))
			}
		})
	}
}

// With refresh, an article the site took down (404) is counted gone,
// not failed: the run exits 0 and its stored records stay.
func TestRunFetch_RefreshGone(t *testing.T) {
	r := newSiteRun(t, 3, "", section+"refresh = \"30d\"\n")
	sum := r.mustRun()
	if count(t, sum, "new") != 3 {
		t.Fatalf("first run: %s", sum)
	}
	r.site.Remove(1)
	code, sum, stderr := r.run()
	if code != exitOK || count(t, sum, "gone") != 1 || count(t, sum, "failed") != 0 {
		t.Fatalf("second run: exit %d, %s\n%s", code, sum, stderr)
	}
	found := false
	for _, rec := range r.export(0) {
		found = found || (rec["kind"] == "article" && rec["url"] == r.site.ArticleURL(1))
	}
	if !found {
		t.Error("the gone article's record was dropped")
	}
}

// With refresh, an edited article is fetched again and updated in
// place; a new article on the list page is picked up.
func TestRunFetch_EditAndAdd(t *testing.T) {
	r := newSiteRun(t, 5, "", section+"refresh = \"30d\"\n")
	sum := r.mustRun()
	seq := uint64(count(t, sum, "inserted"))
	r.site.Edit(2, "编辑后补充的一段：各方表示将继续保持沟通。")
	added := r.site.Add()
	sum = r.mustRun()
	if count(t, sum, "changed") != 1 || count(t, sum, "new") != 1 || count(t, sum, "not modified") != 4 {
		t.Errorf("second run: %s", sum)
	}
	var edited, inserted bool
	for _, rec := range r.export(seq) {
		if rec["kind"] != "article" {
			continue
		}
		switch rec["url"] {
		case r.site.ArticleURL(2):
			var last string
			blocks, _ := rec["blocks"].([]any)
			for _, b := range blocks {
				if b, _ := b.(map[string]any); b["type"] == "p" {
					last, _ = b["text"].(string)
				}
			}
			edited = rec["op"] == "update" && strings.Contains(last, "编辑后补充")
		case r.site.ArticleURL(added):
			inserted = rec["op"] == "insert"
		}
	}
	if !edited || !inserted {
		t.Errorf("edited article updated in place: %v; added article inserted: %v", edited, inserted)
	}
}

// An article older than max_age is not fetched; a list polled less than
// every ago is not polled.
func TestRunFetch_MaxAgeAndEvery(t *testing.T) {
	r := newSiteRun(t, 5, "", section+"max_age = \"30d\"\nevery = \"1h\"\n")
	r.site.SetDate(0, time.Now().AddDate(0, 0, -60))
	old := r.site.ArticleURL(0)
	sum := r.mustRun()
	if count(t, sum, "new") != 4 {
		t.Errorf("first run: %s", sum)
	}
	for _, req := range r.site.Requests() {
		if r.site.URL(req.Path) == old {
			t.Errorf("the article older than max_age was fetched")
		}
	}
	r.site.Reset()
	sum = r.mustRun()
	if count(t, sum, "not due") != 1 || count(t, sum, "requests") != 0 || len(r.site.Requests()) != 0 {
		t.Errorf("second run within every: %s; %d requests", sum, len(r.site.Requests()))
	}
}

// A Retry-After longer than the run waits defers the host; the next run
// does not contact it and says so.
func TestRunFetch_DeferredHost(t *testing.T) {
	r := newSiteRun(t, 3, "", section)
	r.site.Handle(testsite.SectionPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	_, sum, stderr := r.run()
	if count(t, sum, "deferred hosts") != 1 || count(t, sum, "polled") != 0 {
		t.Fatalf("first run: %s\n%s", sum, stderr)
	}
	r.site.Reset()
	code, sum, stderr := r.run()
	if n := len(r.site.Requests()); n != 0 || code != exitOK {
		t.Errorf("second run: exit %d, %d requests to a deferred host\n%s", code, n, stderr)
	}
	if !strings.Contains(sum, "lists: 0 polled, 0 not due, 1 deferred") || count(t, sum, "deferred hosts") != 1 {
		t.Errorf("second run: %s", sum)
	}
}

// A GBK page whose charset is only in the Content-Type decodes right.
func TestRunFetch_GBK(t *testing.T) {
	r := newSiteRun(t, 2, "", section)
	r.site.SetGBK(true)
	code, _, stderr := r.run("-v")
	if code != exitOK || !strings.Contains(stderr, "method=GET url="+r.site.ArticleURL(1)+" status=200 bytes=") {
		t.Errorf("-v: exit %d, no request line for article 1:\n%s", code, stderr)
	}
	titles := 0
	for _, rec := range r.export(0) {
		if rec["kind"] == "article" && strings.HasPrefix(rec["title"].(string), "测试新闻第") {
			titles++
		}
	}
	if titles != 2 {
		t.Errorf("%d articles with their GBK title decoded, want 2", titles)
	}
}

// An RSS source and a sitemap source each find every article.
func TestRunFetch_FeedAndSitemap(t *testing.T) {
	for name, src := range map[string]string{
		"RSS":     "[[source]]\nfeed = \"SITE/rss.xml\"\n",
		"Sitemap": "[[source]]\nsitemap = \"SITE/sitemap.xml\"\n",
		"URLs":    "[[source]]\nurls = [\"SITE/internation/x\"]\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := newSiteRun(t, 4, "", src)
			if name == "URLs" {
				r.write("", fmt.Sprintf("[[source]]\nurls = [%q, %q]\n", r.site.ArticleURL(1), r.site.ArticleURL(3)))
				if sum := r.mustRun(); count(t, sum, "new") != 2 {
					t.Errorf("%s", sum)
				}
				return
			}
			if sum := r.mustRun(); count(t, sum, "new") != 4 {
				t.Errorf("%s", sum)
			}
		})
	}
}

// Without allow_private the site on 127.0.0.1 is refused: its source
// fails with one error line naming it; the other sources still run.
func TestRunFetch_FailingSource(t *testing.T) {
	r := newSiteRun(t, 3, "", section+"[[source]]\nname = \"missing\"\nhtml = \"SITE/nope\"\n")
	code, sum, stderr := r.run()
	if code != exitFailed || count(t, sum, "new") != 3 || !strings.Contains(sum, "lists: 1 polled, 0 not due, 0 deferred, 1 failed") {
		t.Errorf("exit %d, %s", code, sum)
	}
	if lines := strings.Count(stderr, "source missing: "); lines != 1 || !strings.Contains(stderr, "HTTP 404") {
		t.Errorf("want one error line naming the source:\n%s", stderr)
	}

	r = newSiteRun(t, 3, "", section)
	code, _, stderr = r.run("--allow-private=false")
	if code != exitFailed || !strings.Contains(stderr, "source section: ") || !strings.Contains(stderr, "non-public address") {
		t.Errorf("without --allow-private: exit %d\n%s", code, stderr)
	}
	if n := len(r.site.Requests()); n != 0 {
		t.Errorf("%d requests reached 127.0.0.1 without --allow-private", n)
	}
}

// A bad sources file is an error naming its line and key, exit 2.
func TestRunFetch_BadSourcesFile(t *testing.T) {
	dir := t.TempDir()
	for name, tt := range map[string]struct{ text, want string }{
		"UnknownKey":   {"[[source]]\nfeed = \"https://a.example/f\"\nmax_artcles = 5\n", "bad.toml:3: source.max_artcles: unknown key"},
		"BadURL":       {"[[source]]\nfeed = \"a.example/f\"\n", "bad.toml:2: source.feed: bad URL"},
		"BadSelector":  {"[[source]]\nhtml = \"https://a.example/\"\nlinks = \"div >\"\n", "bad.toml:3: source.links: bad selector"},
		"BadRetention": {"contact = \"https://a.example/bot\"\n[retention]\nheadline = \"soon\"\n", "bad.toml:3: retention.headline: bad duration \"soon\""},
		"CompactAbove": {"compact_above = -5\n", "bad.toml:1: compact_above: -5: want a percentage from 0 to 100"},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.toml")
			os.WriteFile(p, []byte(tt.text), 0o644)
			code, _, stderr := runCmd(t, "", "run", "--config", p, "--db", filepath.Join(dir, "x.db"))
			if code != exitUsage || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// A source's own profile file (relative to the sources file) reads its
// pages before the others; an html source with no way to find its links
// is a configuration error.
func TestRunFetch_SourceProfile(t *testing.T) {
	r := newSiteRun(t, 2, "", "")
	text, err := testsite.ProfileText()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(r.dir, "own.txt"), []byte(strings.Replace(text, "site: 观察者网", "site: 自己的名字", 1)), 0o644)
	r.write("", section+"profile = \"own.txt\"\n")
	r.mustRun()
	for _, rec := range r.export(0) {
		if rec["kind"] == "article" && rec["site"] != "自己的名字" {
			t.Errorf("article site %q, want the source profile's", rec["site"])
		}
	}

	r.write("", "\n[[source]]\nname = \"lost\"\nhtml = \"https://news.example.org/\"\n")
	code, _, stderr := r.run()
	if code != exitUsage || !strings.Contains(stderr, "newsfeed.toml:14: source lost: html needs links or pattern") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// parse fetches URL sources, and reads @FILE lists, beside files.
func TestParse_URLsAndLists(t *testing.T) {
	site := testsite.New(t, 2)
	dir := t.TempDir()
	profiles := testsite.WriteProfile(t, dir)
	list := filepath.Join(dir, "pages.txt")
	os.WriteFile(list, []byte("# two pages\n"+site.ArticleURL(1)+"?s=x\n"+seedPage+"\n"), 0o644)
	code, out, stderr := runCmd(t, "", "parse", "--allow-private", "--profiles", profiles, "--summary", site.ArticleURL(0), "@"+list)
	want := []string{
		site.ArticleURL(0) + ": 1 article (6 paragraphs, 0 captions)",
		site.ArticleURL(1) + "?s=x: 1 article (6 paragraphs, 0 captions)",
		seedPage + ": 1 article (27 paragraphs",
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines\n%s\n%s", code, len(lines), out, stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want %q…", i, lines[i], w)
		}
	}
	code, _, stderr = runCmd(t, "", "parse", site.ArticleURL(0))
	if code != exitFailed || !strings.Contains(stderr, "non-public address") {
		t.Errorf("without --allow-private: exit %d, %s", code, stderr)
	}
}
