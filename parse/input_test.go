package parse

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func TestDecode_Encodings(t *testing.T) {
	seed := string(readFile(t, seedPath))
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
			got, name, err := decode(data, 0)
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

// BenchmarkParseTextGBK parses the seed page encoded in GBK: the cost of
// detecting and decoding a legacy encoding.
func BenchmarkParseTextGBK(b *testing.B) {
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(strings.ReplaceAll(string(readFile(b, seedPath)), "\u00a0", "")))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Text(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// TestDecode_BrokenUTF8 checks that a UTF-8 page with a stray bad byte
// stays UTF-8 and keeps its records, instead of being taken for a legacy
// encoding and refused.
func TestDecode_BrokenUTF8(t *testing.T) {
	data := readFile(t, seedPath)
	broken := append([]byte(nil), data...)
	broken[1874] = 0x20 // inside a character of a paragraph
	res, err := Text(broken, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoding != "utf-8" || len(res.Article.Paragraphs) != 27 || len(res.Headlines) != 39 {
		t.Errorf("read as %s: %d paragraphs, %d headlines", res.Encoding, len(res.Article.Paragraphs), len(res.Headlines))
	}
	if !strings.Contains(strings.Join(res.Article.Paragraphs, ""), "\uFFFD") {
		t.Error("the broken character is not marked")
	}
}
