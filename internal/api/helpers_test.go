package api

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/apitest"
)

const testToken = apitest.Token

const wantAuth = apitest.Authorization

// newFake starts the shared fake API with one handler for every request; the handler
// gets the request's number (1-based). Tests that expect particular calls register
// stubs on an apitest.Server instead.
func newFake(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int)) *apitest.Server {
	t.Helper()
	s := apitest.New(t)
	s.Fallback(func(w http.ResponseWriter, r *http.Request) { h(w, r, apitest.Nth(r)) })
	return s
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
