package parse

import (
	"strings"
	"testing"
	"time"

	"newsfeed/record"
)

func TestParseStamp(t *testing.T) {
	tests := []struct {
		line string
		want time.Time
		rest string
		ok   bool
	}{
		{"2025-12-08 21:39 科技前沿 -", time.Date(2025, 12, 8, 21, 39, 0, 0, Beijing), "科技前沿", true},
		{"2025-12-07 07:56 -", time.Date(2025, 12, 7, 7, 56, 0, 0, Beijing), "", true},
		{"2025-11-24 19:38 天文", time.Date(2025, 11, 24, 19, 38, 0, 0, Beijing), "天文", true},
		{"2025-12-09 15:32:10 来源：观察者网", time.Date(2025, 12, 9, 15, 32, 10, 0, Beijing), "来源：观察者网", true},
		{"2025/12/08 10:00", time.Date(2025, 12, 8, 10, 0, 0, 0, Beijing), "", true},
		{"2025年12月7日 09:15 国际", time.Date(2025, 12, 7, 9, 15, 0, 0, Beijing), "国际", true},
		{"2025-12-08", time.Date(2025, 12, 8, 0, 0, 0, 0, Beijing), "", true},
		{"2025-12-08T21:39 x", time.Date(2025, 12, 8, 21, 39, 0, 0, Beijing), "x", true},
		{"2025-02-30 10:00", time.Time{}, "", false},
		{"2025-13-01 10:00", time.Time{}, "", false},
		{"2025-12-08 25:00", time.Time{}, "", false},
		{"20251208 10:00", time.Time{}, "", false},
		{"2025年计划", time.Time{}, "", false},
		{"2025-12-08abc", time.Time{}, "", false},
		{"12月1日至3日,在广东广州举行", time.Time{}, "", false},
	}
	for _, tt := range tests {
		got, rest, ok := parseStamp(tt.line, Beijing)
		if ok != tt.ok || ok && (!got.Equal(tt.want) || rest != tt.rest) {
			t.Errorf("parseStamp(%q) = %v, %q, %v; want %v, %q, %v", tt.line, got, rest, ok, tt.want, tt.rest, tt.ok)
		}
	}
}

func TestCommentItem(t *testing.T) {
	tests := []struct {
		line, title string
		n           int
		ok          bool
	}{
		{"“欧洲吓坏了:这是地震,只能和解” 评论 53", "“欧洲吓坏了:这是地震,只能和解”", 53, true},
		{"标题评论12", "标题", 12, true},
		{"评论 5", "", 0, false},
		{"网友评论不断", "", 0, false},
		{"Storm hits the coast 1,204 comments", "Storm hits the coast", 1204, true},
		{"Storm hits 1 comment", "Storm hits", 1, true},
		{"No comments", "", 0, false},
	}
	for _, tt := range tests {
		title, n, ok := commentItem(tt.line)
		if title != tt.title || n != tt.n || ok != tt.ok {
			t.Errorf("commentItem(%q) = %q, %d, %v; want %q, %d, %v", tt.line, title, n, ok, tt.title, tt.n, tt.ok)
		}
	}
}

// listPage is a page with a short body and the given end matter.
func listPage(tail ...string) []byte {
	return []byte("标题\n第一段正文。\n第二段正文。\n-\n" + strings.Join(tail, "\n") + "\n")
}

