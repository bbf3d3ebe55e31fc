package feed

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                      "plain",
		"  中文 ":                      "中文",
		"a\x00b\x01c\x1fd\te\nf\rg":  "abcd\te\nf\rg",
		"bad \xff\xfe utf8":          "bad \uFFFD utf8",
		"non\uFFFEchar\uFFFF":        "nonchar",
		"kept \uFFFD and \U0001F600": "kept \uFFFD and \U0001F600",
		"del \x7f and \u0085 stay":   "del \x7f and \u0085 stay",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
		if got := clean(in); !isClean(got) {
			t.Errorf("clean(%q) = %q is not clean", in, got)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"航空航天":   "航空航天",
		"Tech_1": "Tech_1",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	seen := map[string]string{}
	for _, in := range []string{"a/b", "a-b", "a b", "../..", "", ".", "a\x00b", strings.Repeat("长", 100)} {
		got := slug(in)
		if got == "" || strings.ContainsAny(got, "/\\. \x00") || len(got) > maxSlug+9 {
			t.Errorf("slug(%q) = %q", in, got)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("slug(%q) = slug(%q) = %q", in, prev, got)
		}
		seen[got] = in
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"short", 10, "short"}, {"一二三四五六", 4, "一二三…"}, {"abcdef", 6, "abcdef"}, {"abcdefg", 6, "abcde…"}} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
