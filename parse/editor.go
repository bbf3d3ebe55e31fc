// Editors: who edited the story, credited near its end.
//
// The forms read:
//
//   - 责任编辑 or 责编, a colon, and the value as shown, staff code
//     included ("责任编辑：杨倩_NF4425", "责编：韩保林 PK155"); this is the
//     responsible editor and wins over any plain credit;
//   - 编辑 with a colon or a slash and a name ("编辑/苏芳", "编辑：姚昊"),
//     not 总编辑, 主编, 副编辑, 文字编辑, 美术编辑, 图片编辑, 视频编辑;
//   - any of these inside brackets ("（责任编辑：魏喆）", "【编辑：姚昊】"),
//     the brackets no part of the name;
//   - English "Editor: X" and "Edited by X" lines (editorLine).
//
// editorIn reads a credit inside any line; editorLine a line that is
// nothing but one.

package parse

import "strings"

// editorLabels credit an editor, the responsible editor first.
var editorLabels = []string{"责任编辑", "责编"}

// editorIn returns the editor a line credits: the 责任编辑 or 责编 value as
// shown ("杨倩_NF4425", "韩保林 PK155"), and whether the label was a
// responsible editor's. A plain 编辑 credit ("编辑/苏芳", "【编辑：姚昊】")
// comes back with responsible false; 总编辑, 主编 and 编辑部 are no credits.
func editorIn(s string) (name string, responsible bool) {
	if runeLen(s) > 160 {
		return "", false
	}
	for _, label := range editorLabels {
		if i := strings.Index(s, label); i >= 0 {
			rest := strings.TrimLeft(s[i+len(label):], " \u3000")
			if r, ok := cutColon(rest); ok {
				if v := creditValue(r, true); v != "" {
					return v, true
				}
			}
		}
	}
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], "编辑")
		if i < 0 {
			break
		}
		i += from
		from = i + len("编辑")
		if hasAnySuffix(s[:i], []string{"总", "主", "副", "责任", "文字", "美术", "图片", "视频"}) {
			continue
		}
		rest := s[from:]
		var ok bool
		if rest, ok = cutColon(strings.TrimLeft(rest, " \u3000")); !ok {
			if rest, ok = strings.CutPrefix(s[from:], "/"); !ok {
				if rest, ok = strings.CutPrefix(s[from:], "／"); !ok {
					continue
				}
			}
		}
		if v := creditValue(rest, false); v != "" && isName(v) {
			return v, false
		}
	}
	return "", false
}

// editorLine returns the name on a "责任编辑: 郑乐欢" or "Editor: …" line.
func editorLine(s string) (string, bool) {
	s = strings.TrimSpace(strings.TrimLeft(s, "-—–*· "))
	if r := firstRune(s); r == '（' || r == '(' || r == '[' || r == '【' {
		// （责任编辑：魏喆）
		s = strings.TrimSpace(strings.TrimRight(strings.TrimLeft(s, "（(【["), "）)】] "))
	}
	for _, label := range []string{"责任编辑", "责编", "编辑", "Editor", "Edited by"} {
		if !hasPrefixFold(s, label) {
			continue
		}
		rest := strings.TrimLeft(s[len(label):], " ")
		if r, ok := cutColon(rest); ok {
			rest = r
		} else if label != "Edited by" {
			continue
		}
		name := strings.TrimSpace(rest)
		if name != "" && runeLen(name) <= 40 {
			return name, true
		}
	}
	return "", false
}
