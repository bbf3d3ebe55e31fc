package serve

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"newsfeed/fetch"
)

// Defaults of the picture proxy.
const (
	// DefaultImageMaxBytes is the largest picture the proxy fetches.
	DefaultImageMaxBytes = 8 << 20
	// DefaultImageCacheBytes bounds the proxy's disk cache.
	DefaultImageCacheBytes = 256 << 20
)

// imageProxy serves the pictures of served feeds from newsfeed's own
// origin, for readers behind hotlink protection: /img/<sig>/<url>,
// where url is the picture's URL in unpadded base64url (with the
// picture's extension after a dot, for readers that look at it) and sig
// its HMAC-SHA256 under a key only this server knows, so that only the
// URLs it wrote can be fetched. Pictures are fetched with package fetch
// (its address guard refuses loopback and private addresses, a size
// cap, timeouts, per-host limits; robots.txt is not asked: a picture is
// part of a page already fetched), must be served as image/*, and are
// kept in a disk cache of bounded size.
type imageProxy struct {
	key      []byte
	prefix   string // the base URL's path + "img/"
	base     string // the absolute base URL + "img/"
	fetcher  *fetch.Fetcher
	dir      string
	maxCache int64
	// mu makes cache writes and evictions one at a time.
	mu sync.Mutex
}

// newImageProxy returns the proxy of a server whose database is db and
// base URL base (with its trailing slash). The key is read from
// db.image-key, made (32 random bytes, mode 0600) when missing: the
// database is opened read-only by the server, so the key lives beside
// it. Cached pictures go to db.images/.
func newImageProxy(db, base, basePath string, maxBytes, maxCache int64, allow []netip.AddrPort) (*imageProxy, error) {
	dir := db + ".images"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("serve: image proxy cache: %w", err)
	}
	keyFile := db + ".image-key"
	key, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(key) < 32) {
		key = make([]byte, 32)
		rand.Read(key) // crypto/rand does not fail
		if err := os.WriteFile(keyFile, key, 0o600); err != nil {
			return nil, fmt.Errorf("serve: image proxy key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("serve: image proxy key: %w", err)
	}
	if maxBytes <= 0 {
		maxBytes = DefaultImageMaxBytes
	}
	if maxCache <= 0 {
		maxCache = DefaultImageCacheBytes
	}
	f := fetch.New(fetch.Config{
		MaxBytes: maxBytes, PerHost: 2, Delay: -1, Retries: 1, IgnoreRobots: true,
		Timeout: 20 * time.Second, AllowAddrs: allow,
	})
	return &imageProxy{key: key, prefix: basePath + "img/", base: base + "img/", fetcher: f, dir: dir, maxCache: maxCache}, nil
}

// sign returns the signature of a picture URL.
func (p *imageProxy) sign(raw string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(raw))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// URL returns the proxy's absolute URL for the picture at raw.
func (p *imageProxy) URL(raw string) string {
	u := p.base + p.sign(raw) + "/" + base64.RawURLEncoding.EncodeToString([]byte(raw))
	if ext := strings.ToLower(path.Ext(strings.SplitN(strings.SplitN(raw, "?", 2)[0], "#", 2)[0])); len(ext) > 1 && len(ext) <= 5 &&
		strings.Trim(ext[1:], "abcdefghijklmnopqrstuvwxyz0123456789") == "" {
		u += ext
	}
	return u
}

// errNotImage is returned, wrapped, for a body that is not a picture.
var errNotImage = errors.New("not a picture")

// serve answers a request for rel (the path after the proxy's prefix):
// 403 for a signature that does not match, 502 for a picture that
// cannot be fetched (a private address, too large, not an image/*
// type), else the picture with a strong ETag, 304 on If-None-Match.
func (p *imageProxy) serve(w http.ResponseWriter, r *http.Request, rel string) {
	sig, enc, ok := strings.Cut(rel, "/")
	if i := strings.IndexByte(enc, '.'); i >= 0 {
		enc = enc[:i]
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || !hmac.Equal([]byte(sig), []byte(p.sign(string(raw)))) {
		http.Error(w, "403 not a picture URL this server wrote", http.StatusForbidden)
		return
	}
	ctype, body, err := p.get(r.Context(), string(raw))
	if err != nil {
		http.Error(w, "502 "+err.Error(), http.StatusBadGateway)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=86400")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagListMatches(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	// An SVG is a document: it must run nothing on this origin.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// get returns the picture at raw and its type, from the cache or
// fetched (and then cached).
func (p *imageProxy) get(ctx context.Context, raw string) (string, []byte, error) {
	sum := sha256.Sum256([]byte(raw))
	file := filepath.Join(p.dir, hex.EncodeToString(sum[:]))
	if data, err := os.ReadFile(file); err == nil {
		if ctype, body, ok := bytes.Cut(data, []byte{'\n'}); ok {
			now := time.Now()
			os.Chtimes(file, now, now) // recently used: evicted last
			return string(ctype), body, nil
		}
	}
	resp, err := p.fetcher.Get(ctx, raw, fetch.Validators{})
	if err != nil {
		return "", nil, err
	}
	ctype := strings.TrimSpace(strings.SplitN(resp.ContentType, ";", 2)[0])
	if !strings.HasPrefix(strings.ToLower(ctype), "image/") {
		return "", nil, fmt.Errorf("%s: %w (Content-Type %q)", raw, errNotImage, resp.ContentType)
	}
	p.keep(file, append(append([]byte(ctype), '\n'), resp.Body...))
	return ctype, resp.Body, nil
}

// keep writes data to file atomically and evicts the least recently
// used pictures while the cache is over its bound. A cache that cannot
// be written is no error: the picture is served anyway.
func (p *imageProxy) keep(file string, data []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tmp, err := os.CreateTemp(p.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
		return
	}
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		return
	}
	type cached struct {
		name string
		size int64
		used time.Time
	}
	var all []cached
	var total int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			all = append(all, cached{e.Name(), info.Size(), info.ModTime()})
			total += info.Size()
		}
	}
	slices.SortFunc(all, func(a, b cached) int { return a.used.Compare(b.used) })
	for _, c := range all {
		if total <= p.maxCache {
			break
		}
		if os.Remove(filepath.Join(p.dir, c.name)) == nil {
			total -= c.size
		}
	}
}
