package parse

import (
	"net/url"
	"testing"
	"time"

	"newsfeed/parse/htmlpage"
)

func TestFindStamp(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 in Beijing time unless zoned; "" for none
	}{
		{"2019-09-07 13:43:45　来源: 证券市场红周刊", "2019-09-07T13:43:45+08:00"},
		{"2019年06月15日08:18 来源： 人民网", "2019-06-15T08:18:00+08:00"},
		{"发布时间：2019-05-18", "2019-05-18T00:00:00+08:00"},
		{"2025-12-08T21:39:27Z", "2025-12-08T21:39:27Z"},
		{"2025-12-08 21:39 +05:30", "2025-12-08T21:39:00+05:30"},
		{"2019-02-30 10:00", ""}, // no such day
		{"2019-13-01", ""},
		{"昨天 12:30", ""},
		{"3小时前", ""},
	}
	for _, tt := range tests {
		got, ok := findStamp(tt.in, Beijing)
		switch {
		case tt.want == "" && ok:
			t.Errorf("findStamp(%q) = %v, want none", tt.in, got)
		case tt.want != "" && (!ok || got.Format(time.RFC3339) != tt.want):
			t.Errorf("findStamp(%q) = %v, %v; want %s", tt.in, got.Format(time.RFC3339), ok, tt.want)
		}
	}
}

func TestURLDate(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://www.guancha.cn/XueLan/2025_12_09_000001.shtml", "2025-12-09"},
		{"https://example.com/news/2019/09/07/story.html", "2019-09-07"},
		{"https://example.com/a/20191125/1.html", "2019-11-25"},
		{"https://example.com/a/2019-13-45/x", ""},
		{"https://example.com/story/123456789", ""},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		got, ok := urlDate(u, Beijing)
		if s := got.Format(time.DateOnly); tt.want == "" && ok || tt.want != "" && (!ok || s != tt.want) {
			t.Errorf("urlDate(%s) = %s, %v; want %q", tt.url, s, ok, tt.want)
		}
	}
}

