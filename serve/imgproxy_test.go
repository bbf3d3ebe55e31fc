package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// TestServe_ImageProxy: with the picture proxy on, served feeds point
// their pictures at /img/…; a signed URL is fetched (once: the second
// request is served from the cache, 304 on If-None-Match); an unsigned
// or altered one is 403; a private address the fetcher does not allow,
// a body that is not a picture and one over the size cap are refused.
func TestServe_ImageProxy(t *testing.T) {
	var hits atomic.Int64
	pics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/page.png":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>not a picture</html>"))
		case r.URL.Path == "/huge.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(bytes.Repeat([]byte{0}, 200<<10))
		case strings.HasSuffix(r.URL.Path, ".png"):
			w.Header().Set("Content-Type", "image/png")
			w.Write(bigPNG)
		default:
			http.NotFound(w, r)
		}
	}))
	defer pics.Close()
	other := newImageServer(t) // on loopback, and not allowed
	ts := startServer(t, Config{DB: pictureDB(t, pics.URL), ImageProxy: true, ImageMaxBytes: 100 << 10,
		ImageAllow: []netip.AddrPort{netip.MustParseAddrPort(strings.TrimPrefix(pics.URL, "http://"))}}, "")

	_, body := get(t, "GET", ts.url+"articles.json")
	var doc struct {
		Items []struct {
			Content string `json:"content_html"`
			Image   string `json:"image"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) == 0 {
		t.Fatal("no items")
	}
	it := doc.Items[0]
	if strings.Contains(it.Content, pics.URL) || !strings.Contains(it.Content, `<img src="`+ts.url+"img/") ||
		!strings.HasPrefix(it.Image, ts.url+"img/") || !strings.HasSuffix(it.Image, ".png") {
		t.Fatalf("pictures not proxied: image %q, content %.300s", it.Image, it.Content)
	}

	resp, pic := get(t, "GET", it.Image)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(pic, bigPNG) {
		t.Fatalf("signed URL: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(pic))
	}
	before := hits.Load()
	r304, _ := get(t, "GET", it.Image, "If-None-Match", resp.Header.Get("ETag"))
	again, pic2 := get(t, "GET", it.Image)
	if r304.StatusCode != http.StatusNotModified || again.StatusCode != 200 || !bytes.Equal(pic2, bigPNG) {
		t.Errorf("again: %d, then %d", r304.StatusCode, again.StatusCode)
	}
	if hits.Load() != before {
		t.Errorf("the cached picture was fetched again (%d requests)", hits.Load()-before)
	}

	// Unsigned, altered signature, altered URL.
	rel := strings.TrimPrefix(it.Image, ts.url+"img/")
	sig, enc, _ := strings.Cut(rel, "/")
	altered := []byte(sig)
	altered[0] ^= 1
	for _, u := range []string{
		ts.url + "img/" + enc,
		ts.url + "img/" + string(altered) + "/" + enc,
		ts.url + "img/" + sig + "/" + "aHR0cDovL2V4YW1wbGUuY29tL3gucG5n",
	} {
		if r, _ := get(t, "GET", u); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", u, r.StatusCode)
		}
	}

	// Signed, but refused: a private address, not a picture, too large.
	for _, raw := range []string{other.URL + "/x.png", pics.URL + "/page.png", pics.URL + "/huge.png"} {
		u := ts.proxy.URL(raw)
		if r, b := get(t, "GET", u); r.StatusCode != http.StatusBadGateway {
			t.Errorf("%s: %d %s, want 502", raw, r.StatusCode, b)
		}
	}
	if other.hits.Load() != 0 {
		t.Error("the proxy reached a private address it was not allowed")
	}
}
