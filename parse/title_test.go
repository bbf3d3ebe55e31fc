package parse

import (
	"errors"
	"strings"
	"testing"

	"newsfeed/parse/htmlpage"
)

func TestTitleFromTag(t *testing.T) {
	tests := []struct{ tag, h1, site, want string }{
		{"Headline - Site", "", "Site", "Headline"},
		{"Headline | Section | Site", "", "", "Headline"},
		{"外媒眼中的武汉长假：蓬勃发展_首页武汉_新闻中心_长江网", "", "", "外媒眼中的武汉长假：蓬勃发展"},
		{"Site | Headline", "Headline", "Site", "Headline"},
		{"No separator at all", "", "", "No separator at all"},
		{"", "Only an h1", "", "Only an h1"},
	}
	for _, tt := range tests {
		if got := titleFromTag(tt.tag, tt.h1, tt.site); got != tt.want {
			t.Errorf("titleFromTag(%q, %q, %q) = %q, want %q", tt.tag, tt.h1, tt.site, got, tt.want)
		}
	}
}

func TestTitleParts(t *testing.T) {
	tests := []struct {
		tag, site string
		want      []string
	}{
		{"Headline - Site", "", []string{"Headline"}},
		{"新闻标题在这里很长_财经频道_网易", "网易", []string{"新闻标题在这里很长"}}, // the site, then the section
		{"A long headline here | A longer section name than it", "", []string{"A long headline here", "A longer section name than it"}},
	}
	for _, tt := range tests {
		got := titleParts(splitTitle(tt.tag), tt.site)
		if len(got) != len(tt.want) || len(got) > 0 && got[0] != tt.want[0] {
			t.Errorf("titleParts(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
}

func TestNormLang(t *testing.T) {
	for in, want := range map[string]string{"zh-CN": "zh", "en_US": "en", " EN ": "en", "": ""} {
		if got := normLang(in); got != want {
			t.Errorf("normLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChooseTitle(t *testing.T) {
	tests := []struct {
		name string
		meta htmlpage.Meta
		all  []htmlpage.Block
		want string
	}{
		{"og:title cut short by a quote", htmlpage.Meta{Declared: "多地项目连环爆雷 狂奔的龙湖集团", Tag: "多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？_网易财经"},
			lineBlocks("网易首页", "多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？", "正文。"), "多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？"},
		{"og:title whole", htmlpage.Meta{Declared: "Headline", Tag: "Headline - Site"}, lineBlocks("Headline", "Text."), "Headline"},
		{"site name after a space", htmlpage.Meta{Tag: "我院举办2019年技能大赛 湖南省某某医院"},
			lineBlocks("我院举办2019年技能大赛", "正文。", "版权所有：湖南省某某医院"), "我院举办2019年技能大赛"},
		{"a space inside the headline", htmlpage.Meta{Tag: "我院举办2019年技能大赛 圆满结束"},
			lineBlocks("我院举办2019年技能大赛", "正文。"), "我院举办2019年技能大赛 圆满结束"},
		{"site and column after separators", htmlpage.Meta{Tag: "外媒眼中的武汉长假_首页武汉_新闻中心_长江网"},
			lineBlocks("外媒眼中的武汉长假", "正文。"), "外媒眼中的武汉长假"},
		{"a <title> of labels only", htmlpage.Meta{Tag: "新闻动态--某某学会官网"},
			lineBlocks("首页 - 新闻动态", "新闻动态", "2019年人文地理学术年会在重庆成功举行！", "发布时间：2019-05-18 来源：某某学会", "5月10日至12日，年会在重庆举行。"),
			"2019年人文地理学术年会在重庆成功举行！"},
		{"no <title>", htmlpage.Meta{},
			lineBlocks("网站导航", "市政府召开新闻发布会通报情况", "作者：张三", "11月23日，市政府新闻办举行新闻发布会。"),
			"市政府召开新闻发布会通报情况"},
	}
	for _, tt := range tests {
		content := tt.all[len(tt.all)-1:]
		if got, _ := chooseTitle(tt.meta, tt.all, content); got != tt.want {
			t.Errorf("%s: chooseTitle = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestCleanTitle: badges and section labels before a headline are no part
// of it; a title that is nothing but a label stays.
func TestCleanTitle(t *testing.T) {
	for in, want := range map[string]string{
		"原创 湖边新开了一家书店":        "湖边新开了一家书店",
		"【图集】春天的第一场雨":         "春天的第一场雨",
		"[视频]市民排队领取口罩":        "市民排队领取口罩",
		"视频｜老街改造完工":           "老街改造完工",
		"专题：二十年后的重逢":          "二十年后的重逢",
		"原创 图集丨山里的小学":         "山里的小学",
		"视频":                  "视频",
		"独家专访某某":              "独家专访某某",
		"Video: a river runs": "Video: a river runs",
	} {
		if got := cleanTitle(in); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTitle_FirstSentence: a page that offers no title candidate at all
// (no <title>, no og:title, no heading, a long first paragraph) is titled
// by its first sentence — the last resort, marked by firstSentence — and a
// page with no text at all gives ErrNoText, which is also ErrNoTitle.
func TestTitle_FirstSentence(t *testing.T) {
	long := strings.Repeat("河边的柳树发芽了，", 12)
	page := "<html><body><div><p>今天上午，新修的跨河大桥正式通车。" + long + "</p><p>" + long + "。</p><p>" + long + "。</p></div></body></html>"
	res, err := HTML([]byte(page), Options{Source: "first.html"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "今天上午，新修的跨河大桥正式通车。"; res.Article.Title != want || firstSentence([]htmlpage.Block{{Text: "今天上午，新修的跨河大桥正式通车。" + long}}) != want {
		t.Errorf("title %q, want the first sentence %q", res.Article.Title, want)
	}
	if got := firstSentence([]htmlpage.Block{{Text: strings.Repeat("word ", 30)}}); runeLen(got) > 81 || !strings.HasSuffix(got, "…") {
		t.Errorf("long first line without a sentence end: %q", got)
	}
	for name, page := range map[string]string{
		"bot challenge": `<html><head><META NAME="robots" CONTENT="noindex,nofollow"><script src="/challenge.js"></script><body></body></html>`,
		"scripts only":  `<html><head><meta charset="utf-8"><script>function f(){return 1}</script></head></html>`,
	} {
		_, err := HTML([]byte(page), Options{Source: "empty.html"})
		if !errors.Is(err, ErrNoText) || !errors.Is(err, ErrNoTitle) || !strings.Contains(err.Error(), "no article text") {
			t.Errorf("%s: error %v, want ErrNoText", name, err)
		}
	}
}
