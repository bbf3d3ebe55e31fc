package parse

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// TestText_Variants feeds the seed page as users' tools mangle it and
// expects exactly the clean page's records, content hash included.
func TestText_Variants(t *testing.T) {
	clean := readFile(t, seedPath)
	want := goldenJSON(t, mustParse(t, clean, Options{Source: "seed"}))

	gb18030, err := simplifiedchinese.GB18030.NewEncoder().Bytes(clean)
	if err != nil {
		t.Fatal(err)
	}
	// GBK cannot hold the no-break space; real GBK pages have none.
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(bytes.ReplaceAll(clean, []byte("\u00a0"), nil))
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(clean)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(clean), "\n")
	withEach := func(f func(string) string) []byte {
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = f(l)
		}
		return []byte(strings.Join(out, "\n"))
	}

	variants := map[string][]byte{
		"crlf":                bytes.ReplaceAll(clean, []byte("\n"), []byte("\r\n")),
		"cr":                  bytes.ReplaceAll(clean, []byte("\n"), []byte("\r")),
		"utf8 bom":            append([]byte("\ufeff"), clean...),
		"utf16le bom":         utf16,
		"gb18030":             gb18030,
		"gbk":                 gbk,
		"no final newline":    bytes.TrimRight(clean, "\n"),
		"trailing spaces":     withEach(func(l string) string { return l + "  \t" }),
		"no-break spaces":     withEach(func(l string) string { return "\u00a0" + l + "\u00a0" }),
		"ideographic space":   withEach(func(l string) string { return "\u3000\u3000" + l }),
		"zero-width spaces":   withEach(func(l string) string { return l + "\u200b" }),
		"blank lines doubled": bytes.ReplaceAll(clean, []byte("\n\n"), []byte("\n\n\n")),
		"crlf bom no final newline": append([]byte("\ufeff"),
			bytes.TrimRight(bytes.ReplaceAll(clean, []byte("\n"), []byte("\r\n")), "\r\n")...),
	}
	for name, data := range variants {
		t.Run(name, func(t *testing.T) {
			res, err := Text(data, Options{Source: "seed"})
			if err != nil {
				t.Fatal(err)
			}
			if got := goldenJSON(t, res); !bytes.Equal(got, want) {
				t.Errorf("records differ from the clean page's:\n%s", firstDiff(got, want))
			}
		})
	}
	t.Run("gbk is detected", func(t *testing.T) {
		res := mustParse(t, gbk, Options{})
		if res.Encoding != "gb18030" && res.Encoding != "gbk" {
			t.Errorf("encoding = %q", res.Encoding)
		}
	})
}

// TestText_BadInput checks that input that cannot be a page fails with a
// clear error naming the input, never a panic.
func TestText_BadInput(t *testing.T) {
	tests := map[string]struct {
		data []byte
		max  int
		want error
	}{
		"empty":            {nil, 0, ErrEmpty},
		"white space only": {[]byte(" \n\r\n\t\u3000"), 0, ErrEmpty},
		"nul bytes":        {[]byte("title\x00\x00\x00body"), 0, ErrNotText},
		"binary":           {bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0xff, 0x02}, 50), 0, ErrNotText},
		"control chars":    {bytes.Repeat([]byte("a\x01\x02\x03\x04"), 100), 0, ErrNotText},
		"over the limit":   {bytes.Repeat([]byte("标题\n"), 100), 64, ErrTooLarge},
		"only dividers":    {[]byte("-\n-\n---\n"), 0, ErrNoTitle},
		"utf16 odd length": {[]byte{0xff, 0xfe, 'a'}, 0, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Text(tt.data, Options{Source: "page.txt", MaxBytes: tt.max})
			if err == nil {
				if tt.want != nil {
					t.Fatalf("no error, want %v", tt.want)
				}
				return
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), "page.txt") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q does not name the input on one line", err)
			}
		})
	}
	t.Run("default limit", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), DefaultMaxBytes+1)
		if _, err := Text(big, Options{}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("error %v, want ErrTooLarge", err)
		}
	})
}
