package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"newsfeed/parse/htmlpage"
	"newsfeed/record"
)

const seedURL = "https://www.guancha.cn/XueLan/2025_12_09_000001.shtml"

// comparable renders records for comparing two readings of one page:
// source and content hash depend on the format, and links and pictures
// (a picture block's src, the lead image) exist only in HTML.
func comparable(t *testing.T, res *Result) string {
	t.Helper()
	var out []string
	for _, r := range res.Records() {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "source")
		delete(m, "content_hash")
		if m["kind"] == "headline" {
			delete(m, "url")
		}
		delete(m, "image")
		if blocks, ok := m["blocks"].([]any); ok {
			for _, b := range blocks {
				delete(b.(map[string]any), "src")
			}
		}
		b, _ = json.Marshal(m)
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

// TestHTML_SeedRendition parses the seed page rendered in guancha.cn's
// markup and expects the seed text's records.
func TestHTML_SeedRendition(t *testing.T) {
	text := mustParse(t, readFile(t, seedPath), Options{Site: "观察者网", URL: seedURL})
	page := readFile(t, "testdata/html/guancha_seed.html")
	res, err := Page(page, Options{Source: "guancha_seed.html"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := comparable(t, res), comparable(t, text); got != want {
		t.Errorf("HTML records differ from the text's:\n%s", firstDiff([]byte(got), []byte(want)))
	}
	for _, h := range res.Headlines {
		if !strings.HasPrefix(h.URL, "https://www.guancha.cn/") || strings.Contains(h.URL, "s=") {
			t.Errorf("headline %q: url %q is not absolute or keeps its tracking tail", h.Title, h.URL)
		}
	}
	if res.Article.URL != seedURL {
		t.Errorf("article url %q, want the canonical link", res.Article.URL)
	}
}

// TestHTML_GuanchaProfile checks every part the guancha profile reads, on
// a GB2312-declared page with interview markup in bold.
func TestHTML_GuanchaProfile(t *testing.T) {
	res, err := Page(readFile(t, "testdata/html/guancha_column.html"), Options{
		URL: "https://www.guancha.cn/JinCanRong/2025_12_09_100000.shtml?s=zwyxgtjbt",
	})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Article
	want := time.Date(2025, 12, 9, 19, 32, 27, 0, Beijing)
	switch {
	case a.Title != "金灿荣：美国的战略收缩是真的吗？":
		t.Errorf("title %q", a.Title)
	case a.Published == nil || !a.Published.Equal(want) || a.Published.Format(time.RFC3339) != "2025-12-09T19:32:27+08:00":
		t.Errorf("published %v, want %v (the page's time, not the ld+json pubDate)", a.Published, want)
	case a.Editor != "王芳" || a.Column != "大家谈" || !slices.Equal(a.Authors, []string{"金灿荣"}) || a.Site != "观察者网":
		t.Errorf("editor %q column %q authors %q site %q", a.Editor, a.Column, a.Authors, a.Site)
	case a.URL != "https://www.guancha.cn/JinCanRong/2025_12_09_100000.shtml":
		t.Errorf("url %q keeps its tracking tail", a.URL)
	case !slices.Equal(a.Captions(), []string{"美国国防部大楼（资料图）"}):
		t.Errorf("captions %q", a.Captions())
	case !strings.HasPrefix(a.Disclaimer, "本文系观察者网独家稿件"):
		t.Errorf("disclaimer %q", a.Disclaimer)
	case res.Encoding != "gb18030":
		t.Errorf("encoding %q", res.Encoding)
	}
	if !contains(a.Texts(), "一、战略文件说了什么") {
		t.Errorf("the bold subhead is lost: %q", a.Texts())
	}
	iv := res.Interview
	if iv == nil || iv.Interviewer != "观察者网" || !slices.Equal(iv.Interviewees, []string{"金灿荣"}) || len(iv.Turns) != 4 {
		t.Fatalf("interview %+v", iv)
	}
	if got := len(iv.Turns[1].Paragraphs); got != 2 {
		t.Errorf("first answer has %d paragraphs, want 2", got)
	}
	type item struct{ title, list, url, column, stamp string }
	wantItems := []item{
		{"金灿荣：欧洲的选择", "related", "https://www.guancha.cn/JinCanRong/2025_12_01_100001.shtml", "大家谈", "2025-12-01T09:04:00+08:00"},
		{"美军调整全球部署", "related", "https://www.guancha.cn/internation/2025_11_30_100002.shtml", "", "2025-11-30T22:08:00+08:00"},
		{"美国再发警告：快撤", "hot", "https://www.guancha.cn/internation/2025_12_09_100010.shtml", "", ""},
		{"德国“空手而归、惊魂未定”", "hot", "https://www.guancha.cn/internation/2025_12_09_100011_s.shtml", "", ""},
	}
	if len(res.Headlines) != len(wantItems) {
		t.Fatalf("%d headlines, want %d", len(res.Headlines), len(wantItems))
	}
	for i, w := range wantItems {
		h := res.Headlines[i]
		stamp := ""
		if h.Published != nil {
			stamp = h.Published.Format(time.RFC3339)
		}
		if got := (item{h.Title, string(h.Lists[0]), h.URL, h.Column, stamp}); got != w {
			t.Errorf("headline %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestLooksHTML(t *testing.T) {
	for in, want := range map[string]bool{
		"<!DOCTYPE html><html>":               true,
		"\ufeff  <html lang=zh>":              true,
		"<text id=x>\n<html><body>":           true,
		"<div class=a>text</div>":             true,
		"标题\n<p>not at the start</p>":         false,
		"<- an arrow, then text":              false,
		"Q: a question?\nA: an answer <html>": false,
	} {
		if got := looksHTML([]byte(in)); got != want {
			t.Errorf("looksHTML(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestHTML_BadInput: broken pages give an article with what could be
// found or a clear error naming the input — never a panic or a hang.
func TestHTML_BadInput(t *testing.T) {
	deep := strings.Repeat("<div>", 10000) + "<p>深处的一段文字。</p>" + strings.Repeat("</div>", 10000)
	gbkBody, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("<p>正常的中文句子，后面跟着坏字节。</p>"))
	tests := []struct {
		name string
		data []byte
		max  int
		want error // nil: any article is fine
	}{
		{"truncated", []byte("<html><head><title>被截断的页面</title></head><body><p>第一段正文，写到一半"), 0, nil},
		{"unclosed tags", []byte("<html><title>未闭合</title><body><div><p>一<p>二<b>三<i>四"), 0, nil},
		{"no body text", []byte("<html><head><title>只有标题</title></head><body></body></html>"), 0, nil},
		{"deep nesting", []byte("<html><title>很深</title><body>" + deep + "</body></html>"), 0, ErrMarkup},
		{"bad bytes in declared charset", append([]byte(`<html><head><meta charset="gbk"><title>x</title></head><body>`), append(gbkBody, 0x81, 0xff, 0xfe, 0x81)...), 0, nil},
		{"only script", []byte("<html><script>var a = '<p>not text</p>';</script></html>"), 0, ErrNoTitle},
		{"over the limit", bytes.Repeat([]byte("<p>字</p>"), 1000), 1000, ErrTooLarge},
		{"empty", []byte("   "), 0, ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var res *Result
			var err error
			go func() {
				defer close(done)
				res, err = HTML(tt.data, Options{Source: "bad.html", MaxBytes: tt.max})
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("hung")
			}
			if tt.want != nil {
				if !errors.Is(err, tt.want) || !strings.HasPrefix(err.Error(), "bad.html: ") {
					t.Errorf("error %v, want %v naming the input", err, tt.want)
				}
				return
			}
			if err != nil && !errors.Is(err, ErrNoTitle) {
				t.Fatalf("error %v", err)
			}
			if res != nil && res.Article.Title == "" {
				t.Error("article without a title")
			}
		})
	}
}

func TestProfiles(t *testing.T) {
	ps, err := ParseProfiles(strings.NewReader(`
# comment
[example.com]
site: Example
title: h1.headline
body: article .text
related: ul.related li
related.time: time
hot: .popular a
tracking: ref from
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{"example.com": true, "www.example.com": true, "a.b.example.com": true, "example.org": false, "notexample.com": false} {
		if got := ps.Match(host) != nil; got != want {
			t.Errorf("Match(%q) = %v, want %v", host, got, want)
		}
	}
	p := ps.Match("news.example.com")
	if p.Site != "Example" || len(p.Lists[record.ListRelated].Time) != 1 || htmlpage.Resolve(nil, "https://example.com/a?ref=x&id=2", p.TrackingParams) != "https://example.com/a?id=2" {
		t.Errorf("profile %+v", p)
	}
	for _, bad := range []string{"title: h1", "[bad host/x]", "[a.com]\ntitle h1", "[a.com]\ntitle: [[[", "[a.com]\nnope: h1", "[a.com]\nrelated.nope: a"} {
		if _, err := ParseProfiles(strings.NewReader(bad), "bad.txt"); err == nil || !strings.HasPrefix(err.Error(), "bad.txt:") {
			t.Errorf("ParseProfiles(%q) error = %v, want one naming the file and line", bad, err)
		}
	}
	if BuiltinProfiles().Match("www.guancha.cn") == nil {
		t.Error("no built-in guancha.cn profile")
	}
}

func TestProfiles_Overlay(t *testing.T) {
	user, err := ParseProfiles(strings.NewReader("[guancha.cn]\nsite: GC\nbody: .x\n[example.net]\nbody: main\nlinks: h4 a\nlinks: .list a\n"), "user.txt")
	if err != nil {
		t.Fatal(err)
	}
	ps := BuiltinProfiles().Overlay(user)
	if ps.Match("guancha.cn").Site != "GC" || ps.Match("example.net") == nil {
		t.Error("a profile file does not override and add to the built-in profiles")
	}
	if BuiltinProfiles().Match("guancha.cn").Site == "GC" {
		t.Error("Overlay changed the built-in profiles")
	}
	if n := len(ps.Match("example.net").Links); n != 2 {
		t.Errorf("links: %d selectors, want 2 (a repeated key adds an alternative)", n)
	}
	if got := BuiltinProfiles().Overlay(nil).Match("guancha.cn"); got == nil {
		t.Error("Overlay(nil) lost the built-in profiles")
	}
}

// TestHTML_Generic reads an English page of no profiled site.
func TestHTML_Generic(t *testing.T) {
	res, err := Page(readFile(t, "testdata/html/generic_en.html"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Article
	if a.Title != "Grid operators brace for a record winter" {
		t.Errorf("title %q", a.Title)
	}
	if a.Published == nil || a.Published.Format(time.RFC3339) != "2025-12-08T21:39:00-05:00" {
		t.Errorf("published %v", a.Published)
	}
	if !slices.Equal(a.Authors, []string{"Jane Doe"}) || a.URL != "https://news.example.com/2025/12/08/grid-winter" || a.Language != "en" {
		t.Errorf("authors %q url %q language %q", a.Authors, a.URL, a.Language)
	}
	if len(a.Texts()) < 4 || contains(a.Texts(), "Subscribe to our newsletter") {
		t.Errorf("paragraphs %q", a.Texts())
	}
	if len(a.Related) != 3 {
		t.Errorf("%d related headlines, want 3", len(a.Related))
	}
}

// TestHTML_NoTitleElement: a page without <title> still gives its
// article, titled by the heading above the body.
func TestHTML_NoTitleElement(t *testing.T) {
	page := `<html><body><div class="nav"><a href="/">首页</a></div><div class="detail"><h5>2019年人文地理学术年会在重庆成功举行！</h5>` +
		`<div class="info">发布时间：2019-05-18 来源：某某学会</div><div class="con"><p>` + strings.Repeat("5月10日至12日，年会在重庆举行，来自全国各地的学者参加了会议并作了专题报告。", 8) + `</p><p>` +
		strings.Repeat("会议期间，青年学者的论文参与了优秀论文评选，多位专家作了大会报告。", 8) + `</p></div></div></body></html>`
	res, err := HTML([]byte(page), Options{Source: "no-title.html"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Article.Title; got != "2019年人文地理学术年会在重庆成功举行！" {
		t.Errorf("title = %q, want the heading above the body", got)
	}
	if got := res.Article.Outlet; got != "某某学会" {
		t.Errorf("outlet = %q, want 某某学会", got)
	}
}
