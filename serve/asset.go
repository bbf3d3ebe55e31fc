package serve

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// asset is one response body kept in memory with everything its
// headers need, precomputed so that serving it allocates nothing: the
// header values are slices shared by every response (net/http never
// changes them).
type asset struct {
	body, gz []byte
	// etag, gzETag: the strong ETags of the identity and the gzip
	// representation (they differ: the bytes do).
	etag, gzETag string
	// lastModified is zero when the asset has no date.
	lastModified time.Time

	hType, hETag, hGzETag, hLastModified, hLen, hGzLen []string
	// hPageType, when set, is the Content-Type for a browser that asks
	// for a page (see pageType); hVary then names Accept too.
	hPageType, hVary []string

	// counters are the metrics of the asset's route.
	counters *routeCounters
}

// minGzip is the smallest body worth compressing.
const minGzip = 512

// newAsset returns body as an asset of media type ctype, compressed once
// here when that makes it smaller.
func newAsset(body []byte, ctype string, lastModified time.Time) *asset {
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:18])
	a := &asset{
		body:         body,
		etag:         `"` + tag + `"`,
		gzETag:       `"` + tag + `-gz"`,
		lastModified: lastModified,
		hType:        []string{ctype},
		hLen:         []string{strconv.Itoa(len(body))},
		hVary:        hVaryEncoding,
	}
	a.hETag, a.hGzETag = []string{a.etag}, []string{a.gzETag}
	if !lastModified.IsZero() {
		a.hLastModified = []string{lastModified.UTC().Format(http.TimeFormat)}
	}
	if len(body) >= minGzip {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
		zw.Write(body)                                           // writes to a bytes.Buffer do not fail
		zw.Close()
		if buf.Len() < len(body) {
			a.gz = buf.Bytes()
			a.hGzLen = []string{strconv.Itoa(len(a.gz))}
		}
	}
	return a
}

// withPageType makes a serve its bytes as generic XML to browsers that
// navigate to it (see pageType), and returns a.
func (a *asset) withPageType() *asset {
	a.hPageType, a.hVary = hXMLPage, hVaryAccept
	return a
}

// Header values every asset response shares.
var (
	hVaryEncoding = []string{"Accept-Encoding"}
	hVaryAccept   = []string{"Accept, Accept-Encoding"}
	hXMLPage      = []string{"application/xml; charset=utf-8"}
	hGzip         = []string{"gzip"}
	hNoSniff      = []string{"nosniff"}
	hAllowGET     = []string{"GET, HEAD"}
)

// serveAsset answers a GET or HEAD for a: 304 when the request's
// validators match, else the body, gzip-compressed when the client takes
// it. It returns the status and the body bytes written.
func serveAsset(w http.ResponseWriter, r *http.Request, a *asset, cacheControl []string) (int, int) {
	h := w.Header()
	useGzip := a.gz != nil && acceptsGzip(r.Header["Accept-Encoding"])
	h["Cache-Control"] = cacheControl
	h["Vary"] = a.hVary
	if useGzip {
		h["Etag"] = a.hGzETag
	} else {
		h["Etag"] = a.hETag
	}
	if notModified(r, a) {
		// RFC 9110 §15.4.5: the fields a 200 would have sent that
		// caches update from, and no representation metadata.
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified, 0
	}
	h["Content-Type"] = a.hType
	if a.hPageType != nil && pageType(r.Header["Accept"]) {
		h["Content-Type"] = a.hPageType
	}
	h["X-Content-Type-Options"] = hNoSniff
	if a.hLastModified != nil {
		h["Last-Modified"] = a.hLastModified
	}
	body := a.body
	if useGzip {
		h["Content-Encoding"] = hGzip
		h["Content-Length"] = a.hGzLen
		body = a.gz
	} else {
		h["Content-Length"] = a.hLen
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return http.StatusOK, 0
	}
	n, _ := w.Write(body) // a client gone away is no error of ours
	return http.StatusOK, n
}

// pageType reports whether the Accept values are a browser's navigation
// (text/html wanted, no feed type named). Browsers show
// application/atom+xml and application/rss+xml as plain text, or
// download them, without running the xml-stylesheet processing
// instruction; served as application/xml, the same bytes become a page.
// Feed readers name a feed type, or send */* or nothing, and get the
// feed's own type.
func pageType(accept []string) bool {
	html := false
	for _, v := range accept {
		if strings.Contains(v, "application/atom+xml") || strings.Contains(v, "application/rss+xml") {
			return false
		}
		html = html || strings.Contains(v, "text/html")
	}
	return html
}

// notModified evaluates the request's preconditions as RFC 9110 §13.2.2
// says: If-None-Match when present (weak comparison, either
// representation's ETag, or *), else If-Modified-Since against
// Last-Modified, to the second.
func notModified(r *http.Request, a *asset) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		for _, v := range inm {
			if etagListMatches(v, a.etag, a.gzETag) {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || a.lastModified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	return !a.lastModified.Truncate(time.Second).After(t)
}

// etagListMatches reports whether the If-None-Match list v names one of
// the tags (weak comparison: a W/ prefix is ignored) or is "*".
func etagListMatches(v string, tags ...string) bool {
	for v != "" {
		var item string
		item, v, _ = strings.Cut(v, ",")
		item = strings.TrimSpace(item)
		if item == "*" {
			return true
		}
		item = strings.TrimPrefix(item, "W/")
		for _, t := range tags {
			if item == t {
				return true
			}
		}
	}
	return false
}

// acceptsGzip reports whether the Accept-Encoding values take gzip:
// named (or x-gzip, or *) with a q-value other than 0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			if !strings.EqualFold(name, "gzip") && !strings.EqualFold(name, "x-gzip") && name != "*" {
				continue
			}
			return !zeroQ(params)
		}
	}
	return false
}

// zeroQ reports whether the parameters of an Accept-Encoding item set
// q to zero ("q=0", "q=0.0", "q=0.000").
func zeroQ(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		return err == nil && q == 0
	}
	return false
}
