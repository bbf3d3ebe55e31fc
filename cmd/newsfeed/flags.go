package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/parse"
)

// version is newsfeed's version, set at build time with
// -ldflags "-X main.version=v1.2.3"; it goes into the User-Agent.
var version = ""

// parseConfig holds the parse flags: parse, ingest and run share them, so
// that the same page gives the same records whichever command reads it.
type parseConfig struct {
	site, url, profiles, contentType string
	maxBytes                         int
	timeout                          time.Duration
}

// parseFlags adds the parse flags to fs.
func addParseFlags(fs *flag.FlagSet) *parseConfig {
	c := &parseConfig{}
	fs.StringVar(&c.site, "site", "", "the site's name or host, for records' site and ids")
	fs.StringVar(&c.url, "url", "", "the page's URL, when one file is read: the article's id comes from it, and it picks the site profile")
	fs.StringVar(&c.profiles, "profiles", "", "a site profile file that overrides and adds to the built-in profiles")
	fs.StringVar(&c.contentType, "content-type", "", "the HTTP Content-Type files are read as (its charset names their encoding)")
	fs.IntVar(&c.maxBytes, "max-bytes", parse.DefaultMaxBytes, "refuse pages (read or fetched) larger than this many bytes")
	fs.DurationVar(&c.timeout, "parse-timeout", parse.DefaultTimeout, "the time one page's parse may take; a page over it fails, the others go on (0: no limit)")
	return c
}

// parseTimeout is --parse-timeout as parse.Options.Timeout takes it: 0,
// no limit, is negative there.
func (c *parseConfig) parseTimeout() time.Duration {
	if c.timeout <= 0 {
		return -1
	}
	return c.timeout
}

// loadProfiles returns the built-in profiles overlaid with the --profiles
// file, or nil for the built-in ones alone.
func (c *parseConfig) loadProfiles() (*parse.Profiles, error) {
	if c.profiles == "" {
		return nil, nil
	}
	user, err := loadSourceProfiles(c.profiles)
	if err != nil {
		return nil, err
	}
	return parse.BuiltinProfiles().Overlay(user), nil
}

// fetchConfig holds the fetch flags of ingest and run; a sources file's
// settings fill in the ones not given.
type fetchConfig struct {
	config                     string
	allowPrivate, ignoreRobots bool
	retries, perHost, fetchers int
	delay, timeout             time.Duration
	maxRetryAfter              time.Duration
	contact                    string
	// quiet keeps the fetcher's warnings (a deferred host, a capped
	// Retry-After) off stderr.
	quiet bool
}

func addFetchFlags(fs *flag.FlagSet) *fetchConfig {
	c := &fetchConfig{}
	fs.StringVar(&c.config, "config", "", "the sources file (default "+config.DefaultFile+" when it exists)")
	fs.BoolVar(&c.allowPrivate, "allow-private", false, "allow fetching from loopback and private addresses (your own servers)")
	fs.BoolVar(&c.ignoreRobots, "ignore-robots", false, "do not read robots.txt (for sites you own)")
	fs.IntVar(&c.retries, "retries", fetch.DefaultRetries, "retries of a request after a connection error, 5xx or 429")
	fs.IntVar(&c.perHost, "per-host", fetch.DefaultPerHost, "requests in flight to one host")
	fs.DurationVar(&c.delay, "delay", fetch.DefaultDelay, "least time between two requests to one host (robots.txt Crawl-delay wins when larger)")
	fs.DurationVar(&c.timeout, "timeout", fetch.DefaultTimeout, "longest a request may take, body included")
	fs.IntVar(&c.fetchers, "fetchers", 0, "requests in flight in all (default 16)")
	fs.StringVar(&c.contact, "contact", "", "a URL where site owners reach you, sent in the User-Agent")
	fs.DurationVar(&c.maxRetryAfter, "max-retry-after", fetch.DefaultMaxRetryAfter,
		"longest Retry-After obeyed: a host asking for more is deferred this long, and a warning names it")
	return c
}

// check refuses flag values no request could carry: a --contact with a
// control character (CR, LF…) would make every request fail.
func (c *fetchConfig) check() error {
	if i := strings.IndexFunc(c.contact, unicode.IsControl); i >= 0 {
		return fmt.Errorf("--contact %q: control character %U not allowed", c.contact, []rune(c.contact[i:])[0])
	}
	return nil
}

// loadSources reads --config, or newsfeed.toml when it exists; nil when
// there is neither.
func (c *fetchConfig) loadSources() (*config.Config, error) {
	path := c.config
	if path == "" {
		if _, err := os.Stat(config.DefaultFile); err != nil {
			return nil, nil
		}
		path = config.DefaultFile
	}
	return config.Load(path)
}

// apply fills in the flags not given on the command line (set) from the
// sources file.
func (c *fetchConfig) apply(sc *config.Config, set map[string]bool) {
	if sc == nil {
		return
	}
	if !set["allow-private"] {
		c.allowPrivate = sc.AllowPrivate
	}
	if !set["ignore-robots"] {
		c.ignoreRobots = sc.IgnoreRobots
	}
	if !set["retries"] && sc.Retries != nil {
		c.retries = *sc.Retries
	}
	if !set["per-host"] && sc.PerHost > 0 {
		c.perHost = sc.PerHost
	}
	if !set["delay"] && sc.Delay != nil {
		c.delay = sc.Delay.D() // "0s" asks for no delay
	}
	if !set["max-retry-after"] && sc.MaxRetryAfter > 0 {
		c.maxRetryAfter = sc.MaxRetryAfter.D()
	}
	if !set["timeout"] && sc.Timeout > 0 {
		c.timeout = sc.Timeout.D()
	}
	if !set["contact"] {
		c.contact = sc.Contact
	}
}

// fetcher returns the fetcher the flags describe.
func (c *fetchConfig) fetcher(sc *config.Config, maxBytes int, e *env, verbose bool) *fetch.Fetcher {
	return fetch.New(c.settings(sc, maxBytes, e, verbose))
}

// settings returns the fetch configuration the flags and the sources file
// describe.
func (c *fetchConfig) settings(sc *config.Config, maxBytes int, e *env, verbose bool) fetch.Config {
	cfg := fetch.Config{
		UserAgent:     fetch.UserAgent(version, c.contact),
		MaxBytes:      int64(maxBytes),
		PerHost:       c.perHost,
		Delay:         c.delay,
		Retries:       c.retries,
		Timeout:       c.timeout,
		AllowPrivate:  c.allowPrivate,
		IgnoreRobots:  c.ignoreRobots,
		MaxRetryAfter: c.maxRetryAfter,
	}
	if c.retries == 0 {
		cfg.Retries = -1 // zero asks for none, not for the default
	}
	if c.delay == 0 {
		cfg.Delay = -1
	}
	if sc != nil {
		cfg.ConnectTimeout, cfg.MaxRetryWait = sc.ConnectTimeout.D(), sc.MaxRetryWait.D()
	}
	switch {
	case verbose:
		cfg.Logger = e.verboseLog()
	case !c.quiet:
		cfg.Logger = e.log // warnings: a host deferred, a Retry-After capped
	}
	return cfg
}

// relative resolves a path named in the sources file against its folder.
func relative(sc *config.Config, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(sc.Path), path)
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// loadSourceProfiles reads a source's own profile file.
func loadSourceProfiles(path string) (*parse.Profiles, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	defer f.Close()
	return parse.ParseProfiles(f, path)
}
