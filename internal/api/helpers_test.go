package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const testToken = "0123456789abcdef0123456789abcdef"

const wantAuth = "Token token=" + testToken + ", device=open_api, version_code=9.9.9"

// seenRequest is what a fake server received.
type seenRequest struct {
	Method, Path, RawQuery, Host string
	Header                       http.Header
	Body                         string
}

// fakeServer is a loopback API server whose handler gets the request number (1-based).
type fakeServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seenRequest
}

func newFake(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int)) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.record(r)
		h(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) record(r *http.Request) int {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, seenRequest{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Host: r.Host, Header: r.Header.Clone(), Body: string(b)})
	return len(f.reqs)
}

func (f *fakeServer) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.reqs...)
}

// sleepRecorder is a fake Options.Sleep that records the waits and returns at once.
type sleepRecorder struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

// newTestClient builds a client for base with a fake sleep; mod adjusts the options.
func newTestClient(t *testing.T, base string, mod ...func(*Options)) (*Client, *sleepRecorder) {
	t.Helper()
	sr := &sleepRecorder{}
	o := Options{BaseURL: base, Token: testToken, UserAgent: "crmctl/test", Timeout: 5 * time.Second, Sleep: sr.sleep}
	for _, m := range mod {
		m(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, sr
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	io.WriteString(w, body)
}
