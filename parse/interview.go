package parse

import (
	"strings"
	"unicode"

	"newsfeed/record"
)

// notSpeakers are labels written like a speaker's ("编者按：…") that
// introduce something else. Compared without regard to ASCII case.
var notSpeakers = map[string]bool{
	"编者按": true, "编辑": true, "责任编辑": true, "责编": true, "来源": true, "原标题": true,
	"作者": true, "注": true, "按": true, "图": true, "图片": true, "摄影": true, "摘要": true,
	"导语": true, "导读": true, "时间": true, "地点": true, "日期": true, "电话": true, "地址": true,
	"主题": true, "标题": true, "文": true, "备注": true, "附": true, "链接": true, "网址": true,
	"邮箱": true, "关键词": true, "提示": true, "声明": true, "特别声明": true, "延伸阅读": true,
	"相关阅读": true, "相关新闻": true, "点击": true, "视频": true, "音频": true, "更新": true,
	"note": true, "editor's note": true, "editor’s note": true, "source": true, "photo": true,
	"image": true, "credit": true, "update": true, "correction": true, "related": true,
	"read more": true, "watch": true, "listen": true, "by": true, "time": true, "date": true,
	"location": true, "tags": true, "advertisement": true, "warning": true, "editor": true,
	"disclaimer": true, "summary": true, "caption": true, "see also": true,
}

// reportedSpeech are endings of "发言人表示：…": a quotation in news
// prose, not an interview label.
var reportedSpeech = []string{"表示", "说", "称", "指出", "强调", "认为", "介绍", "透露", "回应",
	"坦言", "直言", "表态", "写道", "提到", "答道", "问道", "宣布", "警告", "呼吁", "发文", "回答", "提问道"}

// splitLabel splits "提问:…", "薛澜：…", "Q: …" into the speaker label
// and the text after it. The label is short, has no quotation marks or
// sentence punctuation, and is not one of the labels in notSpeakers.
func splitLabel(s string) (label, text string, ok bool) {
	i := strings.IndexAny(s[:min(len(s), 43)], ":：")
	if i <= 0 || i > 40 {
		return "", "", false
	}
	label = strings.TrimSpace(s[:i])
	text = strings.TrimSpace(strings.TrimLeft(s[i:], ":："))
	if label == "" || text == "" || !validLabel(label) {
		return "", "", false
	}
	return label, text, true
}

// validLabel reports whether label can name a speaker.
func validLabel(label string) bool {
	if notSpeakers[strings.ToLower(label)] {
		return false
	}
	var han, words, letters int
	inWord := false
	for _, r := range label {
		switch {
		case isHan(r):
			han++
		case unicode.IsLetter(r):
			letters++
			if !inWord {
				words++
			}
			inWord = true
			continue
		case r >= '0' && r <= '9':
			if letters == 0 {
				return false // labels do not start with a number
			}
		case r == ' ':
		case r == '·' || r == '•' || r == '.' || r == '-' || r == '\'' || r == '’':
		default:
			return false // quotes, brackets, commas: not a label
		}
		inWord = false
	}
	switch {
	case han > 0 && letters > 0 && han+letters > 12:
		return false
	case han > 0:
		if han > 10 {
			return false
		}
		for _, end := range reportedSpeech {
			if strings.HasSuffix(label, end) {
				return false
			}
		}
		return true
	default:
		// Latin labels: Q, A, Interviewer, John Smith, Dr. Jane Doe.
		return letters > 0 && words <= 4 && len(label) <= 32 && unicode.IsUpper(firstRune(label))
	}
}

// questionLabels are labels that always ask; answerLabels always answer
// and name nobody.
var (
	questionLabels = map[string]bool{
		"提问": true, "问": true, "记者": true, "主持人": true, "采访者": true, "本报记者": true,
		"q": true, "question": true, "interviewer": true, "host": true, "moderator": true,
	}
	answerLabels = map[string]bool{"答": true, "回答": true, "a": true, "answer": true}
	// askerSuffixes end the names of outlets and their reporters
	// (观察者网, 新京报, 澎湃新闻, 新华社, …记者): they ask.
	askerSuffixes = []string{"记者", "网", "报", "新闻", "社", "电视台", "杂志"}
)

// labelKey folds a label for lookups: lower case, trailing digits removed
// (Q1, A2).
func labelKey(label string) string {
	return strings.ToLower(strings.TrimRight(label, "0123456789"))
}

