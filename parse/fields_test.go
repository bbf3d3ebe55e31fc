package parse

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fieldPage is a hand-made news page of a site no rule knows: a <title>,
// optional meta lines, a headline, the lines under it (dateline, byline),
// a body of a few paragraphs and the lines after it.
type fieldPage struct {
	tag, meta, h1 string
	under, after  []string
	last          string // the last paragraph, when a case needs it
}

func (fp fieldPage) html() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<html lang="zh-CN"><head><meta charset="utf-8"><title>%s</title>%s</head><body>`, fp.tag, fp.meta)
	b.WriteString(`<div class="nav"><a href="/">首页</a> <a href="/a">国内</a> <a href="/b">国际</a></div>`)
	fmt.Fprintf(&b, `<div class="main"><h1>%s</h1>`, fp.h1)
	for _, l := range fp.under {
		fmt.Fprintf(&b, `<div class="info">%s</div>`, l)
	}
	b.WriteString(`<div class="text">`)
	for i := range 4 {
		fmt.Fprintf(&b, `<p>第%d段：河边的老街今年完成了改造，街坊们说，石板路修好以后，来散步的人一天比一天多，店铺也陆续开了门，傍晚的时候尤其热闹。</p>`, i+1)
	}
	if fp.last != "" {
		fmt.Fprintf(&b, `<p>%s</p>`, fp.last)
	}
	b.WriteString(`</div>`)
	for _, l := range fp.after {
		fmt.Fprintf(&b, `<div class="end">%s</div>`, l)
	}
	b.WriteString(`</div><div class="foot">关于我们 | 联系我们 | 版权所有 © 2019</div></body></html>`)
	return []byte(b.String())
}

const fieldHeadline = "河边老街改造完工 石板路迎来散步人群"

// TestFields_Title: the headline without the site's or the channel's
// name, without a 原创 badge or a section label.
func TestFields_Title(t *testing.T) {
	tests := []struct {
		name string
		page fieldPage
	}{
		{"dash and site", fieldPage{tag: fieldHeadline + " - 河畔新闻网", h1: fieldHeadline}},
		{"underscores, channel and site", fieldPage{tag: fieldHeadline + "_国内_河畔新闻网", h1: fieldHeadline}},
		{"bar", fieldPage{tag: fieldHeadline + " | 河畔新闻", h1: fieldHeadline}},
		{"long dash", fieldPage{tag: fieldHeadline + "——河畔新闻网", h1: fieldHeadline}},
		{"gallery label", fieldPage{tag: "图集｜" + fieldHeadline + "_河畔新闻网", h1: "图集｜" + fieldHeadline}},
		{"video label in brackets", fieldPage{tag: fieldHeadline, h1: "【视频】" + fieldHeadline}},
		{"special label", fieldPage{tag: "专题：" + fieldHeadline, h1: "专题：" + fieldHeadline}},
		{"original badge", fieldPage{tag: "原创 " + fieldHeadline, h1: "原创 " + fieldHeadline}},
		{"og:title carrying the site", fieldPage{tag: fieldHeadline + " - 河畔新闻网", meta: `<meta property="og:title" content="` + fieldHeadline + ` - 河畔新闻网">`, h1: fieldHeadline}},
		{"og:title carrying the channel and site", fieldPage{tag: fieldHeadline + "_国内_河畔新闻网", meta: `<meta property="og:title" content="` + fieldHeadline + `_国内_河畔新闻网">`, h1: fieldHeadline}},
		{"<title> carrying more than the headline element", fieldPage{tag: fieldHeadline + "（附图） - 河畔新闻网", h1: fieldHeadline}},
		{"og:title with the site", fieldPage{tag: fieldHeadline + " - 河畔新闻网", meta: `<meta property="og:title" content="` + fieldHeadline + `">`, h1: fieldHeadline}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := HTML(tt.page.html(), Options{Source: "t.html"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Article.Title != fieldHeadline {
				t.Errorf("title %q, want %q", res.Article.Title, fieldHeadline)
			}
		})
	}
}

// TestFields_Published: the dateline forms under a headline, read in the
// page's zone (Beijing for a Chinese page); a machine time that differs
// from the shown dateline by more than a minute loses to it; a time after
// the parse is no publication time.
func TestFields_Published(t *testing.T) {
	at := func(s string) string { return s + "+08:00" }
	tests := []struct {
		name string
		page fieldPage
		want string // RFC 3339; "" for none
	}{
		{"dashes", fieldPage{under: []string{"2019-12-10 07:57 来源：河畔日报"}}, at("2019-12-10T07:57:00")},
		{"slashes", fieldPage{under: []string{"2019/12/10 07:57:30"}}, at("2019-12-10T07:57:30")},
		{"dots", fieldPage{under: []string{"2019.12.10 07:57"}}, at("2019-12-10T07:57:00")},
		{"han, no space", fieldPage{under: []string{"2019年12月10日07:57 河畔日报"}}, at("2019-12-10T07:57:00")},
		{"label 发布时间", fieldPage{under: []string{"发布时间：2019-12-10 07:57"}}, at("2019-12-10T07:57:00")},
		{"label 时间", fieldPage{under: []string{"时间：2019-12-10 07:57 作者：张三"}}, at("2019-12-10T07:57:00")},
		{"label 日期, day only", fieldPage{under: []string{"日期：2019-12-10"}}, at("2019-12-10T00:00:00")},
		{"no year, machine time gives it", fieldPage{meta: `<meta name="publishdate" content="2019-12-10">`, under: []string{"发布时间：12-10 07:57"}}, at("2019-12-10T07:57:00")},
		{"meta minutes off the dateline", fieldPage{meta: `<meta property="article:published_time" content="2019-12-10T08:03:00+08:00">`, under: []string{"2019-12-10 07:57 河畔日报"}}, at("2019-12-10T07:57:00")},
		{"meta within the minute", fieldPage{meta: `<meta property="article:published_time" content="2019-12-10T07:57:42+08:00">`, under: []string{"2019-12-10 07:57 河畔日报"}}, at("2019-12-10T07:57:42")},
		{"meta day only, dateline timed", fieldPage{meta: `<meta property="article:published_time" content="2019-12-10">`, under: []string{"2019-12-10 07:57"}}, at("2019-12-10T07:57:00")},
		{"in the future", fieldPage{under: []string{"2099-12-10 07:57"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.page.h1, tt.page.tag = fieldHeadline, fieldHeadline
			res, err := HTML(tt.page.html(), Options{Source: "t.html"})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if p := res.Article.Published; p != nil {
				got = p.Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("published %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFields_Authors: the byline grammar — roles, separators, name shapes
// — and what is not an author (a photo credit, a template's placeholder,
// the outlet or the site).
func TestFields_Authors(t *testing.T) {
	tests := []struct {
		name string
		page fieldPage
		want []string
	}{
		{"记者 X Y 报道", fieldPage{under: []string{"2019-12-10 07:57", "本报记者 张三 李四 报道"}}, []string{"张三", "李四"}},
		{"文/X", fieldPage{under: []string{"2019-12-10 07:57", "文/王小明"}}, []string{"王小明"}},
		{"作者：X、Y", fieldPage{under: []string{"2019-12-10 07:57 作者：赵一、钱二"}}, []string{"赵一", "钱二"}},
		{"X/outlet", fieldPage{under: []string{"2019-12-10 07:57", "李楠/中国青年报"}}, []string{"李楠"}},
		{"photo credit is no author", fieldPage{under: []string{"2019-12-10 07:57", "文/王小明 孙五 摄"}}, []string{"王小明"}},
		{"photo credit alone", fieldPage{under: []string{"2019-12-10 07:57", "孙五/摄"}}, nil},
		{"photographer labelled", fieldPage{under: []string{"2019-12-10 07:57", "摄影：孙五"}}, nil},
		{"photo credit after the reporters", fieldPage{under: []string{"2019-12-10 07:57", "记者 张三 李四 摄影 孙五"}}, []string{"张三", "李四"}},
		{"in brackets at the end", fieldPage{under: []string{"2019-12-10 07:57"}, last: "街道办表示，明年还将改造另外两条老街。（李楠）"}, []string{"李楠"}},
		{"reporter in brackets at the end", fieldPage{under: []string{"2019-12-10 07:57"}, last: "街道办表示，明年还将改造另外两条老街。(记者 周六)"}, []string{"周六"}},
		{"English", fieldPage{under: []string{"2019-12-10 07:57", "By Jane Doe and John Smith"}}, []string{"Jane Doe", "John Smith"}},
		{"template placeholder", fieldPage{meta: `<meta name="author" content="name, email@gmail.com">`, under: []string{"2019-12-10 07:57"}}, nil},
		{"portal in the slot", fieldPage{meta: `<meta property="og:site_name" content="河畔科技">`, under: []string{"河畔科技 2019-12-10 07:57"}, after: []string{"作者：吴七"}}, []string{"吴七"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.page.h1, tt.page.tag = fieldHeadline, fieldHeadline
			res, err := HTML(tt.page.html(), Options{Source: "t.html"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Article.Authors, tt.want) {
				t.Errorf("authors %q, want %q", res.Article.Authors, tt.want)
			}
		})
	}
}

// TestFields_OutletEditor: the outlet's labels, slot and link, the outlet
// joined to the author; the editor's labels, codes and brackets.
func TestFields_OutletEditor(t *testing.T) {
	tests := []struct {
		name           string
		page           fieldPage
		outlet, editor string
	}{
		{"unlabelled in the slot", fieldPage{under: []string{"2019-12-10 07:57 新华网"}}, "新华网", ""},
		{"来源：", fieldPage{under: []string{"2019-12-10 07:57 来源：河畔日报"}}, "河畔日报", ""},
		{"来源:", fieldPage{under: []string{"2019-12-10 07:57 来源: 河畔日报"}}, "河畔日报", ""},
		{"稿源：", fieldPage{under: []string{"2019-12-10 07:57 稿源：河畔晚报"}}, "河畔晚报", ""},
		{"出处：", fieldPage{under: []string{"出处：河畔新闻客户端 2019-12-10 07:57"}}, "河畔新闻客户端", ""},
		{"a link", fieldPage{under: []string{`2019-12-10 07:57 来源：<a href="http://example.com/">河畔日报</a>`}}, "河畔日报", ""},
		{"joined to the author", fieldPage{under: []string{"2019-12-10 07:57", "李楠/中国青年报"}}, "中国青年报", ""},
		{"责任编辑 with a code", fieldPage{under: []string{"2019-12-10 07:57"}, after: []string{"责任编辑：杨倩_NF1234"}}, "", "杨倩_NF1234"},
		{"责编 in brackets", fieldPage{under: []string{"2019-12-10 07:57"}, after: []string{"（责编：韩一）"}}, "", "韩一"},
		{"编辑：", fieldPage{under: []string{"2019-12-10 07:57"}, after: []string{"编辑：苏芳"}}, "", "苏芳"},
		{"responsible over plain", fieldPage{under: []string{"2019-12-10 07:57"}, after: []string{"编辑：苏芳", "【责任编辑：姚昊】"}}, "", "姚昊"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.page.h1, tt.page.tag = fieldHeadline, fieldHeadline
			res, err := HTML(tt.page.html(), Options{Source: "t.html"})
			if err != nil {
				t.Fatal(err)
			}
			if a := res.Article; a.Outlet != tt.outlet || a.Editor != tt.editor {
				t.Errorf("outlet %q, editor %q; want %q, %q", a.Outlet, a.Editor, tt.outlet, tt.editor)
			}
		})
	}
}

// TestFields_ButtonLabels: a follow, subscribe or share button in the
// article's own box, beside the account that posted it, is no paragraph
// of the article.
func TestFields_ButtonLabels(t *testing.T) {
	for _, label := range []string{"关注", "+关注", "＋ 订阅", "分享", "Follow", "点赞"} {
		t.Run(label, func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, `<html lang="zh-CN"><head><meta charset="utf-8"><title>%s</title></head><body><div class="box"><h2>%s</h2>`, fieldHeadline, fieldHeadline)
			fmt.Fprintf(&b, `<div class="account"><a href="/u/1"><span>河畔观察</span></a> <div class="btn"><span>%s</span></div></div>`, label)
			for i := range 4 {
				fmt.Fprintf(&b, `<p>第%d段：河边的老街今年完成了改造，街坊们说，石板路修好以后，来散步的人一天比一天多，店铺也陆续开了门。</p>`, i+1)
			}
			b.WriteString(`</div></body></html>`)
			res, err := HTML([]byte(b.String()), Options{Source: "t.html"})
			if err != nil {
				t.Fatal(err)
			}
			for _, bl := range res.Article.Blocks {
				if isButtonLabel(bl.Text) {
					t.Errorf("block %q kept", bl.Text)
				}
			}
		})
	}
	// A sentence that merely has the word stays.
	for _, s := range []string{"关注民生", "Follow the money."} {
		if isButtonLabel(s) {
			t.Errorf("isButtonLabel(%q) = true", s)
		}
	}
}
