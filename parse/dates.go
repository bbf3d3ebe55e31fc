// Dates: the one date grammar of the package, for the published time.
// Datelines under a title, list stamps, labelled dates (发布时间：…), dates
// in URLs, profile dates and machine-written times are all read here.
//
// The forms of a date read anywhere in a line (stampPattern): a year of
// 19xx or 20xx, month and day kept apart by -, /, . or 年 月 日
// (2019-12-10, 2019/12/10, 2019.12.10, 2019年12月10日), then maybe a
// clock, with or without a space or a T (2019年12月10日07:57,
// 2019-12-10 07:57:30, 2019-12-10T07:57:00+08:00), with its seconds,
// fraction and zone (Z, +08:00, +0800) when given. Machine times also in
// RFC 3339 and RFC 1123 (parseTime). A dateline without a year
// (发布时间：12-10 07:57, 12月10日 07:57) takes the year of a machine time
// of the same month and day, else gives nothing (yearlessDateline). Labels
// that date a line anywhere on the page: 发布时间, 发表于, 发布日期,
// 发表时间, 时间：, 日期：, 更新时间, Posted on, Published (dateLabels). A
// relative time (昨天, 3小时前, 2 hours ago) dates nothing.
//
// The choice (pickDate), structured data first, checked against what the
// page shows:
//
//   - the metadata's time (article:published_time, JSON-LD datePublished,
//     publishdate and the like, <time datetime>; a <time> element's only
//     when the page shows a dateline or the library's guess is of the same
//     day, as it may date a related story; of candidates of several days,
//     the first of the day the library's guess confirms), unless the
//     dateline the
//     reader sees beside the headline disagrees: it gives only the day and
//     the dateline shows that day's clock; the dateline's clock differs
//     beyond the minute, within a day (shownWins); or it is a UTC time
//     whose day in the site's zone is the bare day shown (shownDay);
//   - else the URL's day, made precise by a dateline of that day;
//   - else the dateline: the first date in the dozen lines from the
//     article's start, the three above it, or a labelled one;
//   - else, with no relative dateline, the extraction library's guess.
//
// A date-only dateline is that day's midnight only when nothing gives its
// clock. A time without a zone is in the page's zone (ZoneOf: Beijing for
// Chinese, +09:00 for Japanese and Korean); a UTC time takes the offset
// the page writes for the same instant (metaZone, PageZone); a time after
// the parse is none (notFuture).

package parse

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"newsfeed/parse/htmlpage"
)

// stampPattern finds a date, and maybe a time, anywhere in a line:
// 2025-12-08 21:39:27, 2005/5/7, 2005年5月7日 21:23, 2025-12-08T21:39:00+08:00.
var stampPattern = regexp.MustCompile(`((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*T?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?`)