// asks reports whether label belongs to the interviewer, from the label
// alone; decided is false when the label does not say.
func asks(label, site string) (question, decided bool) {
	k := labelKey(label)
	switch {
	case questionLabels[k]:
		return true, true
	case answerLabels[k]:
		return false, true
	case site != "" && strings.EqualFold(label, site):
		return true, true
	}
	for _, suf := range askerSuffixes {
		if strings.HasSuffix(label, suf) && runeLen(label) > runeLen(suf) {
			return true, true
		}
	}
	return false, false
}

// isInterviewNote reports such a remark.
func isInterviewNote(s string) bool {
	return len(s) <= 600 && phrases.classes(s)&phraseNote != 0 ||
		hasPrefixFold(s, "This interview has been") || hasPrefixFold(s, "This transcript") ||
		hasPrefixFold(s, "The following interview") || hasPrefixFold(s, "Editor's note") ||
		hasPrefixFold(s, "Editor’s note")
}

// findInterview looks for labelled question-and-answer turns among an
// article's body paragraphs (captions already removed). It needs at least
// two labelled turns from at least two speakers, one asking and one
// answering; otherwise it returns nil. site is the site's own name, which
// some sites use as the question label.
func findInterview(paras []string, site string) *record.Interview {
	type labelled struct {
		index       int
		label, text string
	}
	var found []labelled
	speakers := map[string]int{}
	for i, p := range paras {
		if label, text, ok := splitLabel(p); ok {
			found = append(found, labelled{i, label, text})
			speakers[label]++
		}
	}
	if len(found) < 2 || len(speakers) < 2 {
		return nil
	}

	// Roles: from the label where it says, else from what the speaker
	// says — a speaker most of whose turns end in a question mark asks.
	roles := make(map[string]record.Role, len(speakers))
	questionMarks := map[string]int{}
	for _, f := range found {
		if r := lastRune(f.text); r == '?' || r == '？' {
			questionMarks[f.label]++
		}
	}
	for label, n := range speakers {
		q, decided := asks(label, site)
		if !decided {
			q = questionMarks[label]*2 > n
		}
		if q {
			roles[label] = record.RoleQuestion
		} else {
			roles[label] = record.RoleAnswer
		}
	}
	var nq, na int
	for _, f := range found {
		if roles[f.label] == record.RoleQuestion {
			nq++
		} else {
			na++
		}
	}
	if nq == 0 || na == 0 {
		return nil
	}

	iv := &record.Interview{}
	for _, p := range paras[:found[0].index] {
		if isInterviewNote(p) {
			iv.Note = p
			break
		}
	}
	next := 0
	for i := found[0].index; i < len(paras); i++ {
		if next < len(found) && found[next].index == i {
			f := found[next]
			next++
			iv.Turns = append(iv.Turns, record.Turn{Speaker: f.label, Role: roles[f.label], Paragraphs: []string{f.text}})
			switch {
			case roles[f.label] == record.RoleQuestion && iv.Interviewer == "":
				iv.Interviewer = f.label
			case roles[f.label] == record.RoleAnswer && !answerLabels[labelKey(f.label)] && !contains(iv.Interviewees, f.label):
				iv.Interviewees = append(iv.Interviewees, f.label)
			}
			continue
		}
		t := &iv.Turns[len(iv.Turns)-1]
		t.Paragraphs = append(t.Paragraphs, paras[i])
	}
	return iv
}

// interviewTitleWords frame the interviewee's name in a title's label:
// 专访薛澜, 对话薛澜, 薛澜访谈, 薛澜专访.
var (
	interviewTitlePrefixes = []string{"独家专访", "专访", "对话", "访谈"}
	interviewTitleSuffixes = []string{"专访", "访谈录", "访谈"}
)

// titleInterviewee returns the name a title's label gives the interviewee:
// "专访薛澜" and "对话薛澜" and "薛澜访谈" name 薛澜; any other label is the
// name itself ("Jane Doe", "薛澜").
func titleInterviewee(label string) string {
	name := label
	for _, p := range interviewTitlePrefixes {
		if r, ok := strings.CutPrefix(name, p); ok {
			name = r
			break
		}
	}
	for _, s := range interviewTitleSuffixes {
		if r, ok := strings.CutSuffix(name, s); ok {
			name = r
			break
		}
	}
	if name = strings.TrimSpace(name); name == "" {
		return label
	}
	return name
}
