package parse

import (
	"slices"
	"strings"
	"testing"

	"newsfeed/record"
)

func TestSplitLabel(t *testing.T) {
	tests := []struct {
		line, label, text string
		ok                bool
	}{
		{"提问:您怎么看?", "提问", "您怎么看?", true},
		{"提问：您怎么看？", "提问", "您怎么看？", true},
		{"薛澜：我认为如此。", "薛澜", "我认为如此。", true},
		{"约翰·史密斯：是的。", "约翰·史密斯", "是的。", true},
		{"Q: Why?", "Q", "Why?", true},
		{"Q1: Why?", "Q1", "Why?", true},
		{"Interviewer: Why now?", "Interviewer", "Why now?", true},
		{"Dr. Jane Doe: Because.", "Dr. Jane Doe", "Because.", true},
		{"编者按：本文是系列报道的第三篇。", "", "", false},
		{"Editor's note: this is part three.", "", "", false},
		{"发言人表示：中方坚决反对。", "", "", false},
		{"印度专家直言:我们指望中国技术", "", "", false},
		{"“欧洲吓坏了:这是地震,只能和解”", "", "", false},
		{"时间：2025年12月1日", "", "", false},
		{"提问：", "", "", false},
		{"2025年计划:扩大产能", "", "", false},
		{"he said: nothing", "", "", false},
		{"这是一句很长的话其中有一个冒号出现得很晚:后面", "", "", false},
	}
	for _, tt := range tests {
		label, text, ok := splitLabel(tt.line)
		if label != tt.label || text != tt.text || ok != tt.ok {
			t.Errorf("splitLabel(%q) = %q, %q, %v; want %q, %q, %v", tt.line, label, text, ok, tt.label, tt.text, tt.ok)
		}
	}
}

// makePage builds a page: title, body lines, then an end-matter block.
func makePage(title string, body ...string) []byte {
	return []byte(title + "\n" + strings.Join(body, "\n") + "\n-\n本文仅代表作者个人观点。\n")
}

