package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/temoto/robotstxt"
)

// checkRobots refuses u when the host's robots.txt disallows it for our
// user agent (ErrRobots), or could not be read (a *HostError).
func (f *Fetcher) checkRobots(ctx context.Context, h *host, u *url.URL) error {
	rules, err := h.rules(ctx, func(ctx context.Context) (*robotsRules, error) {
		return f.robots(ctx, h, u)
	})
	if err != nil {
		return fmt.Errorf("robots.txt: %w", err)
	}
	if rules.unreachable != nil {
		// RFC 9309 §2.3.1.4: nothing may be fetched; the host is failing,
		// and that is an outage to report, not the site's refusal.
		return &HostError{Host: h.name, Err: fmt.Errorf("robots.txt unreachable, so nothing may be fetched (RFC 9309): %w", rules.unreachable)}
	}
	if !rules.data.TestAgent(u.RequestURI(), f.robotsAgent) {
		f.robotsRefused.Add(1)
		return fmt.Errorf("%w: %s for %s", ErrRobots, u.RequestURI(), f.robotsAgent)
	}
	return nil
}

// robots returns the rules of u's host: read by this Fetcher, or, with a
// Config.Robots cache, as any Fetcher sharing it read them, kept until
// the file's Expires.
func (f *Fetcher) robots(ctx context.Context, h *host, u *url.URL) (*robotsRules, error) {
	robotsURL := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	read := func(ctx context.Context) (RobotsFile, error) { return f.readRobots(ctx, robotsURL) }
	if f.cfg.Robots == nil {
		file, err := read(ctx)
		if err != nil {
			return nil, err
		}
		return f.parseRobots(robotsURL, file), nil
	}
	file, err := f.cfg.Robots.Robots(ctx, h.name, read)
	if err != nil {
		return nil, err
	}
	r := f.parseRobots(robotsURL, file)
	r.expires = file.Expires
	return r, nil
}

// readRobots fetches robotsURL, following RFC 9309: a 4xx (or a file we
// cannot use) allows everything; a 5xx or a connection failure, after the
// retries, disallows everything. The errors returned are those that must
// not be kept for the host: the caller's context ending, a deferral, a
// refused address.
func (f *Fetcher) readRobots(ctx context.Context, robotsURL *url.URL) (RobotsFile, error) {
	resp, err := f.follow(ctx, robotsURL, Validators{}, false)
	now := time.Now()
	file := RobotsFile{Fetched: now, Expires: now.Add(RobotsMaxAge)}
	var (
		deferred  *DeferredError
		statusErr *StatusError
	)
	switch {
	case err == nil:
		file.Status, file.Body = resp.Status, resp.Body
	case ctx.Err() != nil, errors.As(err, &deferred), errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrScheme):
		return RobotsFile{}, err
	case errors.As(err, &statusErr) && statusErr.Code < 500 && statusErr.Code != 429:
		// 4xx: no robots.txt, no restriction. Also a 3xx without Location.
		file.Status = statusErr.Code
	case errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrTooLarge):
		// RFC 9309 §2.3.1.2 and §2.5: may be treated as unavailable (allow all).
		f.cfg.Logger.Warn("robots.txt unusable, allowing all", slog.String("url", robotsURL.String()), slog.String("error", err.Error()))
	default:
		file.Unreachable = err.Error()
		file.Expires = now.Add(RobotsUnreachableMaxAge)
	}
	return file, nil
}

// parseRobots turns a robots.txt as read into the rules for our user
// agent; a 2xx body that does not parse allows everything.
func (f *Fetcher) parseRobots(robotsURL *url.URL, file RobotsFile) *robotsRules {
	if file.Unreachable != "" {
		return &robotsRules{unreachable: errors.New(file.Unreachable)}
	}
	allowAll, _ := robotstxt.FromStatusAndBytes(404, nil)
	if file.Status < 200 || file.Status > 299 {
		return &robotsRules{data: allowAll}
	}
	data, err := robotstxt.FromStatusAndBytes(file.Status, file.Body)
	if err != nil {
		f.cfg.Logger.Warn("robots.txt unreadable, allowing all", slog.String("url", robotsURL.String()), slog.String("error", err.Error()))
		data = allowAll
	}
	return &robotsRules{data: data, group: data.FindGroup(f.robotsAgent)}
}
