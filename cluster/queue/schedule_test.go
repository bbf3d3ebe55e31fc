package queue

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
)

func TestDecodeWork(t *testing.T) {
	tests := map[string]struct {
		body string
		want WorkMessage
		err  string
	}{
		"OK":          {`{"url":"https://a.example/1","source":"s","site":"A","marker":"m"}`, WorkMessage{URL: "https://a.example/1", Source: "s", Site: "A", Marker: "m"}, ""},
		"OnlyURL":     {`{"url":"http://a.example/1"}`, WorkMessage{URL: "http://a.example/1"}, ""},
		"UnknownKey":  {`{"url":"http://a.example/1","later":1}`, WorkMessage{URL: "http://a.example/1"}, ""},
		"Empty":       {``, WorkMessage{}, "bad work message: unexpected end of JSON input"},
		"BadJSON":     {`{"url":`, WorkMessage{}, "bad work message: unexpected end of JSON input"},
		"NotObject":   {`["https://a.example/1"]`, WorkMessage{}, "bad work message: json: cannot unmarshal array"},
		"WrongType":   {`{"url":5}`, WorkMessage{}, "bad work message: json: cannot unmarshal number"},
		"NoURL":       {`{"source":"s"}`, WorkMessage{}, "bad work message: no url"},
		"RelativeURL": {`{"url":"/a/1"}`, WorkMessage{}, `bad work message: url "/a/1" is no http(s) URL`},
		"FTP":         {`{"url":"ftp://a.example/1"}`, WorkMessage{}, `bad work message: url "ftp://a.example/1" is no http(s) URL`},
		"NoHost":      {`{"url":"https:///1"}`, WorkMessage{}, `bad work message: url "https:///1" is no http(s) URL`},
		"BadEscape":   {`{"url":"https://a.example/%zz"}`, WorkMessage{}, "bad work message: url: parse"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := DecodeWork([]byte(tt.body))
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) || !errors.Is(err, ErrBadWork) {
					t.Fatalf("error %v, want %q wrapping ErrBadWork", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// The message id is the URL and the marker: the same article of the
// same list is one message, another list version another.
func TestEncodeWork_MsgID(t *testing.T) {
	a, _ := EncodeWork("T.work", WorkMessage{URL: "https://a.example/1", Marker: "m1"})
	b, _ := EncodeWork("T.work", WorkMessage{URL: "https://a.example/1", Marker: "m1", Site: "other"})
	c, _ := EncodeWork("T.work", WorkMessage{URL: "https://a.example/1", Marker: "m2"})
	id := func(m *nats.Msg) string { return m.Header.Get(nats.MsgIdHdr) }
	if id(a) != id(b) || id(a) == id(c) || a.Subject != "T.work" {
		t.Errorf("ids %q %q %q", id(a), id(b), id(c))
	}
}

// Whatever the bytes, DecodeWork either refuses them or returns a
// message with an absolute http(s) URL that encodes and decodes back to
// itself.
func FuzzDecodeWork(f *testing.F) {
	for _, s := range []string{`{"url":"https://a.example/1","source":"s","site":"A","profiles":"[a.example]\ntitle: h1\n","marker":"m"}`,
		`{"url":"http://a.example/1"}`, `{"url":`, `{}`, `null`, `{"url":"ftp://x"}`, `{"url":"https://a.example/%zz"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeWork(data)
		if err != nil {
			if !errors.Is(err, ErrBadWork) {
				t.Fatalf("error %v does not wrap ErrBadWork", err)
			}
			return
		}
		u, err := url.Parse(m.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("accepted url %q", m.URL)
		}
		msg, err := EncodeWork("T.work", m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeWork(msg.Data)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip: %+v, %v; want %+v", back, err, m)
		}
	})
}
