package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/nats-io/nats.go"
)

// WorkMessage is one article to fetch, the body of a work-stream message
// (JSON). It carries what a worker needs to read the page as the
// one-machine run would: the source's name and site, and the source's
// own profile file as text (the --profiles file is each worker's own
// flag, as it is each run's).
type WorkMessage struct {
	URL      string `json:"url"`
	Source   string `json:"source,omitempty"`
	Site     string `json:"site,omitempty"`
	Profiles string `json:"profiles,omitempty"`
	// Marker stands for the list page as polled (article.Work.Marker);
	// with URL it makes the message id.
	Marker string `json:"marker,omitempty"`
	// New says the scheduler's fetch state had no record of the URL
	// (article.Work.New): the worker fetches it without reading the state
	// first, unless the message is a redelivery.
	New bool `json:"new,omitempty"`
	// Refresh says the source refreshes its articles: the worker indexes
	// the URL's state under the source (sharedfetch.State.PutURLStatesIndexed).
	Refresh bool `json:"refresh,omitempty"`
}

// ErrBadWork wraps every reason DecodeWork refuses a message.
var ErrBadWork = errors.New("bad work message")

// EncodeWork returns the work-stream message for m. Its Nats-Msg-Id is
// the URL and the marker: the same article of the same list, scheduled
// twice within the stream's duplicate window, is queued once.
func EncodeWork(subject string, m WorkMessage) (*nats.Msg, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode work %s: %w", m.URL, err)
	}
	msg := nats.NewMsg(subject)
	msg.Data = body
	msg.Header.Set(nats.MsgIdHdr, m.URL+" "+m.Marker)
	return msg, nil
}

// DecodeWork reads a work message's body. It refuses bad JSON and a
// message whose url is missing or no absolute http(s) URL, with an error
// wrapping ErrBadWork; the caller names the message.
func DecodeWork(data []byte) (WorkMessage, error) {
	var m WorkMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return WorkMessage{}, fmt.Errorf("%w: %w", ErrBadWork, err)
	}
	if m.URL == "" {
		return m, fmt.Errorf("%w: no url", ErrBadWork)
	}
	u, err := url.Parse(m.URL)
	if err != nil {
		return m, fmt.Errorf("%w: url: %w", ErrBadWork, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return m, fmt.Errorf("%w: url %q is no http(s) URL", ErrBadWork, m.URL)
	}
	return m, nil
}
