package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/feeds"

	"newsfeed/record"
	"newsfeed/store"
)

// mustPublish publishes every feed of s into a new folder and returns it.
func mustPublish(t *testing.T, s *store.Store) string {
	t.Helper()
	out := t.TempDir()
	if _, err := Publish(context.Background(), s, out, Options{BaseURL: testBase}, nil); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameFiles fails the test unless folders a and b hold the same files
// with the same bytes.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := relFiles(t, a), relFiles(t, b)
	if !reflect.DeepEqual(fa, fb) {
		t.Fatalf("files %v,\nthen %v", fa, fb)
	}
	for _, f := range fa {
		if !bytes.Equal(mustReadFile(t, filepath.Join(a, f)), mustReadFile(t, filepath.Join(b, f))) {
			t.Errorf("%s differs", f)
		}
	}
}

// cachedCount returns how many of the newest items of each kind the
// store serves from its cache for b, and how many it holds.
func cachedCount(t *testing.T, s *store.Store, b *Builder) (cached, all int) {
	t.Helper()
	for _, k := range Kinds {
		items, err := s.LatestItems(context.Background(), store.Query{Kind: k, Limit: b.limit}, b.key)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			all++
			if it.Item != nil {
				cached++
			}
		}
	}
	return cached, all
}

// TestItemCache_WarmMatchesCold publishes the seed and the hostile
// records twice: first rendering every item (and caching it), then from
// the cache. Every file of every format must come out byte for byte the
// same, and the same as the golden files.
func TestItemCache_WarmMatchesCold(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.Store{
		"seed":    func(tb testing.TB) *store.Store { s, _ := mustSeedStore(tb); return s },
		"hostile": mustHostileStore,
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			b := mustBuilder(t, s, Options{})
			if cached, _ := cachedCount(t, s, b); cached != 0 {
				t.Fatalf("%d items cached before any build", cached)
			}
			cold := mustPublish(t, s)
			if cached, all := cachedCount(t, s, b); cached != all || all == 0 {
				t.Fatalf("%d of %d items cached after a build", cached, all)
			}
			warm := mustPublish(t, s)
			sameFiles(t, cold, warm)
			if name == "seed" {
				sameFiles(t, goldenDir, warm)
			}
			// Another base URL is another key: nothing is served from
			// the cache that links to the old one.
			other := mustBuilder(t, s, Options{BaseURL: "https://elsewhere.example/"})
			if cached, _ := cachedCount(t, s, other); cached != 0 {
				t.Errorf("%d items cached for another base URL", cached)
			}
		})
	}
}

// TestItemCache_ShowsChanges changes the seed's article (text, authors,
// URL) but not its interview, and publishes again from a warm cache: the
// feeds must be those of a store that only ever held the changed page,
// the interview's included, which shows its article's authors and URL.
func TestItemCache_ShowsChanges(t *testing.T) {
	s, p := mustSeedStore(t)
	mustPublish(t, s) // fills the cache

	a := *p.Article
	a.Blocks = append([]record.Block{{Type: record.BlockParagraph, Text: "改写后的第一段。"}}, a.Blocks[1:]...)
	a.Authors = []string{"新作者"}
	a.URL = "https://www.example.com/changed/1.html"
	a.ContentHash = "changed"
	changed := *p
	changed.Article, changed.ContentHash = &a, a.ContentHash
	mustWrite(t, s, &changed)
	got := mustPublish(t, s)

	fresh := mustOpenStore(t)
	mustWrite(t, fresh, &changed)
	sameFiles(t, mustPublish(t, fresh), got)

	for _, f := range []string{"articles.atom", "interviews.rss", "interviews.json"} {
		data := string(mustReadFile(t, filepath.Join(got, f)))
		if !strings.Contains(data, "新作者") || !strings.Contains(data, a.URL) {
			t.Errorf("%s does not show the changed article's author and URL", f)
		}
	}
	if data := string(mustReadFile(t, filepath.Join(got, "articles.json"))); !strings.Contains(data, "改写后的第一段") {
		t.Error("articles.json does not show the changed text")
	}
}

// TestItemCache_ReadOnlyStore builds from a store opened read-only: items
// are rendered every time and nothing is kept, with the same feeds.
func TestItemCache_ReadOnlyStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	w, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, seedPage(t))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := mustPublish(t, r)
	sameFiles(t, goldenDir, out)
	if cached, _ := cachedCount(t, r, mustBuilder(t, r, Options{})); cached != 0 {
		t.Errorf("a read-only store cached %d items", cached)
	}
}

