package textline

import "testing"

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  标题  ", "标题"},
		{"\u3000\u3000正文第一段。", "正文第一段。"},
		{"a\u00a0b", "a b"},
		{"zero\u200bwidth\ufeff", "zerowidth"},
		{"tab\there", "tab here"},
		{"ctrl\x01char", "ctrlchar"},
		{"plain", "plain"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := OneLine("  Headline \n\t with   spaces\u00a0 "); got != "Headline with spaces" {
		t.Errorf("OneLine = %q", got)
	}
}
