package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/andybalholm/cascadia"

	"newsfeed/record"
	"newsfeed/store"
)

// URL is an absolute http or https URL in a sources file.
type URL struct{ u *url.URL }

// UnmarshalText parses and checks the URL.
func (u *URL) UnmarshalText(b []byte) error {
	p, err := ParseURL(string(b))
	if err != nil {
		return err
	}
	u.u = p
	return nil
}

// String returns the URL as written (parsed and re-encoded).
func (u URL) String() string {
	if u.u == nil {
		return ""
	}
	return u.u.String()
}

// ParseURL parses an absolute http or https URL: what every source and
// every link it yields must be.
func ParseURL(s string) (*url.URL, error) {
	p, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", s, err)
	}
	if p.Scheme != "http" && p.Scheme != "https" || p.Host == "" {
		return nil, fmt.Errorf("bad URL %q: want an absolute http or https URL", s)
	}
	return p, nil
}

// Selector is a CSS selector in a sources file.
type Selector struct {
	cascadia.Selector
	text string
}

// UnmarshalText compiles the selector.
func (s *Selector) UnmarshalText(b []byte) error {
	sel, err := cascadia.Compile(string(b))
	if err != nil {
		return fmt.Errorf("bad selector %q: %w", b, err)
	}
	s.Selector, s.text = sel, string(b)
	return nil
}

// String returns the selector as written.
func (s Selector) String() string { return s.text }

// Pattern is a regular expression (RE2 syntax) in a sources file.
type Pattern struct{ *regexp.Regexp }

// UnmarshalText compiles the pattern.
func (p *Pattern) UnmarshalText(b []byte) error {
	re, err := regexp.Compile(string(b))
	if err != nil {
		return fmt.Errorf("bad pattern %q: %w", b, err)
	}
	p.Regexp = re
	return nil
}

// Duration is a length of time in a sources file: Go's syntax ("90s",
// "10m", "1h30m") or a whole number of days ("7d"). "0" is zero.
type Duration time.Duration

// UnmarshalText parses the duration, as store.ParseDuration does.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := store.ParseDuration(s)
	var de *store.DurationError
	switch {
	case !errors.As(err, &de):
		*d = Duration(v)
		return err
	case de.Days && de.Range:
		return fmt.Errorf("bad duration %q: %w (at most %d days)", s, errRange, store.MaxDays)
	case de.Days:
		return fmt.Errorf("bad duration %q: want e.g. \"7d\"", s)
	case de.Range:
		return fmt.Errorf("bad duration %q: %w (at most %dh)", s, errRange, math.MaxInt64/int64(time.Hour))
	}
	return fmt.Errorf("bad duration %q: want e.g. \"90s\", \"10m\", \"2h\" or \"7d\"", s)
}

// errRange is a duration too long to hold.
var errRange = errors.New("out of range")

// MarshalText writes the duration as UnmarshalText reads it: whole days
// as "7d", else Go's syntax.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(store.FormatDuration(time.Duration(d))), nil
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// age is a positive Duration: a retention age.
type age Duration

// UnmarshalText parses the age as a Duration and refuses zero or less.
func (a *age) UnmarshalText(b []byte) error {
	var d Duration
	if err := d.UnmarshalText(b); err != nil {
		return err
	}
	if d <= 0 {
		return errAge(string(b))
	}
	*a = age(d)
	return nil
}

// errAge is the error of an age that is not positive.
func errAge(s string) error {
	return fmt.Errorf("bad age %q: must be positive, e.g. \"30d\"", s)
}

// retentionTable is the [retention] table as written: a store.Retention.
type retentionTable struct {
	Headline  age `toml:"headline"`
	Article   age `toml:"article"`
	Interview age `toml:"interview"`
	Log       age `toml:"log"`
}

// retention returns t as a store.Retention, or nil when t is.
func (t *retentionTable) retention() *store.Retention {
	if t == nil {
		return nil
	}
	r := &store.Retention{Ages: map[record.Kind]time.Duration{}, Log: time.Duration(t.Log)}
	for k, a := range map[record.Kind]age{
		record.KindHeadline: t.Headline, record.KindArticle: t.Article, record.KindInterview: t.Interview,
	} {
		if a > 0 {
			r.Ages[k] = time.Duration(a)
		}
	}
	return r
}
