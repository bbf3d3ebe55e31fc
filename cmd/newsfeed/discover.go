package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"newsfeed/config"
	"newsfeed/discover"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/record"
)

// discoverFlags are the flags discover and add share.
type discoverFlags struct {
	fc      *fetchConfig
	name    *string
	verbose *bool
}

// addDiscoverFlags adds the fetch flags, --name and -v to fs.
func addDiscoverFlags(fs interface {
	String(name, value, usage string) *string
	Bool(name string, value bool, usage string) *bool
}, fc *fetchConfig) discoverFlags {
	return discoverFlags{
		fc:      fc,
		name:    fs.String("name", "", "the source's name (default: the page's host and path)"),
		verbose: fs.Bool("v", false, "log each request"),
	}
}

// discovery is a discover run: what it found and how it fetched.
type discovery struct {
	res      *discover.Result
	name     string
	fetcher  *fetch.Fetcher
	profiles *parse.Profiles
	// maxArticles is the most articles a poll of the source fetches.
	maxArticles int
}

// runDiscover finds how to follow a site from a page's address and
// prints a [[source]] block for it, the alternatives commented out, and a
// preview of the article URLs it yields (--urls: every one, alone;
// --check: three fetched and parsed).
func runDiscover(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "discover", "URL  (a site's home or section page)")
	fc := addFetchFlags(fs)
	df := addDiscoverFlags(fs, fc)
	urlsOnly := fs.Bool("urls", false, "print every article URL the best method yields, one a line, and nothing else")
	check := fs.Bool("check", false, "fetch three of the articles and print what the parser makes of each")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badUsage(fs)
	}
	sc, err := fc.loadSources()
	if err != nil {
		return usagef("%v", err)
	}
	d, err := discoverSite(ctx, e, fs.Arg(0), df, setFlags(fs), sc)
	if err != nil {
		return err
	}
	defer d.fetcher.Close()
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	if *urlsOnly {
		for _, a := range d.res.Best.Articles {
			fmt.Fprintln(w, a.URL)
		}
		return nil
	}
	printDiscovery(w, d)
	if *check {
		w.Flush()
		if !checkArticles(ctx, w, d) {
			return statusCode(exitFailed) // the check printed why
		}
	}
	return nil
}

// discoverSite runs discovery on pageURL with the fetcher the flags and
// the sources file sc (nil: none) describe. When discovery fails it
// prints why, with what it tried, and returns the statusCode to end with.
func discoverSite(ctx context.Context, e *env, pageURL string, df discoverFlags, set map[string]bool, sc *config.Config) (*discovery, error) {
	fc := df.fc
	if err := fc.check(); err != nil {
		return nil, usagef("%v", err)
	}
	fc.apply(sc, set)
	var profiles *parse.Profiles
	if sc != nil && sc.Profiles != "" {
		user, err := loadSourceProfiles(relative(sc, sc.Profiles))
		if err != nil {
			return nil, usagef("%v", err)
		}
		profiles = parse.BuiltinProfiles().Overlay(user)
	}
	if profiles == nil {
		profiles = parse.BuiltinProfiles()
	}
	tap := discover.NewRobotsTap(nil)
	cfg := fc.settings(sc, parse.DefaultMaxBytes, e, *df.verbose)
	cfg.Robots = tap
	f := fetch.New(cfg)
	res, err := discover.Site(ctx, f, pageURL, discover.Options{Robots: tap, Profile: profiles.Match, Logger: cfg.Logger})
	if err != nil {
		f.Close()
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		if res != nil {
			printTried(e.stderr, res)
		}
		if ctx.Err() != nil {
			return nil, statusCode(signalExit(ctx))
		}
		if errors.Is(err, fetch.ErrPrivateAddress) && !fc.allowPrivate {
			fmt.Fprintln(e.stderr, "newsfeed: (a site on your own network: --allow-private)")
		}
		return nil, statusCode(exitFailed)
	}
	name := *df.name
	if name == "" {
		name = discover.Name(res.URL)
	}
	maxArticles := config.DefaultMaxArticles
	if sc != nil && sc.Defaults.MaxArticles > 0 {
		maxArticles = sc.Defaults.MaxArticles
	}
	return &discovery{res: res, name: name, fetcher: f, profiles: profiles, maxArticles: maxArticles}, nil
}

