package parse

import (
	"slices"
	"testing"
	"time"

	"newsfeed/parse/htmlpage"
)

func TestOutletIn(t *testing.T) {
	tests := []struct{ line, want string }{
		{"2019-09-07 13:43:45　来源: 证券市场红周刊", "证券市场红周刊"},
		{"来源：新京报", "新京报"},
		{"本文来源：证券市场红周刊", "证券市场红周刊"},
		{"2019年06月15日08:18 来源： 人民网-文化频道", "人民网-文化频道"},
		{"2019-09-26 12:11 来源：证券时报网 作者：李在山", "证券时报网"},
		{"发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 0 条评论| 作者魏星", "CSDN"},
		{"来源 CSDN |", "CSDN"},
		{"【来源：新华网】", "新华网"},
		{"（资料来源：参考消息、海外网等）", ""}, // a reference, not the outlet
		{"图片来源：视觉中国", ""},        // a photo credit
		{"据消息来源称，谈判已经结束。", ""},   // prose
		{"来源：2019-09-07", ""},    // a date is no outlet
		{"这是一段很长的正文，其中提到了来源但没有冒号和空格的写法", ""},
	}
	for _, tt := range tests {
		if got := outletIn(tt.line); got != tt.want {
			t.Errorf("outletIn(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestEditorIn(t *testing.T) {
	tests := []struct {
		line, want  string
		responsible bool
	}{
		{"责任编辑：杨倩_NF4425", "杨倩_NF4425", true},
		{"[责任编辑：韩保林 PK155] 推荐 0", "韩保林 PK155", true},
		{"(责编：汤诗瑶、丁涛)", "汤诗瑶、丁涛", true},
		{"（责任编辑： HN666）", "HN666", true},
		{"新京报记者 陆一夫 编辑 刘晓阳 校对 李铭", "", false}, // a plain 编辑 without a colon or slash
		{"医技药剂党支部、药剂科供稿 摄影/张艳 编辑/苏芳", "苏芳", false},
		{"【编辑：姚昊】", "姚昊", false},
		{"总编辑：王五", "", false},
		{"稿事编辑部", "", false},
	}
	for _, tt := range tests {
		got, resp := editorIn(tt.line)
		if got != tt.want || resp != tt.responsible {
			t.Errorf("editorIn(%q) = %q, %v; want %q, %v", tt.line, got, resp, tt.want, tt.responsible)
		}
	}
}

func TestPageCredits_PrefersResponsibleEditor(t *testing.T) {
	blocks := []htmlpage.Block{{Text: "标题"}, {Text: "2019-11-25 11:01:53　来源: 新京报"}, {Text: "正文。"},
		{Text: "新京报记者 陆一夫 编辑：刘晓阳"}, {Text: "本文来源：新京报"}, {Text: "责任编辑：姚立伟_NT6056"}}
	outlet, editor := pageCredits(blocks, 0)
	if outlet != "新京报" || editor != "姚立伟_NT6056" {
		t.Errorf("pageCredits = %q, %q; want 新京报, 姚立伟_NT6056", outlet, editor)
	}
}

func TestPlausibleAuthor(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"陆一夫", true},
		{"医技药剂党支部", true},
		{"GameForce", true},
		{"调整字体", false},
		{"分享到", false},
		{"昨天", false},
		{"3小时前", false},
		{"2019-09-07", false},
		{"someone@example.com", false},
		{"gf2019ab", true},
		{"10-08 12:00", false},
		{"活动现场", false},
		{"网易", false},       // the site's name (notAuthors below)
		{"CSDN.NET", false}, // the outlet's, spelt another way
	}
	for _, tt := range tests {
		if got := plausibleAuthor(tt.name, "网易", "CSDN"); got != tt.want {
			t.Errorf("plausibleAuthor(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBylineNames(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"来源：本站原创  作者：医技药剂党支部", []string{"医技药剂党支部"}},
		{"发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 0 条评论| 作者魏星", []string{"魏星"}},
		{"2019-09-26 12:11 来源：证券时报网 作者：李在山", []string{"李在山"}},
		{"新京报讯（记者 陆一夫）11月25日，新京报记者登录拼多多全球购页面发现，亚马逊海外购与拼多多达成合作。", []string{"陆一夫"}},
		{"长江网10月4日讯（记者陈智 整合） 国庆中秋长假过半，但外媒关注武汉的热情不减。", []string{"陈智"}},
		{"采写：南都见习记者 林子沛", []string{"林子沛"}},
		{"新京报记者 陆一夫 编辑 刘晓阳 校对 李铭", []string{"陆一夫"}},
		{"作者最新文章", nil},
	}
	for _, tt := range tests {
		if got := bylineNames(tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("bylineNames(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestSlotCredit(t *testing.T) {
	tests := []struct{ line, author, outlet string }{
		{"中国网 2019-11-25 10:37:31", "中国网", ""},
		{"原创 GameForce 2019-09-04 22:18:34", "GameForce", ""},
		{"2019-05-17 · 苏皖城市报道", "苏皖城市报道", ""},
		{"2019-09-26 10:56:28 证券时报网", "", "证券时报网"},
		{"2019-09-26 12:11 来源：证券时报网", "", ""}, // labelled: outletIn's
		{"2019-09-26 10:56:28", "", ""},
		{"分享 2019-09-26 10:56:28", "", ""},
	}
	for _, tt := range tests {
		if a, o := slotCredit(tt.line); a != tt.author || o != tt.outlet {
			t.Errorf("slotCredit(%q) = %q, %q; want %q, %q", tt.line, a, o, tt.author, tt.outlet)
		}
	}
}

func TestAccountLine(t *testing.T) {
	blocks := []htmlpage.Block{{Text: "英国美女在殡仪馆工作太痛苦"}, {Text: "加拿大必读"}, {Text: "发布时间：10-08 12:00优质原创作者"}}
	if got := accountLine(blocks, 0); got != "加拿大必读" {
		t.Errorf("accountLine = %q, want 加拿大必读", got)
	}
	blocks[2].Text = "正文的第一段，没有日期。"
	if got := accountLine(blocks, 0); got != "" {
		t.Errorf("accountLine without a dateline = %q, want none", got)
	}
}

func TestYearlessDateline(t *testing.T) {
	blocks := []htmlpage.Block{{Text: "标题"}, {Text: "加拿大必读"}, {Text: "发布时间：10-08 12:00"}}
	got, ok := yearlessDateline(blocks, 0, []string{"2019-10-08 12:00:57"}, Beijing)
	if want := time.Date(2019, 10, 8, 12, 0, 0, 0, Beijing); !ok || !got.Equal(want) {
		t.Errorf("yearlessDateline = %v, %v; want %v", got, ok, want)
	}
	if _, ok := yearlessDateline(blocks, 0, []string{"2019-10-09 12:00:57"}, Beijing); ok {
		t.Error("a dateline with no year took the year of another day's machine time")
	}
	if _, ok := yearlessDateline(blocks, 0, nil, Beijing); ok {
		t.Error("a dateline with no year and no machine time got a year")
	}
}
