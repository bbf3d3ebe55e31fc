package testsite

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestPages(t *testing.T) {
	site, list, hot := ListSite(t, true)
	if len(list) != 20 || len(hot) != 6 {
		t.Fatalf("%d headlines, %d hot", len(list), len(hot))
	}
	get := func(path string) (int, string) {
		resp, err := http.Get(site.URL(path))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	code, body := get("/")
	if code != 200 {
		t.Fatalf("home: %d", code)
	}
	utf8, err := simplifiedchinese.GBK.NewDecoder().String(body)
	if err != nil || !strings.Contains(utf8, list[0].Title) || strings.Contains(body, list[0].Title) {
		t.Errorf("home is not GBK: %v", err)
	}
	if _, page := get(list[0].Path); !strings.Contains(page, site.URL(list[0].Path)) {
		t.Errorf("{{BASE}} not replaced in the article's canonical link")
	}
	if code, _ := get("/nowhere"); code != 404 {
		t.Errorf("/nowhere: %d", code)
	}
	if got := site.Requests(); strings.Join(got, " ") != "/ "+list[0].Path+" /nowhere" {
		t.Errorf("requests %v", got)
	}
}
