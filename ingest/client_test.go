package ingest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer answers with handler and counts the requests.
func countingServer(t *testing.T, handler func(n int32, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(n.Add(1), w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestClientRetriesTooManyRequests(t *testing.T) {
	srv, calls := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("ok"))
	})
	start := time.Now()
	body, err := testClient().Get(context.Background(), srv.URL, 0, nil)
	if err != nil || string(body) != "ok" || calls.Load() != 2 {
		t.Fatalf("got %q, %v after %d calls", body, err, calls.Load())
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("retried after %v, want Retry-After's 1s honoured", took)
	}
}

func TestClientGivesUpOnServerErrors(t *testing.T) {
	srv, calls := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	})
	_, err := testClient().Get(context.Background(), srv.URL+"/x?access_token=secret", 0, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusBadGateway || calls.Load() != 4 {
		t.Errorf("err = %v after %d calls, want 502 after 1 + 3 retries", err, calls.Load())
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q shows the token", err)
	}
}

func TestClientDoesNotRetryClientErrorsOrLongRetryAfter(t *testing.T) {
	srv, calls := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		http.NotFound(w, r)
	})
	c := testClient()
	var se *StatusError
	if _, err := c.Get(context.Background(), srv.URL+"/gone", 0, nil); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("404: %v", err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/slow", 0, nil); !errors.As(err, &se) || se.Code != 429 {
		t.Errorf("429 asking for an hour: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls, want 2 (no retries)", calls.Load())
	}
}

func TestClientByteLimit(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 10_000)
	srv, _ := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length: the limit must hold while reading
		}
		w.Write(big)
	})
	c := testClient()
	for _, path := range []string{"/sized", "/chunked"} {
		if _, err := c.Download(context.Background(), srv.URL+path, 9_999); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s over the limit: %v, want ErrTooLarge", path, err)
		}
		if body, err := c.Download(context.Background(), srv.URL+path, 10_000); err != nil || len(body) != 10_000 {
			t.Errorf("%s at the limit: %d bytes, %v", path, len(body), err)
		}
	}
}

func TestClientRefusesInternalAddresses(t *testing.T) {
	internal, internalCalls := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("secret admin page"))
	})
	internalPort := internal.URL[strings.LastIndexByte(internal.URL, ':'):]
	public, _ := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-ip":
			http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
		case "/to-name": // a DNS name that resolves to 127.0.0.1
			http.Redirect(w, r, "http://localhost"+internalPort+"/admin", http.StatusFound)
		default:
			w.Write([]byte("public"))
		}
	})
	c := NewClient(ClientOptions{HostInterval: -1, BaseBackoff: time.Millisecond})
	c.exempt = map[string]bool{strings.TrimPrefix(public.URL, "http://"): true} // stands for a public server

	if body, err := c.Get(context.Background(), public.URL+"/", 0, nil); err != nil || string(body) != "public" {
		t.Fatalf("the exempt server: %q, %v", body, err)
	}
	for _, u := range []string{
		public.URL + "/to-ip", public.URL + "/to-name", internal.URL, "http://localhost" + internalPort,
		"http://[::1]" + internalPort, "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://0.0.0.0" + internalPort,
		"http://100.64.0.1/",
	} {
		if _, err := c.Get(context.Background(), u, 0, nil); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("GET %s: %v, want ErrBlockedAddress", u, err)
		}
	}
	if internalCalls.Load() != 0 {
		t.Errorf("the internal server was reached %d times", internalCalls.Load())
	}
	for _, u := range []string{"file:///etc/passwd", "gopher://x/", "/relative"} {
		if _, err := c.Get(context.Background(), u, 0, nil); !errors.Is(err, ErrBadURL) {
			t.Errorf("GET %s: %v, want ErrBadURL", u, err)
		}
	}
}

func TestClientPacesRequestsPerHost(t *testing.T) {
	srv, _ := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {})
	c := NewClient(ClientOptions{AllowPrivateHosts: true, HostInterval: 60 * time.Millisecond})
	start := time.Now()
	for range 3 {
		if _, err := c.Get(context.Background(), srv.URL, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 120*time.Millisecond {
		t.Errorf("3 requests took %v, want at least 2 intervals", took)
	}
}
