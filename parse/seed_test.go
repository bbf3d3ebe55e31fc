package parse

import (
	"slices"
	"strings"
	"testing"
	"time"

	"newsfeed/record"
)

// TestText_Seed checks the seed page against the numbers the page gives,
// independently of the golden file, so a careless -update cannot accept a
// regression.
func TestText_Seed(t *testing.T) {
	data := readFile(t, seedPath)
	lines := strings.Split(string(data), "\n")
	line := func(n int) string { return strings.TrimSpace(lines[n-1]) }

	res := mustParse(t, data, Options{Source: "seed"})
	a := res.Article

	if got, want := a.Title, "薛澜:中国人工智能发展无需陷入美国的“竞争叙事”"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if a.Lead != line(3) {
		t.Errorf("lead = %q, want line 3", a.Lead)
	}
	var wantParas []string
	for n := 4; n <= 32; n++ {
		if n != 11 && n != 26 {
			wantParas = append(wantParas, line(n))
		}
	}
	if len(a.Texts()) != 27 {
		t.Errorf("got %d paragraphs, want 27", len(a.Texts()))
	}
	for i := range min(len(a.Texts()), len(wantParas)) {
		if a.Texts()[i] != wantParas[i] {
			t.Errorf("paragraph %d = %.40q…, want %.40q…", i, a.Texts()[i], wantParas[i])
		}
	}
	if want := []string{line(11), line(26)}; !slices.Equal(a.Captions(), want) {
		t.Errorf("captions = %q, want %q", a.Captions(), want)
	}
	if a.Editor != "郑乐欢" {
		t.Errorf("editor = %q, want 郑乐欢", a.Editor)
	}
	if a.Disclaimer != "本文仅代表作者个人观点。" {
		t.Errorf("disclaimer = %q", a.Disclaimer)
	}
	if a.Published != nil {
		t.Errorf("published = %v, want nil: the page does not say", a.Published)
	}
	if a.Language != "zh" {
		t.Errorf("language = %q, want zh", a.Language)
	}

	iv := res.Interview
	if iv == nil {
		t.Fatal("no interview")
	}
	if iv.ArticleID != a.ID || iv.Title != a.Title {
		t.Errorf("interview article_id/title = %q/%q", iv.ArticleID, iv.Title)
	}
	if iv.Interviewer != "提问" || !slices.Equal(iv.Interviewees, []string{"薛澜"}) {
		t.Errorf("interviewer %q, interviewees %q", iv.Interviewer, iv.Interviewees)
	}
	if iv.Note != line(6) {
		t.Errorf("note = %q, want line 6", iv.Note)
	}
	wantTurns := []struct {
		speaker string
		role    record.Role
		paras   int
	}{
		{"提问", record.RoleQuestion, 1}, {"薛澜", record.RoleAnswer, 3},
		{"提问", record.RoleQuestion, 1}, {"薛澜", record.RoleAnswer, 7},
		{"提问", record.RoleQuestion, 1}, {"薛澜", record.RoleAnswer, 5},
		{"提问", record.RoleQuestion, 1}, {"薛澜", record.RoleAnswer, 5},
	}
	if len(iv.Turns) != len(wantTurns) {
		t.Fatalf("got %d turns, want %d", len(iv.Turns), len(wantTurns))
	}
	for i, w := range wantTurns {
		got := iv.Turns[i]
		if got.Speaker != w.speaker || got.Role != w.role || len(got.Paragraphs) != w.paras {
			t.Errorf("turn %d = %s/%s/%d paragraphs, want %s/%s/%d", i, got.Speaker, got.Role, len(got.Paragraphs), w.speaker, w.role, w.paras)
		}
		if strings.HasPrefix(got.Paragraphs[0], got.Speaker) {
			t.Errorf("turn %d keeps its label: %.20q", i, got.Paragraphs[0])
		}
		for _, p := range got.Paragraphs {
			if contains(a.Captions(), p) {
				t.Errorf("turn %d holds caption %q", i, p)
			}
		}
	}
	if got := iv.Turns[0].Paragraphs[0]; got != strings.TrimPrefix(line(7), "提问:") {
		t.Errorf("first question = %q", got)
	}

	if len(res.Headlines) != 39 {
		t.Errorf("got %d headlines, want 39", len(res.Headlines))
	}
	if len(a.Related) != 20 || len(a.Recommended) != 5 || len(a.Hot) != 16 {
		t.Errorf("lists: %d related, %d recommended, %d hot; want 20, 5, 16", len(a.Related), len(a.Recommended), len(a.Hot))
	}
	byID := map[string]*record.Headline{}
	for _, h := range res.Headlines {
		if byID[h.ID] != nil {
			t.Errorf("headline %q twice", h.Title)
		}
		byID[h.ID] = h
	}
	var withColumn int
	for i, id := range a.Related {
		h := byID[id]
		if h == nil || !h.HasList(record.ListRelated) || h.Published == nil {
			t.Fatalf("related %d: %+v", i, h)
		}
		if h.Published.Location() != Beijing {
			t.Errorf("related %d: zone %v", i, h.Published.Location())
		}
		if h.Column != "" {
			withColumn++
		}
	}
	first := byID[a.Related[0]]
	if first.Title != line(37) || !first.Published.Equal(time.Date(2025, 12, 8, 21, 39, 0, 0, Beijing)) || first.Column != "科技前沿" {
		t.Errorf("first related = %q %v %q", first.Title, first.Published, first.Column)
	}
	if got := first.Published.Format(time.RFC3339); got != "2025-12-08T21:39:00+08:00" {
		t.Errorf("first related published = %s", got)
	}
	if last := byID[a.Related[19]]; last.Column != "天文" || last.Title != "中国将寻找第二颗地球" {
		t.Errorf("last related = %q column %q", last.Title, last.Column)
	}
	if withColumn != 17 {
		t.Errorf("%d related headlines have a column, want 17", withColumn)
	}
	var comments []int
	for _, id := range a.Recommended {
		h := byID[id]
		if h.Comments == nil {
			t.Fatalf("recommended %q has no comment count", h.Title)
		}
		comments = append(comments, *h.Comments)
	}
	if want := []int{53, 87, 342, 256, 131}; !slices.Equal(comments, want) {
		t.Errorf("comments = %v, want %v", comments, want)
	}
	if last := byID[a.Recommended[4]]; last.Title != "怕美国掀桌,“盟友都少说两句吧”" {
		t.Errorf("last recommended title = %q: the glued header was not split off", last.Title)
	}
	if got := byID[a.Hot[0]].Title; got != line(83) {
		t.Errorf("first hot = %q", got)
	}
	if got := byID[a.Hot[15]].Title; got != "美国再发警告:快撤" {
		t.Errorf("last hot = %q", got)
	}
	both := 0
	for _, h := range res.Headlines {
		if len(h.Lists) > 1 {
			both++
			if h.Lists[0] != record.ListRecommended || h.Lists[1] != record.ListHot {
				t.Errorf("%q lists = %v", h.Title, h.Lists)
			}
			if h.Title != "“欧洲吓坏了:这是地震,只能和解”" && h.Title != "“这是电子战”,伊朗搜捕星链用户" {
				t.Errorf("unexpected headline in two lists: %q", h.Title)
			}
		}
		for _, bad := range []string{"观察员", "举报中心", "相关推荐", "最新闻"} {
			if strings.Contains(h.Title, bad) {
				t.Errorf("boilerplate became a headline: %q", h.Title)
			}
		}
	}
	if both != 2 {
		t.Errorf("%d headlines in two lists, want 2", both)
	}
	if n := len(res.Records()); n != 41 {
		t.Errorf("%d records, want 41", n)
	}
}

