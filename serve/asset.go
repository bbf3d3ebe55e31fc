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
	"unsafe"

	"github.com/valyala/fasthttp"
)

// asset is one response body kept in memory with everything its
// headers need, precomputed so that serving it allocates nothing: the
// header values are byte slices shared by every response (fasthttp
// copies them into the response's own buffer).
type asset struct {
	body, gz []byte
	// etag, gzETag: the strong ETags of the identity and the gzip
	// representation (they differ: the bytes do).
	etag, gzETag string
	// lastModified is zero when the asset has no date.
	lastModified time.Time

	hType, hETag, hGzETag, hLastModified []byte
	// hPageType, when set, is the Content-Type for a browser that asks
	// for a page (see pageType); hVary then names Accept too.
	hPageType, hVary []byte

	// page, when set, is what a browser's navigation to the asset
	// (Sec-Fetch-Dest: document) gets instead: a feed as an HTML page.
	page *asset

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
		hType:        []byte(ctype),
		hVary:        hVaryEncoding,
	}
	a.hETag, a.hGzETag = []byte(a.etag), []byte(a.gzETag)
	if !lastModified.IsZero() {
		a.hLastModified = []byte(lastModified.UTC().Format(http.TimeFormat))
	}
	if len(body) >= minGzip {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
		zw.Write(body)                                           // writes to a bytes.Buffer do not fail
		zw.Close()
		if buf.Len() < len(body) {
			a.gz = buf.Bytes()
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

// withDocumentPage makes page what a browser navigating to a gets (see
// pageFor); both then vary on Sec-Fetch-Dest.
func (a *asset) withDocumentPage(page *asset) {
	a.page = page
	if a.hPageType != nil {
		a.hVary = hVaryDestAccept
	} else {
		a.hVary = hVaryDest
	}
	page.hVary = a.hVary
}

// pageFor returns a's page when the request is a browser's navigation:
// Sec-Fetch-Dest: document, which browsers send when they navigate and
// feed readers do not (some readers ask for text/html in Accept, so
// Accept alone cannot tell). Any other request gets a itself.
func pageFor(req *fasthttp.RequestHeader, a *asset) *asset {
	if a.page != nil && string(req.PeekBytes(hdrSecFetchDest)) == "document" {
		return a.page
	}
	return a
}

// Header names and values of asset responses, made once.
var (
	hdrCacheControl  = []byte("Cache-Control")
	hdrVary          = []byte("Vary")
	hdrETag          = []byte("Etag")
	hdrLastModified  = []byte("Last-Modified")
	hdrNoSniff       = []byte("X-Content-Type-Options")
	hdrContentEncode = []byte("Content-Encoding")

	hVaryEncoding   = []byte("Accept-Encoding")
	hVaryAccept     = []byte("Accept, Accept-Encoding")
	hVaryDest       = []byte("Sec-Fetch-Dest, Accept-Encoding")
	hVaryDestAccept = []byte("Sec-Fetch-Dest, Accept, Accept-Encoding")
	hdrSecFetchDest = []byte("Sec-Fetch-Dest")
	hXMLPage        = []byte("application/xml; charset=utf-8")
	hGzip           = []byte("gzip")
	bNoSniff        = []byte("nosniff")
)

// Header values of the other routes' responses (net/http, see route).
var (
	hNoSniff  = []string{"nosniff"}
	hAllowGET = []string{"GET, HEAD"}
)

// serveAsset answers a GET or HEAD for a: 304 when the request's
// validators match, else the body, gzip-compressed when the client takes
// it. It returns the status and the body bytes written.
func serveAsset(c *fasthttp.RequestCtx, a *asset, cacheControl []byte) (int, int) {
	req, h := &c.Request.Header, &c.Response.Header
	useGzip := false
	if a.gz != nil {
		// The first item naming gzip decides, in whichever field line.
		for _, v := range req.PeekAll(fasthttp.HeaderAcceptEncoding) {
			if named, ok := gzipItem(b2s(v)); named {
				useGzip = ok
				break
			}
		}
	}
	h.SetCanonical(hdrCacheControl, cacheControl)
	h.SetCanonical(hdrVary, a.hVary)
	if useGzip {
		h.SetCanonical(hdrETag, a.hGzETag)
	} else {
		h.SetCanonical(hdrETag, a.hETag)
	}
	if notModified(req, a) {
		// RFC 9110 §15.4.5: the fields a 200 would have sent that
		// caches update from, and no representation metadata.
		c.SetStatusCode(http.StatusNotModified)
		return http.StatusNotModified, 0
	}
	ctype := a.hType
	if a.hPageType != nil && pageType(req.PeekAll(fasthttp.HeaderAccept)) {
		ctype = a.hPageType
	}
	h.SetContentTypeBytes(ctype)
	h.SetCanonical(hdrNoSniff, bNoSniff)
	if a.hLastModified != nil {
		h.SetCanonical(hdrLastModified, a.hLastModified)
	}
	body := a.body
	if useGzip {
		h.SetCanonical(hdrContentEncode, hGzip)
		body = a.gz
	}
	// The body is shared, never copied; fasthttp sets Content-Length
	// from it and sends none of it for a HEAD.
	c.Response.SetBodyRaw(body)
	if c.IsHead() {
		return http.StatusOK, 0
	}
	return http.StatusOK, len(body)
}

// b2s returns b as a string without copying. The string must not be
// kept: fasthttp reuses b once the request is answered.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// pageType reports whether the Accept values are a browser's navigation
// (text/html wanted, no feed type named). Browsers show
// application/atom+xml and application/rss+xml as plain text, or
// download them, without running the xml-stylesheet processing
// instruction; served as application/xml, the same bytes become a page.
// Feed readers name a feed type, or send */* or nothing, and get the
// feed's own type.
func pageType(accept [][]byte) bool {
	html := false
	for _, b := range accept {
		v := b2s(b)
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
func notModified(req *fasthttp.RequestHeader, a *asset) bool {
	if inm := req.PeekAll(fasthttp.HeaderIfNoneMatch); len(inm) > 0 {
		for _, v := range inm {
			if etagListMatches(b2s(v), a.etag, a.gzETag) {
				return true
			}
		}
		return false
	}
	ims := req.Peek(fasthttp.HeaderIfModifiedSince)
	if len(ims) == 0 || a.lastModified.IsZero() {
		return false
	}
	t, err := http.ParseTime(string(ims))
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

// acceptsGzip reports whether an Accept-Encoding value takes gzip:
// named (or x-gzip, or *) with a q-value other than 0.
func acceptsGzip(v string) bool {
	_, ok := gzipItem(v)
	return ok
}

// gzipItem finds the first item of an Accept-Encoding value that names
// gzip (or x-gzip, or *), and reports whether there is one and whether
// its q-value is other than 0.
func gzipItem(v string) (named, ok bool) {
	for v != "" {
		var item string
		item, v, _ = strings.Cut(v, ",")
		name, params, _ := strings.Cut(item, ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && !strings.EqualFold(name, "x-gzip") && name != "*" {
			continue
		}
		return true, !zeroQ(params)
	}
	return false, false
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
