package fetch

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestGet_Conditional checks item 4: validators are sent back verbatim,
// each only when stored, never made up from the clock, and merged on 304.
func TestGet_Conditional(t *testing.T) {
	const lm = "Tue, 01 Jul 2025 08:00:00 GMT"
	type answer struct {
		status int
		etag   string // "" = no ETag header
		lm     string // "" = no Last-Modified header
	}
	tests := []struct {
		name        string
		old         Validators
		answer      answer
		wantINM     string // If-None-Match the server must get ("" = none)
		wantIMS     string // If-Modified-Since the server must get ("" = none)
		wantStatus  int
		wantStored  Validators
		wantNotMods int64
	}{
		{
			name:       "first fetch sends no validators",
			answer:     answer{200, `"v1"`, lm},
			wantStatus: 200, wantStored: Validators{`"v1"`, lm},
		},
		{
			name:    "ETag changed with the same Last-Modified",
			old:     Validators{`"v1"`, lm},
			answer:  answer{200, `"v2"`, lm},
			wantINM: `"v1"`, wantIMS: lm,
			wantStatus: 200, wantStored: Validators{`"v2"`, lm},
		},
		{
			name:    "304 with a new ETag and no Last-Modified keeps the old Last-Modified",
			old:     Validators{`"v1"`, lm},
			answer:  answer{304, `"v2"`, ""},
			wantINM: `"v1"`, wantIMS: lm,
			wantStatus: 304, wantStored: Validators{`"v2"`, lm}, wantNotMods: 1,
		},
		{
			name:    "304 with nothing keeps both",
			old:     Validators{`W/"a, b"`, lm},
			answer:  answer{304, "", ""},
			wantINM: `W/"a, b"`, wantIMS: lm,
			wantStatus: 304, wantStored: Validators{`W/"a, b"`, lm}, wantNotMods: 1,
		},
		{
			name:       "only Last-Modified: no If-None-Match is sent",
			old:        Validators{LastModified: lm},
			answer:     answer{304, "", ""},
			wantIMS:    lm,
			wantStatus: 304, wantStored: Validators{LastModified: lm}, wantNotMods: 1,
		},
		{
			name:       "only ETag: no If-Modified-Since is invented",
			old:        Validators{ETag: `"e"`},
			answer:     answer{304, "", ""},
			wantINM:    `"e"`,
			wantStatus: 304, wantStored: Validators{ETag: `"e"`}, wantNotMods: 1,
		},
		{
			name:       "a Last-Modified in an odd format goes back verbatim",
			old:        Validators{LastModified: "1 Jul 2025 8:00 +0800"},
			answer:     answer{304, "", ""},
			wantIMS:    "1 Jul 2025 8:00 +0800",
			wantStatus: 304, wantStored: Validators{LastModified: "1 Jul 2025 8:00 +0800"}, wantNotMods: 1,
		},
		{
			name:       "neither: 200 stores nothing, and nothing is sent next time",
			answer:     answer{200, "", ""},
			wantStatus: 200, wantStored: Validators{},
		},
		{
			name:    "server ignoring validators answers 200: validators as sent, body returned",
			old:     Validators{`"v1"`, lm},
			answer:  answer{200, `"v1"`, lm},
			wantINM: `"v1"`, wantIMS: lm,
			wantStatus: 200, wantStored: Validators{`"v1"`, lm},
		},
		{
			name:    "200 dropping a validator stores it as missing",
			old:     Validators{`"v1"`, lm},
			answer:  answer{200, "", lm},
			wantINM: `"v1"`, wantIMS: lm,
			wantStatus: 200, wantStored: Validators{LastModified: lm},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.answer.etag != "" {
					w.Header().Set("ETag", tt.answer.etag)
				}
				if tt.answer.lm != "" {
					w.Header().Set("Last-Modified", tt.answer.lm)
				}
				w.WriteHeader(tt.answer.status)
				if tt.answer.status == 200 {
					w.Write([]byte("body"))
				}
			})
			cfg := testConfig(t, s)
			cfg.Now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
			f := newFetcher(t, cfg)
			resp, err := f.Get(context.Background(), s.URL+"/p", tt.old)
			if err != nil {
				t.Fatal(err)
			}
			reqs := s.requests(true)
			if len(reqs) != 1 {
				t.Fatalf("server got %d requests, want 1", len(reqs))
			}
			h := reqs[0].Header
			if got, ok := h["If-None-Match"]; tt.wantINM == "" && ok || tt.wantINM != "" && (len(got) != 1 || got[0] != tt.wantINM) {
				t.Errorf("If-None-Match = %q, want %q", got, tt.wantINM)
			}
			if got, ok := h["If-Modified-Since"]; tt.wantIMS == "" && ok || tt.wantIMS != "" && (len(got) != 1 || got[0] != tt.wantIMS) {
				t.Errorf("If-Modified-Since = %q, want %q", got, tt.wantIMS)
			}
			if resp.Status != tt.wantStatus || resp.NotModified != (tt.wantStatus == 304) {
				t.Errorf("Status = %d, NotModified = %v", resp.Status, resp.NotModified)
			}
			if resp.NotModified && resp.Body != nil || !resp.NotModified && string(resp.Body) != "body" {
				t.Errorf("Body = %q", resp.Body)
			}
			if resp.Validators != tt.wantStored {
				t.Errorf("Validators = %+v, want %+v", resp.Validators, tt.wantStored)
			}
			if !resp.Date.Equal(cfg.Now()) {
				t.Errorf("Date = %v", resp.Date)
			}
			if st := f.Stats(); st.NotModified != tt.wantNotMods {
				t.Errorf("Stats.NotModified = %d, want %d", st.NotModified, tt.wantNotMods)
			}
		})
	}
}

// TestGet_ConditionalRounds runs the rounds a cron job makes against one
// server that changes its ETag but not its Last-Modified: what Get returns
// is what the next Get sends.
func TestGet_ConditionalRounds(t *testing.T) {
	const lm = "Tue, 01 Jul 2025 08:00:00 GMT"
	etag := `"v1"`
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", lm)
		w.Header().Set("ETag", etag)
		// RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write([]byte("page " + etag))
	})
	f := newFetcher(t, testConfig(t, s))
	var stored Validators
	want := []struct {
		etag   string
		status int
	}{{`"v1"`, 200}, {`"v1"`, 304}, {`"v2"`, 200}, {`"v2"`, 304}}
	for i, w := range want {
		etag = w.etag
		resp, err := f.Get(context.Background(), s.URL+"/p", stored)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != w.status {
			t.Errorf("round %d: status %d, want %d", i, resp.Status, w.status)
		}
		stored = resp.Validators
		if stored != (Validators{w.etag, lm}) {
			t.Errorf("round %d: stored %+v", i, stored)
		}
	}
}

// TestGet_NotModifiedUnasked: a 304 to an unconditional request cannot be
// used (there is no body to fall back on): it is an error.
func TestGet_NotModifiedUnasked(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) })
	f := newFetcher(t, testConfig(t, s))
	_, err := f.Get(context.Background(), s.URL+"/p", Validators{})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 304 {
		t.Fatalf("err = %v, want a StatusError 304", err)
	}
}
