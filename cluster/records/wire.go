package records

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"newsfeed/record"
)

// SeenHeader carries a page's Seen time (RFC 3339, nanoseconds) beside
// its body, so that the body, and with it the message id, is the same
// whenever the same page is read again.
const SeenHeader = "Newsfeed-Seen"

// messageBody is the JSON body of a records-stream message: one parsed
// page. The records keep the JSON the parser's side encoded, byte for
// byte. Messages written before the fetch state moved out of the page
// also carry "etag" and "last_modified" (after content_hash); they are
// read and ignored.
type messageBody struct {
	Source      string             `json:"source"`
	ContentHash string             `json:"content_hash,omitempty"`
	Article     json.RawMessage    `json:"article,omitempty"`
	Interview   json.RawMessage    `json:"interview,omitempty"`
	Headlines   []*record.Headline `json:"headlines,omitempty"`
}

// EncodePage returns the records-stream message for a page. Its
// Nats-Msg-Id is the SHA-256 of the body: the same page, read again with
// the same content (a redelivered fetch, say), is dropped by the stream's
// duplicate window, and a store that gets it anyway changes nothing.
func EncodePage(subject string, p *record.Page) (*nats.Msg, error) {
	aj, err := recordJSON(p.ArticleJSON, p.Article)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", p.Source, err)
	}
	ij, err := recordJSON(p.InterviewJSON, p.Interview)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", p.Source, err)
	}
	// The records' JSON is spliced in as it is, the headlines' too: json.Marshal
	// would check and compact a RawMessage, or what a MarshalJSON method
	// returns, again, which cost as much as the rest. The bytes are those
	// json.Marshal of the whole messageBody gives.
	head, err := json.Marshal(messageBody{Source: p.Source, ContentHash: p.ContentHash})
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", p.Source, err)
	}
	body := make([]byte, 0, len(head)+len(aj)+len(ij)+512*len(p.Headlines)+32)
	body = append(body, head[:len(head)-1]...) // without its closing brace
	if len(p.Headlines) > 0 {
		body = append(body, `,"headlines":[`...)
		for i, h := range p.Headlines {
			if i > 0 {
				body = append(body, ',')
			}
			if h == nil {
				body = append(body, "null"...)
				continue
			}
			hj, err := h.MarshalJSON()
			if err != nil {
				return nil, fmt.Errorf("encode %s: %w", p.Source, err)
			}
			body = append(body, hj...)
		}
		body = append(body, ']')
	}
	if aj != nil {
		body = append(append(body, `,"article":`...), aj...)
	}
	if ij != nil {
		body = append(append(body, `,"interview":`...), ij...)
	}
	body = append(body, '}')
	sum := sha256.Sum256(body)
	m := nats.NewMsg(subject)
	m.Data = body
	m.Header.Set(nats.MsgIdHdr, hex.EncodeToString(sum[:]))
	if !p.Seen.IsZero() {
		m.Header.Set(SeenHeader, p.Seen.UTC().Format(time.RFC3339Nano))
	}
	return m, nil
}

// recordJSON returns a record's JSON: the bytes already encoded, else
// v encoded; nil for a nil record.
func recordJSON[T any](encoded []byte, v *T) (json.RawMessage, error) {
	switch {
	case encoded != nil:
		return encoded, nil
	case v == nil:
		return nil, nil
	}
	return json.Marshal(v)
}

// legacyArticle reports an article's JSON written before its body became
// blocks: it has a "paragraphs" or "captions" key. Inside a JSON string a
// quote is escaped, so these bytes can only be a key.
func legacyArticle(data []byte) bool {
	return bytes.Contains(data, []byte(`"paragraphs":`)) || bytes.Contains(data, []byte(`"captions":`))
}

// DecodePage reads a records-stream message back into a page, its
// records' JSON kept as sent.
func DecodePage(data []byte, header nats.Header) (*record.Page, error) {
	var w messageBody
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	p := &record.Page{Source: w.Source, ContentHash: w.ContentHash, Headlines: w.Headlines}
	if len(w.Article) > 0 {
		p.Article, p.ArticleJSON = new(record.Article), w.Article
		if err := json.Unmarshal(w.Article, p.Article); err != nil {
			return nil, fmt.Errorf("decode page %s: article: %w", w.Source, err)
		}
		if legacyArticle(w.Article) {
			// Sent before articles' bodies became blocks: the record
			// read them as blocks (record.Article.UnmarshalJSON), and
			// is encoded again rather than stored as sent.
			p.ArticleJSON = nil
		}
	}
	if len(w.Interview) > 0 {
		p.Interview, p.InterviewJSON = new(record.Interview), w.Interview
		if err := json.Unmarshal(w.Interview, p.Interview); err != nil {
			return nil, fmt.Errorf("decode page %s: interview: %w", w.Source, err)
		}
	}
	if s := header.Get(SeenHeader); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("decode page %s: %s: %w", w.Source, SeenHeader, err)
		}
		p.Seen = t
	}
	if p.Article == nil {
		return nil, fmt.Errorf("decode page %s: no article", w.Source)
	}
	return p, nil
}
