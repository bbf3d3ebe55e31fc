package charset

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func readSeed(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../seeds/000_3f39084d81a9de5b.txt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode_Encodings(t *testing.T) {
	seed := string(readSeed(t))
	gbkSafe := strings.ReplaceAll(seed, "\u00a0", "")
	tests := []struct {
		name string
		text string
		enc  encoding.Encoding
		want string // the name decode reports
	}{
		{"gbk", gbkSafe, simplifiedchinese.GBK, "gb18030"},
		{"gb18030 with a no-break space", seed, simplifiedchinese.GB18030, "gb18030"},
		{"big5", strings.Repeat("中國人工智慧發展無需陷入美國的競爭敘事。清華大學教授表示，我們應該積極參與全球治理，推動相關議程。\n", 20), traditionalchinese.Big5, "big5"},
		{"shift_jis", strings.Repeat("日本政府は本日、新しい経済対策を発表しました。首相は記者会見で、景気の回復を最優先すると述べました。\n", 20), japanese.ShiftJIS, "shift_jis"},
		{"euc-kr", strings.Repeat("정부는 오늘 새로운 경제 대책을 발표했습니다. 대통령은 기자회견에서 경기 회복을 최우선으로 하겠다고 말했습니다.\n", 20), korean.EUCKR, "euc-kr"},
		{"windows-1252", strings.Repeat("Le président a déclaré que l'économie française était « en très bonne santé » malgré la crise.\n", 20), charmap.Windows1252, "windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.enc.NewEncoder().Bytes([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			got, name, err := Decode(data, Hints{})
			if err != nil {
				t.Fatal(err)
			}
			if name != tt.want {
				t.Errorf("read as %s, want %s", name, tt.want)
			}
			if got != tt.text {
				t.Errorf("decoded text differs: %.60q…", got)
			}
		})
	}
}

func TestLooksGB2312(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(strings.Repeat("中国的经济发展是在改革开放中实现的。", 5)))
	big5, _ := traditionalchinese.Big5.NewEncoder().Bytes([]byte(strings.Repeat("中國的經濟發展是在改革開放中實現的。", 5)))
	korean, _ := korean.EUCKR.NewEncoder().Bytes([]byte(strings.Repeat("정부는 오늘 새로운 경제 대책을 발표했습니다.", 5)))
	for _, tt := range []struct {
		name string
		data []byte
		want bool
	}{
		{"gbk", gbk, true},
		{"big5", big5, false},
		{"euc-kr", korean, false},
		{"too short", gbk[:10], false},
		{"ascii", []byte("plain text"), false},
	} {
		if got := looksGB2312(tt.data); got != tt.want {
			t.Errorf("%s: looksGB2312 = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDecodeHTML_Charsets(t *testing.T) {
	const zh = "<html><head>%s<title>中国的经济发展</title></head><body><p>中国的经济发展是在改革开放中实现的。这是一个很长的句子，用来让检测有足够的字节。</p></body></html>"
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	page := func(meta string) string { return strings.Replace(zh, "%s", meta, 1) }
	tests := []struct {
		name, contentType string
		data              []byte
		want              string
	}{
		{"meta gb2312, GBK bytes", "", gbk(page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`)), "gb18030"},
		{"meta gb2312 but UTF-8 bytes", "", []byte(page(`<meta charset="gb2312">`)), "utf-8"},
		{"meta utf-8 but GBK bytes", "", gbk(page(`<meta charset="utf-8">`)), "gb18030"},
		{"nothing declared, GBK bytes", "", gbk(page("")), "gb18030"},
		{"Content-Type header", "text/html; charset=GBK", gbk(page("")), "gb18030"},
		{"byte-order mark", "", append([]byte("\ufeff"), page(`<meta charset="gbk">`)...), "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, enc, err := Decode(tt.data, Hints{ContentType: tt.contentType, Markup: true})
			if err != nil {
				t.Fatal(err)
			}
			if enc != tt.want || !strings.Contains(text, "中国的经济发展是在改革开放中实现的") {
				t.Errorf("read as %s: %.80q", enc, text)
			}
		})
	}
}

// TestDecode_Refusals: raw text and HTML are refused alike.
func TestDecode_Refusals(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		max  int
		want error
	}{
		{"empty", nil, 0, ErrEmpty},
		{"white space only", []byte(" \n\t"), 0, ErrEmpty},
		{"over the limit", bytes.Repeat([]byte("<p>字</p>"), 100), 64, ErrTooLarge},
		{"NUL bytes", []byte("<html><title>t</title>\x00\x00<p>body</p>"), 0, ErrNotText},
		{"control characters", bytes.Repeat([]byte("<p>a\x01\x02\x03\x04</p>"), 50), 0, ErrNotText},
	}
	for _, tt := range tests {
		for _, markup := range []bool{false, true} {
			_, _, err := Decode(tt.data, Hints{Markup: markup, MaxBytes: tt.max})
			if !errors.Is(err, tt.want) {
				t.Errorf("%s (markup %v): error %v, want %v", tt.name, markup, err, tt.want)
			}
		}
	}
}

// TestDecode_ContentTypeForText: a transport header is a witness for raw
// text too, checked against the bytes.
func TestDecode_ContentTypeForText(t *testing.T) {
	text := strings.Repeat("Le président a déclaré que l'économie était « en bonne santé ».\n", 3)
	data, err := charmap.ISO8859_15.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got, name, err := Decode(data, Hints{ContentType: "text/plain; charset=iso-8859-15"})
	if err != nil || got != text || name != "iso-8859-15" {
		t.Errorf("Decode = %.40q, %s, %v; want the text as iso-8859-15", got, name, err)
	}
	if _, name, _ := Decode([]byte("plain ASCII"), Hints{ContentType: "text/plain; charset=gbk"}); name != "utf-8" {
		t.Errorf("ASCII declared GBK read as %s, want utf-8 (the bytes decide)", name)
	}
}

// FuzzDecode: any bytes give valid UTF-8 text or one of the package's
// errors, for raw text and HTML alike, and never a panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("标题\n正文。"), "", false)
	f.Add([]byte("<html><meta charset=gbk><title>t</title></html>"), "text/html; charset=gb2312", true)
	f.Add([]byte{0xFF, 0xFE, 'a', 0, 'b', 0}, "", false)
	f.Add([]byte{0xC4, 0xE3, 0xBA, 0xC3}, "text/plain; charset=gbk", false)
	f.Fuzz(func(t *testing.T, data []byte, contentType string, markup bool) {
		text, enc, err := Decode(data, Hints{ContentType: contentType, Markup: markup, MaxBytes: 1 << 20})
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrNotText) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !utf8.ValidString(text) || enc == "" {
			t.Fatalf("Decode = invalid UTF-8 or no encoding name (%q)", enc)
		}
	})
}
