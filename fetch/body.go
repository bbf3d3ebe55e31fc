package fetch

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// acceptEncoding is what we ask for; the transport's own transparent gzip
// is off so that the decoded size can be capped here.
const acceptEncoding = "gzip, br"

// errUnsupportedEncoding: a Content-Encoding we did not ask for.
var errUnsupportedEncoding = errors.New("unsupported Content-Encoding")

// Decoders are reused: each holds tens of KiB of window and tables.
var gzipReaders, brotliReaders sync.Pool

// cappedReader reads at most max bytes from r; reading a byte more fails
// with an error wrapping ErrTooLarge, never a silent truncation.
type cappedReader struct {
	r    io.Reader
	left int64  // bytes still allowed
	what string // "body" or "decoded body", for the error
	max  int64
	n    int64 // bytes read so far
}

func newCappedReader(r io.Reader, max int64, what string) *cappedReader {
	return &cappedReader{r: r, left: max, what: what, max: max}
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, fmt.Errorf("%s over %d bytes: %w", c.what, c.max, ErrTooLarge)
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.left -= int64(n)
	if c.left < 0 {
		// One byte beyond the cap was read: the body is too large. The
		// bytes up to the cap are handed back; the next Read fails.
		n--
		c.n--
		if err == io.EOF {
			err = nil
		}
	}
	return n, err
}

// readBody reads resp's body, undoing its Content-Encoding, with both the
// bytes on the wire and the decoded bytes capped at max. It returns the
// decoded body and the number of bytes read from the wire.
func readBody(resp *http.Response, max int64) ([]byte, int64, error) {
	if resp.ContentLength > max {
		return nil, 0, fmt.Errorf("body of %d bytes (Content-Length) over %d: %w", resp.ContentLength, max, ErrTooLarge)
	}
	raw := newCappedReader(resp.Body, max, "body")
	var dec io.Reader
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch encoding {
	case "", "identity":
		dec = raw
	case "gzip", "x-gzip":
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(raw)
		} else {
			err = zr.Reset(raw)
		}
		if err != nil {
			return nil, raw.n, fmt.Errorf("gzip body: %w", err)
		}
		defer gzipReaders.Put(zr)
		dec = newCappedReader(zr, max, "decoded body")
	case "br":
		br, _ := brotliReaders.Get().(*brotli.Reader)
		if br == nil {
			br = brotli.NewReader(raw)
		} else if err := br.Reset(raw); err != nil {
			return nil, raw.n, fmt.Errorf("br body: %w", err)
		}
		defer brotliReaders.Put(br)
		dec = newCappedReader(br, max, "decoded body")
	default:
		return nil, 0, fmt.Errorf("%w %q", errUnsupportedEncoding, encoding)
	}
	var buf bytes.Buffer
	if encoding == "" && resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	if _, err := buf.ReadFrom(dec); err != nil {
		if encoding != "" && raw.left >= 0 {
			err = fmt.Errorf("%s body: %w", encoding, err)
		}
		return nil, raw.n, err
	}
	return buf.Bytes(), raw.n, nil
}

// drain reads a little of a body we do not use, so that the connection
// can be reused, then closes it.
func drain(body io.ReadCloser) int64 {
	n, _ := io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	body.Close()
	return n
}
