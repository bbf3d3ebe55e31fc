package sharedfetch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsfeed/record"
)

// The fetch-state bucket's keys and values are those written before the
// cluster was split (testdata/kv.txt): a bucket written then is read
// after.
func TestKV_Golden(t *testing.T) {
	var kv []string
	for _, s := range []string{"news.example.com", "Example.COM:8080", "[::1]:80", "", "a..b", ".x.", "新闻.cn", "section one"} {
		kv = append(kv, "host "+s+" = "+keyURL+"|"+keyDefer+keyPart(s, true)+"|"+keySlot+"3."+keyPart(s, true)+
			"|"+keyRobots+keyPart(s, true)+"|"+keyRobotsLock+keyPart(s, true)+"|"+keyNext+keyPart(s, true)+"|"+keyPause+keyPart(s, true))
		kv = append(kv, "source "+s+" = "+sourceIndex(s)+urlHash("https://x/"+s)+"|"+keyPoll+keyPart(s, false))
	}
	at := time.Date(2026, 11, 29, 9, 0, 0, 123456789, time.UTC)
	for _, v := range []any{
		urlValue{URL: "https://x/a", URLState: record.URLState{Source: "s", ETag: `"e"`, LastModified: "Sun, 29 Nov 2026 08:00:00 GMT",
			BodyHash: "abc", Status: 200, FirstFetched: at, LastFetched: at.Add(time.Hour), LastChanged: at}},
		leaseValue{Owner: "h:1:ab", Until: at}, nextValue{Last: at}, deferValue{Until: at, Reason: "429"},
		srcValue{FirstFetched: at}, timeValue{At: at},
		robotsValue{Status: 200, Body: []byte("User-agent: *\nDisallow: /x\n"), Fetched: at, Expires: at.Add(24 * time.Hour)},
	} {
		kv = append(kv, string(encodeValue(v)))
	}
	want, err := os.ReadFile(filepath.Join("testdata", "kv.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kv, "\n") + "\n"; got != string(want) {
		t.Errorf("keys and values:\n%s\nwant testdata/kv.txt:\n%s", got, want)
	}
}
