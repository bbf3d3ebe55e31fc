package cluster

import (
	"context"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The publish errors the scheduler waits on, and the ones it gives up on.
func TestPublishErrors(t *testing.T) {
	api := func(code int, errCode jetstream.ErrorCode, desc string) error {
		return fmt.Errorf("nats: %w", &jetstream.APIError{Code: code, ErrorCode: errCode, Description: desc})
	}
	tests := map[string]struct {
		err               error
		full, unavailable bool
	}{
		"MaxMsgs":      {api(503, 10077, "maximum messages exceeded"), true, true},
		"MaxBytes":     {api(503, 10077, "maximum bytes exceeded"), true, true},
		"NoLeader":     {api(503, 10008, "JetStream system temporarily unavailable"), false, true},
		"NoResponse":   {fmt.Errorf("publish: %w", jetstream.ErrNoStreamResponse), false, true},
		"NoResponders": {nats.ErrNoResponders, false, true},
		"Timeout":      {context.DeadlineExceeded, false, true},
		"TooLarge":     {api(400, 10054, "message size exceeds maximum allowed"), false, false},
		"WrongStream":  {api(400, 10060, "expected stream does not match"), false, false},
		"Closed":       {nats.ErrConnectionClosed, false, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := isQueueFull(tt.err); got != tt.full {
				t.Errorf("isQueueFull = %v", got)
			}
			// A full queue is asked first; unavailable only matters after.
			if got := unavailable(tt.err); got != tt.unavailable {
				t.Errorf("unavailable = %v", got)
			}
		})
	}
}
