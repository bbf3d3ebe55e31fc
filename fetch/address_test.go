package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestIsPublic(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1": false, "127.8.9.10": false, "::1": false,
		"10.1.2.3": false, "172.16.0.1": false, "172.31.255.255": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "fd12:3456::1": false,
		"0.0.0.0": false, "::": false, "0.1.2.3": false,
		"224.0.0.1": false, "239.255.255.250": false, "ff02::1": false, "ff05::2": false,
		"100.64.0.1": false, "192.0.0.8": false, "198.18.0.1": false, "240.0.0.1": false, "255.255.255.255": false,
		"192.0.2.1": false, "2001:db8::1": false, "100::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "64:ff9b::7f00:1": false,
		"8.8.8.8": true, "1.1.1.1": true, "172.32.0.1": true, "100.128.0.1": true, "2606:4700::1111": true,
		"::ffff:8.8.8.8": true, "64:ff9b::808:808": true,
	}
	for s, want := range tests {
		if got := isPublic(netip.MustParseAddr(s)); got != want {
			t.Errorf("isPublic(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestGet_AddressCheck: without AllowPrivate only the test server's own
// address is reachable. A redirect to [::1] or to another loopback port,
// and a host name that resolves to loopback, are all refused at dial time
// — nothing reaches the other server.
func TestGet_AddressCheck(t *testing.T) {
	other := newSite(t, func(w http.ResponseWriter, r *http.Request) {})
	otherPort := other.addr(t).Port()
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-ipv6":
			http.Redirect(w, r, "http://[::1]/", http.StatusFound)
		case "/to-ipv6-port":
			http.Redirect(w, r, "http://[::1]:"+itoa(otherPort)+"/", http.StatusFound)
		case "/to-other":
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		case "/to-localhost":
			http.Redirect(w, r, "http://localhost:"+itoa(otherPort)+"/", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		default:
			w.Write([]byte("ok"))
		}
	})
	f := newFetcher(t, testConfig(t, s))
	if _, err := f.Get(context.Background(), s.URL+"/", Validators{}); err != nil {
		t.Fatalf("own server refused: %v", err)
	}
	for _, path := range []string{"/to-ipv6", "/to-ipv6-port", "/to-other", "/to-localhost"} {
		_, err := f.Get(context.Background(), s.URL+path, Validators{})
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", path, err)
			continue
		}
		t.Logf("%s: %v", path, err)
	}
	if _, err := f.Get(context.Background(), s.URL+"/to-file", Validators{}); !errors.Is(err, ErrScheme) {
		t.Errorf("/to-file: err = %v, want ErrScheme", err)
	}
	if n := len(other.requests(true)); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
	if st := f.Stats(); st.Retries != 0 {
		t.Errorf("refusals were retried: %+v", st)
	}

	// AllowPrivate lets them through.
	f = newFetcher(t, Config{AllowPrivate: true, IgnoreRobots: true, Delay: -1})
	if _, err := f.Get(context.Background(), s.URL+"/to-localhost", Validators{}); err != nil {
		t.Errorf("AllowPrivate: %v", err)
	}
	if n := len(other.requests(true)); n != 1 {
		t.Errorf("the other server got %d requests, want 1", n)
	}
}

func TestGet_Scheme(t *testing.T) {
	f := newFetcher(t, Config{})
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)",
		"gopher://example.com/", "/relative/path", "example.com/page", "http:///nohost", "http://%zz/", ""} {
		_, err := f.Get(context.Background(), u, Validators{})
		if !errors.Is(err, ErrScheme) {
			t.Errorf("%q: err = %v, want ErrScheme", u, err)
		} else if !strings.Contains(err.Error(), u) {
			t.Errorf("%q: error %q does not name the URL", u, err)
		}
	}
	if st := f.Stats(); st.Requests != 0 {
		t.Errorf("Stats = %+v", st)
	}
}

func itoa(port uint16) string { return strconv.Itoa(int(port)) }