func TestText_HeadlineLists(t *testing.T) {
	type item struct {
		title    string
		lists    string // comma-separated
		column   string
		stamped  bool
		comments int // -1: none
	}
	tests := []struct {
		name  string
		data  []byte
		items []item
		paras int
	}{
		{
			name:  "no lists",
			data:  listPage("本文仅代表作者个人观点。", "- 责任编辑: 郑乐欢"),
			paras: 2,
		},
		{
			name:  "empty lists: headers only",
			data:  listPage("相关推荐 -", "最新闻 Hot-", "-"),
			paras: 2,
		},
		{
			name: "time stamps with and without a column",
			data: listPage("标题甲", "2025-12-08 21:39 科技前沿 -", "标题乙", "2025-12-07 07:56 -", "标题丙", "2025-12-06 18:43"),
			items: []item{
				{"标题甲", "related", "科技前沿", true, -1},
				{"标题乙", "related", "", true, -1},
				{"标题丙", "related", "", true, -1},
			},
			paras: 2,
		},
		{
			name: "hot first, then recommended, then related",
			data: listPage("最新闻 Hot-", "热一", "-", "热二", "-", "相关推荐 -", "荐一 评论 7", "相关新闻", "关一", "2025-12-01 10:00 国际 -"),
			items: []item{
				{"热一", "hot", "", false, -1},
				{"热二", "hot", "", false, -1},
				{"荐一", "recommended", "", false, 7},
				{"关一", "related", "国际", true, -1},
			},
			paras: 2,
		},
		{
			name: "a header glued to the line before it",
			data: listPage("相关推荐 -", "荐一 评论 3", "荐二 评论 4最新闻 Hot-", "热一", "-", "热二"),
			items: []item{
				{"荐一", "recommended", "", false, 3},
				{"荐二", "recommended", "", false, 4},
				{"热一", "hot", "", false, -1},
				{"热二", "hot", "", false, -1},
			},
			paras: 2,
		},
		{
			name: "a related header glued to a time stamp",
			data: listPage("甲", "2025-12-08 21:39 科技 -相关推荐", "荐一 评论 1"),
			items: []item{
				{"甲", "related", "科技", true, -1},
				{"荐一", "recommended", "", false, 1},
			},
			paras: 2,
		},
		{
			name: "one headline in two lists, and a footer after a blank line",
			data: listPage("相关推荐", "同一条 评论 9", "最新闻 Hot", "同一条", "-", "另一条", "-", "", "观察员", "上海市互联网违法与不良信息举报中心"),
			items: []item{
				{"同一条", "recommended,hot", "", false, 9},
				{"另一条", "hot", "", false, -1},
			},
			paras: 2,
		},
		{
			name: "blank-separated hot list continues over blank lines",
			data: listPage("热门文章", "", "热一", "", "热二", "", "热三", "", "Copyright 2025 Example"),
			items: []item{
				{"热一", "hot", "", false, -1},
				{"热二", "hot", "", false, -1},
				{"热三", "hot", "", false, -1},
			},
			paras: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustParse(t, tt.data, Options{})
			if len(res.Article.Texts()) != tt.paras {
				t.Errorf("%d paragraphs %q, want %d", len(res.Article.Texts()), res.Article.Texts(), tt.paras)
			}
			if len(res.Headlines) != len(tt.items) {
				var titles []string
				for _, h := range res.Headlines {
					titles = append(titles, h.Title+"/"+string(h.Lists[0]))
				}
				t.Fatalf("got %d headlines %q, want %d", len(res.Headlines), titles, len(tt.items))
			}
			for i, w := range tt.items {
				h := res.Headlines[i]
				var lists []string
				for _, l := range h.Lists {
					lists = append(lists, string(l))
				}
				if h.Title != w.title || strings.Join(lists, ",") != w.lists || h.Column != w.column || (h.Published != nil) != w.stamped {
					t.Errorf("headline %d = %q %v %q stamped=%v; want %q %s %q %v", i, h.Title, lists, h.Column, h.Published != nil, w.title, w.lists, w.column, w.stamped)
				}
				if got := -1; h.Comments != nil {
					got = *h.Comments
					if got != w.comments {
						t.Errorf("headline %d comments = %d, want %d", i, got, w.comments)
					}
				} else if w.comments != -1 {
					t.Errorf("headline %d has no comment count, want %d", i, w.comments)
				}
			}
			// Each list field names its headlines in page order.
			for _, h := range res.Headlines {
				for _, l := range h.Lists {
					ids := map[record.List][]string{record.ListRelated: res.Article.Related, record.ListRecommended: res.Article.Recommended, record.ListHot: res.Article.Hot}[l]
					if !contains(ids, h.ID) {
						t.Errorf("article's %s list lacks %q", l, h.Title)
					}
				}
			}
		})
	}
}

func TestCommentCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"评论 53", 53, true},
		{"评论：53", 53, true},
		{" 53 ", 53, true},
		{"53 comments", 53, true},
		{"1,234 Comments", 1234, true},
		{"评论", 0, false},
		{"53 条", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		if n, ok := commentCount(tt.in); n != tt.want || ok != tt.ok {
			t.Errorf("commentCount(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.want, tt.ok)
		}
	}
}
