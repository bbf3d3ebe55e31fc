package parse

import "strings"

// Phrase classes: what a line containing one of the class's phrases is.
const (
	phraseDisclaimer uint8 = 1 << iota
	phraseFooter
	phraseCaption
	phraseNote
	phraseNav
	phraseSource
)

// phraseList holds the phrases of each class. ASCII phrases match
// without regard to case.
var phraseList = map[uint8][]string{
	phraseDisclaimer: {"仅代表作者", "不代表本", "本文系", "未经授权", "转载请注明", "版权归", "文责自负"},
	phraseFooter: {"举报中心", "违法和不良信息", "违法与不良信息", "版权所有", "ICP备", "ICP证", "公网安备",
		"copyright", "©", "all rights reserved", "联系我们", "关于我们", "隐私政策", "privacy policy",
		"terms of use", "terms of service"},
	phraseCaption: {"图为", "资料图", "图片来源", "图源", "供图", "摄）", "摄)", "视觉中国", "新华社发",
		"概念图", "示意图", "截图", "配图"},
	phraseNote: {"整理", "未经受访者", "未经本人", "审定", "审阅", "删节", "实录"},
	// Navigation and page furniture: breadcrumbs, pagers, tool links.
	phraseNav: {"当前位置", "您的位置", "你的位置", "首页>", "首页 >", "首页->", "首页 ->", "上一页", "下一页",
		"[打印]", "打印本页", "关闭窗口", "返回顶部", "发表评论", "我要评论", "分享到", "字号：", "字号:",
		"【大 中 小】", "【字体", "收藏本文", "推荐给朋友", "第1页/共", "点击排行"},
	// A line naming where the article came from.
	phraseSource: {"来源：", "来源:", "稿源：", "出处："},
}

// phraseIndex finds all phrases of phraseList in one pass over a line.
// The first two bytes of a phrase pick a slot, and a mask of the third
// byte's low six bits filters further, so a line costs two table look-ups
// per character and a comparison only where a phrase may well start —
// instead of one substring search per phrase.
type phraseIndex struct {
	slot    [1 << 16]uint8 // first two bytes → slot; 0: no phrase starts so
	third   []uint64       // per slot: the third bytes' low six bits
	entries [][]phraseEntry
}

type phraseEntry struct {
	text  string
	class uint8
}

var phrases = newPhraseIndex(phraseList)

func newPhraseIndex(lists map[uint8][]string) *phraseIndex {
	ix := &phraseIndex{third: []uint64{0}, entries: [][]phraseEntry{nil}}
	add := func(p string, class uint8) {
		k := uint16(p[0])<<8 | uint16(p[1]) // every phrase has two bytes or more
		if ix.slot[k] == 0 {
			if len(ix.entries) == 255 {
				panic("parse: too many phrase prefixes")
			}
			ix.slot[k] = uint8(len(ix.entries))
			ix.third = append(ix.third, 0)
			ix.entries = append(ix.entries, nil)
		}
		sl := ix.slot[k]
		if len(p) == 2 {
			ix.third[sl] = ^uint64(0)
		} else {
			ix.third[sl] |= 1 << (p[2] & 63)
		}
		ix.entries[sl] = append(ix.entries[sl], phraseEntry{p, class})
	}
	for class, list := range lists {
		for _, p := range list {
			add(p, class)
			if up := strings.ToUpper(p[:1]) + p[1:]; up != p {
				add(up, class) // "Copyright" as well as "copyright"
			}
		}
	}
	return ix
}

// classes returns the classes of the phrases s contains. ASCII phrases
// match in lower case or with a capital first letter; "COPYRIGHT" does
// not.
func (ix *phraseIndex) classes(s string) uint8 {
	var mask uint8
	for i := 0; i+1 < len(s); i++ {
		if s[i]&0xC0 == 0x80 {
			continue // inside a character
		}
		sl := ix.slot[uint16(s[i])<<8|uint16(s[i+1])]
		if sl == 0 || i+2 < len(s) && ix.third[sl]&(1<<(s[i+2]&63)) == 0 {
			continue
		}
		for _, e := range ix.entries[sl] {
			if strings.HasPrefix(s[i:], e.text) {
				mask |= e.class
			}
		}
	}
	return mask
}
