package testsite

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"newsfeed/parse"
)

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// The site's articles parse with its profile into complete records.
func TestSite_ArticleParses(t *testing.T) {
	site := New(t, 3)
	text, err := ProfileText()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := parse.ParseProfiles(strings.NewReader(text), "site")
	if err != nil {
		t.Fatal(err)
	}
	for _, gbk := range []bool{false, true} {
		site.SetGBK(gbk)
		resp, body := get(t, site.ArticleURL(1), nil)
		res, err := parse.Page(body, parse.Options{URL: site.ArticleURL(1), ContentType: resp.Header.Get("Content-Type"), Profiles: ps})
		if err != nil {
			t.Fatal(err)
		}
		a := res.Article
		if a.Title != "测试新闻第1篇:观察者网的一篇报道" || len(a.Texts()) != 6 || a.Published == nil || a.Site != "观察者网" || a.Editor != "李编辑" {
			t.Errorf("gbk %v: article %+v", gbk, a)
		}
		if !a.Published.Equal(site.Base.Add(time.Hour)) {
			t.Errorf("published %v", a.Published)
		}
	}
}

func TestSite_Validators(t *testing.T) {
	site := New(t, 1)
	resp, _ := get(t, site.ArticleURL(0), nil)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp, _ := get(t, site.ArticleURL(0), map[string]string{"If-None-Match": etag}); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	site.Edit(0, "新的一段。")
	if resp, _ := get(t, site.ArticleURL(0), map[string]string{"If-None-Match": etag, "If-Modified-Since": lm}); resp.StatusCode != 200 {
		t.Errorf("after an edit: %d", resp.StatusCode)
	}
	site.SetValidators(ChangingETag)
	resp, _ = get(t, site.ArticleURL(0), nil)
	e1 := resp.Header.Get("ETag")
	resp, _ = get(t, site.ArticleURL(0), map[string]string{"If-None-Match": e1})
	e2 := resp.Header.Get("ETag")
	if resp.StatusCode != 304 || e2 == e1 {
		t.Errorf("changing etag: %d, %q then %q", resp.StatusCode, e1, e2)
	}
	if resp, _ := get(t, site.ArticleURL(0), map[string]string{"If-None-Match": e1}); resp.StatusCode != 200 {
		t.Errorf("a stale etag got %d", resp.StatusCode)
	}
	if st := site.Stats(); st.Requests != 6 || st.NotModified != 2 || st.Conditional != 4 {
		t.Errorf("stats %+v", st)
	}
}

// A removed article leaves every list and its page answers 404; the
// others stay.
func TestSite_Remove(t *testing.T) {
	site := New(t, 3)
	gone := site.ArticleURL(1)
	site.Remove(1)
	if resp, _ := get(t, gone, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removed article: %d", resp.StatusCode)
	}
	if resp, _ := get(t, site.ArticleURL(2), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("article 2: %d", resp.StatusCode)
	}
	path := strings.TrimPrefix(gone, site.URL(""))
	for _, list := range []string{SectionPath, FeedPath, SitemapPath} {
		_, body := get(t, site.URL(list), nil)
		if strings.Contains(string(body), path) {
			t.Errorf("%s still lists %s", list, path)
		}
		if !strings.Contains(string(body), strings.TrimPrefix(site.ArticleURL(2), site.URL(""))) {
			t.Errorf("%s lost article 2", list)
		}
	}
}
