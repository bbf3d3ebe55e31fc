package parse

import (
	"strings"
	"testing"
	"time"
)

// zonePage is a hand-made article page: head holds its metadata, dateline
// the line under the headline, para a paragraph repeated as its body.
func zonePage(lang, head, title, dateline, para string) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="` + lang + `"><head><meta charset="utf-8"><title>` + title + `</title>` + head + `</head><body>`)
	b.WriteString(`<article><h1>` + title + `</h1><p class="date">` + dateline + `</p>`)
	for i := 0; i < 6; i++ {
		b.WriteString(`<p>` + para + `</p>`)
	}
	b.WriteString(`</article></body></html>`)
	return []byte(b.String())
}

const (
	enPara = "The city council voted on Tuesday to expand the bus network, adding four new routes that will connect the northern suburbs to the centre by next spring."
	zhPara = "市议会周二投票决定扩大公交网络，新增四条线路，明年春天将把北部郊区与市中心连接起来，预计每天可服务数万名乘客。"
	jaPara = "市議会は火曜日、バス路線網の拡大を決め、来年の春までに北部の郊外と中心部を結ぶ四つの新しい路線を加えることになりました。"
	koPara = "시의회는 화요일 버스 노선망을 확대하기로 의결했으며, 내년 봄까지 북부 교외와 도심을 잇는 네 개의 새 노선을 추가할 예정이다."
)

// TestPublishedZone: a time the page writes with a zone keeps it; a time
// without one takes the zone of the page's language (zh +08:00, ja and ko
// +09:00), and on other pages stays as the page shows it (labelled Z).
func TestPublishedZone(t *testing.T) {
	for _, c := range []struct {
		name, lang, head, title, dateline, para string
		want, wantLang                          string
	}{
		{"meta offset kept", "en", `<meta property="article:published_time" content="2023-11-08T22:28:35-05:00">`,
			"Council expands the bus network", "By Jane Roe", enPara, "2023-11-08T22:28:35-05:00", "en"},
		{"UTC meta, page's own offset in its data", "en",
			`<script type="application/ld+json">{"@type":"NewsArticle","headline":"Council expands the bus network","datePublished":"2023-11-09T03:28:35Z"}</script><script>var page = {"publish":"2023-11-08T22:28:35-05:00"};</script>`,
			"Council expands the bus network", "By Jane Roe", enPara, "2023-11-08T22:28:35-05:00", "en"},
		{"UTC meta, another instant's offset is not taken", "en",
			`<script type="application/ld+json">{"@type":"NewsArticle","headline":"Council expands the bus network","datePublished":"2023-11-09T03:28:35Z"}</script><script>var page = {"modified":"2023-11-08T23:00:00-05:00"};</script>`,
			"Council expands the bus network", "By Jane Roe", enPara, "2023-11-09T03:28:35Z", "en"},
		{"English, no zone: as shown", "en", "", "Council expands the bus network", "Published 2023-11-08 22:27", enPara, "2023-11-08T22:27:00Z", "en"},
		{"Chinese, no zone: +08:00", "zh-CN", "", "市议会扩大公交网络", "2023年11月08日 22:27", zhPara, "2023-11-08T22:27:00+08:00", "zh"},
		{"Japanese, no zone: +09:00", "ja", "", "市議会、バス路線網を拡大へ", "2023年11月08日 22:27", jaPara, "2023-11-08T22:27:00+09:00", "ja"},
		{"Japanese text without a lang attribute: +09:00", "", "", "市議会、バス路線網を拡大へ", "2023年11月08日 22:27", jaPara, "2023-11-08T22:27:00+09:00", "ja"},
		{"Korean, no zone: +09:00", "ko", "", "시의회, 버스 노선망 확대", "2023-11-08 20:27:29", koPara, "2023-11-08T20:27:29+09:00", "ko"},
		{"Japanese meta offset kept", "ja", `<meta property="article:published_time" content="2023-11-08T22:27:00+09:00">`,
			"市議会、バス路線網を拡大へ", "読売新聞", jaPara, "2023-11-08T22:27:00+09:00", "ja"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := HTML(zonePage(c.lang, c.head, c.title, c.dateline, c.para), Options{URL: "https://news.example/a/1"})
			if err != nil {
				t.Fatal(err)
			}
			a := res.Article
			if a.Published == nil {
				t.Fatalf("published = nil, want %s", c.want)
			}
			if got := a.Published.Format(time.RFC3339); got != c.want {
				t.Errorf("published = %s, want %s", got, c.want)
			}
			if a.Language != c.wantLang {
				t.Errorf("language = %q, want %q", a.Language, c.wantLang)
			}
		})
	}
}

func TestDetectLanguageCJK(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{enPara, "en"},
		{zhPara, "zh"},
		{jaPara, "ja"},
		{"東京都知事選挙の投票率は前回を上回った。", "ja"}, // kanji-heavy, with kana
		{koPara, "ko"},
		{"北京市人民政府新闻办公室发布会", "zh"},
		{"", ""},
	} {
		if got := detectLanguage([]string{c.text}); got != c.want {
			t.Errorf("detectLanguage(%.30q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestZoneOf(t *testing.T) {
	for _, c := range []struct {
		lang string
		off  int
		utc  bool
	}{
		{"zh", 8 * 3600, false}, {"zh-CN", 8 * 3600, false}, {"zh-SG", 8 * 3600, false}, {"zh-TW", 8 * 3600, false},
		{"ja", 9 * 3600, false}, {"ko", 9 * 3600, false}, {"en", 0, true}, {"", 0, true}, {"de-DE", 0, true},
	} {
		z := ZoneOf(c.lang)
		if _, off := time.Date(2023, 11, 8, 0, 0, 0, 0, z).Zone(); off != c.off || (z == time.UTC) != c.utc {
			t.Errorf("ZoneOf(%q) = %v (offset %d), want offset %d", c.lang, z, off, c.off)
		}
	}
}

func TestPageZone(t *testing.T) {
	utc := time.Date(2023, 11, 9, 3, 28, 35, 0, time.UTC)
	for _, c := range []struct {
		name string
		t    time.Time
		data string
		want string
	}{
		{"same instant, other offset", utc, `x "2023-11-08T22:28:35-05:00" y`, "2023-11-08T22:28:35-05:00"},
		{"same instant with fraction", utc, `2023-11-09T11:28:35.000+08:00`, "2023-11-09T11:28:35+08:00"},
		{"nothing else in the page", utc, `2023-11-09T03:28:35Z only`, "2023-11-09T03:28:35Z"},
		{"other instant", utc, `2023-11-08T22:29:35-05:00`, "2023-11-09T03:28:35Z"},
		{"a zoned time is left alone", utc.In(time.FixedZone("", 3600)), `2023-11-08T22:28:35-05:00`, "2023-11-09T04:28:35+01:00"},
		{"zone-less local time of the same instant", utc, `"2023-11-09T03:28:35Z" <span>2023-11-08 22:28:35</span>`, "2023-11-08T22:28:35-05:00"},
		{"zone-less, half-hour offset", utc, `2023-11-09T03:28:35+00:00 2023-11-09 08:58:35`, "2023-11-09T08:58:35+05:30"},
		{"zone-less, t not written in UTC by the page", utc, `<span>2023-11-08 22:28:35</span>`, "2023-11-09T03:28:35Z"},
		{"zone-less, seconds differ", utc, `2023-11-09T03:28:35Z 2023-11-08 22:28:36`, "2023-11-09T03:28:35Z"},
		{"zone-less, beyond 14 hours", utc, `2023-11-09T03:28:35Z 2023-11-08 12:28:35`, "2023-11-09T03:28:35Z"},
		{"zone-less, a bare day's midnight", time.Date(2023, 11, 9, 0, 0, 0, 0, time.UTC), `2023-11-09T00:00:00Z 2023-11-08 20:00:00`, "2023-11-09T00:00:00Z"},
		{"year boundary", time.Date(2024, 1, 1, 2, 0, 0, 0, time.UTC), `2023-12-31T21:00:00-05:00`, "2023-12-31T21:00:00-05:00"},
	} {
		if got := PageZone(c.t, []byte(c.data)).Format(time.RFC3339); got != c.want {
			t.Errorf("%s: PageZone = %s, want %s", c.name, got, c.want)
		}
	}
}