func TestEncodeItem_RoundTrip(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		newYork = time.FixedZone("EST", -5*3600)
	}
	for _, it := range []*Item{
		{ID: "a_1", Title: "标题", Link: "https://example.org/a", Summary: "s", Content: "<p>正文 \x00 ]]> &amp;</p>",
			Date:    time.Date(2025, 12, 8, 21, 39, 0, 0, time.FixedZone("CST", 8*3600)),
			Authors: []string{"甲", "乙"}, Tags: []string{"栏目"}, Language: "zh-CN"},
		{ID: "h_2", Date: time.Unix(0, 0).UTC()},
		{ID: "h_3", Title: strings.Repeat("x", 300), Date: time.Date(2026, 7, 1, 12, 0, 0, 123456789, newYork),
			Tags: []string{"", "b"}},
		{ID: "a_4", Date: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "a_5", Date: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(9*3600+30*60)))},
	} {
		data := encodeItem([]byte("prefix"), it)
		got, err := decodeItem(it.ID, data[len("prefix"):])
		if err != nil {
			t.Fatalf("%s: %v", it.ID, err)
		}
		_, off := it.Date.Zone()
		_, gotOff := got.Date.Zone()
		if !got.Date.Equal(it.Date) || gotOff != off || got.Date.Format(time.RFC3339Nano) != it.Date.Format(time.RFC3339Nano) ||
			got.Date.Format(time.RFC1123Z) != it.Date.Format(time.RFC1123Z) {
			t.Errorf("%s: date %v, want %v", it.ID, got.Date, it.Date)
		}
		got.Date = it.Date
		if !reflect.DeepEqual(got, it) {
			t.Errorf("%s: round trip gave\n%+v, want\n%+v", it.ID, got, it)
		}
		for n := range len(data) - len("prefix") {
			if _, err := decodeItem(it.ID, data[len("prefix"):len("prefix")+n]); err == nil && n < 16 {
				t.Errorf("%s: %d bytes decoded", it.ID, n)
			}
		}
	}
}

// itemFormatGolden is the hash of the seed's golden feeds that itemFormat
// was last set for (see TestItemFormat).
const itemFormatGolden = "77cf0ae1bca9281f1833194c6bd287a1"

// TestItemFormat fails when the seed's golden feeds changed without
// itemFormat being bumped: items cached by the old code would otherwise
// be served as they were rendered then.
func TestItemFormat(t *testing.T) {
	h := sha256.New()
	for _, f := range relFiles(t, goldenDir) {
		h.Write([]byte(f + "\x00"))
		h.Write(mustReadFile(t, filepath.Join(goldenDir, f)))
		h.Write([]byte{0})
	}
	if sum := hex.EncodeToString(h.Sum(nil)[:16]); sum != itemFormatGolden {
		t.Errorf("the golden feeds changed: if items render differently, bump itemFormat (now %d); "+
			"then set itemFormatGolden to %q", itemFormat, sum)
	}
}

// TestAtomEntry checks that atomEntry is gorilla/feeds' AtomEntry, field
// for field, but for its content.
func TestAtomEntry(t *testing.T) {
	ours, theirs := reflect.TypeFor[atomEntry](), reflect.TypeFor[feeds.AtomEntry]()
	if ours.NumField() != theirs.NumField() {
		t.Fatalf("%d fields, gorilla/feeds has %d", ours.NumField(), theirs.NumField())
	}
	for i := range ours.NumField() {
		o, g := ours.Field(i), theirs.Field(i)
		if o.Name != g.Name || o.Tag != g.Tag || (o.Type != g.Type && o.Name != "Content") {
			t.Errorf("field %d: %s %v %q, gorilla/feeds has %s %v %q", i, o.Name, o.Type, o.Tag, g.Name, g.Type, g.Tag)
		}
	}
}

// TestEscapeXMLText: the byte-wise escaping writes what encoding/xml
// writes, and built items' content is valid UTF-8 as it assumes.
func TestEscapeXMLText(t *testing.T) {
	cases := []string{"", "plain", "<p>a & b \"q\" 'a'</p>\t\n\r", "全角，标点。", "\uFFFE\uFFFF x", "\uFFFD",
		"\x00\x01 ctl", "bad \xff\xfe utf8", "\xef", "\xef\xbf", "x\xef\xbf\xbe", hostileTitle}
	for _, spec := range []Spec{{Kind: record.KindArticle}, {Kind: record.KindInterview}, {Kind: record.KindHeadline}} {
		for _, s := range []*store.Store{mustHostileStore(t), func() *store.Store { s, _ := mustSeedStore(t); return s }()} {
			f, err := mustBuilder(t, s, Options{}).Build(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range f.Items {
				if !utf8.ValidString(it.Content) || it.valid != it.Content {
					t.Errorf("%s: content not valid UTF-8 or not marked", it.ID)
				}
				cases = append(cases, it.Content)
			}
		}
	}
	for _, s := range cases {
		var want strings.Builder
		xml.EscapeText(&want, []byte(s))
		if got := escapeXMLText(s, utf8.ValidString(s)); got != want.String() {
			t.Errorf("escapeXMLText(%.40q) = %.80q, want %.80q", s, got, want.String())
		}
	}
}