// findStamp finds the first date in s that is a real day, in loc unless
// s gives a zone.
func findStamp(s string, loc *time.Location) (time.Time, bool) {
	for _, m := range stampPattern.FindAllStringSubmatch(s, 4) {
		if t, ok := stampFrom(m, loc); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

func stampFrom(m []string, loc *time.Location) (time.Time, bool) {
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	y, mo, d := num(m[1]), num(m[2]), num(m[3])
	h, mi, sec := num(m[4]), num(m[5]), num(m[6])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	if z := m[7]; z != "" {
		if z == "Z" {
			loc = time.UTC
		} else {
			off := num(z[1:3])*3600 + num(strings.TrimPrefix(z[3:], ":"))*60
			if z[0] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// parseTime reads a machine-written time (RFC 3339, ISO 8601 with or
// without zone, or a date) or falls back to findStamp.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return findStamp(s, loc)
}

// pickDate chooses a publication time: nil when the metadata's holds
// (build takes it) — unless the metadata gives only the day and the
// dateline near the title shows that day with its time; else the
// date in the URL, made precise by a visible dateline of the same day;
// else the visible dateline; else go-htmldate's guess, kept in the zone
// it carries, or, when it has none (UTC), read as wall-clock time in the
// page's zone.
func pickDate(meta htmlpage.Meta, base *url.URL, blocks []htmlpage.Block, at int, title string, guessed time.Time) *time.Time {
	loc := ZoneOf(detectLanguage([]string{title}))
	seen, visible := visibleDate(blocks, at, loc)
	if !visible {
		seen, visible = yearlessDateline(blocks, at, meta.MachineTimes, loc)
	}
	if declared, tagged := declaredAt(meta, loc, guessed); declared != nil && (tagged || visible || guessed.IsZero() || sameDay(*declared, guessed)) {
		// The metadata's time, unless it gives only the day and the
		// reader sees the same day with its time. (A <time> element's
		// that the library's guess disputes dates something else.)
		switch {
		case !visible:
		case dayOnly(meta.Dates) && sameDay(*declared, seen):
			gave("published", "dateline's clock on the metadata's day")
			return &seen
		case shownWins(*declared, seen, loc):
			gave("published", "dateline beyond the metadata's minute")
			return &seen
		case shownDay(*declared, seen):
			gave("published", "dateline's day of a UTC metadata time")
			return &seen
		}
		if first := declaredTime(meta, loc); !first.Equal(*declared) {
			gave("published", "metadata time the library's guess confirms")
			return declared
		}
		gave("published", "metadata time")
		return nil // build takes the metadata's
	}
	fromURL, inURL := urlDate(base, loc)
	switch {
	case inURL && visible && seen.Format(time.DateOnly) == fromURL.Format(time.DateOnly):
		gave("published", "dateline on the URL's day")
		return &seen
	case inURL:
		gave("published", "URL's day")
		return &fromURL
	case visible:
		gave("published", "dateline")
		return &seen
	case relativeDateline(blocks, at):
		gave("published", "relative dateline: none")
		return nil // "昨天 12:30", "3小时前": the page gives no date, and none is guessed
	case !guessed.IsZero():
		gave("published", "library's guess")
		if _, off := guessed.Zone(); off != 0 {
			return &guessed // the page gave its zone: the same instant, in it
		}
		t := time.Date(guessed.Year(), guessed.Month(), guessed.Day(), guessed.Hour(), guessed.Minute(), guessed.Second(), 0, loc)
		return &t
	}
	return nil
}

// shownWins reports whether the dateline a reader sees beside the
// headline overrides the metadata's time: on a page whose zone-less times
// have a zone (loc is not UTC), when the dateline shows a clock, is no
// more than a day from the metadata's time (farther, it dates something
// else) and differs from it beyond the minute (07:57 beside 07:57:42
// agrees; the metadata's seconds are kept).
func shownWins(declared, seen time.Time, loc *time.Location) bool {
	if loc == time.UTC || seen.Hour()+seen.Minute()+seen.Second() == 0 {
		return false
	}
	d := declared.Sub(seen)
	return d.Abs() <= 24*time.Hour && !declared.Truncate(time.Minute).Equal(seen.Truncate(time.Minute))
}

// metaZone returns t in the zone of the same instant written with an
// offset in the page's metadata in any form the metadata uses ("Sat, 19
// Oct 2019 00:04:00 +0200" beside a JSON-LD "2019-10-18T22:04:00Z"), when
// t's own offset is 0; else t.
func metaZone(t time.Time, m htmlpage.Meta) time.Time {
	if _, off := t.Zone(); off != 0 {
		return t
	}
	for _, c := range slices.Concat(m.Dates, m.MachineTimes) {
		if ct, ok := parseTime(c, time.UTC); ok {
			if _, off := ct.Zone(); off != 0 && ct.Equal(t) {
				return t.In(time.FixedZone("", off))
			}
		}
	}
	return t
}

// shownDay reports whether the bare day a reader sees beside the
// headline is the day of a metadata time given in UTC, read in the site's
// own zone: the two days differ, and the UTC time falls within that day
// in some zone (UTC-12 to UTC+14). "2018-12-31T23:11:59+00:00" is
// 2019-01-01 in Berlin, where the page shows 01.01.2019.
func shownDay(declared, seen time.Time) bool {
	if _, off := declared.Zone(); off != 0 || seen.Hour()+seen.Minute()+seen.Second() != 0 || sameDay(declared, seen) {
		return false
	}
	start := time.Date(seen.Year(), seen.Month(), seen.Day(), 0, 0, 0, 0, time.UTC)
	return !declared.Before(start.Add(-14*time.Hour)) && declared.Before(start.Add(36*time.Hour))
}

// notFuture returns t, or nil when t is after now: a page cannot have
// been published after it was read (a time in a template, a countdown, a
// year mistyped), so such a time is no publication time.
func notFuture(t *time.Time, now time.Time) *time.Time {
	if t != nil && t.After(now) {
		return nil
	}
	return t
}

// urlDatePattern finds /2025/12/08/, /2025-12-08, /2025_12_08_ and
// /20251208/ in a URL's path.
var urlDatePattern = regexp.MustCompile(`/((?:19|20)\d{2})[/_-]?(\d{2})[/_-]?(\d{2})(?:[/_.-]|$)`)

// urlDate reads the publication day from a URL's path.
func urlDate(u *url.URL, loc *time.Location) (time.Time, bool) {
	if u == nil {
		return time.Time{}, false
	}
	m := urlDatePattern.FindStringSubmatch(u.Path)
	if m == nil {
		return time.Time{}, false
	}
	return stampFrom([]string{"", m[1], m[2], m[3], "", "", "", ""}, loc)
}

// visibleDate finds the dateline a reader sees: the first date in the
// dozen lines after the article's start, else in the three before it.
// Dates further away are lists, archives and copyright lines.
func visibleDate(blocks []htmlpage.Block, at int, loc *time.Location) (time.Time, bool) {
	if at < 0 {
		return time.Time{}, false
	}
	for i := at; i < len(blocks) && i <= at+12; i++ {
		if t, ok := findStamp(blocks[i].Text, loc); ok {
			return t, true
		}
	}
	for i := at - 1; i >= 0 && i >= at-3; i-- {
		if t, ok := findStamp(blocks[i].Text, loc); ok {
			return t, true
		}
	}
	// A date the page labels as the publication time counts wherever it
	// stands in the first part of the page.
	for i := 0; i < len(blocks) && i < 200; i++ {
		if s := blocks[i].Text; runeLen(s) <= 120 && containsAnyOf(s, dateLabels) {
			if t, ok := findStamp(s, loc); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// dateLabels introduce a publication time.
var dateLabels = []string{"发布时间", "发表于", "发布日期", "发表时间", "时间：", "日期：", "更新时间", "Posted on", "Published"}

// dayOnly reports whether the first parsable metadata date is a bare day
// ("2019-06-15"), with no time of day.
func dayOnly(dates []string) bool {
	for _, d := range dates {
		if _, ok := parseTime(d, time.UTC); ok {
			return !strings.ContainsAny(d, ":T")
		}
	}
	return false
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// yearlessPattern is a labelled dateline's month, day and time with no
// year: "发布时间：10-08 12:00", "10月08日 12:00".
var yearlessPattern = regexp.MustCompile(`(?:^|[^\d])(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s+(\d{1,2})[:：](\d{2})`)

// yearlessDateline reads a labelled dateline near the title that shows no
// year ("发布时间：10-08 12:00"), and takes the year from the page's machine
// times of the same month and day; with none, it gives nothing (a year is
// never guessed).
func yearlessDateline(blocks []htmlpage.Block, at int, machine []string, loc *time.Location) (time.Time, bool) {
	if at < 0 {
		return time.Time{}, false
	}
	for i := at; i < len(blocks) && i <= at+4; i++ {
		s := blocks[i].Text
		if runeLen(s) > 80 || !containsAnyOf(s, dateLabels) {
			continue
		}
		m := yearlessPattern.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		for _, mt := range machine {
			t, ok := parseTime(mt, loc)
			if !ok || strconv.Itoa(int(t.Month())) != strings.TrimLeft(m[1], "0") || strconv.Itoa(t.Day()) != strings.TrimLeft(m[2], "0") {
				continue
			}
			if st, ok := stampFrom([]string{"", strconv.Itoa(t.Year()), m[1], m[2], m[3], m[4], "", ""}, loc); ok {
				return st, true
			}
		}
	}
	return time.Time{}, false
}

// Beijing is the zone of times on Chinese news sites: UTC+8 all year.
var Beijing = time.FixedZone("CST", 8*3600)

// Tokyo is the zone of Japanese pages and Seoul that of Korean ones:
// UTC+9 all year.
var (
	Tokyo = time.FixedZone("JST", 9*3600)
	Seoul = time.FixedZone("KST", 9*3600)
)

// ZoneOf returns the zone of the times a page of language lang (a tag
// such as zh, zh-CN, zh-TW, ja, ko, en) writes without a zone: Beijing
// time (+08:00) for Chinese, whatever the region (zh-CN, zh-SG and zh-TW
// are all UTC+8), +09:00 for Japanese and Korean. For any other language
// the time stays as the page shows it: its day and clock are kept and it
// is labelled UTC, as a floating time has no zone to carry in RFC 3339.
// A time the page writes with a zone keeps that zone whatever the
// language (see PageZone).
func ZoneOf(lang string) *time.Location {
	switch normLang(lang) {
	case "zh":
		return Beijing
	case "ja":
		return Tokyo
	case "ko":
		return Seoul
	}
	return time.UTC
}

// PageZone returns t in the zone the page itself gives it. A time read as
// UTC (a "Z" in JSON-LD, a library's answer) is often written elsewhere in
// the page with the site's own offset — "2023-11-09T03:28:35Z" in JSON-LD
// and "2023-11-08T22:28:35-05:00" in the page's data — and the reader's
// day is the latter's. When t's offset is 0, the first of these in data
// gives t its zone:
//   - an ISO 8601 time of the same instant with a non-zero offset;
//   - when the page writes t itself in UTC ("2020-02-18T02:18:11Z") and t
//     is not a bare day's midnight: a zone-less time to the second
//     ("2020-02-17 21:18:11") whose clock differs from t's by a whole
//     number of quarter hours, 14 hours at most: the site's local time of
//     the same instant, the difference its offset.
//
// Otherwise t is returned as it is. Only the years around t are looked
// for, so a page without them costs one search per year.
func PageZone(t time.Time, data []byte) time.Time {
	if _, off := t.Zone(); off != 0 {
		return t
	}
	t = t.Truncate(time.Second)
	// The zone-less rule needs t written in UTC by the page itself (else
	// t may be a zone-less time taken as shown, and the other the UTC
	// one) and a clock (a bare day's midnight matches any time of day).
	stamp := t.Format("2006-01-02T15:04:05")
	floating := t.Hour()+t.Minute()+t.Second() != 0 &&
		(bytes.Contains(data, []byte(stamp+"Z")) || bytes.Contains(data, []byte(stamp+"+00:00")))
	years := []int{t.Add(-14 * time.Hour).Year()}
	if y := t.Add(14 * time.Hour).Year(); y != years[0] {
		years = append(years, y)
	}
	for _, y := range years {
		prefix := []byte(strconv.Itoa(y) + "-")
		rest := data
		for {
			i := bytes.Index(rest, prefix)
			if i < 0 {
				break
			}
			cand := rest[i:min(len(rest), i+40)]
			rest = rest[i+len(prefix):]
			m := zonedPattern.FindSubmatch(cand)
			if m == nil {
				continue
			}
			if len(m[3]) > 0 { // with its offset
				pt, err := time.Parse(time.RFC3339Nano, string(m[1])+"T"+string(m[2])+string(m[3]))
				if err != nil {
					continue
				}
				if _, off := pt.Zone(); off != 0 && pt.Truncate(time.Second).Equal(t) {
					return t.In(time.FixedZone("", off))
				}
				continue
			}
			if !floating {
				continue
			}
			wall, err := time.Parse(time.DateTime, string(m[1])+" "+strings.SplitN(string(m[2]), ".", 2)[0])
			if err != nil {
				continue
			}
			d := wall.Sub(t)
			if d != 0 && d%(15*time.Minute) == 0 && d >= -14*time.Hour && d <= 14*time.Hour {
				return t.In(time.FixedZone("", int(d/time.Second)))
			}
		}
	}
	return t
}

// zonedPattern is an ISO 8601 date and time to the second at the start of
// a string: its day, its clock and its numeric offset, if any. A time
// followed by Z or more digits has no match.
var zonedPattern = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}:\d{2})?(?:[^\dZ:.+-]|$)`)

// parseStamp reads a line that starts with a date and a time —
// "2025-12-08 21:39", "2025/12/08 21:39:05", "2025年12月8日 21:39" — and
// returns the time in loc and what follows it, with a trailing " -"
// divider removed. A date alone is accepted only when nothing follows it
// but a divider or column; the time of day is then midnight.
func parseStamp(s string, loc *time.Location) (t time.Time, rest string, ok bool) {
	year, s, ok := digits(s, 4, 4)
	if !ok || len(s) == 0 {
		return time.Time{}, "", false
	}
	var month, day int
	switch {
	case s[0] == '-' || s[0] == '/' || s[0] == '.':
		sep := s[0]
		if month, s, ok = digits(s[1:], 1, 2); !ok || len(s) == 0 || s[0] != sep {
			return time.Time{}, "", false
		}
		if day, s, ok = digits(s[1:], 1, 2); !ok {
			return time.Time{}, "", false
		}
	case strings.HasPrefix(s, "年"):
		if month, s, ok = digits(s[len("年"):], 1, 2); !ok || !strings.HasPrefix(s, "月") {
			return time.Time{}, "", false
		}
		if day, s, ok = digits(s[len("月"):], 1, 2); !ok {
			return time.Time{}, "", false
		}
		s = strings.TrimPrefix(s, "日")
	default:
		return time.Time{}, "", false
	}
	if len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		return time.Time{}, "", false // more digits than a date has
	}
	var hour, minute, second int
	if t := strings.TrimLeft(s, " T"); len(t) < len(s) || len(s) > 0 && s[0] == 'T' {
		if h, r, ok := digits(t, 1, 2); ok && len(r) > 0 && r[0] == ':' {
			if m, r2, ok := digits(r[1:], 2, 2); ok {
				hour, minute, s = h, m, r2
				if len(s) > 0 && s[0] == ':' {
					if sec, r3, ok := digits(s[1:], 2, 2); ok {
						second, s = sec, r3
					}
				}
			}
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, "", false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, second, 0, loc)
	if t.Day() != day { // 31 February and the like
		return time.Time{}, "", false
	}
	if len(s) > 0 && s[0] != ' ' && s[0] != '-' && s[0] != '\t' {
		return time.Time{}, "", false // "2025-12-08abc" is not a time stamp
	}
	return t, strings.TrimSpace(trimDash(s)), true
}

// digits reads between min and max ASCII digits from the start of s.
func digits(s string, min, max int) (int, string, bool) {
	n := 0
	for n < len(s) && n < max && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < min {
		return 0, s, false
	}
	v, _ := strconv.Atoi(s[:n])
	return v, s[n:], true
}

// stampColumn returns the column named after a headline's time stamp, or
// "" when what follows is not a column name (a source line, a long text).
func stampColumn(rest string) string {
	if rest == "" || runeLen(rest) > 20 || strings.ContainsAny(rest, ":：") {
		return ""
	}
	return rest
}

// isDateline reports a short line that only dates the article:
// "2005-04-05 06:40更新 来源：转载文章", "发布时间：2005/05/17 22:11:42".
func isDateline(s string, loc *time.Location) (time.Time, bool) {
	if runeLen(s) > 80 || strings.ContainsAny(s, "。！？") {
		return time.Time{}, false
	}
	return findStamp(s, loc)
}

// stampIn reads the time in s: at its start, as list items and time
// blocks write it, else anywhere.
func stampIn(s string, loc *time.Location) (time.Time, bool) {
	if t, _, ok := parseStamp(s, loc); ok {
		return t, true
	}
	return findStamp(s, loc)
}

// declaredAt returns the first of the metadata's publication-time
// candidates that parses, in loc when it gives no zone, and whether a
// <meta> tag or JSON-LD declared it (not a <time> element). When the
// candidates name several days, the first of the day the library's
// guess confirms wins (the others date an update, a related story).
func declaredAt(m htmlpage.Meta, loc *time.Location, guessed time.Time) (*time.Time, bool) {
	var first *time.Time
	tagged := false
	for i, d := range m.Dates {
		t, ok := parseTime(d, loc)
		if !ok {
			continue
		}
		if first == nil {
			first, tagged = &t, i < m.TaggedDates
			if guessed.IsZero() || sameDay(t, guessed) {
				break
			}
		} else if sameDay(t, guessed) {
			return &t, i < m.TaggedDates
		}
	}
	return first, tagged
}

// declaredTime returns the first of the metadata's publication-time
// candidates that parses, in loc when it gives no zone.
func declaredTime(m htmlpage.Meta, loc *time.Location) *time.Time {
	for _, d := range m.Dates {
		if t, ok := parseTime(d, loc); ok {
			return &t
		}
	}
	return nil
}

// hasStamp reports whether s holds a date (a list item's time stamp).
func hasStamp(s string) bool {
	_, ok := findStamp(s, time.UTC)
	return ok
}

// relativePattern is a time given relative to now: 昨天 12:30, 3小时前,
// 刚刚, "2 hours ago", "yesterday".
var relativePattern = regexp.MustCompile(`(?i)(昨天|前天|今天|刚刚|\d+\s*(秒|分钟|小时|天|周)前|\b\d+\s+(minutes?|hours?|days?)\s+ago\b|\byesterday\b)`)

// relativeDateline reports a short line near the article's start that
// dates it only relative to now.
func relativeDateline(blocks []htmlpage.Block, at int) bool {
	if at < 0 {
		return false
	}
	for i := at; i < len(blocks) && i <= at+4; i++ {
		if s := blocks[i].Text; runeLen(s) <= 40 && relativePattern.MatchString(s) {
			return true
		}
	}
	return false
}