func TestText_Interviews(t *testing.T) {
	type turn struct {
		speaker string
		role    record.Role
		paras   int
	}
	q, a := record.RoleQuestion, record.RoleAnswer
	tests := []struct {
		name         string
		site         string
		data         []byte
		interviewer  string
		interviewees []string
		turns        []turn // nil: no interview
	}{
		{
			name:        "full-width colons, 问/答",
			data:        makePage("访谈标题", "问：第一个问题是什么？", "答：是这样的。", "还有补充。", "问：第二个问题呢？", "答：也是这样。"),
			interviewer: "问",
			turns:       []turn{{"问", q, 1}, {"答", a, 2}, {"问", q, 1}, {"答", a, 1}},
		},
		{
			name:        "记者 asks a named interviewee",
			data:        makePage("专访：一位科学家", "记者：您为什么选择这个方向？", "李四：因为兴趣。", "记者：未来有什么计划？", "李四：继续研究。"),
			interviewer: "记者", interviewees: []string{"李四"},
			turns: []turn{{"记者", q, 1}, {"李四", a, 1}, {"记者", q, 1}, {"李四", a, 1}},
		},
		{
			name:        "the site's own name asks",
			data:        makePage("金灿荣：美国的战略正在收缩", "观察者网：您如何看待最近的局势？", "金灿荣：局势总体可控。", "观察者网：下一步呢？", "金灿荣：要看对方怎么做。"),
			interviewer: "观察者网", interviewees: []string{"金灿荣"},
			turns: []turn{{"观察者网", q, 1}, {"金灿荣", a, 1}, {"观察者网", q, 1}, {"金灿荣", a, 1}},
		},
		{
			name: "a site name given by the caller",
			site: "深读", data: makePage("对话", "深读：您好，第一个问题。", "王五：您好。", "深读：第二个问题。", "王五：好的。"),
			interviewer: "深读", interviewees: []string{"王五"},
			turns: []turn{{"深读", q, 1}, {"王五", a, 1}, {"深读", q, 1}, {"王五", a, 1}},
		},
		{
			name:        "unknown labels: the one asking questions is the interviewer",
			data:        makePage("对话录", "小明：你去过那里吗？", "老张：去过两次。", "小明：感觉怎么样？", "老张：很好。"),
			interviewer: "小明", interviewees: []string{"老张"},
			turns: []turn{{"小明", q, 1}, {"老张", a, 1}, {"小明", q, 1}, {"老张", a, 1}},
		},
		{
			name:        "Interviewer and a named guest, half-width",
			data:        makePage("A conversation", "Interviewer: What happened?", "John Smith: The market fell.", "It fell again the next day.", "Interviewer: Why?", "John Smith: Nobody knows."),
			interviewer: "Interviewer", interviewees: []string{"John Smith"},
			turns: []turn{{"Interviewer", q, 1}, {"John Smith", a, 2}, {"Interviewer", q, 1}, {"John Smith", a, 1}},
		},
		{
			name: "a title that looks like a turn is not one",
			data: makePage("张三：我们不会放弃", "张三在会上发表讲话。", "他强调了合作的重要性。"),
		},
		{
			name: "one quoted statement is not an interview",
			data: makePage("外交部回应", "发言人表示：中方坚决反对。", "有分析认为此举影响深远。"),
		},
		{
			name: "one labelled turn is not an interview",
			data: makePage("短讯", "记者：现场情况如何？", "现场秩序良好。"),
		},
		{
			name: "two answerers and no question is not an interview",
			data: makePage("讨论", "张三：我同意。", "李四：我也同意。"),
		},
		{
			name:        "an editor's note is not a speaker",
			data:        makePage("访谈", "编者按：本文为系列访谈第三篇。", "提问：第一个问题？", "赵六：第一个回答。", "提问：第二个问题？", "赵六：第二个回答。"),
			interviewer: "提问", interviewees: []string{"赵六"},
			turns: []turn{{"提问", q, 1}, {"赵六", a, 1}, {"提问", q, 1}, {"赵六", a, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustParse(t, tt.data, Options{Site: tt.site})
			iv := res.Interview
			if tt.turns == nil {
				if iv != nil {
					t.Fatalf("found an interview with turns %+v", iv.Turns)
				}
				return
			}
			if iv == nil {
				t.Fatal("no interview")
			}
			if iv.Interviewer != tt.interviewer || !slices.Equal(iv.Interviewees, tt.interviewees) {
				t.Errorf("interviewer %q interviewees %q; want %q %q", iv.Interviewer, iv.Interviewees, tt.interviewer, tt.interviewees)
			}
			if len(iv.Turns) != len(tt.turns) {
				t.Fatalf("got %d turns %+v, want %d", len(iv.Turns), iv.Turns, len(tt.turns))
			}
			for i, w := range tt.turns {
				g := iv.Turns[i]
				if g.Speaker != w.speaker || g.Role != w.role || len(g.Paragraphs) != w.paras {
					t.Errorf("turn %d = %s/%s/%d, want %s/%s/%d", i, g.Speaker, g.Role, len(g.Paragraphs), w.speaker, w.role, w.paras)
				}
			}
			for _, p := range res.Article.Texts() {
				if p == res.Article.Title {
					t.Errorf("title repeated as a paragraph")
				}
			}
		})
	}
}

func TestTitleInterviewee(t *testing.T) {
	tests := []struct{ label, want string }{
		{"专访薛澜", "薛澜"},
		{"对话薛澜", "薛澜"},
		{"薛澜访谈", "薛澜"},
		{"独家专访 薛澜", "薛澜"},
		{"薛澜", "薛澜"},
		{"Jane Doe", "Jane Doe"},
		{"专访", "专访"},
	}
	for _, tt := range tests {
		if got := titleInterviewee(tt.label); got != tt.want {
			t.Errorf("titleInterviewee(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
}

func TestInterview_TitleNamesInterviewee(t *testing.T) {
	page := "专访薛澜：中国人工智能发展无需陷入竞争叙事\n\n问：您怎么看？\n\n答：我认为很好。\n\n问：还有呢？\n\n答：没有了。\n"
	res := mustParse(t, []byte(page), Options{})
	if res.Interview == nil {
		t.Fatal("no interview")
	}
	if got := res.Interview.Interviewees; len(got) != 1 || got[0] != "薛澜" {
		t.Errorf("interviewees = %q, want [薛澜]", got)
	}
}