func TestPickDate(t *testing.T) {
	guess := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		meta  htmlpage.Meta
		url   string
		lines []htmlpage.Block
		guess time.Time
		want  string // "" for nil; "meta" for the metadata's (nil from pickDate)
	}{
		{"metadata with a time wins within the minute", htmlpage.Meta{Dates: []string{"2019-06-15T08:18:40+08:00"}}, "",
			lineBlocks("标题新闻", "2019年06月15日08:18 来源：人民网"), time.Time{}, "meta"},
		{"the dateline shown wins beyond the minute", htmlpage.Meta{Dates: []string{"2019-06-15T10:00:00+08:00"}}, "",
			lineBlocks("标题新闻", "2019年06月15日08:18 来源：人民网"), time.Time{}, "2019-06-15T08:18:00+08:00"},
		{"but not a day away", htmlpage.Meta{Dates: []string{"2019-06-17T10:00:00+08:00"}}, "",
			lineBlocks("标题新闻", "2019年06月15日08:18 来源：人民网"), time.Time{}, "meta"},
		{"a day-only metadata date gives way to the dateline's time", htmlpage.Meta{Dates: []string{"2019-06-15"}}, "",
			lineBlocks("标题新闻", "2019年06月15日08:18 来源：人民网"), time.Time{}, "2019-06-15T08:18:00+08:00"},
		{"but not to another day's", htmlpage.Meta{Dates: []string{"2019-06-15"}}, "",
			lineBlocks("标题新闻", "2019年06月16日08:18 来源：人民网"), time.Time{}, "meta"},
		{"the URL's day made precise by the dateline", htmlpage.Meta{}, "https://example.com/2019/06/15/a.html",
			lineBlocks("标题新闻", "2019-06-15 08:18:09"), time.Time{}, "2019-06-15T08:18:09+08:00"},
		{"the URL's day over a dateline of another day", htmlpage.Meta{}, "https://example.com/2019/06/15/a.html",
			lineBlocks("标题新闻", "2019-06-14 08:18"), time.Time{}, "2019-06-15T00:00:00+08:00"},
		{"a relative time gives nothing, not the library's guess", htmlpage.Meta{}, "",
			lineBlocks("标题新闻", "爱否科技 昨天"), guess, ""},
		{"a <time> element's time the library's guess disputes dates something else", htmlpage.Meta{Dates: []string{"2018-03-12T19:30:12+00:00"}}, "",
			lineBlocks("标题新闻", "正文。"), guess, "2020-01-02T03:04:05+08:00"},
		{"a <meta> tag's time stands against it", htmlpage.Meta{Dates: []string{"2018-03-12T19:30:12+00:00"}, TaggedDates: 1}, "",
			lineBlocks("标题新闻", "正文。"), guess, "meta"},
		{"of the metadata's days, the one the library's guess confirms", htmlpage.Meta{Dates: []string{"2019-12-30T10:00:00+08:00", "2020-01-02T09:00:00+08:00"}, TaggedDates: 2}, "",
			lineBlocks("标题新闻", "正文。"), guess, "2020-01-02T09:00:00+08:00"},
		{"the library's guess when the page shows nothing", htmlpage.Meta{}, "",
			lineBlocks("标题新闻", "正文。"), guess, "2020-01-02T03:04:05+08:00"},
		{"a dateline without a year takes the machine time's", htmlpage.Meta{MachineTimes: []string{"2019-10-08 12:00:57"}}, "",
			lineBlocks("标题新闻", "作者名", "发布时间：10-08 12:00"), time.Time{}, "2019-10-08T12:00:00+08:00"},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		got := pickDate(tt.meta, u, tt.lines, 0, "标题新闻", tt.guess)
		switch {
		case tt.want == "meta" || tt.want == "":
			if got != nil {
				t.Errorf("%s: pickDate = %v, want nil", tt.name, got)
			}
		case got == nil || got.Format(time.RFC3339) != tt.want:
			t.Errorf("%s: pickDate = %v, want %s", tt.name, got, tt.want)
		}
	}
}

// lineBlocks makes an HTML page's blocks of text from lines.
func lineBlocks(lines ...string) []htmlpage.Block {
	var out []htmlpage.Block
	for _, l := range lines {
		out = append(out, htmlpage.Block{Text: l})
	}
	return out
}

// TestMetaZoneAndShownDay: a UTC time takes the offset the metadata gives
// the same instant in another form; a UTC time whose day the page shows
// as the next day (the site's zone) gives way to the shown day.
func TestMetaZoneAndShownDay(t *testing.T) {
	utc := time.Date(2019, 10, 18, 22, 4, 0, 0, time.UTC)
	got := metaZone(utc, htmlpage.Meta{MachineTimes: []string{"Sat, 19 Oct 2019 00:04:00 +0200"}})
	if got.Format(time.RFC3339) != "2019-10-19T00:04:00+02:00" {
		t.Errorf("metaZone = %v", got)
	}
	if got := metaZone(utc, htmlpage.Meta{MachineTimes: []string{"Sat, 19 Oct 2019 00:05:00 +0200"}}); !got.Equal(utc) || got.Location() != time.UTC {
		t.Errorf("another instant gave its zone: %v", got)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		declared, seen time.Time
		want           bool
	}{
		{time.Date(2018, 12, 31, 23, 11, 59, 0, time.UTC), day(2019, 1, 1), true},
		{time.Date(2018, 12, 31, 23, 11, 59, 0, time.FixedZone("", 3600)), day(2019, 1, 1), false}, // its own zone says the day
		{time.Date(2018, 12, 29, 23, 11, 59, 0, time.UTC), day(2019, 1, 1), false},                 // no zone is that far
		{time.Date(2019, 1, 1, 8, 0, 0, 0, time.UTC), day(2019, 1, 1), false},                      // the same day
	} {
		if got := shownDay(tt.declared, tt.seen); got != tt.want {
			t.Errorf("shownDay(%v, %v) = %v", tt.declared, tt.seen, got)
		}
	}
}
