package fetch

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func TestGet_OK(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=gbk")
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("<html>hello</html>"))
	})
	f := newFetcher(t, testConfig(t, s))
	resp, err := f.Get(context.Background(), s.URL+"/a#comments", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "<html>hello</html>" || resp.Status != 200 || resp.NotModified {
		t.Errorf("got %+v", resp)
	}
	if resp.ContentType != "text/html; charset=gbk" {
		t.Errorf("ContentType = %q", resp.ContentType)
	}
	if resp.Validators != (Validators{ETag: `"v1"`}) {
		t.Errorf("Validators = %+v", resp.Validators)
	}
	if resp.URL != s.URL+"/a" {
		t.Errorf("URL = %q", resp.URL)
	}
	got := s.requests(true)
	if len(got) != 1 {
		t.Fatalf("server got %d requests", len(got))
	}
	if ua := got[0].Header.Get("User-Agent"); ua != "newsfeed/test (+https://example.org/contact)" {
		t.Errorf("User-Agent = %q", ua)
	}
	if st := f.Stats(); st.Requests != 1 || st.Bytes != int64(len(resp.Body)) {
		t.Errorf("Stats = %+v", st)
	}
}

func TestGet_PrivateRefused(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {})
	f := newFetcher(t, Config{IgnoreRobots: true})
	_, err := f.Get(context.Background(), s.URL+"/", Validators{})
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("err = %v, want ErrPrivateAddress", err)
	}
	if n := len(s.requests(true)); n != 0 {
		t.Errorf("server got %d requests", n)
	}
}