// printTried lists the candidates discovery fetched and why each was
// passed over.
func printTried(w io.Writer, res *discover.Result) {
	for _, a := range res.Tried {
		if a.Err != nil {
			fmt.Fprintf(w, "#   %-10s %s: %v\n", a.What, a.URL, a.Err)
		} else {
			fmt.Fprintf(w, "#   %-10s %s: ok\n", a.What, a.URL)
		}
	}
}

// printDiscovery prints the best method's block, the alternatives
// commented out (each named after its kind too, so that one can be
// uncommented beside the best), and the preview.
func printDiscovery(w io.Writer, d *discovery) {
	res := d.res
	fmt.Fprintf(w, "# %s: found %s, in %d requests\n", res.URL, res.Best.Found, res.Requests)
	fmt.Fprint(w, res.Best.Block(d.name))
	for _, m := range res.Alternatives {
		fmt.Fprintf(w, "\n# alternative: %s\n", m.Found)
		fmt.Fprint(w, discover.Comment(m.Block(d.name+"-"+string(m.Kind))))
	}
	arts := res.Best.Articles
	fmt.Fprintf(w, "\n# %d article URLs", len(arts))
	if len(arts) > d.maxArticles {
		fmt.Fprintf(w, " (a poll fetches at most %d of them: max_articles)", d.maxArticles)
	}
	if len(arts) > 10 {
		fmt.Fprint(w, "; the first 10")
	}
	fmt.Fprintln(w, ":")
	for i, a := range arts[:min(10, len(arts))] {
		fmt.Fprintf(w, "# %2d. %s", i+1, a.URL)
		if a.Text != "" {
			fmt.Fprintf(w, "  %s", clip(a.Text, 60))
		}
		fmt.Fprintln(w)
	}
}

// clip shortens s to n characters, with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// checkArticles fetches the first three articles and prints what the
// parser makes of each; false when none parses with a title and a body.
func checkArticles(ctx context.Context, w *bufio.Writer, d *discovery) bool {
	arts := d.res.Best.Articles
	fmt.Fprintf(w, "\n# check: %d articles fetched and parsed\n", min(3, len(arts)))
	good := 0
	for _, a := range arts[:min(3, len(arts))] {
		art, err := fetchArticle(ctx, d, a.URL)
		if err != nil {
			fmt.Fprintf(w, "# %s\n#   error: %v\n", a.URL, err)
			w.Flush()
			continue
		}
		body := 0
		for _, t := range art.Texts() {
			body += utf8.RuneCountInString(t)
		}
		pics := 0
		for _, b := range art.Blocks {
			if b.Type == record.BlockImage && b.Src != "" {
				pics++
			}
		}
		published := "(none)"
		if art.Published != nil {
			published = art.Published.Format("2006-01-02 15:04 -07:00")
		}
		fmt.Fprintf(w, "# %s\n#   title:    %s\n#   time:     %s\n#   author:   %s\n#   outlet:   %s\n#   pictures: %d\n#   body:     %d characters\n",
			a.URL, orNone(art.Title), published, orNone(strings.Join(art.Authors, ", ")), orNone(art.Outlet), pics, body)
		w.Flush()
		if art.Title != "" && body > 0 {
			good++
		}
	}
	return good > 0 || len(arts) == 0
}

// fetchArticle fetches and parses one article.
func fetchArticle(ctx context.Context, d *discovery, u string) (*record.Article, error) {
	resp, err := d.fetcher.Get(ctx, u, fetch.Validators{})
	if err != nil {
		return nil, err
	}
	res, err := parse.Page(resp.Body, parse.Options{URL: resp.URL, Source: resp.URL, ContentType: resp.ContentType, Profiles: d.profiles})
	if err != nil {
		return nil, err
	}
	return res.Article, nil
}

// orNone is s, or "(none)".
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// sourceOf checks the discovered block is a source the sources file
// accepts.
func sourceOf(d *discovery) (*config.Source, error) { return d.res.Source(d.name) }
