package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/temoto/robotstxt"
)

// checkRobots refuses u when the host's robots.txt disallows it for our
// user agent, or could not be read.
func (f *Fetcher) checkRobots(ctx context.Context, h *host, u *url.URL) error {
	rules, err := h.rules(ctx, func(ctx context.Context) (*robotsRules, error) {
		return f.readRobots(ctx, u)
	})
	if err != nil {
		return fmt.Errorf("robots.txt: %w", err)
	}
	if rules.unreachable != nil {
		f.robotsRefused.Add(1)
		return fmt.Errorf("%w: robots.txt unreachable, which disallows everything (RFC 9309): %v", ErrRobots, rules.unreachable)
	}
	if !rules.data.TestAgent(u.RequestURI(), f.robotsAgent) {
		f.robotsRefused.Add(1)
		return fmt.Errorf("%w: %s for %s", ErrRobots, u.RequestURI(), f.robotsAgent)
	}
	return nil
}

// readRobots fetches and parses the robots.txt of u's host, following
// RFC 9309: a 4xx (or a file we cannot read) allows everything; a 5xx or
// a connection failure, after the retries, disallows everything. The
// errors returned are those that must not be kept for the host: the
// caller's context ending, a deferral, a refused address.
func (f *Fetcher) readRobots(ctx context.Context, u *url.URL) (*robotsRules, error) {
	robotsURL := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	resp, err := f.follow(ctx, robotsURL, Validators{}, false)
	var (
		deferred  *DeferredError
		statusErr *StatusError
	)
	switch {
	case err == nil:
		data, perr := robotstxt.FromStatusAndBytes(resp.Status, resp.Body)
		if perr != nil {
			f.cfg.Logger.Warn("robots.txt unreadable, allowing all", slog.String("url", robotsURL.String()), slog.String("error", perr.Error()))
			data, _ = robotstxt.FromStatusAndBytes(404, nil)
		}
		return &robotsRules{data: data, group: data.FindGroup(f.robotsAgent)}, nil
	case ctx.Err() != nil, errors.As(err, &deferred), errors.Is(err, ErrPrivateAddress), errors.Is(err, ErrScheme):
		return nil, err
	case errors.As(err, &statusErr) && statusErr.Code < 500 && statusErr.Code != 429:
		// 4xx: no robots.txt, no restriction. Also a 3xx without Location.
		data, _ := robotstxt.FromStatusAndBytes(404, nil)
		return &robotsRules{data: data}, nil
	case errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrTooLarge):
		// RFC 9309 §2.3.1.2 and §2.5: may be treated as unavailable (allow all).
		f.cfg.Logger.Warn("robots.txt unusable, allowing all", slog.String("url", robotsURL.String()), slog.String("error", err.Error()))
		data, _ := robotstxt.FromStatusAndBytes(404, nil)
		return &robotsRules{data: data}, nil
	default:
		return &robotsRules{unreachable: err}, nil
	}
}
