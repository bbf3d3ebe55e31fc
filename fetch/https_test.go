package fetch

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestGet_HTTPS: an https server we trust is fetched over HTTP/2; one whose
// certificate we do not trust fails at once, with no retry.
func TestGet_HTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Proto))
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	cfg := Config{Delay: -1, IgnoreRobots: true, AllowAddrs: []netip.AddrPort{netip.MustParseAddrPort(u.Host)}}

	f := newFetcher(t, cfg)
	_, err := f.Get(context.Background(), srv.URL+"/", Validators{})
	if err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
	t.Log(err)
	if st := f.Stats(); st.Retries != 0 {
		t.Errorf("a certificate error was retried: %+v", st)
	}

	f = newFetcher(t, cfg)
	f.client.Transport.(*http.Transport).TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	resp, err := f.Get(context.Background(), srv.URL+"/", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "HTTP/2.0" {
		t.Errorf("served over %s, want HTTP/2.0", resp.Body)
	}
}

// TestGet_TLSHandshakeTimeout: a server that accepts the connection and
// never speaks TLS is abandoned at ConnectTimeout.
func TestGet_TLSHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, conn) // held open, silent
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	ap := netip.MustParseAddrPort(ln.Addr().String())
	f := newFetcher(t, Config{Delay: -1, IgnoreRobots: true, Retries: -1,
		ConnectTimeout: 200 * time.Millisecond, AllowAddrs: []netip.AddrPort{ap}})
	start := time.Now()
	_, err = f.Get(context.Background(), "https://"+ap.String()+"/", Validators{})
	if err == nil || !strings.Contains(err.Error(), "TLS handshake timeout") {
		t.Fatalf("err = %v, want a TLS handshake timeout", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 30*time.Second {
		t.Errorf("gave up after %v", d)
	}
}
