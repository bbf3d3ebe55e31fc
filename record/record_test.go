package record

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestMarshal_KindFirst(t *testing.T) {
	n := 3
	pub := time.Date(2025, 12, 8, 21, 39, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		rec  Record
		want string
	}{
		{&Article{ID: "a_1", Title: "t"}, `{"kind":"article","id":"a_1","title":"t","published":null}`},
		{&Article{ID: "a_2", Title: "t", Authors: []string{"陆一夫"}, Editor: "姚立伟_NT6056", Outlet: "新京报"},
			`{"kind":"article","id":"a_2","title":"t","authors":["陆一夫"],"editor":"姚立伟_NT6056","outlet":"新京报","published":null}`},
		{&Interview{ID: "i_1", ArticleID: "a_1", Title: "t", Turns: []Turn{{Speaker: "Q", Role: RoleQuestion, Paragraphs: []string{"?"}}}},
			`{"kind":"interview","id":"i_1","article_id":"a_1","title":"t","turns":[{"speaker":"Q","role":"question","paragraphs":["?"]}]}`},
		{&Headline{ID: "h_1", Title: "t", Published: &pub, Lists: []List{ListRecommended, ListHot}, Comments: &n},
			`{"kind":"headline","id":"h_1","title":"t","published":"2025-12-08T21:39:00+08:00","lists":["recommended","hot"],"comments":3}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.rec)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestMarshal_RoundTrip(t *testing.T) {
	h := Headline{ID: "h_1", Title: "t", Lists: []List{ListHot}, FirstSeen: time.Unix(1700000000, 0).UTC()}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Headline
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != h.ID || !back.FirstSeen.Equal(h.FirstSeen) || len(back.Lists) != 1 {
		t.Errorf("round trip: %+v", back)
	}
}

// TestIDs_Stable pins ids: they are keys in every user's database and in
// downstream systems, so a change here breaks them all.
func TestIDs_Stable(t *testing.T) {
	tests := []struct{ got, want string }{
		{HeadlineID("", "中国将寻找第二颗地球"), HeadlineID("", " 中国将寻找第二颗地球 ")},
		{HeadlineID("guancha.cn", "Hello  World"), HeadlineID("GUANCHA.CN", "hello world")},
		{HeadlineID("", "ＡＩ：治理"), HeadlineID("", "AI:治理")},
		{ArticleID("x", "https://Example.com/a?utm_source=x&b=1#top", "t1"), ArticleID("y", "https://example.com:443/a?b=1", "t2")},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: %s != %s", i, tt.got, tt.want)
		}
	}
	pinned := []struct{ got, want string }{
		{HeadlineID("", "中国将寻找第二颗地球"), "h_c9019aa4a364824b17a5"},
		{ArticleID("", "https://example.com/a", ""), "a_578f46f81842f4bea07e"},
		{InterviewID("a_0123"), "i_7366dfad5540ac8c9894"},
	}
	for _, p := range pinned {
		if p.got != p.want {
			t.Errorf("id %s, pinned %s: ids must never change", p.got, p.want)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.guancha.cn/a/2025_12_08_1.shtml?utm_source=x&utm_medium=y", "https://www.guancha.cn/a/2025_12_08_1.shtml"},
		{"HTTP://Example.COM:80/path?b=2&a=1#frag", "http://example.com/path?a=1&b=2"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"https://user:pw@example.com/x?fbclid=1&gclid=2", "https://example.com/x"},
		{"ftp://example.com/x", ""},
		{"/relative/path", ""},
		{"", ""},
		{"not a url", ""},
		{"https://:80/", ""},
		{"https://:/", ""},
		{"https://example.com/x?mtm_campaign=a&ttclid=b&_hsenc=c&srsltid=d&id=7", "https://example.com/x?id=7"},
		{"https://example.com/x?spm=a.b&PK_CAMPAIGN=z", "https://example.com/x"},
	}
	for _, tt := range tests {
		if got := CanonicalURL(tt.in); got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// ResolveURL resolves against the base, then drops the host's own
// tracking parameters; links that lead nowhere give "".
func TestResolveURL(t *testing.T) {
	base, _ := url.Parse("https://Example.com/news/list.html?page=2")
	drop := func(host string) []string {
		if host == "example.com" {
			return []string{"s"}
		}
		return nil
	}
	tests := []struct{ href, want string }{
		{"a.html?s=rss&id=1#top", "https://example.com/news/a.html?id=1"},
		{" /b?utm_source=x ", "https://example.com/b"},
		{"https://OTHER.example/c?s=1", "https://other.example/c?s=1"},
		{"//example.com:443/d", "https://example.com/d"},
		{"#comments", ""},
		{"JavaScript:void(0)", ""},
		{"mailto:a@example.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ResolveURL(base, tt.href, drop); got != tt.want {
			t.Errorf("ResolveURL(%q) = %q, want %q", tt.href, got, tt.want)
		}
	}
	if got := ResolveURL(nil, "relative.html", nil); got != "" {
		t.Errorf("ResolveURL(nil, relative) = %q, want \"\"", got)
	}
}

func TestHost(t *testing.T) {
	for in, want := range map[string]string{
		" https://WWW.Guancha.cn:443/a ": "www.guancha.cn", "https://[::1]:8080/": "::1",
		"/relative": "", "%zz": "",
	} {
		if got := Host(in); got != want {
			t.Errorf("Host(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"薛澜:中国人工智能", "薛澜:中国人工智能"},
		{"薛澜：中国人工智能", "薛澜:中国人工智能"},
		{"  Hello \t World  ", "hello world"},
		{"ＡＩ治理\u3000新规", "ai治理 新规"},
		{"“欧洲吓坏了”", "“欧洲吓坏了”"},
		{"ÉCOLE", "école"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeTitle(tt.in); got != tt.want {
			t.Errorf("NormalizeTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// slowNormalize is NormalizeTitle without its fast paths.
func slowNormalize(title string) string {
	return strings.Join(strings.FieldsFunc(strings.Map(unicode.ToLower, norm.NFKC.String(title)), unicode.IsSpace), " ")
}

// FuzzNormalizeTitle checks the fast paths against the plain definition.
func FuzzNormalizeTitle(f *testing.F) {
	for _, s := range []string{"薛澜:中国", "Hello  World", "ＡＩ\u3000治理", " x ", "ÉCOLE", "\u00a0a\u2003b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		if got, want := NormalizeTitle(s), slowNormalize(s); got != want {
			t.Errorf("NormalizeTitle(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestArticle_ReadsOldBody reads an article written before blocks: its
// paragraphs and captions become blocks, and it is written back with
// blocks only. An article with blocks reads as written.
func TestArticle_ReadsOldBody(t *testing.T) {
	old := `{"kind":"article","id":"a_1","title":"t","lead":"l","paragraphs":["one","two"],"captions":["cap"],"authors":["x"],"published":null}`
	var a Article
	if err := json.Unmarshal([]byte(old), &a); err != nil {
		t.Fatal(err)
	}
	want := []Block{{Type: BlockParagraph, Text: "one"}, {Type: BlockParagraph, Text: "two"}, {Type: BlockImage, Caption: "cap"}}
	if len(a.Blocks) != len(want) {
		t.Fatalf("blocks %+v", a.Blocks)
	}
	for i := range want {
		if a.Blocks[i].Type != want[i].Type || a.Blocks[i].Text != want[i].Text || a.Blocks[i].Caption != want[i].Caption {
			t.Errorf("block %d = %+v, want %+v", i, a.Blocks[i], want[i])
		}
	}
	if a.ID != "a_1" || a.Lead != "l" || len(a.Authors) != 1 {
		t.Errorf("other fields lost: %+v", a)
	}
	got, _ := json.Marshal(a)
	if w := `{"kind":"article","id":"a_1","title":"t","lead":"l","blocks":[{"type":"p","text":"one"},{"type":"p","text":"two"},{"type":"image","caption":"cap"}],"authors":["x"],"published":null}`; string(got) != w {
		t.Errorf("written as %s\nwant %s", got, w)
	}

	now := `{"kind":"article","id":"a_2","title":"t","blocks":[{"type":"h","text":"h","level":2},{"type":"list","ordered":true,"items":["a","b"]},{"type":"table","rows":[["c"," d "],["",""]]},{"type":"image","src":"https://x.example/a.jpg","caption":"c2"}],"image":"https://x.example/a.jpg","published":null}`
	var b Article
	if err := json.Unmarshal([]byte(now), &b); err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(b); string(got) != now {
		t.Errorf("round trip:\n got %s\nwant %s", got, now)
	}
	if got := strings.Join(b.Texts(), "|"); got != "h|a|b|c d" {
		t.Errorf("texts %q", got)
	}
	if got := b.Captions(); len(got) != 1 || got[0] != "c2" {
		t.Errorf("captions %q", got)
	}
	if err := json.Unmarshal([]byte(`{"paragraphs":"not a list"}`), &b); err == nil {
		t.Error("a bad paragraphs value reads without error")
	}
}