// TestText_English checks an English page of the seed's shape: Q:/A:
// turns, a "Related stories" list and a "Most read" list.
func TestText_English(t *testing.T) {
	res := mustParse(t, readFile(t, "testdata/en_interview.txt"), Options{})
	a := res.Article
	if a.Language != "en" || a.Title != "Jane Doe: Why small reactors will not save the grid" {
		t.Errorf("language %q title %q", a.Language, a.Title)
	}
	if len(a.Texts()) != 8 || len(a.Captions()) != 1 || a.Editor != "Tom Baker" || !slices.Equal(a.Authors, []string{"Mark Ellis"}) {
		t.Errorf("%d paragraphs, captions %q, editor %q, authors %q", len(a.Texts()), a.Captions(), a.Editor, a.Authors)
	}
	iv := res.Interview
	if iv == nil || len(iv.Turns) != 4 || iv.Interviewer != "Q" || !slices.Equal(iv.Interviewees, []string{"Jane Doe"}) {
		t.Fatalf("interview: %+v", iv)
	}
	if got := len(iv.Turns[1].Paragraphs); got != 2 {
		t.Errorf("first answer has %d paragraphs, want 2", got)
	}
	if len(a.Related) != 3 || len(a.Hot) != 3 || len(res.Headlines) != 5 {
		t.Errorf("%d related, %d hot, %d headlines; want 3, 3, 5", len(a.Related), len(a.Hot), len(res.Headlines))
	}
	if h := res.Headlines[0]; h.Published == nil || h.Published.Location() != time.UTC || h.Column != "Energy" {
		t.Errorf("first related: %+v", h)
	}
}
